/**
 * Sequences made one element at a time whenever they are iterated, for outputs too large
 * to hold: the per-client rows of `trend --clients` on a million clients (issue 16) are
 * made from the compact session store while they are written, never all at once.
 *
 * A Sequence has a `length` and can be iterated any number of times; `JSON.stringify`
 * writes it as an array (toJSON materialises it: use the streaming writers of
 * src/report/stream.ts and render.ts, which do not).
 */
export interface Sequence<T> extends Iterable<T> {
  readonly length: number;
  toJSON(): T[];
}

/** Whether v is a Sequence (an iterable object with a length that is not an array). */
export function isSequence(v: unknown): v is Sequence<unknown> {
  return (
    v !== null &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function' &&
    typeof (v as { length?: unknown }).length === 'number' &&
    typeof (v as { toJSON?: unknown }).toJSON === 'function'
  );
}

/** A sequence of `length` elements that `make` yields afresh on every iteration. */
export function sequence<T>(length: number, make: () => Iterator<T>): Sequence<T> {
  const s: Sequence<T> = {
    length,
    [Symbol.iterator]: make,
    toJSON: () => Array.from(s),
  };
  return s;
}

/** The elements of `s` mapped by `f` as they are read. */
export function mapSequence<T, U>(s: Sequence<T>, f: (x: T) => U): Sequence<U> {
  return sequence(s.length, function* () {
    for (const x of s) yield f(x);
  });
}

/** An array or a sequence, as an array (a sequence is materialised: for small ones only). */
export function toArray<T>(v: readonly T[] | Sequence<T>): readonly T[] {
  return isSequence(v) ? Array.from(v) : v;
}

/** The first `n` elements of `it`, read one at a time: element n + 1 is never made. */
export function* take<T>(it: Iterable<T>, n: number): Generator<T> {
  if (n <= 0) return;
  let i = 0;
  for (const x of it) {
    yield x;
    if (++i >= n) return;
  }
}

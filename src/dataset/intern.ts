/**
 * Compact per-scan structures of the dataset layer: string interning to dense ids, the
 * (client, key) index of a join's loaded side, and typed-array growth.
 */

/**
 * Copies a string out of the parser's chunk so a short key does not pin a large chunk.
 * V8 copies substrings shorter than 13 characters anyway (only longer ones are "sliced"
 * views into their parent), so only those are copied explicitly.
 */
function own(s: string): string {
  return s.length < 13 ? s : Buffer.from(s, 'utf8').toString('utf8');
}

/**
 * Interns strings to dense ids: an open-addressing hash table (FNV-1a over char codes,
 * linear probing) over the id list. Inserting a million fresh ids costs about a third of
 * what a Map does, which matters when every client is new (one Map rehash per doubling).
 */
export class Interner {
  private cap = 1024;
  private slots = new Int32Array(1024).fill(-1);
  private hashes = new Int32Array(1024);
  /**
   * The interned values themselves once `list` shows a pseudonym for one of them (until then
   * `list` holds the values and this is null: no second array in the common case).
   */
  private keys: string[] | null = null;
  /**
   * @param list the values as shown (the dataset's clients, therapists or group levels)
   * @param display a value's pseudonym when it must not be shown (./pseudonyms.ts), else null
   */
  constructor(
    readonly list: string[],
    private readonly display: ((value: string) => string | null) | null = null,
  ) {}

  /** The id of `raw` (trimmed), adding it when new. */
  id(raw: string): number {
    const n = raw.length;
    const key = n > 0 && (raw.charCodeAt(0) <= 32 || raw.charCodeAt(n - 1) <= 32) ? raw.trim() : raw;
    let h = 0x811c9dc5 | 0;
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    const mask = this.cap - 1;
    const slots = this.slots;
    let i = h & mask;
    for (;;) {
      const v = slots[i];
      if (v < 0) break;
      if (this.hashes[v] === h && (this.keys ?? this.list)[v] === key) return v;
      i = (i + 1) & mask;
    }
    const id = this.list.length;
    const kept = own(key);
    const shown = this.display === null ? null : this.display(kept);
    if (shown !== null && this.keys === null) this.keys = this.list.slice();
    this.list.push(shown ?? kept);
    this.keys?.push(kept);
    if (id >= this.hashes.length) {
      const bigger = new Int32Array(this.hashes.length * 2);
      bigger.set(this.hashes);
      this.hashes = bigger;
    }
    this.hashes[id] = h;
    slots[i] = id;
    if ((id + 1) * 2 > this.cap) this.rehash();
    return id;
  }

  private rehash(): void {
    this.cap *= 2;
    const mask = this.cap - 1;
    const slots = new Int32Array(this.cap).fill(-1);
    for (let id = 0; id < this.list.length; id++) {
      let i = this.hashes[id] & mask;
      while (slots[i] >= 0) i = (i + 1) & mask;
      slots[i] = id;
    }
    this.slots = slots;
  }
}

const F64 = new Float64Array(1);
const I32 = new Int32Array(F64.buffer);

/**
 * (client, key) -> rows of the loaded side of a join, without a string or object per row:
 * open addressing over typed arrays; each entry keeps its first and last row (rows with
 * the same key are chained by the caller through `next`).
 */
export class PairIndex {
  private cap = 1024;
  private slots = new Int32Array(1024).fill(-1);
  private client = new Int32Array(512);
  private key = new Float64Array(512);
  private head = new Int32Array(512);
  private tail = new Int32Array(512);
  private size = 0;

  private static hash(c: number, k: number): number {
    F64[0] = k + 0; // -0 -> 0
    let h = Math.imul(c ^ 0x9e3779b9, 0x85ebca6b) ^ I32[0];
    h = Math.imul(h ^ I32[1], 0xc2b2ae35);
    return h ^ (h >>> 15);
  }

  private slot(c: number, k: number): number {
    const mask = this.cap - 1;
    let i = PairIndex.hash(c, k) & mask;
    for (;;) {
      const e = this.slots[i];
      if (e < 0 || (this.client[e] === c && this.key[e] === k)) return i;
      i = (i + 1) & mask;
    }
  }

  /** First row with this key, or -1. */
  first(c: number, k: number): number {
    const e = this.slots[this.slot(c, k)];
    return e < 0 ? -1 : this.head[e];
  }

  /** Adds `row` under (c, k); returns the previous last row with that key (-1 if none). */
  append(c: number, k: number, row: number): number {
    const i = this.slot(c, k);
    const e = this.slots[i];
    if (e >= 0) {
      const prev = this.tail[e];
      this.tail[e] = row;
      return prev;
    }
    const id = this.size++;
    this.client = grow(this.client, id + 1);
    this.key = grow(this.key, id + 1);
    this.head = grow(this.head, id + 1);
    this.tail = grow(this.tail, id + 1);
    this.client[id] = c;
    this.key[id] = k;
    this.head[id] = row;
    this.tail[id] = row;
    this.slots[i] = id;
    if (this.size * 2 > this.cap) this.rehash();
    return -1;
  }

  private rehash(): void {
    this.cap *= 2;
    const mask = this.cap - 1;
    this.slots = new Int32Array(this.cap).fill(-1);
    for (let e = 0; e < this.size; e++) {
      let i = PairIndex.hash(this.client[e], this.key[e]) & mask;
      while (this.slots[i] >= 0) i = (i + 1) & mask;
      this.slots[i] = e;
    }
  }
}

export function grow<T extends Int32Array | Float64Array | Uint8Array>(a: T, need: number, fill?: number): T {
  if (need <= a.length) return a;
  let n = Math.max(16, a.length * 2);
  while (n < need) n *= 2;
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  if (fill !== undefined) b.fill(fill, a.length);
  return b;
}

/** A Float64Array that grows by doubling (push, ensure, view). */
export class GrowableF64 {
  data: Float64Array;
  length = 0;
  constructor(cap = 1024) {
    this.data = new Float64Array(cap);
  }
  ensure(extra: number): void {
    if (this.length + extra <= this.data.length) return;
    let cap = this.data.length * 2;
    while (cap < this.length + extra) cap *= 2;
    const next = new Float64Array(cap);
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
  push(v: number): void {
    if (this.length === this.data.length) this.ensure(1);
    this.data[this.length++] = v;
  }
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

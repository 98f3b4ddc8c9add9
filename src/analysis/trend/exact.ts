/**
 * The per-session tests of `alliance trend` (alliance below the cut-off, alliance drops) at
 * the data's decimal precision (src/stats/threshold.ts), answered from tables filled as
 * values come: a score written with at most three decimals (v === c / 1000 for an integer
 * code c, as every SRS, ORS or PHQ-9 score is) is looked up by its code, and the table
 * entry is computed once, the first time, by the threshold.ts function itself. So the
 * answers are those of threshold.ts, only faster, and no table needs the column's range in
 * advance (the tests run while the input is read). Other values (more decimals, or too
 * large) call the functions directly. test/analysis/trend-properties.test.ts checks that
 * both give the same results.
 */
import { compareDifference, decimalsOf, scoreDifference } from '../../stats/threshold.js';

/** Codes are values times SCALE. */
const SCALE = 1000;
/** Codes in (-RANGE, RANGE) are tabulated (scores below 262.144 in magnitude). */
const RANGE = 1 << 18;

/** Not yet computed (a table entry holds its result + 1). */
const UNKNOWN = 0;
/** scoreCode() of a value that has none. */
const NO_CODE = RANGE;

/** The value's code when it is exactly its code's value and tabulated, else NO_CODE. */
export function scoreCode(x: number): number {
  const c = Math.round(x * SCALE);
  return c / SCALE === x && c > -RANGE && c < RANGE ? c : NO_CODE;
}

/**
 * A test of one score, and the same test given the score's code too (`coded(scoreCode(x),
 * x)`), so that a caller testing one score several ways finds its code once.
 */
export type ScoreTest = ((x: number) => boolean) & { coded: (c: number, x: number) => boolean };

/** A test of one score (e.g. alliance below its cut-off), memoised per code (scoreIndex). */
export function scoreTest(test: (x: number) => boolean): ScoreTest {
  const table = new Uint8Array(2 * RANGE);
  const coded = (c: number, x: number): boolean => {
    if (c === NO_CODE) return test(x);
    const t = table[c + RANGE];
    if (t !== UNKNOWN) return t === 2;
    const r = test(x);
    table[c + RANGE] = r ? 2 : 1;
    return r;
  };
  return Object.assign((x: number) => coded(scoreCode(x), x), { coded });
}

/**
 * A small whole number (0 to 253) computed from one score (e.g. its band), memoised per
 * code as scoreTest is; other results are computed each time.
 */
export function scoreIndex(f: (x: number) => number): (x: number) => number {
  const table = new Uint8Array(2 * RANGE);
  return (x) => {
    // Only a value that is exactly its code's value shares the code's entry.
    const c = scoreCode(x);
    if (c === NO_CODE) return f(x);
    const i = c + RANGE;
    const t = table[i];
    if (t !== UNKNOWN) return t - 1;
    const r = f(x);
    if (r >= 0 && r < 254 && Number.isInteger(r)) table[i] = r + 1;
    return r;
  };
}

/**
 * f(a, b) for a function of the exact decimal difference a - b only (at the scores'
 * decimal precision, threshold.ts), memoised per difference of codes: when a and b are both
 * exactly their codes' values, f(a, b) is f(d, 0) for d = (ca - cb) / 1000, the same exact
 * difference, computed once per d. Other values call f as it is.
 */
export function differenceTest<T>(f: (a: number, b: number) => T): DifferenceTest<T> {
  const table = new Uint8Array(4 * RANGE);
  const results: T[] = [];
  const coded = (ca: number, cb: number, a: number, b: number): T => {
    if (ca === NO_CODE || cb === NO_CODE) return f(a, b);
    const i = ca - cb + 2 * RANGE;
    const t = table[i];
    if (t !== UNKNOWN) return results[t - 1];
    const r = f((ca - cb) / SCALE, 0);
    let j = results.indexOf(r);
    if (j < 0) j = results.push(r) - 1;
    // Up to 255 distinct results are kept; a function with more is called each time past them.
    if (j < 255) table[i] = j + 1;
    return r;
  };
  return Object.assign((a: number, b: number) => coded(scoreCode(a), scoreCode(b), a, b), { coded });
}

/** f(a, b), and the same given the scores' codes too (`coded(scoreCode(a), scoreCode(b), a, b)`). */
export type DifferenceTest<T> = ((a: number, b: number) => T) & { coded: (ca: number, cb: number, a: number, b: number) => T };

/**
 * "a fell from `prev` by at least `drop`" in the better direction `dir`: compareDifference
 * of the two scores (oriented) with `drop` is >= 0. At decimal precision that depends only
 * on the exact difference of the two scores, so it is memoised per difference
 * (differenceTest). A `drop` with no decimal precision (more than 6 decimals) is compared
 * in floating point by threshold.ts, which does depend on the values themselves: then the
 * function is called as it is.
 */
export function dropTest(drop: number, dir: 1 | -1): DifferenceTest<boolean> {
  const direct = (prev: number, a: number) => (dir > 0 ? compareDifference(prev, a, drop) : compareDifference(a, prev, drop)) >= 0;
  return decimalsOf(drop) < 0
    ? Object.assign(direct, { coded: (_ca: number, _cb: number, prev: number, a: number) => direct(prev, a) })
    : differenceTest(direct);
}

/**
 * scoreDifference(a, b) (threshold.ts): for scores that are exactly their codes' values
 * (at most three decimals), (ca - cb) / 1000, the nearest double to the same exact decimal
 * difference that scoreDifference divides out at the operands' own precision.
 */
export function exactDifference(a: number, b: number): number {
  const ca = scoreCode(a);
  const cb = scoreCode(b);
  if (ca === NO_CODE || cb === NO_CODE) return scoreDifference(a, b);
  return (ca - cb) / SCALE;
}

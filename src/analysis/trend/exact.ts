/**
 * The per-session tests of `alliance trend` (alliance below the cut-off, alliance drops,
 * change so far) at the data's decimal precision (src/stats/threshold.ts), answered from
 * tables when a column is held as integer codes (store.ts, PagedColumn.codes): every stored
 * value v is exactly the double nearest `code / scale`, and `Math.round(v * scale)` gives
 * the code back, so a test of one value is a table lookup by code, computed once per code
 * with the threshold.ts function itself. The answers are those of threshold.ts, only
 * faster; a Float64 column (or too wide a range) uses the functions directly.
 * test/analysis/trend-properties.test.ts checks that both give the same results.
 */
import { compareDifference, decimalsOf } from '../../stats/threshold.js';

/** How a column holds its values: integer codes in [lo, hi], value = code / scale (null: Float64). */
export type Codes = { scale: number; lo: number; hi: number } | null;

/** Most entries of one table (1 byte each). */
const MAX_TABLE = 1 << 18;

/** A test of one stored score (e.g. alliance below its cut-off), by code when it can be. */
export function scoreTest(codes: Codes, test: (x: number) => boolean): (x: number) => boolean {
  if (!codes || codes.hi - codes.lo + 1 > MAX_TABLE) return test;
  const { scale, lo } = codes;
  const table = new Uint8Array(codes.hi - lo + 1);
  for (let c = lo; c <= codes.hi; c++) table[c - lo] = test(c / scale) ? 1 : 0;
  return (x) => table[Math.round(x * scale) - lo] === 1;
}

/**
 * "a fell from `prev` by at least `drop`" in the better direction `dir`: compareDifference
 * of the two scores (oriented) with `drop` is >= 0. At decimal precision that depends only
 * on the exact difference of the two scores, i.e. on the difference of their codes, so it
 * is tabulated per code difference; a `drop` with no decimal precision (more than 6
 * decimals) is compared in floating point by threshold.ts, which does depend on the values
 * themselves: then (and for Float64 columns) the function is called as it is.
 */
export function dropTest(codes: Codes, drop: number, dir: 1 | -1): (prev: number, a: number) => boolean {
  const direct = (prev: number, a: number) => (dir > 0 ? compareDifference(prev, a, drop) : compareDifference(a, prev, drop)) >= 0;
  if (!codes || decimalsOf(drop) < 0) return direct;
  const { scale } = codes;
  const w = codes.hi - codes.lo;
  if (2 * w + 1 > MAX_TABLE) return direct;
  const table = new Uint8Array(2 * w + 1);
  for (let d = -w; d <= w; d++) table[d + w] = compareDifference((dir * d) / scale, 0, drop) >= 0 ? 1 : 0;
  return (prev, a) => table[Math.round(prev * scale) - Math.round(a * scale) + w] === 1;
}

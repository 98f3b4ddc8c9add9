/**
 * Error-free transformations and double-double sums (a value as hi + lo, about 106 bits):
 * exact sums and products of doubles for streaming statistics that must keep the last bit
 * (RunningMoments). Each function returns its pair in `out` (no allocation per call).
 *
 * References: Knuth, TAOCP vol. 2, 3rd ed. (1997), 4.2.2 (TwoSum); Dekker, T. J. (1971)
 * A floating-point technique for extending the available precision. Numer. Math. 18,
 * 224-242, doi:10.1007/BF01397083 (split, TwoProduct, double-length arithmetic).
 */

/** A double-double or error pair: value hi + lo. */
export interface Pair {
  hi: number;
  lo: number;
}

/** Dekker's splitting constant for doubles: 2^27 + 1. */
export const SPLITTER = 134217729;

/** a + b = out.hi + out.lo exactly (Knuth's TwoSum; any order of magnitude). */
export function twoSum(a: number, b: number, out: Pair): Pair {
  const s = a + b;
  const bb = s - a;
  out.hi = s;
  out.lo = a - (s - bb) + (b - bb);
  return out;
}

/** a * b = out.hi + out.lo exactly (Dekker's TwoProduct; no overflow for |a|, |b| < 1e150). */
export function twoProduct(a: number, b: number, out: Pair): Pair {
  const p = a * b;
  let c = SPLITTER * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = SPLITTER * b;
  const bh = c - (c - b);
  const bl = b - bh;
  out.hi = p;
  out.lo = ah * bh - p + ah * bl + al * bh + al * bl;
  return out;
}

/** acc += (hi + lo), in double-double. */
export function ddAdd(acc: Pair, hi: number, lo: number): Pair {
  const s = acc.hi + hi;
  const bb = s - acc.hi;
  const e = acc.hi - (s - bb) + (hi - bb) + acc.lo + lo;
  acc.hi = s + e;
  acc.lo = e - (acc.hi - s);
  return acc;
}

/** out = (a.hi + a.lo) * (b.hi + b.lo), in double-double. */
export function ddMul(a: Pair, b: Pair, out: Pair): Pair {
  twoProduct(a.hi, b.hi, out);
  const e = out.lo + a.hi * b.lo + a.lo * b.hi;
  const p = out.hi;
  out.hi = p + e;
  out.lo = e - (out.hi - p);
  return out;
}

/** out = (a.hi + a.lo) / d for a double d, in double-double. */
export function ddDiv(a: Pair, d: number, out: Pair): Pair {
  const q1 = a.hi / d;
  twoProduct(q1, d, out);
  const q2 = (a.hi - out.hi - out.lo + a.lo) / d;
  out.hi = q1 + q2;
  out.lo = q2 - (out.hi - q1);
  return out;
}

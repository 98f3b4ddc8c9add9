/**
 * Comparisons of scores, and of differences of scores, with thresholds at the decimal
 * precision of the data.
 *
 * Scores come from forms with at most a few decimals (SRS and ORS to one decimal, CORE-OM
 * means to two), but in binary floating point `12.2 - 7.2` is 4.999999999999999 and
 * `16.4 - 15.4` is 0.9999999999999982: a plain `>=` would call an ORS change of exactly 5
 * points "not reliable" and miss an SRS drop of exactly 1. Here each operand is read at
 * its decimal precision (the fewest decimals, at most MAX_DECIMALS, at which it is a
 * k-decimal number to within floating-point rounding), the operands are scaled to integers
 * at their common precision, and the integers are compared exactly. So values equal at the
 * data's decimal precision are equal, whatever the binary rounding.
 *
 * An operand with more than MAX_DECIMALS decimals (a derived value such as a
 * Jacobson-Truax cut-off computed from a mean and SD, or an RCI) is not a recorded score:
 * the comparison is then made in floating point as it stands.
 *
 * Checked against R (test/reference/threshold.R: differences in integer arithmetic on
 * scores times 10^k).
 */

/** The most decimals a recorded score is taken to have. */
export const MAX_DECIMALS = 6;

/**
 * Distance, in units of the last kept decimal, within which x * 10^k counts as an integer:
 * far above the rounding of a once-subtracted/interpolated score (12.2 - 7.2 is 5 - 9e-16)
 * and far below any real 7th-decimal digit.
 */
const NEAR = 1e-10;

/**
 * Plus this many times |x * 10^k|: the rounding of x itself and of the scaling, a few
 * units in the last place. Only relative to the value's own bits, so at 1e9 (spacing
 * 1.2e-7) 1e9 + 14.123 has 3 decimals as written, not 1 (a tolerance of 1e-10 |x 10^k|
 * took its 0.023 for rounding).
 */
const ULPS = 8 * 2.220446049250313e-16;

const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000];

/** Largest magnitude of a scaled integer that is exact in a double. */
const EXACT = 2 ** 52;

/**
 * Decimal places of x as recorded: the smallest k in 0..MAX_DECIMALS such that x * 10^k is
 * within floating-point rounding of an integer (NEAR + ULPS |x 10^k|); -1 when there is none
 * (or x is not finite). For a value as parsed these are the decimals of its shortest
 * representation (String(x)), at any magnitude: decimalsOf(1e9 + 14.123) is 3.
 *
 * @example decimalsOf(12.2) // 1
 * @example decimalsOf(12.2 - 7.2) // 0 (4.999999999999999 is 5 to within rounding)
 * @example decimalsOf(1 / 3) // -1
 */
export function decimalsOf(x: number): number {
  if (!Number.isFinite(x)) return -1;
  for (let k = 0; k <= MAX_DECIMALS; k++) {
    const X = x * POW10[k];
    if (!(Math.abs(X) < EXACT)) return -1;
    if (Math.abs(X - Math.round(X)) <= NEAR + ULPS * Math.abs(X)) return k;
  }
  return -1;
}

/** Common decimal precision of the operands, or -1 when one of them has none. */
function commonDecimals(a: number, b: number, c = 0): number {
  const da = decimalsOf(a);
  const db = decimalsOf(b);
  const dc = decimalsOf(c);
  if (da < 0 || db < 0 || dc < 0) return -1;
  const k = Math.max(da, db, dc);
  const p = POW10[k];
  // The scaled difference must stay exact too.
  if (!(Math.abs(a * p) + Math.abs(b * p) + Math.abs(c * p) < EXACT)) return -1;
  return k;
}

const sign = (v: number): -1 | 0 | 1 => (v > 0 ? 1 : v < 0 ? -1 : 0);

/**
 * Sign of a - b at the operands' decimal precision: 0 when they are equal at that precision.
 *
 * @example compareScores(36, 35.99999999999999) // 0
 */
export function compareScores(a: number, b: number): -1 | 0 | 1 {
  const k = commonDecimals(a, b);
  if (k < 0) return sign(a - b);
  const p = POW10[k];
  return sign(Math.round(a * p) - Math.round(b * p));
}

/**
 * Sign of (a - b) - t, computed in integers at the common decimal precision of a, b and t:
 * the difference of two scores compared with a threshold.
 *
 * @example compareDifference(12.2, 7.2, 5) // 0: a change of exactly 5 points
 * @example compareDifference(16.4, 15.4, 1) // 0: a drop of exactly 1 point
 */
export function compareDifference(a: number, b: number, t: number): -1 | 0 | 1 {
  const k = commonDecimals(a, b, t);
  if (k < 0) return sign(a - b - t);
  const p = POW10[k];
  return sign(Math.round(a * p) - Math.round(b * p) - Math.round(t * p));
}

/**
 * a - b as the nearest double to the exact decimal difference at the operands' precision
 * (12.2 - 7.2 gives 5, not 4.999999999999999), so that equal decimal differences are equal
 * doubles; a - b in floating point when an operand has no decimal precision.
 */
export function scoreDifference(a: number, b: number): number {
  const k = commonDecimals(a, b);
  if (k < 0) return a - b;
  const p = POW10[k];
  return (Math.round(a * p) - Math.round(b * p)) / p;
}

/** A comparison operator of a score with a cut-off. */
export type Side = '<' | '<=' | '>' | '>=';

/**
 * `x side value` at the operands' decimal precision (a score on a cut-off is on it).
 *
 * @example beyond(24.999999999999996, '<', 25) // false
 */
export function beyond(x: number, side: Side, value: number): boolean {
  const c = compareScores(x, value);
  switch (side) {
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    default:
      return c >= 0;
  }
}

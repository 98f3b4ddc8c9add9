/**
 * Pearson product-moment correlation: streaming co-moments, r from sums, and the
 * t test / Fisher z interval exactly as R's cor.test().
 *
 * Reference values: test/reference/correlation.R -> correlation.json (R cor(),
 * cor.test()).
 */

import { normalQuantile, tTwoSidedP } from './distributions.js';

/** Raw (uncentred) sums over n complete pairs. */
export interface PearsonSums {
  n: number;
  sx: number;
  sy: number;
  sxx: number;
  syy: number;
  sxy: number;
}

function clampR(r: number): number {
  return r > 1 ? 1 : r < -1 ? -1 : r;
}

/**
 * Pearson correlation coefficient from raw sums.
 *
 * Formula: r = Sxy / sqrt(Sxx Syy) with centred sums Sxx = sxx - sx^2/n,
 * Syy = syy - sy^2/n, Sxy = sxy - sx sy / n, by correlationFromMoments.
 * Raw sums lose precision when the mean is large relative to the spread (e.g.
 * scores around 1e8 varying by 1): prefer CoMoments, which accumulates centred sums.
 * Returns NaN when n < 2 or a centred sum of squares is <= 0 (zero variance);
 * correlationTest() turns that into a "not estimable" reason.
 *
 * Reference: https://en.wikipedia.org/wiki/Pearson_correlation_coefficient
 * Validated against R cor().
 *
 * @example pearsonFromSums({ n: 3, sx: 6, sy: 6, sxx: 14, syy: 14, sxy: 14 }) // 1
 */
export function pearsonFromSums(s: PearsonSums): number {
  const { n } = s;
  if (!(n >= 2)) return Number.NaN;
  const cxx = s.sxx - (s.sx * s.sx) / n;
  const cyy = s.syy - (s.sy * s.sy) / n;
  const cxy = s.sxy - (s.sx * s.sy) / n;
  const r = correlationFromMoments(n, cxx, cyy, cxy, s.sxx, s.syy);
  return typeof r === 'number' ? r : Number.NaN;
}

/**
 * Streaming co-moments of paired data (Welford's update, Chan et al.'s merge):
 * n, means, centred sums of squares m2x = sum (x - mean x)^2, m2y, and the centred
 * cross-product cxy = sum (x - mean x)(y - mean y). Numerically stable for large
 * means (values are shifted by the first pair before updating); two accumulators
 * over disjoint data merge to exactly the statistics of
 * the union (up to rounding), so chunks of a stream can be processed separately.
 *
 * Reference: Welford, B. P. (1962) Technometrics 4, 419-420,
 * doi:10.1080/00401706.1962.10490022; Chan, Golub & LeVeque (1983) Am. Stat. 37,
 * 242-247, doi:10.1080/00031305.1983.10483115; see also
 * https://en.wikipedia.org/wiki/Algorithms_for_calculating_variance#Covariance
 * Validated against R cor()/var()/cov() (test/reference/correlation.R).
 *
 * @example
 * const m = new CoMoments(); m.add(1, 2); m.add(2, 4); m.add(3, 7); m.r() // 0.9933992677987828
 */
export class CoMoments {
  n = 0;
  m2x = 0;
  m2y = 0;
  cxy = 0;
  // Means are kept relative to a shift (the first pair seen): x - shift is exact for
  // values of similar magnitude, so scores around 1e8 varying by 1 lose nothing.
  private shiftX = 0;
  private shiftY = 0;
  private dMeanX = 0;
  private dMeanY = 0;

  /** Mean of x. */
  get meanX(): number {
    return this.shiftX + this.dMeanX;
  }

  /** Mean of y. */
  get meanY(): number {
    return this.shiftY + this.dMeanY;
  }

  /** Adds one complete pair. Callers must skip pairs with a missing value. */
  add(x: number, y: number): this {
    if (this.n === 0) {
      this.shiftX = x;
      this.shiftY = y;
    }
    const n1 = this.n + 1;
    const ux = x - this.shiftX;
    const uy = y - this.shiftY;
    const dx = ux - this.dMeanX;
    const dy = uy - this.dMeanY;
    this.dMeanX += dx / n1;
    this.dMeanY += dy / n1;
    const dx2 = ux - this.dMeanX;
    const dy2 = uy - this.dMeanY;
    this.m2x += dx * dx2;
    this.m2y += dy * dy2;
    this.cxy += dx * dy2;
    this.n = n1;
    return this;
  }

  /** Merges another accumulator into this one (the other is unchanged). */
  merge(other: CoMoments): this {
    if (other.n === 0) return this;
    if (this.n === 0) {
      this.n = other.n;
      this.shiftX = other.shiftX;
      this.shiftY = other.shiftY;
      this.dMeanX = other.dMeanX;
      this.dMeanY = other.dMeanY;
      this.m2x = other.m2x;
      this.m2y = other.m2y;
      this.cxy = other.cxy;
      return this;
    }
    const n = this.n + other.n;
    // other's mean relative to this shift
    const oMeanX = other.shiftX - this.shiftX + other.dMeanX;
    const oMeanY = other.shiftY - this.shiftY + other.dMeanY;
    const dx = oMeanX - this.dMeanX;
    const dy = oMeanY - this.dMeanY;
    const f = (this.n * other.n) / n;
    this.m2x += other.m2x + dx * dx * f;
    this.m2y += other.m2y + dy * dy * f;
    this.cxy += other.cxy + dx * dy * f;
    this.dMeanX += (dx * other.n) / n;
    this.dMeanY += (dy * other.n) / n;
    this.n = n;
    return this;
  }

  /** A copy (accumulators are mutable). */
  clone(): CoMoments {
    return new CoMoments().merge(this);
  }

  /** Sample variance of x (n - 1 denominator); NaN when n < 2. */
  varianceX(): number {
    return this.n >= 2 ? this.m2x / (this.n - 1) : Number.NaN;
  }

  /** Sample variance of y (n - 1 denominator); NaN when n < 2. */
  varianceY(): number {
    return this.n >= 2 ? this.m2y / (this.n - 1) : Number.NaN;
  }

  /** Sample covariance (n - 1 denominator); NaN when n < 2. */
  covariance(): number {
    return this.n >= 2 ? this.cxy / (this.n - 1) : Number.NaN;
  }

  /** Pearson r by correlationFromMoments; NaN when n < 2 or r is undefined there (zero variance). */
  r(): number {
    if (this.n < 2) return Number.NaN;
    const mx = this.meanX;
    const my = this.meanY;
    const r = correlationFromMoments(this.n, this.m2x, this.m2y, this.cxy, this.n * mx * mx + this.m2x, this.n * my * my + this.m2y);
    return typeof r === 'number' ? r : Number.NaN;
  }

  /** Accumulates arrays of equal length (pairs where either value is NaN are skipped). */
  static fromArrays(x: ArrayLike<number>, y: ArrayLike<number>): CoMoments {
    if (x.length !== y.length) throw new RangeError(`x and y differ in length (${x.length} vs ${y.length})`);
    const m = new CoMoments();
    for (let i = 0; i < x.length; i++) {
      const a = x[i];
      const b = y[i];
      if (Number.isNaN(a) || Number.isNaN(b)) continue;
      m.add(a, b);
    }
    return m;
  }
}

/**
 * Pearson r of two equal-length arrays: two-pass centred co-moments (the most
 * accurate in-memory method; R's cor() also centres first) fed to
 * correlationFromMoments. Pairs where either value is NaN are dropped (complete
 * cases). NaN when fewer than 2 pairs or r is undefined (zero variance).
 *
 * Reference: https://en.wikipedia.org/wiki/Pearson_correlation_coefficient
 * Validated against R cor(x, y, use = "complete.obs").
 */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new RangeError(`x and y differ in length (${x.length} vs ${y.length})`);
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i]) || Number.isNaN(y[i])) continue;
    n++;
    sx += x[i];
    sy += y[i];
  }
  if (n < 2) return Number.NaN;
  const mx = sx / n;
  const my = sy / n;
  let cxx = 0;
  let cyy = 0;
  let cxy = 0;
  let rawX = 0;
  let rawY = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i]) || Number.isNaN(y[i])) continue;
    const dx = x[i] - mx;
    const dy = y[i] - my;
    cxx += dx * dx;
    cyy += dy * dy;
    cxy += dx * dy;
    rawX += x[i] * x[i];
    rawY += y[i] * y[i];
  }
  const r = correlationFromMoments(n, cxx, cyy, cxy, rawX, rawY);
  return typeof r === 'number' ? r : Number.NaN;
}

/**
 * Fisher z confidence interval for a correlation-type coefficient.
 *
 * Formula: [tanh(atanh(r) - z_c se), tanh(atanh(r) + z_c se)], z_c = Phi^-1((1 + level)/2).
 * The caller chooses se: 1/sqrt(n-3) for Pearson (R cor.test), 1/sqrt(n-k-3) for a
 * partial r, sqrt((1 + r^2/2)/(n-3)) for Spearman (Bonett & Wright 2000).
 *
 * Reference: Fisher, R. A. (1921) Metron 1, 3-32;
 * https://en.wikipedia.org/wiki/Fisher_transformation . Validated against R
 * cor.test()$conf.int and psych::r.con().
 *
 * @example fisherCi(0.5, 1 / Math.sqrt(27), 0.95) // [0.17043..., 0.72896...]
 */
export function fisherCi(r: number, se: number, level = 0.95): [number, number] {
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1) (got ${level})`);
  if (!(se >= 0)) throw new RangeError(`se must be >= 0 (got ${se})`);
  const z = Math.atanh(r);
  const half = normalQuantile((1 + level) / 2) * se;
  return [Math.tanh(z - half), Math.tanh(z + half)];
}

const DBL_EPS = 2.220446049250313e-16;

/**
 * Bound on the floating-point error of a co-moment Sxy = sum (x - mean x)(y - mean y) over n
 * values, accumulated in any order or merged from chunks (two-pass, Welford, Chan et al.):
 *
 *   4 (n + 2) eps (sqrt(Sxx Syy) + sqrt(n mean_x^2 Syy) + sqrt(n mean_y^2 Sxx)),
 *
 * the standard bound gamma_n sum |terms| of a computed sum (Higham, Accuracy and Stability
 * of Numerical Algorithms, 2nd ed., 2002, ch. 4, doi:10.1137/1.9780898718027) applied to the
 * products of centred values (sum |dx dy| <= sqrt(Sxx Syy)) and to the rounding of the means
 * (an error of eps |mean x| in each dx, times sum |dy| <= sqrt(n Syy)). cxx, cyy: the centred
 * sums of squares; rawX, rawY: the raw sums of squares sum x^2 = Sxx + n mean_x^2.
 */
export function comomentRounding(n: number, cxx: number, cyy: number, rawX: number, rawY: number): number {
  const mx2 = Math.max(0, rawX - cxx);
  const my2 = Math.max(0, rawY - cyy);
  return 4 * (n + 2) * DBL_EPS * (Math.sqrt(cxx * cyy) + Math.sqrt(mx2 * cyy) + Math.sqrt(my2 * cxx));
}

/**
 * Whether a computed co-moment is zero to within its rounding (comomentRounding): the
 * inputs make it exactly zero (integer scores whose cross-products cancel), and the
 * correlation built on it is 0, with p = 1 and no direction, not +-1e-16.
 */
export function isZeroComoment(cxy: number, n: number, cxx: number, cyy: number, rawX: number, rawY: number): boolean {
  return Math.abs(cxy) <= comomentRounding(n, cxx, cyy, rawX, rawY);
}

/**
 * Whether a b - c d, each factor a computed co-moment with rounding bound da, db, dc, dd
 * (comomentRounding), is zero to within the propagated rounding. It is the numerator of a
 * partial or semi-partial correlation (Sxy Szz - Sxz Syz) and of a two-predictor regression
 * coefficient (S22 S1y - S12 S2y).
 */
export function isZeroProductDifference(a: number, da: number, b: number, db: number, c: number, dc: number, d: number, dd: number): boolean {
  const ab = a * b;
  const cd = c * d;
  const bound = da * Math.abs(b) + Math.abs(a) * db + da * db + dc * Math.abs(d) + Math.abs(c) * dd + dc * dd + 2 * DBL_EPS * (Math.abs(ab) + Math.abs(cd));
  return Math.abs(ab - cd) <= bound;
}

/**
 * A centred sum of squares below ZERO_REL times the raw sum of squares is rounding noise
 * of a constant variable (about 1e-30 relative), not variation: real data with a large
 * offset still has (sd / mean)^2 far above it.
 */
export const ZERO_REL = 1e-24;

/**
 * Why a coefficient computed from co-moments is undefined. `variable` is the index of the
 * variable concerned in the caller's order (x = 0, y = 1, a covariate z = 2, ...):
 * - not-finite: its sums are Infinity or NaN (values beyond about 1e154, whose squares
 *   pass the double range; without this test they would read as "no variation");
 * - no-variation: its centred sum of squares is rounding noise (ZERO_REL);
 * - collinear: a covariate is (nearly) a linear combination of the other variables.
 */
export interface MomentsProblem {
  problem: 'not-finite' | 'no-variation' | 'collinear';
  variable: number;
}

/** x - x is 0 exactly for every finite double, NaN for Infinity and NaN. */
export const isFiniteSum = (x: number): boolean => x - x === 0;

/**
 * The first variable whose sums are not finite, else the first without variation, else
 * null. centred[i]: centred sum of squares of variable i; raw[i]: its raw sum of squares.
 */
export function momentsProblem(centred: readonly number[], raw: readonly number[]): MomentsProblem | null {
  for (let i = 0; i < centred.length; i++) if (!(isFiniteSum(centred[i]) && isFiniteSum(raw[i]))) return { problem: 'not-finite', variable: i };
  for (let i = 0; i < centred.length; i++) if (!(centred[i] > ZERO_REL * raw[i])) return { problem: 'no-variation', variable: i };
  return null;
}

/**
 * Pearson r from the co-moments of n pairs: the one function behind every Pearson-type
 * coefficient the tool reports (pooled and between-client r, and the repeated-measures r
 * of rmcorr(), which is the same formula on client-centred sums).
 *
 * Formula: r = cxy / sqrt(cxx cyy), clamped to [-1, 1]. cxx, cyy, cxy: centred sums
 * (co-moments); rawX, rawY: raw sums of squares (sum x^2), the scale of the tests below.
 * Not defined (MomentsProblem): sums not finite, or a centred sum of squares that is
 * rounding noise (ZERO_REL). A co-moment zero to within its rounding (isZeroComoment)
 * gives r = 0 exactly: integer scores whose cross-products cancel gave r = 1.6e-16, with
 * a direction, before.
 *
 * Reference: https://en.wikipedia.org/wiki/Pearson_correlation_coefficient
 * Validated against R cor() (test/reference/correlation.R, rmcorr.R).
 */
export function correlationFromMoments(n: number, cxx: number, cyy: number, cxy: number, rawX: number, rawY: number): number | MomentsProblem {
  const bad = momentsProblem([cxx, cyy], [rawX, rawY]);
  if (bad) return bad;
  if (isZeroComoment(cxy, n, cxx, cyy, rawX, rawY)) return 0;
  return clampR(cxy / Math.sqrt(cxx * cyy));
}

/** |r| >= 1 - PERFECT_TOL is treated as a perfect correlation (not estimable test). */
export const PERFECT_TOL = 1e-12;

/** Why a correlation test could not be computed. */
export type NotEstimableReason =
  | 'too-few-pairs' // n < 3: no degrees of freedom for the t test
  | 'zero-variance' // x or y constant (r undefined)
  | 'perfect-correlation' // |r| = 1: t infinite, p and the interval degenerate
  | 'too-few-clients' // repeated-measures statistics need >= 3 clients
  | 'collinear' // covariance matrix singular: a variable is a linear combination of others
  | 'not-finite'; // sums of squares beyond the floating-point range (values above about 1e154)

export interface CorrelationTestOk {
  ok: true;
  r: number;
  n: number;
  /** n - 2 (Pearson); callers of the generic helper pass their own df. */
  df: number;
  t: number;
  /** Two-sided p-value. */
  p: number;
  /** Fisher z interval, or null when it needs more pairs (n < 4 for Pearson). */
  ci: [number, number] | null;
  ciLevel: number;
  /** Set when ci is null. */
  ciReason?: string;
}

export interface CorrelationTestNotEstimable {
  ok: false;
  reason: NotEstimableReason;
  /** Human-readable explanation, e.g. for a report footnote. */
  message: string;
  n: number;
  /** The coefficient when it exists (e.g. |r| = 1), else undefined. */
  r?: number;
}

export type CorrelationTest = CorrelationTestOk | CorrelationTestNotEstimable;

export interface CorrelationTestOptions {
  /** Confidence level of the interval, default 0.95. */
  ciLevel?: number;
}

/**
 * Generic t test of a correlation-type coefficient with given df, and a Fisher z
 * interval with a given SE. Used by correlationTest, spearman, rmcorr and partial r,
 * which differ only in df and SE. `se` null means no interval (ciReason explains).
 *
 * Formula: t = r sqrt(df / (1 - r^2)); p = 2 P(T_df >= |t|).
 * Reference: https://en.wikipedia.org/wiki/Pearson_correlation_coefficient#Testing_using_Student's_t-distribution
 */
export function correlationTTest(
  r: number,
  n: number,
  df: number,
  se: number | null,
  opts: CorrelationTestOptions & { ciReason?: string; minN?: number } = {},
): CorrelationTest {
  const ciLevel = opts.ciLevel ?? 0.95;
  if (!(df >= 1)) {
    return {
      ok: false,
      reason: 'too-few-pairs',
      message: `too few observations (n = ${n}, df = ${df}); the test needs df >= 1`,
      n,
      ...(Number.isNaN(r) ? {} : { r }),
    };
  }
  if (Number.isNaN(r)) {
    return { ok: false, reason: 'zero-variance', message: 'one of the variables has zero variance, so r is undefined', n };
  }
  // Within rounding of +-1 counts as perfect: R's cor() gives 0.9999999999999998 for
  // y = 2x + 1 and cor.test then reports t = 8e7, a rounding artefact.
  if (Math.abs(r) >= 1 - PERFECT_TOL) {
    return {
      ok: false,
      reason: 'perfect-correlation',
      message: `perfect correlation (r = ${r > 0 ? 1 : -1}): t is infinite and the interval degenerate`,
      n,
      r,
    };
  }
  const t = r * Math.sqrt(df / (1 - r * r));
  const p = tTwoSidedP(t, df);
  const ci = se === null ? null : fisherCi(r, se, ciLevel);
  const out: CorrelationTestOk = { ok: true, r, n, df, t, p, ci, ciLevel };
  if (ci === null) out.ciReason = opts.ciReason ?? 'no interval for this coefficient';
  return out;
}

/**
 * Pearson correlation test exactly as R's cor.test(x, y) (two-sided).
 *
 * Formula: df = n - 2, t = r sqrt(df / (1 - r^2)), p = 2 P(T_df >= |t|);
 * CI: Fisher z, tanh(atanh(r) +- z_c / sqrt(n - 3)), given only when n >= 4 (as R).
 * Not estimable (explicit reason, never NaN): n < 3, zero variance (r NaN), and
 * |r| = 1 within 1e-12 (R reports a huge finite t there, from rounding; we say
 * "perfect correlation" instead).
 *
 * Reference: https://en.wikipedia.org/wiki/Pearson_correlation_coefficient ;
 * R source stats:::cor.test.default. Validated against R cor.test().
 *
 * @example correlationTest(0.5, 30) // { ok: true, df: 28, t: 3.05505..., p: 0.0048999..., ci: [0.17043..., 0.72896...] }
 */
export function correlationTest(r: number, n: number, opts: CorrelationTestOptions = {}): CorrelationTest {
  const se = n > 3 ? 1 / Math.sqrt(n - 3) : null;
  return correlationTTest(r, n, n - 2, se, { ...opts, ciReason: 'the Fisher z interval needs n >= 4' });
}

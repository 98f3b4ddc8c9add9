/**
 * Partial and semi-partial (part) correlation of x and y controlling for k covariates.
 *
 * Reference values: test/reference/partial.R -> partial.json (the formulas of the R
 * package ppcor, pcor()/spcor(), implemented in base R since ppcor is not installed;
 * psych::partial.r; lm residuals).
 */

import {
  comomentRounding,
  type CorrelationTest,
  type CorrelationTestOptions,
  correlationFromMoments,
  correlationTTest,
  isZeroComoment,
  isZeroProductDifference,
  type MomentsProblem,
  momentsProblem,
} from './correlation.js';
import { invertSymmetric } from './linalg.js';

/** Offsets in a block of 3-D co-moments of (x, y, z): n, the means, the centred sums. */
export const M3 = { n: 0, mx: 1, my: 2, mz: 3, xx: 4, xy: 5, xz: 6, yy: 7, yz: 8, zz: 9 } as const;
/** Length of a block of 3-D co-moments (see M3). */
export const M3_STRIDE = 10;

/** Partial, semi-partial and zero-order r of (x, y) given z, each a value or why it is undefined. */
export interface PartialFromMoments {
  partial: number | MomentsProblem;
  semipartial: number | MomentsProblem;
  pearson: number | MomentsProblem;
}

const clamp1 = (r: number): number => Math.max(-1, Math.min(1, r));

/**
 * Partial, semi-partial and zero-order correlation of x and y controlling one covariate z,
 * from the co-moments of n triples (layout M3 at offset b): the one computation behind the
 * tool's early-alliance analysis and partialCorrelation / semipartialCorrelation with one
 * covariate.
 *
 * Formula: r_xy.z = (r_xy - r_xz r_yz) / sqrt((1 - r_xz^2)(1 - r_yz^2)) (partial) and
 * (r_xy - r_xz r_yz) / sqrt(1 - r_yz^2) (semi-partial: x against y with z partialled from y),
 * the zero-order r_xy by correlationFromMoments. Not defined (MomentsProblem): sums not
 * finite or no variation (variable 0, 1, 2 = x, y, z; ZERO_REL), or z collinear with x or y
 * (1 - r^2 < 1e-12; variable 2). A numerator Sxy Szz - Sxz Syz that is zero to within its
 * rounding (isZeroProductDifference) gives exactly 0, as the zero-order r does (issue 9.4).
 *
 * Reference: Kim, S. (2015) ppcor, doi:10.5351/CSAM.2015.22.6.665;
 * https://en.wikipedia.org/wiki/Partial_correlation . Validated against ppcor's formulas,
 * psych::partial.r and lm residuals in R (test/reference/partial.R).
 */
export function partialFromMoments(e: ArrayLike<number>, b = 0): PartialFromMoments {
  const n = e[b + M3.n];
  const xx = e[b + M3.xx];
  const xy = e[b + M3.xy];
  const xz = e[b + M3.xz];
  const yy = e[b + M3.yy];
  const yz = e[b + M3.yz];
  const zz = e[b + M3.zz];
  const scale = (m: number, c: number) => n * m * m + c;
  const raw = [scale(e[b + M3.mx], xx), scale(e[b + M3.my], yy), scale(e[b + M3.mz], zz)];
  const cen = [xx, yy, zz];
  const bad = momentsProblem(cen, raw);
  if (bad) return { partial: bad, semipartial: bad, pearson: bad };
  const rxy = xy / Math.sqrt(xx * yy);
  const rxz = xz / Math.sqrt(xx * zz);
  const ryz = yz / Math.sqrt(yy * zz);
  const pearson = isZeroComoment(xy, n, xx, yy, raw[0], raw[1]) ? 0 : clamp1(rxy);
  if (1 - rxz * rxz < 1e-12 || 1 - ryz * ryz < 1e-12) {
    const why: MomentsProblem = { problem: 'collinear', variable: 2 };
    return { partial: why, semipartial: why, pearson };
  }
  // Exact zeros (issue 9.4): the partial numerator Sxy Szz - Sxz Syz.
  const d = (i: number, j: number) => comomentRounding(n, cen[i], cen[j], raw[i], raw[j]);
  if (isZeroProductDifference(xy, d(0, 1), zz, d(2, 2), xz, d(0, 2), yz, d(1, 2))) return { partial: 0, semipartial: 0, pearson };
  return {
    partial: clamp1((rxy - rxz * ryz) / Math.sqrt((1 - rxz * rxz) * (1 - ryz * ryz))),
    semipartial: clamp1((rxy - rxz * ryz) / Math.sqrt(1 - ryz * ryz)),
    pearson,
  };
}

/** Two-pass co-moments (layout M3) of complete columns x, y, z. */
function moments3(x: readonly number[], y: readonly number[], z: readonly number[]): Float64Array {
  const n = x.length;
  const m = new Float64Array(M3_STRIDE);
  let sx = 0;
  let sy = 0;
  let sz = 0;
  for (let i = 0; i < n; i++) {
    sx += x[i];
    sy += y[i];
    sz += z[i];
  }
  const mx = sx / n;
  const my = sy / n;
  const mz = sz / n;
  m[M3.n] = n;
  m[M3.mx] = mx;
  m[M3.my] = my;
  m[M3.mz] = mz;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    const dz = z[i] - mz;
    m[M3.xx] += dx * dx;
    m[M3.xy] += dx * dy;
    m[M3.xz] += dx * dz;
    m[M3.yy] += dy * dy;
    m[M3.yz] += dy * dz;
    m[M3.zz] += dz * dz;
  }
  return m;
}

export type PartialResult = CorrelationTest & {
  method: 'partial' | 'semipartial';
  /** Number of covariates controlled for. */
  k: number;
};

/** Complete cases of x, y and the covariate columns, as columns [x, y, z1..zk]. */
function completeColumns(x: ArrayLike<number>, y: ArrayLike<number>, covariates: readonly ArrayLike<number>[]): number[][] {
  const n = x.length;
  if (y.length !== n) throw new RangeError(`x and y differ in length (${n} vs ${y.length})`);
  covariates.forEach((z, j) => {
    if (z.length !== n) throw new RangeError(`covariate ${j} has length ${z.length}, expected ${n}`);
  });
  const vars = [x, y, ...covariates];
  const cols: number[][] = vars.map(() => []);
  for (let i = 0; i < n; i++) {
    let complete = true;
    for (const v of vars) if (Number.isNaN(v[i])) complete = false;
    if (!complete) continue;
    vars.forEach((v, j) => cols[j].push(v[i]));
  }
  return cols;
}

/** Sample covariance matrix (n - 1 denominator, two-pass centred), row-major. */
function covarianceMatrix(cols: number[][]): Float64Array {
  const p = cols.length;
  const n = cols[0].length;
  const centred = cols.map((c) => {
    let s = 0;
    for (const v of c) s += v;
    const m = s / n;
    return c.map((v) => v - m);
  });
  const S = new Float64Array(p * p);
  for (let a = 0; a < p; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      const ca = centred[a];
      const cb = centred[b];
      for (let i = 0; i < n; i++) s += ca[i] * cb[i];
      S[a * p + b] = S[b * p + a] = s / (n - 1);
    }
  }
  return S;
}

function notEstimable(
  reason: 'too-few-pairs' | 'collinear' | 'zero-variance' | 'not-finite',
  message: string,
  n: number,
  method: 'partial' | 'semipartial',
  k: number,
): PartialResult {
  return { ok: false, reason, message, n, method, k };
}

interface Prepared {
  k: number;
  n: number;
  df: number;
  /** Order of S: x, y, then the k covariates. */
  p: number;
  /** Sample covariance matrix of the complete cases (row-major). */
  S: Float64Array;
  /** Its inverse (the precision matrix). */
  P: Float64Array;
}

/**
 * The steps partial and semi-partial correlation share: complete cases, df = n - 2 - k and
 * its check; then, with no covariate or one, the coefficient of `method` from co-moments
 * (correlationFromMoments, partialFromMoments: the tool's own computation), with two or
 * more the covariance matrix and its inverse. Not estimable: too few rows, x or y without
 * variation, a covariate constant or collinear (singular matrix), values too large.
 */
function prepare(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  covariates: readonly ArrayLike<number>[],
  method: 'partial' | 'semipartial',
): Prepared | { r: number; n: number; df: number } | PartialResult {
  const k = covariates.length;
  const cols = completeColumns(x, y, covariates);
  const n = cols[0].length;
  const df = n - 2 - k;
  if (df < 1) return notEstimable('too-few-pairs', `too few complete rows (n = ${n}) for ${k} covariate(s): df = n - 2 - k = ${df}`, n, method, k);
  if (k <= 1) {
    const m = moments3(cols[0], cols[1], cols[k === 0 ? 1 : 2]);
    const r =
      k === 0
        ? correlationFromMoments(n, m[M3.xx], m[M3.yy], m[M3.xy], n * m[M3.mx] ** 2 + m[M3.xx], n * m[M3.my] ** 2 + m[M3.yy])
        : partialFromMoments(m)[method];
    return typeof r === 'number' ? { r, n, df } : problemResult(r, n, method, k);
  }
  const p = k + 2;
  const S = covarianceMatrix(cols);
  if (!(S[0] > 0) || !(S[p + 1] > 0)) return notEstimable('zero-variance', 'x or y has zero variance', n, method, k);
  const P = invertSymmetric(S, p);
  if (P === null) {
    return notEstimable('collinear', 'the covariance matrix is singular: a covariate is constant or a linear combination of the other variables', n, method, k);
  }
  return { k, n, df, p, S, P };
}

/**
 * Partial correlation of x and y given covariates (each covariate a column of the same
 * length as x). Rows with a NaN in any variable are dropped (complete cases).
 *
 * Formula: with S the sample covariance matrix of (x, y, z_1..z_k) and P = S^-1 (the
 * precision matrix), r = -P_xy / sqrt(P_xx P_yy); df = n - 2 - k;
 * t = r sqrt(df / (1 - r^2)), two-sided p from Student t (as ppcor::pcor.test);
 * CI: Fisher z with SE = 1/sqrt(n - k - 3), given when n - k - 3 > 0.
 * With k = 0 this is Pearson's r and cor.test. (Using df = n - 2 here is a known
 * bug in other packages: pingouin#171, easystats/correlation#197.)
 * Not estimable (explicit reason): df < 1; S singular (a covariate, x or y is a
 * linear combination of the others, or constant); |r| = 1.
 * With one covariate r is partialFromMoments' (the computation of the tool's early
 * analysis, with its exact-zero rule), with none correlationFromMoments'; with two or
 * more the precision matrix above.
 *
 * Reference: Kim, S. (2015) ppcor: An R package for a fast calculation to
 * semi-partial correlation coefficients. Commun. Stat. Appl. Methods 22, 665-674,
 * doi:10.5351/CSAM.2015.22.6.665; https://en.wikipedia.org/wiki/Partial_correlation#Using_matrix_inversion
 * Validated against ppcor's pcor() formulas in base R and psych::partial.r.
 *
 * @example partialCorrelation(alliance, finalPhq9, [intakePhq9])
 */
export function partialCorrelation(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  covariates: readonly ArrayLike<number>[],
  opts: CorrelationTestOptions = {},
): PartialResult {
  const k = covariates.length;
  const prep = prepare(x, y, covariates, 'partial');
  if ('ok' in prep) return prep;
  let r: number;
  if ('r' in prep) r = prep.r;
  else {
    const { p, P } = prep;
    r = -P[1] / Math.sqrt(P[0] * P[p + 1]);
    r = r > 1 ? 1 : r < -1 ? -1 : r;
  }
  const { n, df } = prep;
  const se = n - k - 3 > 0 ? 1 / Math.sqrt(n - k - 3) : null;
  const res = correlationTTest(r, n, df, se, { ...opts, ciReason: 'the Fisher z interval needs n - k - 3 > 0' });
  return { ...res, method: 'partial', k };
}

/**
 * Semi-partial (part) correlation: the correlation of x with the part of y not
 * explained by the covariates, r = cor(x, residual of y regressed on the covariates
 * with intercept). With y = end outcome and the covariate = intake score this is the
 * correlation with residualized gain. Rows with a NaN in any variable are dropped.
 *
 * Formula: with S partitioned into x, y and Z, b = S_ZZ^-1 S_Zy,
 * sr = (S_xy - S_xZ b) / sqrt(S_xx (S_yy - S_yZ b)) — equal to ppcor's
 * spcor(cbind(x, y, Z))[1, 2]; df = n - 2 - k and t = sr sqrt(df / (1 - sr^2)) with
 * two-sided p from Student t, exactly as ppcor::spcor.test. No confidence interval
 * (there is no standard Fisher z SE for the semi-partial r; ci is null with a reason).
 * Not estimable: df < 1, singular covariance (collinear), zero variance, |sr| = 1.
 * With one covariate sr is partialFromMoments' (as the tool's early analysis), with
 * none correlationFromMoments'.
 *
 * Reference: Kim, S. (2015) ppcor, doi:10.5351/CSAM.2015.22.6.665;
 * https://en.wikipedia.org/wiki/Partial_correlation#Semipartial_correlation_(part_correlation)
 * Validated against ppcor's spcor() formulas in base R and cor(x, resid(lm(y ~ Z))).
 */
export function semipartialCorrelation(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  covariates: readonly ArrayLike<number>[],
  opts: CorrelationTestOptions = {},
): PartialResult {
  const k = covariates.length;
  const noCi = { ...opts, ciReason: 'no standard confidence interval for the semi-partial correlation' };
  // prepare() also requires the full matrix to be PD (otherwise y is explained exactly or x is collinear).
  const prep = prepare(x, y, covariates, 'semipartial');
  if ('ok' in prep) return prep;
  if ('r' in prep) return { ...correlationTTest(prep.r, prep.n, prep.df, null, noCi), method: 'semipartial', k };
  const { n, df, p, S } = prep;
  let sxy = S[1];
  let syy = S[p + 1];
  const Szz = new Float64Array(k * k);
  const Szy = new Float64Array(k);
  const Szx = new Float64Array(k);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) Szz[a * k + b] = S[(a + 2) * p + (b + 2)];
    Szy[a] = S[(a + 2) * p + 1];
    Szx[a] = S[(a + 2) * p];
  }
  const inv = invertSymmetric(Szz, k)!; // PD because S is
  for (let a = 0; a < k; a++) {
    let ba = 0;
    for (let b = 0; b < k; b++) ba += inv[a * k + b] * Szy[b];
    sxy -= Szx[a] * ba;
    syy -= Szy[a] * ba;
  }
  let r = sxy / Math.sqrt(S[0] * syy);
  r = r > 1 ? 1 : r < -1 ? -1 : r;
  return { ...correlationTTest(r, n, df, null, noCi), method: 'semipartial', k };
}

/** A not-estimable result for a MomentsProblem of x (0), y (1) or the covariate (2). */
function problemResult(why: MomentsProblem, n: number, method: 'partial' | 'semipartial', k: number): PartialResult {
  if (why.problem === 'not-finite')
    return notEstimable('not-finite', 'values too large to compute with (squares beyond the floating-point range)', n, method, k);
  if (why.problem === 'no-variation' && why.variable < 2) return notEstimable('zero-variance', 'x or y has zero variance', n, method, k);
  return notEstimable('collinear', 'the covariate is constant or collinear with x or y', n, method, k);
}

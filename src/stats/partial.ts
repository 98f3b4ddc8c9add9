/**
 * Partial and semi-partial (part) correlation of x and y controlling for k covariates.
 *
 * Reference values: test/reference/partial.R -> partial.json (the formulas of the R
 * package ppcor, pcor()/spcor(), implemented in base R since ppcor is not installed;
 * psych::partial.r; lm residuals).
 */

import { type CorrelationTest, type CorrelationTestOptions, correlationTTest } from './correlation.js';
import { invertSymmetric } from './linalg.js';

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
  reason: 'too-few-pairs' | 'collinear' | 'zero-variance',
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
 * The steps both partial and semi-partial correlation share: complete cases, df = n - 2 - k,
 * the covariance matrix and its inverse, and the three not-estimable cases (too few rows,
 * zero variance of x or y, a singular covariance matrix).
 */
function prepare(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  covariates: readonly ArrayLike<number>[],
  method: 'partial' | 'semipartial',
): Prepared | PartialResult {
  const k = covariates.length;
  const cols = completeColumns(x, y, covariates);
  const n = cols[0].length;
  const df = n - 2 - k;
  if (df < 1) return notEstimable('too-few-pairs', `too few complete rows (n = ${n}) for ${k} covariate(s): df = n - 2 - k = ${df}`, n, method, k);
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
  const prep = prepare(x, y, covariates, 'partial');
  if ('ok' in prep) return prep;
  const { k, n, df, p, P } = prep;
  let r = -P[1] / Math.sqrt(P[0] * P[p + 1]);
  r = r > 1 ? 1 : r < -1 ? -1 : r;
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
  // prepare() also requires the full matrix to be PD (otherwise y is explained exactly or x is collinear).
  const prep = prepare(x, y, covariates, 'semipartial');
  if ('ok' in prep) return prep;
  const { k, n, df, p, S } = prep;
  let sxy = S[1];
  let syy = S[p + 1];
  if (k > 0) {
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
  }
  let r = sxy / Math.sqrt(S[0] * syy);
  r = r > 1 ? 1 : r < -1 ? -1 : r;
  const res = correlationTTest(r, n, df, null, {
    ...opts,
    ciReason: 'no standard confidence interval for the semi-partial correlation',
  });
  return { ...res, method: 'semipartial', k };
}

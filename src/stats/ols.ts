/**
 * Ordinary least squares: a general fit by Householder QR. The within-client (fixed
 * client effects) regression on sufficient statistics is in within.ts.
 *
 * Reference values: test/reference/ols.R -> ols.json (R lm(), confint()).
 */

import { tQuantile, tTwoSidedP } from './distributions.js';
import type { Matrix } from './linalg.js';

/** Relative tolerance for collinearity, as R's lm() (qr tol = 1e-7 on column norms). */
export const RANK_TOL = 1e-7;

export interface OlsOk {
  ok: true;
  /** Number of observations used. */
  n: number;
  /** Number of estimated coefficients. */
  p: number;
  /** Residual degrees of freedom. */
  df: number;
  coefficients: number[];
  se: number[];
  t: number[];
  /** Two-sided p-values from Student t with df. */
  pValues: number[];
  /** Confidence limits b +- t_{df, (1+level)/2} se (as R confint()). */
  ciLow: number[];
  ciHigh: number[];
  ciLevel: number;
  /** Residual standard error sqrt(rss / df) (R's sigma()). */
  sigma: number;
  rss: number;
}

export interface OlsNotEstimable {
  ok: false;
  reason: 'too-few-observations' | 'rank-deficient' | 'no-residual-df' | 'not-finite' | 'perfect-fit';
  message: string;
  n: number;
  p: number;
  /** Indices of predictors found to be (near) linear combinations of earlier ones. */
  aliased?: number[];
}

export type OlsResult = OlsOk | OlsNotEstimable;

export interface OlsOptions {
  /** Confidence level for ciLow/ciHigh, default 0.95. */
  ciLevel?: number;
}

/** The fitted summary from b, the diagonal of (X'X)^-1 and the RSS (shared with the within regression, within.ts). */
export function olsSummary(n: number, p: number, df: number, b: number[], unscaledVarDiag: number[], rss: number, opts: OlsOptions): OlsOk {
  const ciLevel = opts.ciLevel ?? 0.95;
  const sigma2 = rss / df;
  const q = tQuantile((1 + ciLevel) / 2, df);
  const se = unscaledVarDiag.map((v) => Math.sqrt(sigma2 * v));
  const t = b.map((bi, i) => bi / se[i]);
  return {
    ok: true,
    n,
    p,
    df,
    coefficients: b,
    se,
    t,
    pValues: t.map((ti) => (Number.isFinite(ti) ? tTwoSidedP(ti, df) : 0)),
    ciLow: b.map((bi, i) => bi - q * se[i]),
    ciHigh: b.map((bi, i) => bi + q * se[i]),
    ciLevel,
    sigma: Math.sqrt(sigma2),
    rss,
  };
}

/**
 * Ordinary least squares fit of y on the columns of X (include a column of ones for
 * an intercept). X is an array of rows, or a row-major Float64Array with p columns.
 * Rows with a NaN in y or X must be removed by the caller.
 *
 * Formula: b = argmin ||y - X b||^2 via Householder QR (X = QR, R b = Q^T y);
 * rss = ||y - X b||^2, df = n - p, sigma^2 = rss/df, Var(b) = sigma^2 (R^T R)^-1,
 * t = b/se, two-sided p from Student t(df), CI b +- t_{df,(1+level)/2} se.
 * Rank deficiency: a column whose norm after orthogonalisation against the previous
 * columns falls below 1e-7 of its original norm is aliased (R's lm() tolerance);
 * R would then drop it and report NA, here the fit is "not estimable" and lists the
 * aliased columns. df = 0 is also not estimable (no residual variance).
 *
 * Reference: Golub & Van Loan, Matrix Computations, 5.3; https://en.wikipedia.org/wiki/Ordinary_least_squares
 * Validated against R lm(), summary.lm() and confint().
 *
 * @example ols([[1, 1], [1, 2], [1, 3], [1, 4]], [1, 3, 2, 5]).coefficients // ~[0, 1.1]
 */
export function ols(X: readonly (readonly number[])[] | Matrix, y: ArrayLike<number>, pOrOpts?: number | OlsOptions, maybeOpts?: OlsOptions): OlsResult {
  let p: number;
  let A: Float64Array;
  const n = y.length;
  let opts: OlsOptions;
  if (X instanceof Float64Array) {
    if (typeof pOrOpts !== 'number') throw new RangeError('ols: pass the number of columns p with a Float64Array X');
    p = pOrOpts;
    if (X.length !== n * p) throw new RangeError(`ols: X has ${X.length} entries, expected n*p = ${n * p}`);
    A = Float64Array.from(X);
    opts = maybeOpts ?? {};
  } else {
    if (X.length !== n) throw new RangeError(`ols: X has ${X.length} rows, y has ${n}`);
    p = n === 0 ? 0 : X[0].length;
    A = new Float64Array(n * p);
    for (let i = 0; i < n; i++) {
      if (X[i].length !== p) throw new RangeError(`ols: row ${i} has ${X[i].length} columns, expected ${p}`);
      for (let j = 0; j < p; j++) A[i * p + j] = X[i][j];
    }
    opts = (typeof pOrOpts === 'object' ? pOrOpts : maybeOpts) ?? {};
  }
  if (n < p || p === 0) {
    return { ok: false, reason: 'too-few-observations', message: `${n} observations for ${p} coefficients`, n, p };
  }
  const qty = Float64Array.from(y);
  const colNorm0 = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += A[i * p + j] * A[i * p + j];
    colNorm0[j] = Math.sqrt(s);
  }
  const aliased: number[] = [];
  const v = new Float64Array(n);
  for (let k = 0; k < p; k++) {
    let s = 0;
    for (let i = k; i < n; i++) s += A[i * p + k] * A[i * p + k];
    const norm = Math.sqrt(s);
    if (!(norm > RANK_TOL * colNorm0[k]) || colNorm0[k] === 0) {
      aliased.push(k);
      continue;
    }
    const alpha = A[k * p + k] > 0 ? -norm : norm;
    for (let i = k; i < n; i++) v[i] = A[i * p + k];
    v[k] -= alpha;
    let vnorm2 = 0;
    for (let i = k; i < n; i++) vnorm2 += v[i] * v[i];
    if (vnorm2 === 0) continue;
    for (let j = k; j < p; j++) {
      let d = 0;
      for (let i = k; i < n; i++) d += v[i] * A[i * p + j];
      const f = (2 * d) / vnorm2;
      for (let i = k; i < n; i++) A[i * p + j] -= f * v[i];
    }
    let d = 0;
    for (let i = k; i < n; i++) d += v[i] * qty[i];
    const f = (2 * d) / vnorm2;
    for (let i = k; i < n; i++) qty[i] -= f * v[i];
  }
  if (aliased.length > 0) {
    return {
      ok: false,
      reason: 'rank-deficient',
      message: `predictor column(s) ${aliased.join(', ')} are (nearly) linear combinations of earlier columns`,
      n,
      p,
      aliased,
    };
  }
  const df = n - p;
  if (df < 1) return { ok: false, reason: 'no-residual-df', message: `no residual degrees of freedom (n = ${n}, p = ${p})`, n, p };
  // Back-substitution R b = (Q^T y)[0..p)
  const b = new Array<number>(p).fill(0);
  for (let i = p - 1; i >= 0; i--) {
    let s = qty[i];
    for (let j = i + 1; j < p; j++) s -= A[i * p + j] * b[j];
    b[i] = s / A[i * p + i];
  }
  let rss = 0;
  for (let i = p; i < n; i++) rss += qty[i] * qty[i];
  // (R^T R)^-1 = R^-1 R^-T: invert upper-triangular R column by column
  const Rinv = new Float64Array(p * p);
  for (let c = 0; c < p; c++) {
    for (let i = p - 1; i >= 0; i--) {
      let s = i === c ? 1 : 0;
      for (let j = i + 1; j < p; j++) s -= A[i * p + j] * Rinv[j * p + c];
      Rinv[i * p + c] = s / A[i * p + i];
    }
  }
  const diag: number[] = [];
  for (let i = 0; i < p; i++) {
    let s = 0;
    for (let j = 0; j < p; j++) s += Rinv[i * p + j] * Rinv[i * p + j];
    diag.push(s);
  }
  return olsSummary(n, p, df, b, diag, rss, opts);
}

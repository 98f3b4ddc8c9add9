/**
 * Fitting a linear mixed model by REML or ML (lme4's profiled deviance, see profile.ts)
 * and Satterthwaite degrees of freedom for the fixed effects as lmerTest computes them
 * (Kuznetsova, Brockhoff & Christensen 2017, "lmerTest Package: Tests in Linear Mixed
 * Effects Models", J. Stat. Softw. 82(13), doi:10.18637/jss.v082.i13):
 *
 *   varpar = (theta, sigma);  A = 2 H^+  with H the Hessian of the deviance in varpar
 *   (H^+ the eigen pseudo-inverse over eigenvalues > 1e-8), and for each coefficient j
 *   g = d Var(b_j) / d varpar;  df_j = 2 Var(b_j)^2 / (g' A g).
 *
 * Derivatives are taken with numDeriv's Richardson scheme (numderiv.ts), as lmerTest does.
 * Validated against lme4 1.1 and lmerTest 3.1 (test/reference/lmm.R).
 */
import { cholInverse, symmetricEigen, quadForm } from '../linalg.js';
import { numDerivHessian, numDerivJacobian } from './numderiv.js';
import { brentMin, nelderMead, type MinResult } from './optimize.js';
import type { ProfiledTerms, RandomStructure } from './profile.js';
import { betaFromShifted, vcovFromShifted } from './data.js';

export class LmmError extends Error {
  constructor(
    message: string,
    readonly reason: 'rank-deficient' | 'too-few-observations' | 'perfect-fit' | 'not-finite',
    /** For rank-deficient designs: the first fixed-effect column that is collinear with earlier ones. */
    readonly column = -1,
  ) {
    super(message);
    this.name = 'LmmError';
  }
}

export interface LmmFit {
  reml: boolean;
  nobs: number;
  p: number;
  theta: number[];
  /** Lower bounds of theta (0 for the diagonal of a relative Cholesky factor). */
  thetaLower: number[];
  sigma: number;
  beta: number[];
  /** Var(beta) = sigma^2 (X'V0^-1X)^-1, p x p row-major. */
  vcov: Float64Array;
  se: number[];
  /** Satterthwaite df per coefficient (NaN when not computable; see dfNote). */
  df: number[];
  dfNote: string | null;
  /** Eigenvalues of the deviance Hessian in varpar = (theta, sigma) (lmerTest checks them). */
  hessianEigenvalues: number[];
  /**
   * Smallest over largest eigenvalue of the deviance Hessian in (theta, log sigma): near 0
   * (or negative) when the likelihood is flat in some direction of the variance parameters,
   * i.e. they are not identified by the data (FLAT_CURVATURE).
   */
  flatness: number;
  /** REML criterion (REML fits) or ML deviance (-2 logLik). */
  deviance: number;
  logLik: number;
  /** Parameters counted for AIC/BIC: p + ntheta + 1. */
  npar: number;
  aic: number;
  bic: number;
  /** Some diagonal element of the relative Cholesky factor is < 1e-4 (lme4's isSingular). */
  singular: boolean;
  converged: boolean;
  optimizerMessage: string;
  evaluations: number;
  /** A = 2 H^+: asymptotic covariance of varpar = (theta, sigma) (lmerTest's vcov_varpar). */
  vcovVarpar: Float64Array;
  /** d vec(Var(beta)) / d varpar, one column (p*p, row-major) per element of varpar. */
  jacobian: number[][];
}

/**
 * Satterthwaite t test of a linear combination L'beta, as lmerTest's contest1D:
 * df = 2 (L'VL)^2 / (g'Ag) with g_k = L' (dV/dvarpar_k) L.
 */
export function satterthwaiteContrast(fit: LmmFit, L: readonly number[]): { estimate: number; se: number; df: number } {
  const p = fit.p;
  let estimate = 0;
  for (let i = 0; i < p; i++) estimate += L[i] * fit.beta[i];
  const v = quadForm(L, fit.vcov, p);
  const g = fit.jacobian.map((col) => quadForm(L, col, p));
  const denom = quadForm(g, fit.vcovVarpar, g.length);
  return { estimate, se: Math.sqrt(v), df: (2 * v * v) / denom };
}

const LOG_2PI = Math.log(2 * Math.PI);

function profiledDeviance(t: ProfiledTerms, n: number, p: number, reml: boolean): number {
  if (!t.ok || !(t.pwrss > 0)) return Infinity;
  if (reml) {
    const nmp = n - p;
    return t.ldL2 + t.ldRX2 + nmp * (1 + LOG_2PI + Math.log(t.pwrss / nmp));
  }
  return t.ldL2 + n * (1 + LOG_2PI + Math.log(t.pwrss / n));
}

/** lmerTest's devfun_vp: the deviance at (theta, sigma) without profiling sigma out. */
function devianceVarpar(s: RandomStructure, varpar: number[], n: number, p: number, reml: boolean): number {
  const theta = varpar.slice(0, -1);
  const sigma2 = varpar[varpar.length - 1] ** 2;
  const t = s.evaluate(theta);
  let dev = t.ldL2 + t.pwrss / sigma2 + n * Math.log(2 * Math.PI * sigma2);
  if (reml) dev += t.ldRX2 - p * Math.log(2 * Math.PI * sigma2);
  return dev;
}

function covBeta(s: RandomStructure, varpar: number[], p: number): Float64Array {
  const theta = varpar.slice(0, -1);
  const sigma2 = varpar[varpar.length - 1] ** 2;
  const t = s.evaluate(theta);
  const inv = vcovFromShifted(s.data, cholInverse(t.rxChol, p));
  for (let i = 0; i < inv.length; i++) inv[i] *= sigma2;
  return inv;
}

function optimise(s: RandomStructure, f: (theta: number[]) => number, maxEval: number): MinResult {
  if (s.ntheta === 1) {
    // 1-D: locate the basin on a log grid (plus the boundary 0), then Brent inside it.
    const grid = [0];
    for (let e = -4; e <= 3.0001; e += 0.25) grid.push(10 ** e);
    const fs = grid.map((g) => f([g]));
    let bi = 0;
    for (let i = 1; i < grid.length; i++) if (fs[i] < fs[bi]) bi = i;
    const lo = grid[Math.max(0, bi - 1)];
    const hi = bi === grid.length - 1 ? grid[bi] * 100 : grid[bi + 1];
    const r = brentMin((x) => f([x]), lo, hi, 1e-12 * Math.max(1, grid[bi]), Math.max(1, maxEval - grid.length));
    r.evaluations += grid.length;
    // A boundary optimum: Brent stops a hair inside the interval; take theta = 0 (as lme4's
    // bounded optimizer does) when the deviance there is the same to 1e-9.
    if (fs[0] <= r.f + 1e-9) return { ...r, x: [0], f: fs[0] };
    return r;
  }
  // several parameters: bounded Nelder-Mead from lme4's start, then Newton polishing on
  // the coordinates not at a bound (NM alone creeps; two Newton steps reach 1e-10).
  let count = 0;
  const fc = (x: number[]): number => {
    count++;
    return f(x);
  };
  const res = nelderMead(
    fc,
    s.start.slice(),
    s.lower,
    s.lower.map(() => Infinity),
    { maxEval, ftol: 1e-10, xtol: 1e-7 },
  );
  // Newton steps on coordinates not at a bound
  let newton = 0;
  for (let it = 0; it < 5 && res.converged; it++) {
    const free = res.x.map((v, i) => !(s.lower[i] === 0 && v < 1e-6));
    const idx = free.map((fr, i) => (fr ? i : -1)).filter((i) => i >= 0);
    if (idx.length === 0) break;
    const sub = (z: number[]): number => {
      const x = res.x.slice();
      idx.forEach((i, j) => (x[i] = z[j]));
      return fc(x);
    };
    const z0 = idx.map((i) => res.x[i]);
    const H = numDerivHessian(sub, z0);
    const g = numDerivJacobian((z) => [sub(z)], z0).map((c) => c[0]);
    const m = idx.length;
    const Hc = Float64Array.from(H);
    const { values, vectors } = symmetricEigen(Hc, m);
    if (values.some((v) => !(v > 0))) break;
    const step = new Array<number>(m).fill(0);
    for (let e = 0; e < m; e++) {
      let proj = 0;
      for (let r = 0; r < m; r++) proj += vectors[r * m + e] * g[r];
      for (let r = 0; r < m; r++) step[r] -= (vectors[r * m + e] * proj) / values[e];
    }
    const z1 = z0.map((v, j) => v + step[j]);
    if (idx.some((i, j) => z1[j] < s.lower[i])) break;
    const f1 = sub(z1);
    if (!(f1 <= res.f)) break;
    const gain = res.f - f1;
    idx.forEach((i, j) => (res.x[i] = z1[j]));
    res.f = f1;
    newton++;
    if (gain < 1e-12) break;
  }
  if (newton > 0) res.message += `; then ${newton} Newton step(s) on the free parameters`;
  res.evaluations = count;
  return res;
}

/**
 * Linear mixed model fit (lme4's `lmer`) with lmerTest's Satterthwaite df per coefficient.
 *
 * @example
 * const acc = new CrossProductAccumulator(3);           // columns: 1, x_within, x_between
 * for (const r of rows) acc.add(r.client, [1, r.xw, r.xb], r.y);
 * const data = acc.finish();
 * const fit = fitLmm(new SingleFactorStructure(data, [0]), data.nobs, 3, true); // (1 | client), REML
 * fit.beta; fit.se; fit.df; fit.sigma ** 2 * fit.theta[0] ** 2; // client variance
 *
 * @throws LmmError ('rank-deficient', 'too-few-observations', 'perfect-fit')
 *
 * Fits the model by REML (`reml = true`, lmer's default) or ML. Throws LmmError when the
 * fixed-effects design is rank deficient or the response is fitted exactly. `maxEval`
 * caps the deviance evaluations of the optimizer (default 50000, as generous as lme4's
 * 1e5 for BOBYQA); hitting it is reported as non-convergence, not hidden.
 */
export function fitLmm(s: RandomStructure, n: number, p: number, reml: boolean, opts: { maxEval?: number } = {}): LmmFit {
  if (n <= p) throw new LmmError(`${n} observations for ${p} fixed effects`, 'too-few-observations');
  const f = (theta: number[]): number => profiledDeviance(s.evaluate(theta), n, p, reml);
  for (const t0 of [s.start, s.start.map(() => 0)]) {
    const t = s.evaluate(t0);
    if (t.rankDeficient) {
      throw new LmmError(
        'the fixed-effects design is rank deficient (a predictor is constant or a combination of others)',
        'rank-deficient',
        t.deficientColumn,
      );
    }
  }
  const opt = optimise(s, f, opts.maxEval ?? 50_000);
  const theta = opt.x;
  const terms = s.evaluate(theta);
  if (!terms.ok || !Number.isFinite(opt.f)) {
    throw new LmmError(
      terms.rankDeficient ? 'the fixed-effects design is rank deficient' : 'the model fits the outcome exactly (no residual variance)',
      terms.rankDeficient ? 'rank-deficient' : 'perfect-fit',
    );
  }
  const sat = satterthwaiteAt(s, theta, n, p, reml);
  const { sigma, vcov, se, df } = sat;
  const deviance = opt.f;
  const npar = p + s.ntheta + 1;
  let singular = false;
  s.lower.forEach((lo, i) => {
    if (lo === 0 && Math.abs(theta[i]) < 1e-4) singular = true;
  });
  return {
    reml,
    nobs: n,
    p,
    theta,
    thetaLower: s.lower.slice(),
    sigma,
    beta: betaFromShifted(s.data, terms.beta),
    vcov,
    se,
    df,
    dfNote: sat.dfNote,
    hessianEigenvalues: sat.hessianEigenvalues,
    flatness: flatness(sat.scaledHessianEigenvalues),
    deviance,
    logLik: -deviance / 2,
    npar,
    aic: deviance + 2 * npar,
    bic: deviance + npar * Math.log(n),
    singular,
    converged: opt.converged,
    optimizerMessage: opt.message,
    evaluations: opt.evaluations,
    vcovVarpar: sat.vcovVarpar,
    jacobian: sat.jacobian,
  };
}

/**
 * Below this ratio of the smallest to the largest curvature of the deviance (in theta and
 * log sigma) the variance parameters count as not identified. A flat REML deviance (two
 * clients with an intercept and a client-mean predictor) gives ratios of 1e-9 or less
 * (lmerTest warns at an absolute eigenvalue of 1e-8); identified fits in the reference
 * cases are above 1e-4.
 */
export const FLAT_CURVATURE = 1e-6;

function flatness(values: number[]): number {
  const max = Math.max(...values);
  const min = Math.min(...values);
  return max > 0 ? min / max : -Infinity;
}

/** The Satterthwaite ingredients at one theta (lmerTest's as_lmerModLT). */
export interface SatterthwaiteAt {
  sigma: number;
  vcov: Float64Array;
  se: number[];
  df: number[];
  dfNote: string | null;
  hessianEigenvalues: number[];
  /** Eigenvalues of the deviance Hessian in (theta, log sigma): scale-free curvature. */
  scaledHessianEigenvalues: number[];
  vcovVarpar: Float64Array;
  jacobian: number[][];
}

/**
 * Var(beta), SEs and Satterthwaite df at a given theta, as lmerTest computes them at the
 * fitted theta: sigma = sqrt(pwrss / (n - p)) (REML) or sqrt(pwrss / n) (ML); varpar =
 * (theta, sigma); H = numDeriv::hessian(devfun_vp, varpar); A = 2 H^+ over eigenvalues
 * > 1e-8; J = numDeriv::jacobian(get_covbeta, varpar); df_j = 2 V_jj^2 / (g' A g).
 * Exposed so the df can be checked against lmerTest at identical parameters.
 */
export function satterthwaiteAt(s: RandomStructure, theta: readonly number[], n: number, p: number, reml: boolean): SatterthwaiteAt {
  const terms = s.evaluate(theta);
  const sigma = Math.sqrt(terms.pwrss / (reml ? n - p : n));
  const vcov = vcovFromShifted(s.data, cholInverse(terms.rxChol, p));
  for (let i = 0; i < vcov.length; i++) vcov[i] *= sigma * sigma;
  const se = Array.from({ length: p }, (_, i) => Math.sqrt(vcov[i * p + i]));
  // Satterthwaite (lmerTest): Hessian of the deviance in varpar = (theta, sigma).
  const varpar = [...theta, sigma];
  const nv = varpar.length;
  const H = numDerivHessian((v) => devianceVarpar(s, v, n, p, reml), varpar);
  const eig = symmetricEigen(H, nv);
  const tol = 1e-8;
  const A = new Float64Array(nv * nv);
  const notes: string[] = [];
  const negative = eig.values.filter((v) => v < -tol);
  const nearZero = eig.values.filter((v) => v >= -tol && v <= tol);
  if (negative.length > 0) notes.push(`the deviance Hessian has ${negative.length} negative eigenvalue(s)`);
  if (nearZero.length > 0) notes.push(`the deviance Hessian has ${nearZero.length} eigenvalue(s) close to zero`);
  eig.values.forEach((ev, e) => {
    if (!(ev > tol)) return;
    for (let r = 0; r < nv; r++) for (let c = 0; c < nv; c++) A[r * nv + c] += (2 * eig.vectors[r * nv + e] * eig.vectors[c * nv + e]) / ev;
  });
  const jac = numDerivJacobian((v) => covBeta(s, v, p), varpar);
  const df = se.map((_, j) => {
    const g = jac.map((col) => col[j * p + j]);
    const denom = quadForm(g, A, nv);
    const v = vcov[j * p + j];
    return (2 * v * v) / denom;
  });
  // scale-free curvature: the Hessian in (theta, log sigma), D H D with D = diag(1, .., sigma)
  const Hs = Float64Array.from(H);
  for (let r = 0; r < nv; r++) {
    Hs[r * nv + nv - 1] *= sigma;
    Hs[(nv - 1) * nv + r] *= sigma;
  }
  const scaled = symmetricEigen(Hs, nv).values;
  return {
    sigma,
    vcov,
    se,
    df,
    dfNote: notes.length > 0 ? notes.join('; ') : null,
    hessianEigenvalues: eig.values.slice(),
    scaledHessianEigenvalues: scaled,
    vcovVarpar: A,
    jacobian: jac,
  };
}

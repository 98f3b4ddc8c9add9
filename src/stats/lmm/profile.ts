/**
 * The profiled deviance of a linear mixed model, in lme4's parameterisation
 * (Bates, Maechler, Bolker & Walker 2015, "Fitting Linear Mixed-Effects Models Using lme4",
 * J. Stat. Softw. 67(1), doi:10.18637/jss.v067.i01, section 3).
 *
 * y = X b + Z Lambda(theta) u + e,  u ~ N(0, sigma^2 I),  e ~ N(0, sigma^2 I), so
 * Var(y) = sigma^2 V0 with V0 = I + Z Lambda Lambda' Z'. For a given theta:
 *
 *   ldL2  = log det(Lambda' Z'Z Lambda + I) = log det V0          (Sylvester)
 *   ldRX2 = log det(X' V0^-1 X)
 *   pwrss = (y - X b)' V0^-1 (y - X b) at the GLS b
 *   ML deviance   = ldL2 + n (1 + log(2 pi pwrss / n))
 *   REML criterion = ldL2 + ldRX2 + (n - p)(1 + log(2 pi pwrss / (n - p)))
 *
 * V0 is block diagonal by group (client, or therapist when clients are nested in
 * therapists), and each block is a low-rank update of the identity, so the Woodbury
 * identity gives every term from per-group cross-products of [X, y].
 *
 * This file: the terms, the shared per-group blocks and the single-factor structure
 * ((1 | client), (1 + x | client)); ./nested.ts the structures with a therapist intercept.
 */
import { betaToShifted, type GroupedCrossProducts } from './data.js';
import { choleskyInPlace } from '../linalg.js';

/** Everything the deviance needs at one theta. */
export interface ProfiledTerms {
  ok: boolean;
  /** X'V0^-1X is (numerically) singular: a fixed-effect column is a combination of others. */
  rankDeficient: boolean;
  /** First fixed-effect column found collinear with the ones before it (-1 if none). */
  deficientColumn: number;
  ldL2: number;
  ldRX2: number;
  pwrss: number;
  beta: Float64Array;
  /** (X' V0^-1 X)^-1 is L^-T L^-1 with this lower factor L (p x p, row-major). */
  rxChol: Float64Array;
}

/** A random-effects structure: how theta maps to V0. */
export interface RandomStructure {
  /** The per-group cross-products (possibly of a shifted design: see data.ts). */
  readonly data: GroupedCrossProducts;
  /** Number of covariance parameters (lme4's theta). */
  readonly ntheta: number;
  /** Lower bounds of theta (0 for diagonal Cholesky elements, -Infinity otherwise). */
  readonly lower: number[];
  /** lme4's starting value. */
  readonly start: number[];
  /** Names of the variance parameters, in theta order (for messages). */
  readonly thetaNames: string[];
  evaluate(theta: readonly number[]): ProfiledTerms;
}

/** A pivot below this fraction of its column's (V0-weighted) sum of squares counts as collinear. */
const RANK_TOL = 1e-9;

/** Finishes the profiled terms from A = [X y]' V0^-1 [X y] ((p+1) x (p+1), overwritten). */
export function finishTerms(a: Float64Array, p: number, ldL2: number): ProfiledTerms {
  const k = p + 1;
  const diag = Array.from({ length: k }, (_, i) => a[i * k + i]);
  const ok = choleskyInPlace(a, k);
  const rxChol = new Float64Array(p * p);
  const beta = new Float64Array(p);
  let deficientColumn = -1;
  for (let i = 0; i < p && deficientColumn < 0; i++) {
    const piv = a[i * k + i];
    if (!(piv * piv > RANK_TOL * diag[i])) deficientColumn = i;
  }
  const rankDeficient = deficientColumn >= 0;
  if (!ok || rankDeficient) {
    // The [X y] factor fails either because X'V0^-1X is singular (rank-deficient design)
    // or because y is fitted exactly (last pivot zero).
    return { ok: false, rankDeficient, deficientColumn, ldL2, ldRX2: NaN, pwrss: NaN, beta, rxChol };
  }
  let ldRX2 = 0;
  for (let i = 0; i < p; i++) {
    ldRX2 += 2 * Math.log(a[i * k + i]);
    for (let j = 0; j <= i; j++) rxChol[i * p + j] = a[i * k + j];
  }
  const lyy = a[p * k + p];
  const pwrss = lyy * lyy;
  // beta solves L_X' b = c where c = row p of the factor (L_X^-1 X'V0^-1 y)
  for (let i = 0; i < p; i++) beta[i] = a[p * k + i];
  for (let i = p - 1; i >= 0; i--) {
    let s = beta[i];
    for (let j = i + 1; j < p; j++) s -= rxChol[j * p + i] * beta[j];
    beta[i] = s / rxChol[i * p + i];
  }
  return { ok: true, rankDeficient: false, deficientColumn: -1, ldL2, ldRX2, pwrss, beta, rxChol };
}

/** Sum of the groups' cross-products (the OLS cross-product [X y]'[X y]). */
export function totalCross(d: GroupedCrossProducts): Float64Array {
  const k = d.p + 1;
  const kk = k * k;
  const tot = new Float64Array(kk);
  for (let g = 0; g < d.groups; g++) {
    const base = g * kk;
    for (let e = 0; e < kk; e++) tot[e] += d.cross[base + e];
  }
  return tot;
}

/**
 * One group's 2 x 2 Woodbury step for a (1 + x | group) term, the block both the random-slope
 * structures share: with T = [ta 0; tb tc] and the group's cross-products S = Z'Z (rows z0,
 * z1 of `cross` from `base`), M = I + T'S T = L L'. Writes the rows of W = L^-1 T'Z'[X y]
 * to w0 and w1 (length k), M's entries (m00, m10, m10, m11) to `m` when given, and returns
 * log det M.
 */
export function woodbury2(
  cross: Float64Array,
  base: number,
  k: number,
  z0: number,
  z1: number,
  ta: number,
  tb: number,
  tc: number,
  w0: Float64Array,
  w1: Float64Array,
  m: Float64Array | null,
): number {
  const r0 = base + z0 * k;
  const r1 = base + z1 * k;
  const s00 = cross[r0 + z0];
  const s01 = cross[r0 + z1];
  const s11 = cross[r1 + z1];
  const m00 = 1 + ta * ta * s00 + 2 * ta * tb * s01 + tb * tb * s11;
  const m10 = tc * (ta * s01 + tb * s11);
  const m11 = 1 + tc * tc * s11;
  const l00 = Math.sqrt(m00);
  const l10 = m10 / l00;
  const l11 = Math.sqrt(m11 - l10 * l10);
  for (let c = 0; c < k; c++) {
    const v0 = (ta * cross[r0 + c] + tb * cross[r1 + c]) / l00;
    w0[c] = v0;
    w1[c] = (tc * cross[r1 + c] - l10 * v0) / l11;
  }
  if (m) {
    m[0] = m00;
    m[1] = m10;
    m[2] = m10;
    m[3] = m11;
  }
  return 2 * (Math.log(l00) + Math.log(l11));
}

/** z'(y - X beta) of one group: row `row` of its cross-products (z a column of X) against the residual. */
export function residualCross(cross: Float64Array, row: number, p: number, beta: ArrayLike<number>): number {
  let s = cross[row + p];
  for (let j = 0; j < p; j++) s -= cross[row + j] * beta[j];
  return s;
}

/**
 * Random effects on one grouping factor: (z_1 + ... + z_q | group), where z_j are columns
 * of X (zCols[0] is the intercept for `(1 | client)`; [0, j] for `(1 + x_j | client)`).
 * theta is the lower triangle of the q x q relative Cholesky factor T, column by column,
 * as lme4 orders it (for q = 2: T11, T21, T22).
 */
export class SingleFactorStructure implements RandomStructure {
  readonly ntheta: number;
  readonly lower: number[];
  readonly start: number[];
  readonly thetaNames: string[];
  readonly q: number;
  private readonly total: Float64Array;
  private readonly w0: Float64Array;
  private readonly w1: Float64Array;

  constructor(
    readonly data: GroupedCrossProducts,
    readonly zCols: number[],
  ) {
    const q = zCols.length;
    this.w0 = new Float64Array(data.p + 1);
    this.w1 = new Float64Array(data.p + 1);
    this.q = q;
    this.ntheta = (q * (q + 1)) / 2;
    this.lower = [];
    this.start = [];
    this.thetaNames = [];
    for (let j = 0; j < q; j++) {
      for (let i = j; i < q; i++) {
        this.lower.push(i === j ? 0 : -Infinity);
        this.start.push(i === j ? 1 : 0);
        this.thetaNames.push(`T${i + 1}${j + 1}`);
      }
    }
    this.total = totalCross(data);
  }

  /** T (q x q lower, row-major) from theta. */
  factor(theta: readonly number[]): Float64Array {
    const q = this.q;
    const t = new Float64Array(q * q);
    let e = 0;
    for (let j = 0; j < q; j++) for (let i = j; i < q; i++) t[i * q + j] = theta[e++];
    return t;
  }

  evaluate(theta: readonly number[]): ProfiledTerms {
    const { data, zCols, q } = this;
    const p = data.p;
    const k = p + 1;
    const kk = k * k;
    const T = this.factor(theta);
    const a = this.total.slice();
    let ldL2 = 0;
    const cross = data.cross;
    if (q === 1) {
      // compound symmetry: V0_i^-1 = I - w 11', w = t^2 / (1 + n_i t^2)
      const z = zCols[0];
      const t2 = T[0] * T[0];
      for (let g = 0; g < data.groups; g++) {
        const base = g * kk;
        const zz = cross[base + z * k + z];
        const m = 1 + t2 * zz;
        ldL2 += Math.log(m);
        const w = t2 / m;
        const zrow = base + z * k;
        for (let i = 0; i < k; i++) {
          const wi = w * cross[zrow + i];
          for (let j = 0; j <= i; j++) a[i * k + j] -= wi * cross[zrow + j];
        }
      }
    } else if (q === 2) {
      // unrolled 2 x 2 Woodbury step (the random-slope case), same algebra as below
      const z0 = zCols[0];
      const z1 = zCols[1];
      const ta = T[0];
      const tb = T[2];
      const tc = T[3];
      const w0 = this.w0;
      const w1 = this.w1;
      for (let g = 0; g < data.groups; g++) {
        ldL2 += woodbury2(cross, g * kk, k, z0, z1, ta, tb, tc, w0, w1, null);
        for (let i = 0; i < k; i++) {
          const a0 = w0[i];
          const a1 = w1[i];
          const row = i * k;
          for (let j = 0; j <= i; j++) a[row + j] -= a0 * w0[j] + a1 * w1[j];
        }
      }
    } else {
      const M = new Float64Array(q * q);
      const W = new Float64Array(q * k);
      const ZC = new Float64Array(q * k); // Z'[X y]
      for (let g = 0; g < data.groups; g++) {
        const base = g * kk;
        for (let r = 0; r < q; r++) for (let c = 0; c < k; c++) ZC[r * k + c] = cross[base + zCols[r] * k + c];
        // M = I + T' (Z'Z) T
        for (let r = 0; r < q; r++) {
          for (let c = 0; c <= r; c++) {
            let s = 0;
            for (let u = 0; u < q; u++) {
              const tur = T[u * q + r];
              if (tur === 0) continue;
              for (let v = 0; v < q; v++) s += tur * ZC[u * k + zCols[v]] * T[v * q + c];
            }
            M[r * q + c] = s + (r === c ? 1 : 0);
          }
        }
        choleskyInPlace(M, q);
        for (let r = 0; r < q; r++) ldL2 += 2 * Math.log(M[r * q + r]);
        // W = L^-1 T' Z'[X y]
        for (let r = 0; r < q; r++) {
          for (let c = 0; c < k; c++) {
            let s = 0;
            for (let u = 0; u < q; u++) s += T[u * q + r] * ZC[u * k + c];
            for (let u = 0; u < r; u++) s -= M[r * q + u] * W[u * k + c];
            W[r * k + c] = s / M[r * q + r];
          }
        }
        for (let i = 0; i < k; i++) {
          for (let j = 0; j <= i; j++) {
            let s = 0;
            for (let r = 0; r < q; r++) s += W[r * k + i] * W[r * k + j];
            a[i * k + j] -= s;
          }
        }
      }
    }
    for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) a[j * k + i] = a[i * k + j];
    return finishTerms(a, p, ldL2);
  }

  /**
   * Conditional modes of the random effects (BLUPs), b_i = T M_i^-1 T' Z_i'(y_i - X_i beta),
   * and their conditional variances sigma^2 T M_i^-1 T' (as lme4's ranef(condVar = TRUE)).
   * Returns per group q modes and q x q conditional covariance / sigma^2.
   */
  ranef(theta: readonly number[], betaOriginal: ArrayLike<number>): { modes: Float64Array; condVar: Float64Array } {
    const { data, zCols, q } = this;
    const beta = betaToShifted(data, betaOriginal);
    const p = data.p;
    const k = p + 1;
    const kk = k * k;
    const T = this.factor(theta);
    const modes = new Float64Array(data.groups * q);
    const condVar = new Float64Array(data.groups * q * q);
    const M = new Float64Array(q * q);
    const Minv = new Float64Array(q * q);
    for (let g = 0; g < data.groups; g++) {
      const base = g * kk;
      const zr = new Float64Array(q);
      for (let r = 0; r < q; r++) zr[r] = residualCross(data.cross, base + zCols[r] * k, p, beta);
      for (let r = 0; r < q; r++) {
        for (let c = 0; c < q; c++) {
          let s = 0;
          for (let u = 0; u < q; u++) for (let v = 0; v < q; v++) s += T[u * q + r] * data.cross[base + zCols[u] * k + zCols[v]] * T[v * q + c];
          M[r * q + c] = s + (r === c ? 1 : 0);
        }
      }
      invertSmall(M, q, Minv);
      // T Minv T'
      const TMT = new Float64Array(q * q);
      for (let r = 0; r < q; r++) {
        for (let c = 0; c < q; c++) {
          let s = 0;
          for (let u = 0; u < q; u++) for (let v = 0; v < q; v++) s += T[r * q + u] * Minv[u * q + v] * T[c * q + v];
          TMT[r * q + c] = s;
        }
      }
      for (let r = 0; r < q; r++) {
        let s = 0;
        for (let c = 0; c < q; c++) s += TMT[r * q + c] * zr[c];
        modes[g * q + r] = s;
        for (let c = 0; c < q; c++) condVar[g * q * q + r * q + c] = TMT[r * q + c];
      }
    }
    return { modes, condVar };
  }
}

function invertSmall(m: Float64Array, q: number, out: Float64Array): void {
  if (q === 1) {
    out[0] = 1 / m[0];
    return;
  }
  if (q === 2) {
    const det = m[0] * m[3] - m[1] * m[2];
    out[0] = m[3] / det;
    out[1] = -m[1] / det;
    out[2] = -m[2] / det;
    out[3] = m[0] / det;
    return;
  }
  throw new Error('invertSmall: q > 2 not supported');
}

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

/** Finishes the profiled terms from A = [X y]' V0^-1 [X y] ((p+1) x (p+1), overwritten). */
/** A pivot below this fraction of its column's (V0-weighted) sum of squares counts as collinear. */
const RANK_TOL = 1e-9;

/**
 * The therapist level's rank-one (Woodbury) update, shared by the models with a therapist
 * intercept: for each therapist t with d_t = 1 + theta_t^2 S_t, subtracts
 * (theta_t^2 / d_t) s_t s_t' from the lower triangle of the k x k system `a`, then mirrors
 * it to the upper triangle. Returns ldL2 with each log d_t added in turn (the summation order
 * of the inline loops this replaced, so fits are bit-identical).
 */
function therapistUpdate(a: Float64Array, k: number, S: Float64Array, sv: Float64Array, tt2: number, therapists: number, ldL2: number): number {
  let ld = ldL2;
  for (let t = 0; t < therapists; t++) {
    const d = 1 + tt2 * S[t];
    ld += Math.log(d);
    const w = tt2 / d;
    for (let i = 0; i < k; i++) {
      const wi = w * sv[t * k + i];
      for (let j = 0; j <= i; j++) a[i * k + j] -= wi * sv[t * k + j];
    }
  }
  for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) a[j * k + i] = a[i * k + j];
  return ld;
}

function finishTerms(a: Float64Array, p: number, ldL2: number): ProfiledTerms {
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
function totalCross(d: GroupedCrossProducts): Float64Array {
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
        const base = g * kk;
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
        ldL2 += 2 * (Math.log(l00) + Math.log(l11));
        for (let c = 0; c < k; c++) {
          const v0 = (ta * cross[r0 + c] + tb * cross[r1 + c]) / l00;
          w0[c] = v0;
          w1[c] = (tc * cross[r1 + c] - l10 * v0) / l11;
        }
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
      for (let r = 0; r < q; r++) {
        let s = data.cross[base + zCols[r] * k + p];
        for (let j = 0; j < p; j++) s -= data.cross[base + zCols[r] * k + j] * beta[j];
        zr[r] = s;
      }
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

/**
 * Random intercepts for clients nested in therapists: (1 | therapist) + (1 | therapist:client),
 * theta = [theta_client, theta_therapist] (lme4 orders the terms by decreasing number of
 * levels, so the client term comes first). Per therapist t,
 *   V0_t = I + theta_c^2 blockdiag(1 1') + theta_t^2 1 1',
 * inverted by applying the client-level compound-symmetry inverse A and then a rank-one
 * update: V0_t^-1 = A - A1 1'A theta_t^2 / (1 + theta_t^2 1'A1).
 */
export class NestedInterceptStructure implements RandomStructure {
  readonly ntheta = 2;
  readonly lower = [0, 0];
  readonly start = [1, 1];
  readonly thetaNames = ['client', 'therapist'];
  private readonly total: Float64Array;

  constructor(
    readonly data: GroupedCrossProducts,
    /** Therapist index (0..therapists-1) of each group. */
    readonly parent: Int32Array,
    readonly therapists: number,
  ) {
    this.total = totalCross(data);
  }

  evaluate(theta: readonly number[]): ProfiledTerms {
    const { data, parent } = this;
    const p = data.p;
    const k = p + 1;
    const kk = k * k;
    const tc2 = theta[0] * theta[0];
    const tt2 = theta[1] * theta[1];
    const a = this.total.slice();
    let ldL2 = 0;
    const S = new Float64Array(this.therapists);
    const sv = new Float64Array(this.therapists * k); // sum over clients of 1'A_c [X y]
    const cross = data.cross;
    for (let g = 0; g < data.groups; g++) {
      const base = g * kk;
      const n = cross[base]; // intercept x intercept = n_i
      const m = 1 + tc2 * n;
      ldL2 += Math.log(m);
      const w = tc2 / m;
      for (let i = 0; i < k; i++) {
        const wi = w * cross[base + i];
        for (let j = 0; j <= i; j++) a[i * k + j] -= wi * cross[base + j];
      }
      const t = parent[g];
      S[t] += n / m;
      for (let i = 0; i < k; i++) sv[t * k + i] += cross[base + i] / m;
    }
    ldL2 = therapistUpdate(a, k, S, sv, tt2, this.therapists, ldL2);
    return finishTerms(a, p, ldL2);
  }

  /**
   * BLUPs: b_c = theta_c^2 1_c' V0^-1 r, b_t = theta_t^2 1_t' V0^-1 r, and their conditional
   * variances / sigma^2 (the diagonal of Lambda (Lambda'Z'Z Lambda + I)^-1 Lambda'):
   *   therapist: theta_t^2 / (1 + theta_t^2 S_t),
   *   client:    theta_c^2 - theta_c^4 (a_c - a_c^2 theta_t^2 / (1 + theta_t^2 S_t)).
   */
  ranef(
    theta: readonly number[],
    betaOriginal: ArrayLike<number>,
  ): { client: Float64Array; therapist: Float64Array; clientVar: Float64Array; therapistVar: Float64Array } {
    const { data, parent } = this;
    const beta = betaToShifted(data, betaOriginal);
    const p = data.p;
    const k = p + 1;
    const kk = k * k;
    const tc2 = theta[0] * theta[0];
    const tt2 = theta[1] * theta[1];
    const S = new Float64Array(this.therapists);
    const SR = new Float64Array(this.therapists);
    const sr = new Float64Array(data.groups);
    const a = new Float64Array(data.groups);
    for (let g = 0; g < data.groups; g++) {
      const base = g * kk;
      const n = data.cross[base];
      let r = data.cross[base + p]; // 1'y (intercept row, y column)
      for (let j = 0; j < p; j++) r -= data.cross[base + j] * beta[j];
      const m = 1 + tc2 * n;
      sr[g] = r / m;
      a[g] = n / m;
      S[parent[g]] += a[g];
      SR[parent[g]] += sr[g];
    }
    const gamma = new Float64Array(this.therapists);
    const therapist = new Float64Array(this.therapists);
    for (let t = 0; t < this.therapists; t++) {
      gamma[t] = (tt2 * SR[t]) / (1 + tt2 * S[t]);
      therapist[t] = tt2 * (SR[t] - S[t] * gamma[t]);
    }
    const client = new Float64Array(data.groups);
    const clientVar = new Float64Array(data.groups);
    const therapistVar = new Float64Array(this.therapists);
    for (let t = 0; t < this.therapists; t++) therapistVar[t] = tt2 / (1 + tt2 * S[t]);
    for (let g = 0; g < data.groups; g++) {
      const t = parent[g];
      client[g] = tc2 * (sr[g] - a[g] * gamma[t]);
      clientVar[g] = tc2 - tc2 * tc2 * (a[g] - (a[g] * a[g] * tt2) / (1 + tt2 * S[t]));
    }
    return { client, therapist, clientVar, therapistVar };
  }
}

/**
 * A random slope for clients together with a therapist intercept:
 * (1 + x | client) + (1 | therapist), clients nested in therapists. theta = [T11, T21, T22,
 * theta_t] (lme4 puts the term with more levels, the client term, first). Per therapist t,
 *   V0_t = blockdiag_c(I + Z_c T T' Z_c') + theta_t^2 1 1',
 * inverted by applying each client's 2 x 2 Woodbury inverse A_c (as SingleFactorStructure)
 * and then a rank-one update: V0_t^-1 = A - A1 1'A theta_t^2 / (1 + theta_t^2 1'A1); since
 * the intercept is column 0 of X, 1'A_c[X y] is row 0 of the client's updated block.
 */
export class SlopeTherapistStructure implements RandomStructure {
  readonly ntheta = 4;
  readonly lower = [0, -Infinity, 0, 0];
  readonly start = [1, 0, 1, 1];
  readonly thetaNames = ['T11', 'T21', 'T22', 'therapist'];
  private readonly total: Float64Array;

  constructor(
    readonly data: GroupedCrossProducts,
    /** The slope column of X (the intercept is column 0). */
    readonly slopeCol: number,
    /** Therapist index (0..therapists-1) of each group. */
    readonly parent: Int32Array,
    readonly therapists: number,
  ) {
    this.total = totalCross(data);
  }

  /** Per client: the updated block C - W'W (k x k) and the terms of the client factor. */
  private clientBlock(g: number, theta: readonly number[], out: Float64Array): { ld: number; M: Float64Array } {
    const { data } = this;
    const k = data.p + 1;
    const base = g * k * k;
    const cross = data.cross;
    const z0 = 0;
    const z1 = this.slopeCol;
    const [ta, tb, tc] = theta;
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
    const w0 = new Float64Array(k);
    const w1 = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      const v0 = (ta * cross[r0 + c] + tb * cross[r1 + c]) / l00;
      w0[c] = v0;
      w1[c] = (tc * cross[r1 + c] - l10 * v0) / l11;
    }
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) out[i * k + j] = cross[base + i * k + j] - (w0[i] * w0[j] + w1[i] * w1[j]);
    return { ld: 2 * (Math.log(l00) + Math.log(l11)), M: Float64Array.from([m00, m10, m10, m11]) };
  }

  evaluate(theta: readonly number[]): ProfiledTerms {
    const { data, parent } = this;
    const p = data.p;
    const k = p + 1;
    const tt2 = theta[3] * theta[3];
    const a = this.total.slice();
    let ldL2 = 0;
    const S = new Float64Array(this.therapists);
    const sv = new Float64Array(this.therapists * k);
    const block = new Float64Array(k * k);
    for (let g = 0; g < data.groups; g++) {
      const { ld } = this.clientBlock(g, theta, block);
      ldL2 += ld;
      const base = g * k * k;
      for (let i = 0; i < k; i++) for (let j = 0; j <= i; j++) a[i * k + j] -= data.cross[base + i * k + j] - block[i * k + j];
      const t = parent[g];
      S[t] += block[0];
      for (let i = 0; i < k; i++) sv[t * k + i] += block[i];
    }
    ldL2 = therapistUpdate(a, k, S, sv, tt2, this.therapists, ldL2);
    return finishTerms(a, p, ldL2);
  }

  /**
   * BLUPs and conditional variances / sigma^2. Therapist: b_t = theta_t^2 1'V_t^-1 r,
   * var theta_t^2 / (1 + theta_t^2 S_t). Client: b_c = T M_c^-1 T' Z_c'(r_c - gamma_t 1)
   * with gamma_t = theta_t^2 1'A r / (1 + theta_t^2 S_t); var = TT' - TT' (K - theta_t^2
   * K_.0 K_0. / (1 + theta_t^2 S_t)) TT' with K = Z_c'A_c Z_c.
   */
  ranef(
    theta: readonly number[],
    betaOriginal: ArrayLike<number>,
  ): { client: Float64Array; therapist: Float64Array; clientVar: Float64Array; therapistVar: Float64Array } {
    const { data, parent } = this;
    const beta = betaToShifted(data, betaOriginal);
    const p = data.p;
    const k = p + 1;
    const tt2 = theta[3] * theta[3];
    const T = [theta[0], 0, theta[1], theta[2]]; // row-major lower
    const TT = [T[0] * T[0], T[0] * T[2], T[0] * T[2], T[2] * T[2] + T[3] * T[3]];
    const block = new Float64Array(k * k);
    const S = new Float64Array(this.therapists);
    const SR = new Float64Array(this.therapists);
    // per client: 1'A_c r, K (2 x 2), Z'r, M
    const n = data.groups;
    const oneAr = new Float64Array(n);
    const K = new Float64Array(n * 4);
    const zr = new Float64Array(n * 2);
    const Ms = new Float64Array(n * 4);
    const z = [0, this.slopeCol];
    for (let g = 0; g < n; g++) {
      const { M } = this.clientBlock(g, theta, block);
      Ms.set(M, g * 4);
      // r = y - X beta: 1'A r = block[0][p] - sum_j block[0][j] beta_j
      let s = block[p];
      for (let j = 0; j < p; j++) s -= block[j] * beta[j];
      oneAr[g] = s;
      for (let u = 0; u < 2; u++) for (let v = 0; v < 2; v++) K[g * 4 + u * 2 + v] = block[z[u] * k + z[v]];
      const base = g * k * k;
      for (let u = 0; u < 2; u++) {
        let r = data.cross[base + z[u] * k + p];
        for (let j = 0; j < p; j++) r -= data.cross[base + z[u] * k + j] * beta[j];
        zr[g * 2 + u] = r;
      }
      S[parent[g]] += block[0];
      SR[parent[g]] += oneAr[g];
    }
    const therapist = new Float64Array(this.therapists);
    const therapistVar = new Float64Array(this.therapists);
    const gamma = new Float64Array(this.therapists);
    for (let t = 0; t < this.therapists; t++) {
      const d = 1 + tt2 * S[t];
      gamma[t] = (tt2 * SR[t]) / d;
      therapist[t] = tt2 * (SR[t] - S[t] * gamma[t]);
      therapistVar[t] = tt2 / d;
    }
    const client = new Float64Array(n * 2);
    const clientVar = new Float64Array(n * 4);
    for (let g = 0; g < n; g++) {
      const t = parent[g];
      const d = 1 + tt2 * S[t];
      const det = Ms[g * 4] * Ms[g * 4 + 3] - Ms[g * 4 + 1] * Ms[g * 4 + 2];
      const Mi = [Ms[g * 4 + 3] / det, -Ms[g * 4 + 1] / det, -Ms[g * 4 + 2] / det, Ms[g * 4] / det];
      // T M^-1 T'
      const TM = mul2(mul2(T, Mi), [T[0], T[2], T[1], T[3]]);
      // Z'(r - gamma 1): Z'1 = (s00, s01) = column 0 of Z'Z
      const base = g * k * k;
      const v = [zr[g * 2] - gamma[t] * data.cross[base], zr[g * 2 + 1] - gamma[t] * data.cross[base + this.slopeCol]];
      client[g * 2] = TM[0] * v[0] + TM[1] * v[1];
      client[g * 2 + 1] = TM[2] * v[0] + TM[3] * v[1];
      const Kg = [K[g * 4], K[g * 4 + 1], K[g * 4 + 2], K[g * 4 + 3]];
      const ZVZ = [Kg[0] - (tt2 * Kg[0] * Kg[0]) / d, Kg[1] - (tt2 * Kg[0] * Kg[1]) / d, Kg[2] - (tt2 * Kg[2] * Kg[0]) / d, Kg[3] - (tt2 * Kg[2] * Kg[1]) / d];
      const corr = mul2(mul2(TT, ZVZ), TT);
      for (let e = 0; e < 4; e++) clientVar[g * 4 + e] = TT[e] - corr[e];
    }
    return { client, therapist, clientVar, therapistVar };
  }
}

function mul2(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  return [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3], a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3]];
}

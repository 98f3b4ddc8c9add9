/**
 * The random-effects structures with a therapist intercept over clients nested in
 * therapists: (1 | therapist) + (1 | therapist:client) and (1 + x | client) + (1 |
 * therapist). Both apply each client's own inverse A_c first and then one rank-one
 * (Woodbury) update per therapist, so they share that level: `therapistTerms` (the profiled
 * terms) and `therapistBlups` (the therapist BLUPs); the client blocks are theirs
 * (./profile.ts has the terms and the shared per-group blocks).
 */
import { betaToShifted, type GroupedCrossProducts } from './data.js';
import { finishTerms, residualCross, totalCross, woodbury2, type ProfiledTerms, type RandomStructure } from './profile.js';

/** The BLUPs of a structure with a therapist intercept and their conditional variances / sigma^2 (per client: 1 or 2 each). */
export interface NestedRanef {
  client: Float64Array;
  therapist: Float64Array;
  clientVar: Float64Array;
  therapistVar: Float64Array;
}

/**
 * The profiled terms of a structure with a therapist intercept. `client(g, row)` applies
 * client g's own random effects to `a` (the lower triangle of the k x k system [X y]'
 * V0^-1 [X y], starting from the OLS cross-product), writes 1'A_c [X y] (length k) to `row`
 * and returns the client's log det; the therapist level then subtracts, for each therapist t
 * with S_t = sum 1'A_c 1 and s_t = sum 1'A_c [X y] over its clients and d_t = 1 +
 * theta_t^2 S_t, (theta_t^2 / d_t) s_t s_t', and adds log d_t.
 */
function therapistTerms(
  data: GroupedCrossProducts,
  total: Float64Array,
  parent: Int32Array,
  therapists: number,
  tt2: number,
  client: (g: number, a: Float64Array, row: Float64Array) => number,
): ProfiledTerms {
  const p = data.p;
  const k = p + 1;
  const a = total.slice();
  let ldL2 = 0;
  const S = new Float64Array(therapists);
  const sv = new Float64Array(therapists * k); // sum over clients of 1'A_c [X y]
  const row = new Float64Array(k);
  for (let g = 0; g < data.groups; g++) {
    ldL2 += client(g, a, row);
    const t = parent[g];
    S[t] += row[0];
    for (let i = 0; i < k; i++) sv[t * k + i] += row[i];
  }
  for (let t = 0; t < therapists; t++) {
    const d = 1 + tt2 * S[t];
    ldL2 += Math.log(d);
    const w = tt2 / d;
    for (let i = 0; i < k; i++) {
      const wi = w * sv[t * k + i];
      for (let j = 0; j <= i; j++) a[i * k + j] -= wi * sv[t * k + j];
    }
  }
  for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) a[j * k + i] = a[i * k + j];
  return finishTerms(a, p, ldL2);
}

/**
 * The therapist BLUPs from S_t = sum 1'A_c 1 and SR_t = sum 1'A_c r (r = y - X beta) over
 * the therapist's clients: b_t = theta_t^2 (SR_t - S_t gamma_t) with gamma_t = theta_t^2
 * SR_t / d_t, d_t = 1 + theta_t^2 S_t, and their conditional variances / sigma^2,
 * theta_t^2 / d_t. gamma_t is what the clients' BLUPs subtract.
 */
function therapistBlups(S: Float64Array, SR: Float64Array, tt2: number): { gamma: Float64Array; therapist: Float64Array; therapistVar: Float64Array } {
  const n = S.length;
  const gamma = new Float64Array(n);
  const therapist = new Float64Array(n);
  const therapistVar = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    const d = 1 + tt2 * S[t];
    gamma[t] = (tt2 * SR[t]) / d;
    therapist[t] = tt2 * (SR[t] - S[t] * gamma[t]);
    therapistVar[t] = tt2 / d;
  }
  return { gamma, therapist, therapistVar };
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
    const { data } = this;
    const k = data.p + 1;
    const kk = k * k;
    const tc2 = theta[0] * theta[0];
    const cross = data.cross;
    // Client c: compound symmetry, A_c = I - w 11' with w = theta_c^2 / (1 + n_c theta_c^2).
    return therapistTerms(data, this.total, this.parent, this.therapists, theta[1] * theta[1], (g, a, row) => {
      const base = g * kk;
      const n = cross[base]; // intercept x intercept = n_i
      const m = 1 + tc2 * n;
      const w = tc2 / m;
      for (let i = 0; i < k; i++) {
        const wi = w * cross[base + i];
        for (let j = 0; j <= i; j++) a[i * k + j] -= wi * cross[base + j];
      }
      for (let i = 0; i < k; i++) row[i] = cross[base + i] / m;
      return Math.log(m);
    });
  }

  /**
   * BLUPs: b_c = theta_c^2 1_c' V0^-1 r, b_t = theta_t^2 1_t' V0^-1 r, and their conditional
   * variances / sigma^2 (the diagonal of Lambda (Lambda'Z'Z Lambda + I)^-1 Lambda'):
   *   therapist: theta_t^2 / (1 + theta_t^2 S_t),
   *   client:    theta_c^2 - theta_c^4 (a_c - a_c^2 theta_t^2 / (1 + theta_t^2 S_t)).
   */
  ranef(theta: readonly number[], betaOriginal: ArrayLike<number>): NestedRanef {
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
      const r = residualCross(data.cross, base, p, beta); // 1'(y - X beta): the intercept row
      const m = 1 + tc2 * n;
      sr[g] = r / m;
      a[g] = n / m;
      S[parent[g]] += a[g];
      SR[parent[g]] += sr[g];
    }
    const { gamma, therapist, therapistVar } = therapistBlups(S, SR, tt2);
    const client = new Float64Array(data.groups);
    const clientVar = new Float64Array(data.groups);
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
  private readonly w0: Float64Array;
  private readonly w1: Float64Array;

  constructor(
    readonly data: GroupedCrossProducts,
    /** The slope column of X (the intercept is column 0). */
    readonly slopeCol: number,
    /** Therapist index (0..therapists-1) of each group. */
    readonly parent: Int32Array,
    readonly therapists: number,
  ) {
    this.total = totalCross(data);
    this.w0 = new Float64Array(data.p + 1);
    this.w1 = new Float64Array(data.p + 1);
  }

  /**
   * Client g's updated block C - W'W (k x k, to `out`; row 0 is 1'A_c [X y]) by the 2 x 2
   * Woodbury step (as SingleFactorStructure), M_c's entries to `m` when given; returns its log det.
   */
  private clientBlock(g: number, theta: readonly number[], out: Float64Array, m: Float64Array | null): number {
    const { data, w0, w1 } = this;
    const k = data.p + 1;
    const base = g * k * k;
    const cross = data.cross;
    const ld = woodbury2(cross, base, k, 0, this.slopeCol, theta[0], theta[1], theta[2], w0, w1, m);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) out[i * k + j] = cross[base + i * k + j] - (w0[i] * w0[j] + w1[i] * w1[j]);
    return ld;
  }

  evaluate(theta: readonly number[]): ProfiledTerms {
    const { data } = this;
    const k = data.p + 1;
    const block = new Float64Array(k * k);
    return therapistTerms(data, this.total, this.parent, this.therapists, theta[3] * theta[3], (g, a, row) => {
      const ld = this.clientBlock(g, theta, block, null);
      const base = g * k * k;
      for (let i = 0; i < k; i++) for (let j = 0; j <= i; j++) a[i * k + j] -= data.cross[base + i * k + j] - block[i * k + j];
      for (let i = 0; i < k; i++) row[i] = block[i];
      return ld;
    });
  }

  /**
   * BLUPs and conditional variances / sigma^2. Therapist: b_t = theta_t^2 1'V_t^-1 r,
   * var theta_t^2 / (1 + theta_t^2 S_t). Client: b_c = T M_c^-1 T' Z_c'(r_c - gamma_t 1)
   * with gamma_t = theta_t^2 1'A r / (1 + theta_t^2 S_t); var = TT' - TT' (K - theta_t^2
   * K_.0 K_0. / (1 + theta_t^2 S_t)) TT' with K = Z_c'A_c Z_c.
   */
  ranef(theta: readonly number[], betaOriginal: ArrayLike<number>): NestedRanef {
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
      this.clientBlock(g, theta, block, Ms.subarray(g * 4, g * 4 + 4));
      // r = y - X beta: 1'A r = block[0][p] - sum_j block[0][j] beta_j
      oneAr[g] = residualCross(block, 0, p, beta);
      for (let u = 0; u < 2; u++) for (let v = 0; v < 2; v++) K[g * 4 + u * 2 + v] = block[z[u] * k + z[v]];
      const base = g * k * k;
      for (let u = 0; u < 2; u++) zr[g * 2 + u] = residualCross(data.cross, base + z[u] * k, p, beta);
      S[parent[g]] += block[0];
      SR[parent[g]] += oneAr[g];
    }
    const { gamma, therapist, therapistVar } = therapistBlups(S, SR, tt2);
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

/**
 * Kenward-Roger small-sample inference for the fixed effects of a linear mixed model
 * (Kenward & Roger 1997, "Small sample inference for fixed effects from restricted maximum
 * likelihood", Biometrics 53:983-997, doi:10.2307/2533558), computed as pbkrtest does it
 * (Halekoh & Højsgaard 2014, "A Kenward-Roger approximation and parametric bootstrap methods
 * for tests in linear mixed models - the R package pbkrtest", J. Stat. Softw. 59(9),
 * doi:10.18637/jss.v059.i09) and as lmerTest reports it (`summary(m, ddf = "Kenward-Roger")`:
 * the adjusted covariance, its SEs, and the KR df of each coefficient).
 *
 * pbkrtest's vcovAdj: the variance parameters are gamma = (the lower triangle of each random
 * term's covariance matrix, the residual variance), Sigma = Var(y) = sum_r gamma_r G_r with
 * G_r = Z E_r Z' (E_r the elementary symmetric matrix of the entry, in every level of the
 * term) and G_resid = I; Phi = (X' Sigma^-1 X)^-1 (lme4's vcov);
 *   P_r = -X' Sigma^-1 G_r Sigma^-1 X,   Q_rs = X' Sigma^-1 G_r Sigma^-1 G_s Sigma^-1 X,
 *   IE2_rs = tr(Sigma^-1 G_r Sigma^-1 G_s) - 2 tr(Phi Q_rs) + tr(Phi P_r Phi P_s),
 *   W = 2 IE2^-1 (a pseudo-inverse when IE2 is near singular),
 *   U = sum_rs W_rs (Q_rs - P_r Phi P_s),   Phi_A = Phi + 2 Phi U Phi.
 * pbkrtest's Lb_ddf gives the denominator df of a contrast L from Phi, P and W.
 *
 * pbkrtest works with the n x n matrix Sigma. Here Sigma is block diagonal (clients, or the
 * clients of one therapist), and every product of Sigma^-1 and the G_r stays of the form
 * a I + Z M Z' within a block, so all of the above is computed from the per-client
 * cross-products of [X, y] (Z's columns are columns of X) in O(blocks q^3), q the number of
 * random effects in a block. Validated against pbkrtest and lmerTest (test/reference/model-kr.R).
 */
import { invert, matMul, symmetricEigen } from '../linalg.js';
import type { GroupedCrossProducts } from './data.js';

/**
 * The random structure in the form the KR computation needs: blocks of clients (groups of
 * `data`) whose rows are correlated; per block an optional block-level term (the therapist
 * intercept: Z columns `blockCols` summed over the block's rows) and per client a term on
 * the columns `clientCols` of X, each with its covariance matrix (VarCorr); the residual
 * variance sigma2. Random-effect columns of X must not be shifted (see CrossProductAccumulator).
 */
export interface KrLayout {
  blocks: number[][];
  blockCols: number[];
  blockCov: ArrayLike<number>;
  clientCols: number[];
  clientCov: ArrayLike<number>;
  sigma2: number;
}

export interface KrAdjusted {
  p: number;
  /** The unadjusted covariance Phi (p x p, row-major), in the original (unshifted) design. */
  vcov: Float64Array;
  /** The adjusted covariance Phi_A, original design. */
  vcovAdjusted: Float64Array;
  /** KR denominator df of the single-row contrast L'beta (original design). */
  df(L: readonly number[]): number;
  /** Smallest absolute eigenvalue of IE2 (pbkrtest's "condi"). */
  condition: number;
}

/** An element a I + Z M Z' of a block's algebra (M is q x q, row-major). */
interface El {
  a: number;
  M: Float64Array;
}

/** pbkrtest's parameter order within one term: lower.tri(cov, diag = TRUE), column by column. */
function lowerTriangle(q: number): [number, number][] {
  const out: [number, number][] = [];
  for (let j = 0; j < q; j++) for (let i = j; i < q; i++) out.push([i, j]);
  return out;
}

/**
 * The Kenward-Roger adjusted covariance of the fixed effects (pbkrtest::vcovAdj) and the
 * KR df of contrasts (pbkrtest::Lb_ddf), at the fitted variance parameters in `layout`.
 */
export function kenwardRoger(data: GroupedCrossProducts, layout: KrLayout): KrAdjusted {
  const p = data.p;
  const k = p + 1;
  const kk = k * k;
  const qt = layout.blockCols.length;
  const qc = layout.clientCols.length;
  const tPar = lowerTriangle(qt);
  const cPar = lowerTriangle(qc);
  const ng = tPar.length + cPar.length + 1;
  const sums = {
    T: new Float64Array(p * p),
    P: Array.from({ length: ng }, () => new Float64Array(p * p)),
    Q: Array.from({ length: ng * ng }, () => new Float64Array(p * p)),
    K: new Float64Array(ng * ng),
  };
  for (const block of layout.blocks) {
    const m = block.length;
    const q = qt + m * qc;
    // C = Z'Z, XZ = X'Z, n, from the clients' cross-products
    const C = new Float64Array(q * q);
    const XZ = new Float64Array(p * q);
    let n = 0;
    const zcol = (slot: number): number => (slot < qt ? layout.blockCols[slot] : layout.clientCols[(slot - qt) % qc]);
    const owner = (slot: number): number => (slot < qt ? -1 : Math.floor((slot - qt) / qc));
    block.forEach((g, i) => {
      const base = g * kk;
      n += data.counts[g];
      for (let a = 0; a < q; a++) {
        const oa = owner(a);
        if (oa !== -1 && oa !== i) continue;
        const ca = zcol(a);
        for (let r = 0; r < p; r++) XZ[r * q + a] += data.cross[base + r * k + ca];
        for (let b = 0; b < q; b++) {
          const ob = owner(b);
          if (ob !== -1 && ob !== i) continue;
          C[a * q + b] += data.cross[base + ca * k + zcol(b)];
        }
      }
    });
    // D = blockdiag(blockCov, clientCov, ..., clientCov)
    const D = new Float64Array(q * q);
    for (let a = 0; a < qt; a++) for (let b = 0; b < qt; b++) D[a * q + b] = layout.blockCov[a * qt + b];
    for (let i = 0; i < m; i++) {
      const o = qt + i * qc;
      for (let a = 0; a < qc; a++) for (let b = 0; b < qc; b++) D[(o + a) * q + o + b] = layout.clientCov[a * qc + b];
    }
    // Sigma^-1 = s2^-1 I - s2^-1 Z D (s2 I + C D)^-1 Z'
    const s2 = layout.sigma2;
    const A = matMul(C, D, q, q, q);
    for (let a = 0; a < q; a++) A[a * q + a] += s2;
    const Ainv = invert(A, q);
    if (Ainv === null) throw new Error('kenwardRoger: singular block');
    const Ms = matMul(D, Ainv, q, q, q);
    for (let e = 0; e < Ms.length; e++) Ms[e] = -Ms[e] / s2;
    const S: El = { a: 1 / s2, M: Ms };
    const mul = (x: El, y: El): El => {
      const M = matMul(matMul(x.M, C, q, q, q), y.M, q, q, q);
      for (let e = 0; e < M.length; e++) M[e] += x.a * y.M[e] + y.a * x.M[e];
      return { a: x.a * y.a, M };
    };
    // the G_r of this block
    const G: El[] = [];
    const elementary = (slots: number[], i: number, j: number): El => {
      const M = new Float64Array(q * q);
      for (const o of slots) {
        M[(o + i) * q + o + j] = 1;
        M[(o + j) * q + o + i] = 1;
      }
      return { a: 0, M };
    };
    for (const [i, j] of tPar) G.push(elementary([0], i, j));
    const clientSlots = Array.from({ length: m }, (_, i) => qt + i * qc);
    for (const [i, j] of cPar) G.push(elementary(clientSlots, i, j));
    G.push({ a: 1, M: new Float64Array(q * q) });
    const H = G.map((g) => mul(g, S));
    const SH = H.map((h) => mul(S, h));
    const XX = new Float64Array(p * p);
    for (const g of block) for (let r = 0; r < p; r++) for (let c = 0; c < p; c++) XX[r * p + c] += data.cross[g * kk + r * k + c];
    const xax = (x: El, out: Float64Array, sign = 1): void => {
      // out += sign * X' (a I + Z M Z') X
      const XZM = matMul(XZ, x.M, p, q, q);
      for (let r = 0; r < p; r++) {
        for (let c = 0; c < p; c++) {
          let v = x.a * XX[r * p + c];
          for (let b = 0; b < q; b++) v += XZM[r * q + b] * XZ[c * q + b];
          out[r * p + c] += sign * v;
        }
      }
    };
    const trace = (x: El): number => {
      let t = x.a * n;
      for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) t += x.M[a * q + b] * C[b * q + a];
      return t;
    };
    xax(S, sums.T);
    for (let r = 0; r < ng; r++) {
      xax(SH[r], sums.P[r], -1);
      for (let s = r; s < ng; s++) {
        xax(mul(SH[r], H[s]), sums.Q[r * ng + s]);
        sums.K[r * ng + s] += trace(mul(H[r], H[s]));
      }
    }
  }
  const Phi = invert(sums.T, p);
  if (Phi === null) throw new Error('kenwardRoger: X\'Sigma^-1 X is singular');
  const mm = (a: Float64Array, b: Float64Array): Float64Array => matMul(a, b, p, p, p);
  const tr = (a: Float64Array, b: Float64Array): number => {
    // sum(a * b) elementwise
    let t = 0;
    for (let e = 0; e < a.length; e++) t += a[e] * b[e];
    return t;
  };
  const Q = (r: number, s: number): Float64Array => (r <= s ? sums.Q[r * ng + s] : sums.Q[s * ng + r]);
  const IE2 = new Float64Array(ng * ng);
  for (let r = 0; r < ng; r++) {
    const PhiPr = mm(Phi, sums.P[r]);
    for (let s = r; s < ng; s++) {
      const v = sums.K[r * ng + s] - 2 * tr(Phi, Q(r, s)) + tr(PhiPr, mm(sums.P[s], Phi));
      IE2[r * ng + s] = v;
      IE2[s * ng + r] = v;
    }
  }
  const { values, vectors } = symmetricEigen(IE2, ng);
  const condition = Math.min(...values.map(Math.abs));
  const W = new Float64Array(ng * ng);
  if (condition > 1e-10) {
    const inv = invert(IE2, ng)!;
    for (let e = 0; e < W.length; e++) W[e] = 2 * inv[e];
  } else {
    // MASS::ginv: singular values below sqrt(eps) times the largest are dropped
    const tol = Math.sqrt(2.220446049250313e-16) * Math.max(...values.map(Math.abs));
    values.forEach((ev, e) => {
      if (!(Math.abs(ev) > tol)) return;
      for (let r = 0; r < ng; r++) for (let c = 0; c < ng; c++) W[r * ng + c] += (2 * vectors[r * ng + e] * vectors[c * ng + e]) / ev;
    });
  }
  const U = new Float64Array(p * p);
  for (let r = 0; r < ng; r++) {
    for (let s = 0; s < ng; s++) {
      const term = mm(mm(sums.P[r], Phi), sums.P[s]);
      const q = Q(r, s);
      for (let e = 0; e < U.length; e++) U[e] += W[r * ng + s] * (q[e] - term[e]);
    }
  }
  const PhiA = mm(mm(Phi, U), Phi);
  for (let e = 0; e < PhiA.length; e++) PhiA[e] = Phi[e] + 2 * PhiA[e];
  // back to the original design: beta = M beta_shifted, M = I except M[0][j] = -shift[j]
  const toOriginal = (V: Float64Array): Float64Array => {
    const out = V.slice();
    for (let c = 0; c < p; c++) for (let j = 1; j < p; j++) out[c] -= data.shift[j] * V[j * p + c];
    const tmp = out.slice();
    for (let r = 0; r < p; r++) for (let j = 1; j < p; j++) out[r * p] -= data.shift[j] * tmp[r * p + j];
    return out;
  };
  const df = (L: readonly number[]): number => {
    // L' beta = L' M beta_s: the contrast on the shifted design is M' L
    const Ls = L.slice();
    for (let j = 1; j < p; j++) Ls[j] -= data.shift[j] * L[0];
    return lbDdf(Ls, Phi, sums.P, W, ng);
  };
  return { p, vcov: toOriginal(Phi), vcovAdjusted: toOriginal(PhiA), df, condition };
}

/**
 * pbkrtest::Lb_ddf for one contrast row L: Theta = L L' / (L' Phi L), u_i = Theta Phi P_i Phi,
 * A1 = sum_ij W_ij tr(u_i) tr(u_j), A2 = sum_ij W_ij tr(u_i u_j) (for one row both are
 * a' W a with a_i = L' Phi P_i Phi L / L' Phi L), then Kenward & Roger's (1997) moment match.
 */
function lbDdf(L: readonly number[], Phi: Float64Array, P: Float64Array[], W: Float64Array, ng: number): number {
  const p = L.length;
  const PhiL = new Float64Array(p);
  for (let r = 0; r < p; r++) for (let c = 0; c < p; c++) PhiL[r] += Phi[r * p + c] * L[c];
  let c0 = 0;
  for (let r = 0; r < p; r++) c0 += L[r] * PhiL[r];
  const a = P.map((Pi) => {
    let v = 0;
    for (let r = 0; r < p; r++) for (let c = 0; c < p; c++) v += PhiL[r] * Pi[r * p + c] * PhiL[c];
    return v / c0;
  });
  let A1 = 0;
  for (let i = 0; i < ng; i++) for (let j = 0; j < ng; j++) A1 += W[i * ng + j] * a[i] * a[j];
  const A2 = A1;
  const q = 1;
  const B = (1 / (2 * q)) * (A1 + 6 * A2);
  const g = ((q + 1) * A1 - (q + 4) * A2) / ((q + 2) * A2);
  const c1 = g / (3 * q + 2 * (1 - g));
  const c2 = (q - g) / (3 * q + 2 * (1 - g));
  const c3 = (q + 2 - g) / (3 * q + 2 * (1 - g));
  let V0 = 1 + c1 * B;
  const V1 = 1 - c2 * B;
  const V2 = 1 - c3 * B;
  if (Math.abs(V0) < 1e-10) V0 = 0;
  const x = 1 - A2 / q;
  const ratio = Math.abs(x) < 1e-14 && Math.abs(V1) < 1e-14 ? 1 : x / V1;
  const rho = (1 / q) * ratio ** 2 * (V0 / V2);
  return 4 + (q + 2) / (q * rho - 1);
}

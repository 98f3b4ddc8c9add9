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
 * clients of one therapist), Sigma^-1 = s I + Z M Z' within a block, and the n x p matrices
 * pbkrtest forms stay of the form a X + Z N, so all of the above is computed from the
 * per-client cross-products of [X, y] (Z's columns are columns of X): one q x q inverse per
 * block and O(q^2 p) per matrix, q the number of random effects in a block (22,800 rows,
 * 3000 clients of 20 therapists, random slope and therapist intercept: 11 s; Satterthwaite
 * alone 2 s). Validated against pbkrtest and lmerTest (test/reference/model-kr.R).
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
  for (const block of layout.blocks) blockTerms(data, layout, block, tPar, cPar, sums);
  const Phi = invert(sums.T, p);
  if (Phi === null) throw new Error("kenwardRoger: X'Sigma^-1 X is singular");
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

/** A sparse matrix by rows: for row i, the columns and values of its nonzeros. */
interface SparseRows {
  cols: number[][];
  vals: number[][];
}

function sparseRows(A: Float64Array, q: number): SparseRows {
  const cols: number[][] = [];
  const vals: number[][] = [];
  for (let i = 0; i < q; i++) {
    const c: number[] = [];
    const v: number[] = [];
    for (let j = 0; j < q; j++) {
      const a = A[i * q + j];
      if (a !== 0) {
        c.push(j);
        v.push(a);
      }
    }
    cols.push(c);
    vals.push(v);
  }
  return { cols, vals };
}

/** A B with A sparse (q x q) and B dense (q x c). */
function sparseTimes(A: SparseRows, B: Float64Array, q: number, c: number): Float64Array {
  const out = new Float64Array(q * c);
  for (let i = 0; i < q; i++) {
    const cols = A.cols[i];
    const vals = A.vals[i];
    for (let e = 0; e < cols.length; e++) {
      const a = vals[e];
      const b = cols[e] * c;
      for (let j = 0; j < c; j++) out[i * c + j] += a * B[b + j];
    }
  }
  return out;
}

/** A B with A dense (r x q) and B sparse (q x q). */
function timesSparse(A: Float64Array, B: SparseRows, r: number, q: number): Float64Array {
  const out = new Float64Array(r * q);
  for (let k = 0; k < q; k++) {
    const cols = B.cols[k];
    const vals = B.vals[k];
    for (let e = 0; e < cols.length; e++) {
      const b = vals[e];
      const j = cols[e];
      for (let i = 0; i < r; i++) out[i * q + j] += A[i * q + k] * b;
    }
  }
  return out;
}

/** An n x p matrix a X + Z N of a block (N is q x p). */
interface XZForm {
  a: number;
  N: Float64Array;
}

/**
 * One block's contributions to X'Sigma^-1 X, the P_r, the Q_rs and tr(Sigma^-1 G_r Sigma^-1 G_s).
 * With Sigma^-1 = s I + Z Ms Z' (s = 1/sigma^2, Ms = -s D (sigma^2 I + C D)^-1, C = Z'Z), the
 * n x p matrices pbkrtest forms (Sigma^-1 X, G_r Sigma^-1 X, ...) stay of the form a X + Z N,
 * so each costs O(q^2 p), and the traces reduce to q x q matrices; one q x q inverse per block.
 */
function blockTerms(
  data: GroupedCrossProducts,
  layout: KrLayout,
  block: number[],
  tPar: [number, number][],
  cPar: [number, number][],
  sums: { T: Float64Array; P: Float64Array[]; Q: Float64Array[]; K: Float64Array },
): void {
  const p = data.p;
  const k = p + 1;
  const kk = k * k;
  const qt = layout.blockCols.length;
  const qc = layout.clientCols.length;
  const m = block.length;
  const q = qt + m * qc;
  const ng = tPar.length + cPar.length + 1;
  // C = Z'Z, ZX = Z'X, X'X, n from the clients' cross-products; a client's rows touch the
  // block-level slots and its own
  const C = new Float64Array(q * q);
  const ZX = new Float64Array(q * p);
  const XX = new Float64Array(p * p);
  let n = 0;
  block.forEach((g, i) => {
    const base = g * kk;
    n += data.counts[g];
    for (let r = 0; r < p; r++) for (let c = 0; c < p; c++) XX[r * p + c] += data.cross[base + r * k + c];
    const slots: [number, number][] = [];
    for (let a = 0; a < qt; a++) slots.push([a, layout.blockCols[a]]);
    for (let a = 0; a < qc; a++) slots.push([qt + i * qc + a, layout.clientCols[a]]);
    for (const [sa, ca] of slots) {
      for (let r = 0; r < p; r++) ZX[sa * p + r] += data.cross[base + ca * k + r];
      for (const [sb, cb] of slots) C[sa * q + sb] += data.cross[base + ca * k + cb];
    }
  });
  const Cs = sparseRows(C, q);
  // D = blockdiag(blockCov, clientCov, ..., clientCov)
  const D = new Float64Array(q * q);
  for (let a = 0; a < qt; a++) for (let b = 0; b < qt; b++) D[a * q + b] = layout.blockCov[a * qt + b];
  for (let i = 0; i < m; i++) {
    const o = qt + i * qc;
    for (let a = 0; a < qc; a++) for (let b = 0; b < qc; b++) D[(o + a) * q + o + b] = layout.clientCov[a * qc + b];
  }
  // Sigma^-1 = s I + Z Ms Z' with Ms = -s D (s2 I + C D)^-1
  const s2 = layout.sigma2;
  const s = 1 / s2;
  const A = sparseTimes(Cs, D, q, q);
  for (let a = 0; a < q; a++) A[a * q + a] += s2;
  const Ainv = invert(A, q);
  if (Ainv === null) throw new Error('kenwardRoger: singular block');
  const Ms = sparseTimes(sparseRows(D, q), Ainv, q, q);
  for (let e = 0; e < Ms.length; e++) Ms[e] *= -s;
  // the G_r of the random terms: Z E_r Z', E_r's nonzero entries (all 1)
  const entries = (slots: number[], i: number, j: number): [number, number][] =>
    slots.flatMap(
      (o) =>
        (i === j
          ? [[o + i, o + i]]
          : [
              [o + i, o + j],
              [o + j, o + i],
            ]) as [number, number][],
    );
  const E: [number, number][][] = [];
  for (const [i, j] of tPar) E.push(entries([0], i, j));
  const clientSlots = Array.from({ length: m }, (_, i) => qt + i * qc);
  for (const [i, j] of cPar) E.push(entries(clientSlots, i, j));
  const resid = ng - 1;
  // a X + Z N  ->  Z'(a X + Z N) = a ZX + C N
  const zt = (R: XZForm): Float64Array => {
    const V = sparseTimes(Cs, R.N, q, p);
    for (let e = 0; e < V.length; e++) V[e] += R.a * ZX[e];
    return V;
  };
  const applyS = (R: XZForm): XZForm => {
    const N = matMul(Ms, zt(R), q, q, p);
    for (let e = 0; e < N.length; e++) N[e] += s * R.N[e];
    return { a: s * R.a, N };
  };
  const applyG = (r: number, R: XZForm): XZForm => {
    if (r === resid) return R;
    const V = zt(R);
    const N = new Float64Array(q * p);
    for (const [i, j] of E[r]) for (let c = 0; c < p; c++) N[i * p + c] += V[j * p + c];
    return { a: 0, N };
  };
  // (a1 X + Z N1)'(a2 X + Z N2), added (times sign) to out
  const inner = (R1: XZForm, R2: XZForm, out: Float64Array, sign = 1): void => {
    const V = zt(R2);
    for (let r = 0; r < p; r++) {
      for (let c = 0; c < p; c++) {
        let v = R1.a * (R2.a * XX[r * p + c] + dotCol(ZX, R2.N, r, c, q, p));
        for (let b = 0; b < q; b++) v += R1.N[b * p + r] * V[b * p + c];
        out[r * p + c] += sign * v;
      }
    }
  };
  const SX = applyS({ a: 1, N: new Float64Array(q * p) });
  inner({ a: 1, N: new Float64Array(q * p) }, SX, sums.T);
  const O = Array.from({ length: ng }, (_, r) => applyG(r, SX));
  const SO = O.map(applyS);
  for (let r = 0; r < ng; r++) {
    inner(SX, O[r], sums.P[r], -1);
    for (let t = r; t < ng; t++) inner(O[r], SO[t], sums.Q[r * ng + t]);
  }
  // traces tr(Sigma^-1 G_r Sigma^-1 G_s)
  const MsC = timesSparse(Ms, Cs, q, q);
  const T = sparseTimes(Cs, MsC, q, q); // C Ms C
  for (let e = 0; e < T.length; e++) T[e] += s * C[e]; // Z' Sigma^-1 Z = s C + C Ms C
  const Nz = MsC.slice(); // Sigma^-1 Z = Z (s I + Ms C)
  for (let a = 0; a < q; a++) Nz[a * q + a] += s;
  const CNz = sparseTimes(Cs, Nz, q, q);
  const zssz = (j: number, i: number): number => {
    // (Z' Sigma^-2 Z)[j, i] = Nz[:, j]' C Nz[:, i]
    let v = 0;
    for (let b = 0; b < q; b++) v += Nz[b * q + j] * CNz[b * q + i];
    return v;
  };
  for (let r = 0; r < ng; r++) {
    for (let t = r; t < ng; t++) {
      let v = 0;
      if (r !== resid && t !== resid) {
        for (const [i, j] of E[r]) for (const [a, b] of E[t]) v += T[j * q + a] * T[b * q + i];
      } else if (r !== resid || t !== resid) {
        for (const [i, j] of E[r === resid ? t : r]) v += zssz(j, i);
      } else {
        // tr(Sigma^-2) = s^2 n + 2 s tr(Ms C) + tr(Ms C Ms C)
        v = s * s * n;
        for (let a = 0; a < q; a++) {
          v += 2 * s * MsC[a * q + a];
          for (let b = 0; b < q; b++) v += MsC[a * q + b] * MsC[b * q + a];
        }
      }
      sums.K[r * ng + t] += v;
    }
  }
}

/** sum_b A[b, r] B[b, c] for q x p matrices A, B. */
function dotCol(A: Float64Array, B: Float64Array, r: number, c: number, q: number, p: number): number {
  let v = 0;
  for (let b = 0; b < q; b++) v += A[b * p + r] * B[b * p + c];
  return v;
}

/**
 * Ordinary least squares: a general fit by Householder QR, and the within-client
 * (fixed client effects) regression from per-client sufficient statistics.
 *
 * Reference values: test/reference/ols.R -> ols.json (R lm(), confint(), and
 * lm(y ~ x1 + ... + factor(client))).
 */

import { tQuantile, tTwoSidedP } from './distributions.js';
import { cholesky, choleskySolve, identity, type Matrix } from './linalg.js';

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
  reason: 'too-few-observations' | 'rank-deficient' | 'no-residual-df';
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

function finish(
  n: number,
  p: number,
  df: number,
  b: number[],
  unscaledVarDiag: number[],
  rss: number,
  opts: OlsOptions,
): OlsOk {
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
  return finish(n, p, df, b, diag, rss, opts);
}

// ---------------------------------------------------------------------------
// Fixed client effects (within) regression
// ---------------------------------------------------------------------------

export type FixedEffectsResult =
  | (OlsOk & {
      method: 'within';
      /** Clients contributing (with at least one complete row). */
      clients: number;
    })
  | (OlsNotEstimable & { method: 'within'; clients: number });

/**
 * Accumulates, per client, the sufficient statistics of the within (client-demeaned)
 * regression of y on q predictors: count, means, and centred cross-products of
 * (x_1..x_q, y) (a multivariate Welford update, shifted by each client's first row).
 * Memory is O(clients * (q+1)^2) in one flat buffer; rows can be streamed in any
 * order, and accumulators over disjoint chunks of rows can be merged.
 *
 * Rows with a NaN in y or any predictor are skipped (and counted in `skipped`).
 *
 * @example
 * const acc = new WithinAccumulator(2);
 * acc.add('c1', phqNext, [phqNow, srsNow]);
 * const fit = acc.fit(); // fixedEffectsOls(acc)
 */
export class WithinAccumulator {
  /** client id -> slot */
  private readonly slots = new Map<string | number, number>();
  private readonly keys: (string | number)[] = [];
  private counts = new Float64Array(16);
  /** per slot: shift[d], mean[d], C[d*d] (centred cross-products, row-major) */
  private data: Float64Array;
  private readonly d: number;
  private readonly stride: number;
  private readonly z: Float64Array;
  private readonly delta: Float64Array;
  skipped = 0;

  constructor(readonly q: number) {
    if (!(q >= 1) || !Number.isInteger(q)) throw new RangeError(`WithinAccumulator needs q >= 1 predictors (got ${q})`);
    this.d = q + 1;
    this.stride = 2 * this.d + this.d * this.d;
    this.data = new Float64Array(16 * this.stride);
    this.z = new Float64Array(this.d);
    this.delta = new Float64Array(this.d);
  }

  private slotFor(client: string | number): number {
    let s = this.slots.get(client);
    if (s === undefined) {
      s = this.keys.length;
      this.slots.set(client, s);
      this.keys.push(client);
      if (s >= this.counts.length) {
        const counts = new Float64Array(this.counts.length * 2);
        counts.set(this.counts);
        this.counts = counts;
        const data = new Float64Array(this.data.length * 2);
        data.set(this.data);
        this.data = data;
      }
    }
    return s;
  }

  /** Welford update of slot s with the vector in this.z. */
  private update(s: number): void {
    const { d, data, z, delta } = this;
    const base = s * this.stride;
    const meanAt = base + d;
    const cAt = base + 2 * d;
    if (this.counts[s] === 0) for (let a = 0; a < d; a++) data[base + a] = z[a];
    const n = (this.counts[s] += 1);
    const inv = 1 / n;
    for (let a = 0; a < d; a++) {
      const da = z[a] - data[base + a] - data[meanAt + a];
      delta[a] = da;
      data[meanAt + a] += da * inv;
    }
    for (let a = 0; a < d; a++) {
      const after = z[a] - data[base + a] - data[meanAt + a];
      for (let b = 0; b < d; b++) data[cAt + b * d + a] += delta[b] * after;
    }
  }

  /** Adds one row: the client id, the outcome y and the q predictor values. */
  add(client: string | number, y: number, xs: ArrayLike<number>): this {
    if (xs.length !== this.q) throw new RangeError(`expected ${this.q} predictors, got ${xs.length}`);
    if (Number.isNaN(y)) {
      this.skipped++;
      return this;
    }
    const z = this.z;
    for (let j = 0; j < this.q; j++) {
      if (Number.isNaN(xs[j])) {
        this.skipped++;
        return this;
      }
      z[j] = xs[j];
    }
    z[this.q] = y;
    this.update(this.slotFor(client));
    return this;
  }

  /** Merges another accumulator (same q) into this one; the same client id is pooled (Chan et al.). */
  merge(other: WithinAccumulator): this {
    if (other.q !== this.q) throw new RangeError('cannot merge accumulators with different q');
    const d = this.d;
    other.keys.forEach((key, os) => {
      const on = other.counts[os];
      if (on === 0) return;
      const s = this.slotFor(key);
      const ob = os * other.stride;
      const b = s * this.stride;
      const od = other.data;
      const md = this.data;
      const n0 = this.counts[s];
      if (n0 === 0) {
        md.set(od.subarray(ob, ob + this.stride), b);
        this.counts[s] = on;
        return;
      }
      const n = n0 + on;
      const f = (n0 * on) / n;
      const delta = this.delta;
      for (let a = 0; a < d; a++) delta[a] = od[ob + a] - md[b + a] + od[ob + d + a] - md[b + d + a];
      for (let a = 0; a < d; a++) {
        for (let c = 0; c < d; c++) md[b + 2 * d + a * d + c] += od[ob + 2 * d + a * d + c] + delta[a] * delta[c] * f;
      }
      for (let a = 0; a < d; a++) md[b + d + a] += (delta[a] * on) / n;
      this.counts[s] = n;
    });
    this.skipped += other.skipped;
    return this;
  }

  /** Number of clients with at least one complete row. */
  get clients(): number {
    return this.keys.length;
  }

  /** Number of complete rows. */
  get nObs(): number {
    let n = 0;
    for (let s = 0; s < this.keys.length; s++) n += this.counts[s];
    return n;
  }

  /** Pooled within cross-product matrix of (x_1..x_q, y), row-major (q+1)^2. */
  pooled(): Float64Array {
    const dd = this.d * this.d;
    const W = new Float64Array(dd);
    // deterministic: clients summed in first-seen order
    for (let s = 0; s < this.keys.length; s++) {
      const c = s * this.stride + 2 * this.d;
      for (let i = 0; i < dd; i++) W[i] += this.data[c + i];
    }
    return W;
  }

  /** The fixed-effects fit; see fixedEffectsOls. */
  fit(opts: OlsOptions = {}): FixedEffectsResult {
    return fixedEffectsOls(this, opts);
  }
}

/**
 * Within-client (fixed client effects, LSDV) regression of y on x_1..x_q from the
 * per-client sufficient statistics of a WithinAccumulator.
 *
 * Formula: with W the pooled within-client cross-products (sum over clients of the
 * client-centred cross-products), b = W_xx^-1 W_xy, rss = W_yy - W_yx b,
 * df = N - G - q (N complete rows, G clients with a complete row), sigma^2 = rss/df,
 * Var(b) = sigma^2 W_xx^-1; t, two-sided p and CI from Student t(df). By the
 * Frisch-Waugh-Lovell theorem these equal the x coefficients, standard errors, t and
 * p of R's lm(y ~ x1 + ... + xq + factor(client)), whose residual df is N - G - q.
 * A client with a single row adds 1 to N and to G and nothing to W.
 * Not estimable (explicit reason): a predictor with no within-client variation or
 * collinear with the others (R's 1e-7 rank tolerance), df < 1.
 *
 * Reference: Wooldridge, J. M. (2010) Econometric Analysis of Cross Section and Panel
 * Data, 2nd ed., ch. 10.5 (fixed effects estimation);
 * https://en.wikipedia.org/wiki/Fixed_effects_model . Note the Nickell bias of a
 * lagged outcome with fixed effects and few sessions per client (Nickell 1981,
 * doi:10.2307/1911408): callers should say so.
 * Validated against R lm(y ~ x1 + x2 + factor(client)).
 */
export function fixedEffectsOls(acc: WithinAccumulator, opts: OlsOptions = {}): FixedEffectsResult {
  const q = acc.q;
  const d = q + 1;
  const N = acc.nObs;
  const G = acc.clients;
  const base = { method: 'within' as const, clients: G };
  const df = N - G - q;
  const W = acc.pooled();
  const Wxx = new Float64Array(q * q);
  const Wxy = new Float64Array(q);
  for (let a = 0; a < q; a++) {
    for (let b = 0; b < q; b++) Wxx[a * q + b] = W[a * d + b];
    Wxy[a] = W[a * d + q];
  }
  // Rank check as R's QR tolerance, column by column in order: column j is aliased when
  // its within variation left after the earlier kept columns is < RANK_TOL^2 of its own.
  const aliased: number[] = [];
  const kept: number[] = [];
  for (let j = 0; j < q; j++) {
    const idx = [...kept, j];
    const m = idx.length;
    const sub = new Float64Array(m * m);
    for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) sub[a * m + b] = Wxx[idx[a] * q + idx[b]];
    const Ls = Wxx[j * q + j] > 0 ? cholesky(sub, m) : null;
    const last = Ls === null ? 0 : Ls[(m - 1) * m + (m - 1)];
    if (Ls === null || (last * last) / Wxx[j * q + j] < RANK_TOL * RANK_TOL) aliased.push(j);
    else kept.push(j);
  }
  const L = aliased.length === 0 ? cholesky(Wxx, q) : null;
  if (L === null) {
    return {
      ok: false,
      reason: 'rank-deficient',
      message: `predictor(s) ${aliased.join(', ')} have no within-client variation or are collinear with the others`,
      n: N,
      p: q,
      aliased,
      ...base,
    };
  }
  if (df < 1) {
    return {
      ok: false,
      reason: 'no-residual-df',
      message: `no residual degrees of freedom (N = ${N} rows, ${G} clients, ${q} predictors)`,
      n: N,
      p: q,
      ...base,
    };
  }
  const b = Array.from(choleskySolve(L, Wxy, q));
  let rss = W[q * d + q];
  for (let a = 0; a < q; a++) rss -= Wxy[a] * b[a];
  if (rss < 0) rss = 0;
  const inv = choleskySolve(L, identity(q), q, q);
  const diag: number[] = [];
  for (let a = 0; a < q; a++) diag.push(inv[a * q + a]);
  return { ...finish(N, q, df, b, diag, rss, opts), ...base };
}

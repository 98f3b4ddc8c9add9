/**
 * The within-client (fixed client effects) regression on sufficient statistics: the
 * pooled within-client co-moments of the regressors and the outcome. withinRegression is
 * the computation behind the tool's lagged analysis (correlate, two regressors: the other
 * measure and the outcome's own previous value); WithinAccumulator / fixedEffectsOls feed
 * it from raw rows, and are what test/stats/ols.test.ts checks against R.
 *
 * Reference values: test/reference/ols.R -> ols.json (R lm(y ~ x1 + x2 + factor(client))).
 */

import { comomentRounding, isFiniteSum, isZeroComoment, isZeroProductDifference, type MomentsProblem, PERFECT_TOL, ZERO_REL } from './correlation.js';
import { type OlsNotEstimable, type OlsOk, type OlsOptions, olsSummary } from './ols.js';

/** Pooled within-client co-moments of d variables (e.g. accumulated per client and summed). */
export interface WithinMoments {
  /** Complete rows. */
  n: number;
  /** Clients (groups) with a complete row: each costs one degree of freedom. */
  groups: number;
  /** Number of variables; the finiteness test covers all of them. */
  d: number;
  /** Pooled within-client co-moment of variables i and j: sum over clients of sum (v_i - client mean)(v_j - client mean). */
  w(i: number, j: number): number;
  /** Raw sum of squares of variable i (scale of the zero-variance and exact-zero tests). */
  raw(i: number): number;
}

/** Why the within regression is not estimable; `variable` indexes the WithinMoments variables. */
export type WithinProblem = MomentsProblem | { problem: 'no-df' } | { problem: 'perfect-fit' };

export interface WithinFit {
  /** Coefficients of the regressors, in the order given. */
  b: number[];
  /** Diagonal of the inverse within cross-product matrix of the regressors (Var(b) = sigma^2 times it). */
  unscaled: number[];
  rss: number;
  df: number;
}

/**
 * Within-client (fixed client effects) regression of variable y on one or two regressors
 * xs from pooled within-client co-moments.
 *
 * Formula: with A the within cross-products of the regressors and c their cross-products
 * with y, b = A^-1 c (closed form: for two regressors, b1 = (a22 c1 - a12 c2) / det with
 * det = a11 a22 - a12^2), rss = W_yy - b'c, df = n - groups - q. By the Frisch-Waugh-Lovell
 * theorem these are the coefficients of lm(y ~ x + factor(client)), whose residual df is
 * n - groups - q; Var(b_j) = rss/df (A^-1)_jj.
 * Not estimable (WithinProblem), in this order: df < 1 (no-df); sums of any of the d
 * variables not finite; a regressor without within-client variation (a_jj <= 1e-24
 * (raw_j + 1)); two regressors collinear within clients (det <= 1e-12 a11 a22; variable:
 * the second regressor); a residual sum of squares zero to within its rounding
 * (perfect-fit): rss <= PERFECT_TOL W_yy + the rounding bound of W_yy (comomentRounding),
 * i.e. a within R^2 of 1 to within 1e-12, as |r| = 1 within 1e-12 is a perfect correlation.
 * Without the tolerance the decision fell on the last bits of W_yy - b'c, which depend on
 * the order rows arrive in (a fit estimable with se 6e-8 in one file order was "perfect"
 * in another; test/analysis/correlate.property.test.ts keeps that case).
 * The first coefficient's numerator, zero to within its rounding, gives exactly 0 (issue 9.4).
 *
 * Reference: Wooldridge, J. M. (2010) Econometric Analysis of Cross Section and Panel
 * Data, 2nd ed., ch. 10.5 (fixed effects estimation); https://en.wikipedia.org/wiki/Fixed_effects_model .
 * With a lagged outcome among the regressors the estimate has the Nickell bias (Nickell 1981,
 * doi:10.2307/1911408): callers should say so. Validated against R lm(y ~ x1 + x2 + factor(client)).
 */
export function withinRegression(m: WithinMoments, y: number, xs: readonly [number] | readonly [number, number]): WithinFit | WithinProblem {
  const q = xs.length;
  const df = m.n - m.groups - q;
  if (df < 1) return { problem: 'no-df' };
  for (let i = 0; i < m.d; i++) if (!(isFiniteSum(m.w(i, i)) && isFiniteSum(m.raw(i)))) return { problem: 'not-finite', variable: i };
  for (const x of xs) if (!(m.w(x, x) > ZERO_REL * (m.raw(x) + 1))) return { problem: 'no-variation', variable: x };
  const d = (i: number, j: number) => comomentRounding(m.n, m.w(i, i), m.w(j, j), m.raw(i), m.raw(j));
  const perfectBelow = PERFECT_TOL * Math.abs(m.w(y, y)) + d(y, y);
  const [x1] = xs;
  const a11 = m.w(x1, x1);
  const c1 = m.w(x1, y);
  if (xs.length === 1) {
    const b1 = isZeroComoment(c1, m.n, a11, m.w(y, y), m.raw(x1), m.raw(y)) ? 0 : c1 / a11;
    return finishWithin([b1], [1 / a11], m.w(y, y) - b1 * c1, df, perfectBelow);
  }
  const x2 = xs[1];
  const a22 = m.w(x2, x2);
  const a12 = m.w(x1, x2);
  const det = a11 * a22 - a12 * a12;
  if (!(det > 1e-12 * a11 * a22)) return { problem: 'collinear', variable: x2 };
  const c2 = m.w(x2, y);
  const inv11 = a22 / det;
  const inv12 = -a12 / det;
  const inv22 = a11 / det;
  // b1 = (a22 c1 - a12 c2) / det; a numerator zero to within its rounding is exactly 0.
  const zeroB1 = isZeroProductDifference(a22, d(x2, x2), c1, d(x1, y), a12, d(x1, x2), c2, d(x2, y));
  const b1 = zeroB1 ? 0 : inv11 * c1 + inv12 * c2;
  const b2 = inv12 * c1 + inv22 * c2;
  return finishWithin([b1, b2], [inv11, inv22], m.w(y, y) - b1 * c1 - b2 * c2, df, perfectBelow);
}

/** The fit, or perfect-fit when rss is at or below perfectBelow (zero to within rounding) or not a number. */
function finishWithin(b: number[], unscaled: number[], rss: number, df: number, perfectBelow: number): WithinFit | WithinProblem {
  if (!(rss > perfectBelow)) return { problem: 'perfect-fit' };
  if (!(Math.sqrt((rss / df) * unscaled[0]) > 0)) return { problem: 'perfect-fit' };
  return { b, unscaled, rss, df };
}

export type FixedEffectsResult =
  | (OlsOk & {
      method: 'within';
      /** Clients contributing (with at least one complete row). */
      clients: number;
    })
  | (OlsNotEstimable & { method: 'within'; clients: number });

/**
 * Accumulates, per client, the sufficient statistics of the within (client-demeaned)
 * regression of y on q = 1 or 2 predictors: count, means, and centred cross-products of
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

  constructor(readonly q: 1 | 2) {
    if (q !== 1 && q !== 2) throw new RangeError(`WithinAccumulator takes 1 or 2 predictors (got ${String(q)})`);
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

  /** Raw sums of squares of x_1..x_q, y over the complete rows (scale of the zero tests). */
  rawSquares(): Float64Array {
    const d = this.d;
    const raw = new Float64Array(d);
    for (let s = 0; s < this.keys.length; s++) {
      const b = s * this.stride;
      for (let a = 0; a < d; a++) {
        const mean = this.data[b + a] + this.data[b + d + a];
        raw[a] += this.counts[s] * mean * mean + this.data[b + 2 * d + a * d + a];
      }
    }
    return raw;
  }

  /** The fixed-effects fit; see fixedEffectsOls. */
  fit(opts: OlsOptions = {}): FixedEffectsResult {
    return fixedEffectsOls(this, opts);
  }
}

/**
 * Within-client (fixed client effects, LSDV) regression of y on x_1..x_q (q = 1 or 2) from
 * the per-client sufficient statistics of a WithinAccumulator: withinRegression on the
 * pooled within-client cross-products, then the t, two-sided p and CI of each coefficient
 * from Student t(df) (as summary.lm and confint). A client with a single row adds 1 to N
 * and to G and nothing to the cross-products. Not estimable: no residual df; a predictor
 * with no within-client variation or collinear with the other (rank-deficient, `aliased`
 * names it); values too large to compute with (not-finite); a perfect fit.
 *
 * Validated against R lm(y ~ x1 + x2 + factor(client)) and lm(y ~ x + factor(client)).
 */
export function fixedEffectsOls(acc: WithinAccumulator, opts: OlsOptions = {}): FixedEffectsResult {
  const q = acc.q;
  const d = q + 1;
  const N = acc.nObs;
  const G = acc.clients;
  const base = { method: 'within' as const, clients: G };
  const W = acc.pooled();
  const raw = acc.rawSquares();
  const m: WithinMoments = { n: N, groups: G, d, w: (i, j) => W[i * d + j], raw: (i) => raw[i] };
  const fit = withinRegression(m, q, q === 1 ? [0] : [0, 1]);
  if (!('problem' in fit)) return { ...olsSummary(N, q, fit.df, fit.b, fit.unscaled, fit.rss, opts), ...base };
  const no = { ok: false as const, n: N, p: q, ...base };
  switch (fit.problem) {
    case 'no-df':
      return { ...no, reason: 'no-residual-df', message: `no residual degrees of freedom (N = ${N} rows, ${G} clients, ${q} predictors)` };
    case 'not-finite':
      return { ...no, reason: 'not-finite', message: 'values too large to compute with (squares beyond the floating-point range)' };
    case 'perfect-fit':
      return { ...no, reason: 'perfect-fit', message: 'perfect fit (residual variance is zero)' };
    default:
      return {
        ...no,
        reason: 'rank-deficient',
        message: `predictor(s) ${fit.variable} have no within-client variation or are collinear with the others`,
        aliased: [fit.variable],
      };
  }
}

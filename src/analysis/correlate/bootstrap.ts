/**
 * The cluster bootstrap of the correlate analyses, from the per-client statistics of the
 * Accumulator (accumulate.ts). Checked in test/analysis/correlate.bootstrap.test.ts.
 */
import { quantileSorted } from '../../stats/descriptive.js';
import { correlationFromMoments } from '../../stats/correlation.js';
import { partialFromMoments } from '../../stats/partial.js';
import type { Random } from '../../stats/random.js';
import type { Accumulator } from './accumulate.js';
import { fixedEffects, LAG_SPECS, lagMoments } from './estimators.js';
import { C_STRIDE, EARLY_CLIENT_STRIDE, E_STRIDE, LAG_DIAG, LX_STRIDE, L_STRIDE } from './layout.js';
import type { CorrelateResult, GroupContext } from './types.js';

// Bootstrap (resampling clients, from the per-client statistics)
//
// One mechanism for every analysis: the clients that contribute to the analysis (for the
// pair) are ordered by id; each replicate draws K of the K clients with replacement
// (`resampleIndices`: K calls rng.int(K), in order); the statistic is recomputed from the
// drawn clients' sufficient statistics, a client drawn twice counting as two clients; the
// interval is the percentile interval of the defined replicates. The generator is shared
// and consumed in a fixed order: per pair, the moment analyses (pooled, between, within;
// one resample for the three), then early, then lagged (one resample for both directions),
// each only when requested.

/** The client positions (0..K-1) drawn for one resample of K clients: K calls rng.int(K), in order. */
export function resampleIndices(rng: Random, K: number, out: Int32Array = new Int32Array(K)): Int32Array {
  for (let i = 0; i < K; i++) out[i] = rng.int(K);
  return out;
}

/** Bootstrap entries (see Accumulator.entryClient) for which `keep` holds, ordered by client id. */
function unitsById(stats: Accumulator, ctx: GroupContext, keep: (entry: number) => boolean): number[] {
  const present: number[] = [];
  for (let e = 0; e < stats.clientEntries; e++) if (keep(e)) present.push(e);
  // Clients in id order, so the resamples do not depend on the order of the rows.
  const ids = present.map((e) => ctx.clientId(stats.entryClient[e]));
  const order = present.map((_, i) => i).sort((a, b) => (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0));
  return order.map((i) => present[i]);
}

/** Runs B replicates over K clients: `stat(w)` gets the multiplicity of each client in the resample. */
function replicate(rng: Random, B: number, K: number, stat: (w: Float64Array) => void): void {
  const idx = new Int32Array(K);
  const w = new Float64Array(K);
  for (let rep = 0; rep < B; rep++) {
    resampleIndices(rng, K, idx);
    w.fill(0);
    for (let i = 0; i < K; i++) w[idx[i]] += 1;
    stat(w);
  }
}

/** Percentile interval of the defined (finite) replicate values; null when more than 10% are undefined. */
function percentileCi(vals: number[], B: number, level: number): [number, number] | null {
  const alpha = (1 - level) / 2;
  const defined = vals.filter((v) => Number.isFinite(v));
  // Require most replicates to be defined; otherwise the interval would be conditional.
  if (defined.length < Math.max(2, 0.9 * B)) return null;
  const s = Float64Array.from(defined).sort();
  return [quantileSorted(s, alpha), quantileSorted(s, 1 - alpha)];
}

/** Replicate values of one analysis (NaN: undefined in that resample), in replicate order. */
export type Replicates = Partial<
  Record<'pooled' | 'between' | 'within' | 'partial' | 'semipartial' | 'pearson' | 'alliance->outcome' | 'outcome->alliance', number[]>
>;

/** r of one replicate from its co-moments, NaN where it is undefined (as the point estimate). */
function replicateR(n: number, cxx: number, cyy: number, cxy: number, rawX: number, rawY: number): number {
  const r = correlationFromMoments(n, cxx, cyy, cxy, rawX, rawY);
  return typeof r === 'number' ? r : NaN;
}

/** Pooled, between and within r of each resample (one resample for the three). */
function bootMoments(stats: Accumulator, p: number, ctx: GroupContext, rng: Random, out: Replicates): void {
  const B = ctx.opts.bootstrap;
  const P = stats.P;
  const c = stats.clientMoments!.data;
  const idx = unitsById(stats, ctx, (e) => c[(e * P + p) * C_STRIDE] > 0);
  const K = idx.length;
  if (K < 3) return;
  const n = new Float64Array(K);
  const mxs = new Float64Array(K);
  const mys = new Float64Array(K);
  const cxx = new Float64Array(K);
  const cyy = new Float64Array(K);
  const cxy = new Float64Array(K);
  idx.forEach((e, i) => {
    const b = (e * P + p) * C_STRIDE;
    n[i] = c[b];
    mxs[i] = c[b + 1];
    mys[i] = c[b + 2];
    cxx[i] = c[b + 3];
    cyy[i] = c[b + 4];
    cxy[i] = c[b + 5];
  });
  const rp: number[] = (out.pooled = []);
  const rb: number[] = (out.between = []);
  const rw: number[] = (out.within = []);
  replicate(rng, B, K, (w) => {
    let N = 0;
    let sx = 0;
    let sy = 0;
    let W = 0;
    let bx = 0;
    let by = 0;
    for (let i = 0; i < K; i++) {
      const wi = w[i];
      if (wi === 0) continue;
      const wn = wi * n[i];
      N += wn;
      sx += wn * mxs[i];
      sy += wn * mys[i];
      W += wi;
      bx += wi * mxs[i];
      by += wi * mys[i];
    }
    const Mx = sx / N;
    const My = sy / N;
    const Bx = bx / W;
    const By = by / W;
    let pxx = 0;
    let pyy = 0;
    let pxy = 0;
    let qxx = 0;
    let qyy = 0;
    let qxy = 0;
    let wxx = 0;
    let wyy = 0;
    let wxy = 0;
    // Raw sums of squares of the rows and of the client means: the scale of the zero tests.
    let rx = 0;
    let ry = 0;
    let bxx = 0;
    let byy = 0;
    for (let i = 0; i < K; i++) {
      const wi = w[i];
      if (wi === 0) continue;
      const dx = mxs[i] - Mx;
      const dy = mys[i] - My;
      wxx += wi * cxx[i];
      wyy += wi * cyy[i];
      wxy += wi * cxy[i];
      rx += wi * (cxx[i] + n[i] * mxs[i] * mxs[i]);
      ry += wi * (cyy[i] + n[i] * mys[i] * mys[i]);
      bxx += wi * mxs[i] * mxs[i];
      byy += wi * mys[i] * mys[i];
      pxx += wi * n[i] * dx * dx;
      pyy += wi * n[i] * dy * dy;
      pxy += wi * n[i] * dx * dy;
      const ex = mxs[i] - Bx;
      const ey = mys[i] - By;
      qxx += wi * ex * ex;
      qyy += wi * ey * ey;
      qxy += wi * ex * ey;
    }
    pxx += wxx;
    pyy += wyy;
    pxy += wxy;
    // The tests of the point estimates (correlationFromMoments): no variation is undefined,
    // a co-moment zero to within its rounding is r = 0; within uses the rows' raw sums.
    rp.push(replicateR(N, pxx, pyy, pxy, rx, ry));
    rb.push(replicateR(W, qxx, qyy, qxy, bxx, byy));
    rw.push(replicateR(N, wxx, wyy, wxy, rx, ry));
  });
}

/** Partial, semi-partial and zero-order r of each resample of the clients' (early, final, intake) triples. */
function bootEarly(stats: Accumulator, p: number, ctx: GroupContext, rng: Random, out: Replicates): void {
  const B = ctx.opts.bootstrap;
  const P = stats.P;
  const d = stats.clientEarly!.data;
  const at = (e: number) => (e * P + p) * EARLY_CLIENT_STRIDE;
  const complete = (e: number) => {
    const b = at(e);
    return d[b] === d[b] && d[b + 1] === d[b + 1] && d[b + 2] === d[b + 2];
  };
  const idx = unitsById(stats, ctx, complete);
  const K = idx.length;
  if (K < 5) return;
  const x = Float64Array.from(idx, (e) => d[at(e)]);
  const y = Float64Array.from(idx, (e) => d[at(e) + 1]);
  const z = Float64Array.from(idx, (e) => d[at(e) + 2]);
  const pr: number[] = (out.partial = []);
  const sr: number[] = (out.semipartial = []);
  const zr: number[] = (out.pearson = []);
  const m = new Float64Array(E_STRIDE);
  replicate(rng, B, K, (w) => {
    // Weighted 3-D moments in the layout of Aggregates.early (two passes: means, then co-moments).
    let n = 0;
    let sx = 0;
    let sy = 0;
    let sz = 0;
    for (let i = 0; i < K; i++) {
      const wi = w[i];
      n += wi;
      sx += wi * x[i];
      sy += wi * y[i];
      sz += wi * z[i];
    }
    const mx = sx / n;
    const my = sy / n;
    const mz = sz / n;
    m.fill(0);
    m[0] = n;
    m[1] = mx;
    m[2] = my;
    m[3] = mz;
    for (let i = 0; i < K; i++) {
      const wi = w[i];
      if (wi === 0) continue;
      const dx = x[i] - mx;
      const dy = y[i] - my;
      const dz = z[i] - mz;
      m[4] += wi * dx * dx;
      m[5] += wi * dx * dy;
      m[6] += wi * dx * dz;
      m[7] += wi * dy * dy;
      m[8] += wi * dy * dz;
      m[9] += wi * dz * dz;
    }
    const r = partialFromMoments(m, 0);
    pr.push(typeof r.partial === 'number' ? r.partial : NaN);
    sr.push(typeof r.semipartial === 'number' ? r.semipartial : NaN);
    zr.push(typeof r.pearson === 'number' ? r.pearson : NaN);
  });
}

/** Lagged fixed-effects b (both directions) of each resample: the drawn clients' within-client sums, summed. */
function bootLagged(stats: Accumulator, p: number, ctx: GroupContext, rng: Random, out: Replicates): void {
  const B = ctx.opts.bootstrap;
  const P = stats.P;
  const d = stats.clientLag!.data;
  const at = (e: number) => (e * P + p) * L_STRIDE;
  const idx = unitsById(stats, ctx, (e) => d[at(e)] > 0);
  const K = idx.length;
  if (K < 3) return;
  const fwd: number[] = (out['alliance->outcome'] = []);
  const rev: number[] = (out['outcome->alliance'] = []);
  const W = new Float64Array(LX_STRIDE);
  const sq = new Float64Array(4);
  replicate(rng, B, K, (w) => {
    W.fill(0);
    sq.fill(0);
    let pairs = 0;
    let clients = 0;
    for (let i = 0; i < K; i++) {
      const wi = w[i];
      if (wi === 0) continue;
      const b = at(idx[i]);
      const ln = d[b];
      pairs += wi * ln;
      clients += wi;
      for (let k = 0; k < LX_STRIDE; k++) W[k] += wi * d[b + 5 + k];
      for (let k = 0; k < 4; k++) {
        const mk = d[b + 1 + k];
        sq[k] += wi * (ln * mk * mk + d[b + 5 + LAG_DIAG[k]]);
      }
    }
    const m = lagMoments(W, pairs, clients, (i) => sq[i]);
    for (const [spec, vals] of [
      [LAG_SPECS[0], fwd],
      [LAG_SPECS[1], rev],
    ] as const) {
      const f = fixedEffects(m, spec);
      vals.push(typeof f === 'string' ? NaN : f.b1);
    }
  });
}

/** Bootstrap replicates of the requested analyses of pair p (empty without --bootstrap). */
export function bootstrapReplicates(stats: Accumulator, p: number, ctx: GroupContext): Replicates {
  const out: Replicates = {};
  const rng = ctx.rng;
  if (!rng || ctx.opts.bootstrap <= 0 || !stats.clientMoments) return out;
  const want = new Set(ctx.opts.analyses);
  if (want.has('pooled') || want.has('between') || want.has('within')) bootMoments(stats, p, ctx, rng, out);
  if (want.has('early') && stats.clientEarly) bootEarly(stats, p, ctx, rng, out);
  if (want.has('lagged') && stats.clientLag) bootLagged(stats, p, ctx, rng, out);
  return out;
}

/** Sets bootstrap_ci of the estimable Pearson/rmcorr/partial/semi-partial/lagged results of pair p. */
export function bootstrap(stats: Accumulator, p: number, ctx: GroupContext, results: CorrelateResult[]): void {
  const reps = bootstrapReplicates(stats, p, ctx);
  for (const r of results) {
    if (!r.estimable) continue;
    const key = r.analysis === 'lagged' ? r.direction : r.analysis === 'early' ? r.method : r.method === 'spearman' ? null : r.analysis;
    const vals = key ? reps[key as keyof Replicates] : undefined;
    if (vals) r.bootstrap_ci = percentileCi(vals, ctx.opts.bootstrap, ctx.opts.ciLevel);
  }
}

/**
 * From the streamed sufficient statistics (accumulate.ts) to results, for one set of
 * units (all clients or one --by group). Pure: no I/O, full precision.
 */
import { correlationFromMoments, type MomentsProblem } from '../../stats/correlation.js';
import { partialFromMoments } from '../../stats/partial.js';
import { bonettWrightCi } from '../../stats/rank.js';
import { type WithinMoments, withinRegression } from '../../stats/within.js';
import { tTwoSidedP } from '../../stats/distributions.js';
import { C_STRIDE, EARLY_CLIENT_STRIDE, E_STRIDE, LX_STRIDE, L_STRIDE, lxIndex, type Accumulator } from './accumulate.js';
import { quantileSorted } from '../../stats/descriptive.js';
import type { Random } from '../../stats/random.js';
import { correlationInference, tHalfWidth } from './inference.js';
import { BENCHMARK, type Analysis, type CorrelateOptions, type CorrelateResult, type LagDirection, type Method } from './types.js';

export interface PairInfo {
  alliance: string;
  outcome: string;
  /** +1: higher alliance with higher outcome is favourable; -1: with lower outcome; null: unknown. */
  orientation: 1 | -1 | null;
}

export interface GroupContext {
  group: string | null;
  pairs: PairInfo[];
  opts: CorrelateOptions;
  /** Shared bootstrap generator (consumed in a fixed order), null without --bootstrap. */
  rng: Random | null;
  /** Client id text of a client index (the bootstrap orders clients by id, so row order does not matter). */
  clientId: (client: number) => string;
}

const R_METHODS_BENCHMARKED = new Set(['pooled:pearson', 'between:pearson', 'early:pearson', 'early:partial']);

function base(ctx: GroupContext, p: number, analysis: Analysis, method: Method, direction: LagDirection | null = null): CorrelateResult {
  return {
    group: ctx.group,
    alliance: ctx.pairs[p].alliance,
    outcome: ctx.pairs[p].outcome,
    analysis,
    method,
    direction,
    r: null,
    b: null,
    se: null,
    t: null,
    n: 0,
    clients: 0,
    df: null,
    p: null,
    p_adjusted: null,
    ci: null,
    ci_level: ctx.opts.ciLevel,
    bootstrap_ci: null,
    favourable: null,
    estimable: false,
    reason: null,
    benchmark: null,
  };
}

function notEstimable(res: CorrelateResult, reason: string): CorrelateResult {
  res.estimable = false;
  res.reason = reason;
  return res;
}

/** Fills r, t, df, p, CI, favourable and the benchmark comparison of a correlation result. */
function fillCorrelation(res: CorrelateResult, ctx: GroupContext, p: number, r: number, df: number, ciN: number): CorrelateResult {
  const inf = correlationInference(r, df, ciN, ctx.opts.ciLevel);
  if (!inf.ok) {
    notEstimable(res, inf.message);
    res.r = r;
    return res;
  }
  res.r = r;
  res.df = df;
  res.t = inf.t;
  res.p = inf.p;
  res.ci = inf.ci;
  res.estimable = true;
  const o = ctx.pairs[p].orientation;
  res.favourable = o === null || r === 0 ? null : r * o > 0;
  if (o !== null && res.ci && R_METHODS_BENCHMARKED.has(`${res.analysis}:${res.method}`)) {
    const lo = Math.min(res.ci[0] * o, res.ci[1] * o);
    const hi = Math.max(res.ci[0] * o, res.ci[1] * o);
    res.benchmark = {
      r_oriented: r * o,
      comparison: hi < BENCHMARK.r ? 'lower' : lo > BENCHMARK.r ? 'higher' : 'consistent',
    };
  }
  return res;
}

/**
 * Values whose squares pass the double range (|x| above about 1e154) make the sums of
 * squares Infinity or NaN; a sum that is not finite is named for what it is.
 */
const huge = (what: string): string => `${what} values too large to compute with (squares beyond the floating-point range); check the data or rescale the measure`;

/** The reason text of a MomentsProblem, naming the variables (x, y, z order) as the user knows them. */
function problemText(p: MomentsProblem, names: readonly string[]): string {
  return p.problem === 'not-finite' ? huge(names[p.variable]) : `no variation in ${names[p.variable]}`;
}

/** r from the co-moments of n values (stats/correlation.ts), or the reason why it is undefined. */
function rFromMoments(n: number, sxx: number, syy: number, sxy: number, scaleX: number, scaleY: number): number | string {
  const r = correlationFromMoments(n, sxx, syy, sxy, scaleX, scaleY);
  return typeof r === 'number' ? r : problemText(r, ['alliance', 'outcome']);
}

/** Per-pair aggregates over units: pooled (merged) moments, between (means), within (summed). */
interface PairAggregate {
  rows: number;
  clients: number;
  pooled: { n: number; mx: number; my: number; xx: number; yy: number; xy: number; sx2: number; sy2: number };
  between: { n: number; mx: number; my: number; xx: number; yy: number; xy: number; sx2: number; sy2: number };
  within: { xx: number; yy: number; xy: number };
}

/** The co-moments of pair p in one of the accumulator's moment arrays (layout: C_STRIDE per pair, 2 squared sums per pair). */
function momentsAt(m: Float64Array, sq: Float64Array, p: number) {
  const b = p * C_STRIDE;
  return { n: m[b], mx: m[b + 1], my: m[b + 2], xx: m[b + 3], yy: m[b + 4], xy: m[b + 5], sx2: sq[p * 2], sy2: sq[p * 2 + 1] };
}

function aggregate(acc: Accumulator, p: number): PairAggregate {
  const a = acc.agg;
  const b = p * C_STRIDE;
  return {
    rows: a.pooled[b],
    clients: a.between[b],
    pooled: momentsAt(a.pooled, a.pooledSq, p),
    between: momentsAt(a.between, a.betweenSq, p),
    within: { xx: a.within[p * 3], yy: a.within[p * 3 + 1], xy: a.within[p * 3 + 2] },
  };
}

function pooledResult(ctx: GroupContext, p: number, a: PairAggregate): CorrelateResult {
  const res = base(ctx, p, 'pooled', 'pearson');
  res.n = a.rows;
  res.clients = a.clients;
  if (a.rows < 3) return notEstimable(res, `fewer than 3 paired rows (${a.rows})`);
  const r = rFromMoments(a.rows, a.pooled.xx, a.pooled.yy, a.pooled.xy, a.pooled.sx2, a.pooled.sy2);
  if (typeof r === 'string') return notEstimable(res, r);
  return fillCorrelation(res, ctx, p, r, a.rows - 2, a.rows);
}

function betweenResult(ctx: GroupContext, p: number, a: PairAggregate): CorrelateResult {
  const res = base(ctx, p, 'between', 'pearson');
  res.n = a.clients;
  res.clients = a.clients;
  if (a.clients < 3) return notEstimable(res, `fewer than 3 clients (${a.clients})`);
  const r = rFromMoments(a.clients, a.between.xx, a.between.yy, a.between.xy, a.between.sx2, a.between.sy2);
  if (typeof r === 'string') return notEstimable(res, r.replace('variation', 'variation between clients'));
  return fillCorrelation(res, ctx, p, r, a.clients - 2, a.clients);
}

function withinResult(ctx: GroupContext, p: number, a: PairAggregate): CorrelateResult {
  const res = base(ctx, p, 'within', 'rmcorr');
  res.n = a.rows;
  res.clients = a.clients;
  if (a.clients < 3) return notEstimable(res, `fewer than 3 clients (${a.clients})`);
  const df = a.rows - a.clients - 1;
  if (df < 1) return notEstimable(res, 'no client has more than one paired session');
  const r = rFromMoments(a.rows, a.within.xx, a.within.yy, a.within.xy, a.pooled.sx2, a.pooled.sy2);
  if (typeof r === 'string') return notEstimable(res, r.replace('variation', 'variation within clients'));
  return fillCorrelation(res, ctx, p, r, df, df + 2);
}

function spearmanResult(ctx: GroupContext, p: number, stats: Accumulator, a: PairAggregate): CorrelateResult {
  const res = base(ctx, p, 'pooled', 'spearman');
  res.n = a.rows;
  res.clients = a.clients;
  if (a.rows < 3) return notEstimable(res, `fewer than 3 paired rows (${a.rows})`);
  const rho = stats.spearmanRho(p);
  if (rho === null) return notEstimable(res, 'Spearman values were not kept');
  if (typeof rho === 'string') return notEstimable(res, rho);
  const n = a.rows;
  fillCorrelation(res, ctx, p, rho, n - 2, n);
  if (!res.estimable) return res;
  // Interval: Fisher z with the Bonett-Wright (2000) standard error sqrt((1 + rho^2/2)/(n - 3)).
  const ci = bonettWrightCi(rho, n, ctx.opts.ciLevel);
  if (ci) res.ci = ci;
  return res;
}

// ---------------------------------------------------------------------------------------
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
export type Replicates = Partial<Record<'pooled' | 'between' | 'within' | 'partial' | 'semipartial' | 'pearson' | 'alliance->outcome' | 'outcome->alliance', number[]>>;

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
    for (let i = 0; i < K; i++) {
      const wi = w[i];
      if (wi === 0) continue;
      const dx = mxs[i] - Mx;
      const dy = mys[i] - My;
      wxx += wi * cxx[i];
      wyy += wi * cyy[i];
      wxy += wi * cxy[i];
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
    rp.push(pxx > 0 && pyy > 0 ? pxy / Math.sqrt(pxx * pyy) : NaN);
    rb.push(qxx > 0 && qyy > 0 ? qxy / Math.sqrt(qxx * qyy) : NaN);
    rw.push(wxx > 0 && wyy > 0 ? wxy / Math.sqrt(wxx * wyy) : NaN);
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
    for (const [spec, vals] of [[LAG_SPECS[0], fwd], [LAG_SPECS[1], rev]] as const) {
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
function bootstrap(stats: Accumulator, p: number, ctx: GroupContext, results: CorrelateResult[]): void {
  const reps = bootstrapReplicates(stats, p, ctx);
  for (const r of results) {
    if (!r.estimable) continue;
    const key =
      r.analysis === 'lagged'
        ? r.direction
        : r.analysis === 'early'
          ? r.method
          : r.method === 'spearman'
            ? null
            : r.analysis;
    const vals = key ? reps[key as keyof Replicates] : undefined;
    if (vals) r.bootstrap_ci = percentileCi(vals, ctx.opts.bootstrap, ctx.opts.ciLevel);
  }
}

// ---------------------------------------------------------------------------------------
// Early alliance -> final outcome, controlling intake

const EARLY_NAMES = ['early alliance', 'final outcome', 'intake outcome'];

/** A coefficient of partialFromMoments as a number or the reason text. */
function earlyValue(v: number | MomentsProblem): number | string {
  if (typeof v === 'number') return v;
  return v.problem === 'collinear' ? 'intake is collinear with early alliance or final outcome' : problemText(v, EARLY_NAMES);
}

function earlyResults(stats: Accumulator, p: number, ctx: GroupContext): CorrelateResult[] {
  const e = stats.agg.early;
  const b = p * E_STRIDE;
  const n = e[b];
  const partial = base(ctx, p, 'early', 'partial');
  const semi = base(ctx, p, 'early', 'semipartial');
  const zero = base(ctx, p, 'early', 'pearson');
  const all = [partial, semi, zero];
  for (const r of all) {
    r.n = n;
    r.clients = n;
  }
  if (n < 5) {
    const why = `fewer than 5 clients with early alliance, intake and a later final outcome (${n})`;
    for (const r of all) notEstimable(r, why);
    return all;
  }
  const c = partialFromMoments(e, b);
  const [pr, sr, zr] = [earlyValue(c.partial), earlyValue(c.semipartial), earlyValue(c.pearson)];
  if (typeof pr === 'string') notEstimable(partial, pr);
  else fillCorrelation(partial, ctx, p, pr, n - 3, n - 1);
  if (typeof sr === 'string') notEstimable(semi, sr);
  else fillCorrelation(semi, ctx, p, sr, n - 3, n - 1);
  if (typeof zr === 'string') notEstimable(zero, zr);
  else fillCorrelation(zero, ctx, p, zr, n - 2, n);
  return all;
}

// ---------------------------------------------------------------------------------------
// Lagged fixed-effects regressions

/** Positions of the diagonal in the upper-triangle layout of the lag co-moments. */
const LAG_DIAG = [0, 4, 7, 9];

interface LagSpec {
  dir: LagDirection;
  y: number;
  x1: number;
  x2: number;
}

// forward: o(s+1) ~ a(s) + o(s); reverse: a(s+1) ~ o(s) + a(s). Slots: 0 a(s), 1 o(s), 2 a(s+1), 3 o(s+1).
const LAG_SPECS: LagSpec[] = [
  { dir: 'alliance->outcome', y: 3, x1: 0, x2: 1 },
  { dir: 'outcome->alliance', y: 2, x1: 1, x2: 0 },
];

/** The within moments of pair p's lag slots: W packed (lxIndex), rawSq(i) the raw sum of squares of slot i. */
function lagMoments(W: Float64Array, pairs: number, clients: number, rawSq: (i: number) => number): WithinMoments {
  return { n: pairs, groups: clients, d: 4, w: (i, j) => W[lxIndex(i, j)], raw: rawSq };
}

const SLOT_NAME = ['alliance', 'outcome', 'alliance', 'outcome'];

/**
 * The fixed-effects coefficient of x1 (and its SE, df) from the summed within-client
 * co-moments of (a(s), o(s), a(s+1), o(s+1)) (stats/within.ts); a reason string when not estimable.
 */
function fixedEffects(m: WithinMoments, sp: LagSpec): { b1: number; se: number; df: number } | string {
  if (m.groups < 3) return `fewer than 3 clients with consecutive sessions (${m.groups})`;
  const f = withinRegression(m, sp.y, [sp.x1, sp.x2]);
  if (!('problem' in f)) return { b1: f.b[0], se: Math.sqrt((f.rss / f.df) * f.unscaled[0]), df: f.df };
  switch (f.problem) {
    case 'no-df':
      return 'too few consecutive-session pairs per client';
    case 'not-finite':
      return huge(SLOT_NAME[f.variable]);
    case 'no-variation':
      return `no within-client variation in ${SLOT_NAME[f.variable]} at s`;
    case 'collinear':
      return 'alliance(s) and outcome(s) are collinear within clients';
    default:
      return 'perfect fit (residual variance is zero)';
  }
}

function laggedResults(stats: Accumulator, p: number, ctx: GroupContext): CorrelateResult[] {
  const a = stats.agg;
  const W = a.lagW.subarray(p * LX_STRIDE, (p + 1) * LX_STRIDE);
  const pairs = Math.round(a.lagN[p * 2]);
  const clients = Math.round(a.lagN[p * 2 + 1]);
  // Scale for relative zero tests: raw sums of squares of a(s), o(s), a(s+1), o(s+1).
  const rawSq = (i: number) => a.lagSq[p * 4 + i];
  const out: CorrelateResult[] = [];
  for (const sp of LAG_SPECS) {
    const res = base(ctx, p, 'lagged', 'fixed-effects', sp.dir);
    res.n = pairs;
    res.clients = clients;
    out.push(res);
    const f = fixedEffects(lagMoments(W, pairs, clients, rawSq), sp);
    if (typeof f === 'string') {
      notEstimable(res, f);
      continue;
    }
    res.b = f.b1;
    res.se = f.se;
    res.df = f.df;
    res.estimable = true;
    res.t = f.b1 / f.se;
    res.p = tTwoSidedP(res.t, f.df);
    const h = tHalfWidth(f.se, f.df, ctx.opts.ciLevel);
    res.ci = [f.b1 - h, f.b1 + h];
    const o = ctx.pairs[p].orientation;
    res.favourable = o === null || f.b1 === 0 ? null : f.b1 * o > 0;
  }
  return out;
}

// ---------------------------------------------------------------------------------------

/** All results of one set of units, in a stable order: per pair, analyses in ANALYSES order. */
export function computeGroup(stats: Accumulator, ctx: GroupContext): CorrelateResult[] {
  const want = new Set(ctx.opts.analyses);
  const out: CorrelateResult[] = [];
  for (let p = 0; p < stats.P; p++) {
    const a = aggregate(stats, p);
    const pair: CorrelateResult[] = [];
    if (want.has('pooled')) {
      if (ctx.opts.method !== 'spearman') pair.push(pooledResult(ctx, p, a));
      if (ctx.opts.method !== 'pearson') pair.push(spearmanResult(ctx, p, stats, a));
    }
    if (want.has('between')) pair.push(betweenResult(ctx, p, a));
    if (want.has('within')) pair.push(withinResult(ctx, p, a));
    if (want.has('early') && stats.cfg.early) pair.push(...earlyResults(stats, p, ctx));
    if (want.has('lagged') && stats.cfg.lagged) pair.push(...laggedResults(stats, p, ctx));
    bootstrap(stats, p, ctx, pair);
    out.push(...pair);
  }
  return out;
}

/**
 * From the streamed sufficient statistics (accumulate.ts) to results, for one set of
 * units (all clients or one --by group). Pure: no I/O, full precision.
 */
import { partialFromMoments } from '../../stats/partial.js';
import { bonettWrightCi } from '../../stats/rank.js';
import { tTwoSidedP } from '../../stats/distributions.js';
import type { Accumulator } from './accumulate.js';
import { C_STRIDE, E_STRIDE, LX_STRIDE } from './layout.js';
import { bootstrap } from './bootstrap.js';
import { earlyValue, fixedEffects, LAG_SPECS, lagMoments, rFromMoments } from './estimators.js';
import { correlationInference, tHalfWidth } from './inference.js';
import { BENCHMARK, type Analysis, type CorrelateResult, type GroupContext, type LagDirection, type Method } from './types.js';

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

/**
 * Rounding a between-client sum of squares can carry when rows of a client come in more
 * than one run (files, interleaving): the second-pass repair removes the client's earlier
 * run mean from the Welford sums over client means and adds the full one, which leaves a
 * few eps of the spread removed, at most the pooled sum of squares, per client. Clients
 * whose means are all equal (17, 17, 17) then gave 1e-15 "variation" in one row order and
 * none in another; below this bound the means do not vary (docs/correlate.md).
 */
const betweenNoise = (clients: number, pooledSs: number) => 4 * (clients + 2) * Number.EPSILON * pooledSs;

function betweenResult(ctx: GroupContext, p: number, a: PairAggregate): CorrelateResult {
  const res = base(ctx, p, 'between', 'pearson');
  res.n = a.clients;
  res.clients = a.clients;
  if (a.clients < 3) return notEstimable(res, `fewer than 3 clients (${a.clients})`);
  if (a.between.xx <= betweenNoise(a.clients, a.pooled.xx)) return notEstimable(res, 'no variation between clients in alliance');
  if (a.between.yy <= betweenNoise(a.clients, a.pooled.yy)) return notEstimable(res, 'no variation between clients in outcome');
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
// Early alliance -> final outcome, controlling intake

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

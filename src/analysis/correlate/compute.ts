/**
 * From the streamed sufficient statistics (accumulate.ts) to results, for one set of
 * units (all clients or one --by group). Pure: no I/O, full precision.
 */
import { tTwoSidedP } from '../../stats/distributions.js';
import { C_STRIDE, E_STRIDE, LX_STRIDE, lxIndex, type Accumulator } from './accumulate.js';
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
 * A centred sum of squares below ZERO_REL times the raw sum of squares is rounding noise
 * of a constant variable (about 1e-30 relative), not variation: real data with a large
 * offset still has (sd / mean)^2 far above it.
 */
const ZERO_REL = 1e-24;

/** r from co-moments, or a reason why it is undefined. */
function rFromMoments(sxx: number, syy: number, sxy: number, scaleX: number, scaleY: number): number | string {
  // Relative zero-variance test: co-moments that are rounding noise count as zero.
  if (!(sxx > ZERO_REL * scaleX)) return 'no variation in alliance';
  if (!(syy > ZERO_REL * scaleY)) return 'no variation in outcome';
  const r = sxy / Math.sqrt(sxx * syy);
  return Math.max(-1, Math.min(1, r));
}

/** Per-pair aggregates over units: pooled (merged) moments, between (means), within (summed). */
interface PairAggregate {
  rows: number;
  clients: number;
  pooled: { n: number; mx: number; my: number; xx: number; yy: number; xy: number; sx2: number; sy2: number };
  between: { n: number; mx: number; my: number; xx: number; yy: number; xy: number; sx2: number; sy2: number };
  within: { xx: number; yy: number; xy: number };
}

function aggregate(acc: Accumulator, p: number): PairAggregate {
  const a = acc.agg;
  const b = p * C_STRIDE;
  return {
    rows: a.pooled[b],
    clients: a.between[b],
    pooled: {
      n: a.pooled[b],
      mx: a.pooled[b + 1],
      my: a.pooled[b + 2],
      xx: a.pooled[b + 3],
      yy: a.pooled[b + 4],
      xy: a.pooled[b + 5],
      sx2: a.pooledSq[p * 2],
      sy2: a.pooledSq[p * 2 + 1],
    },
    between: {
      n: a.between[b],
      mx: a.between[b + 1],
      my: a.between[b + 2],
      xx: a.between[b + 3],
      yy: a.between[b + 4],
      xy: a.between[b + 5],
      sx2: a.betweenSq[p * 2],
      sy2: a.betweenSq[p * 2 + 1],
    },
    within: { xx: a.within[p * 3], yy: a.within[p * 3 + 1], xy: a.within[p * 3 + 2] },
  };
}

function pooledResult(ctx: GroupContext, p: number, a: PairAggregate): CorrelateResult {
  const res = base(ctx, p, 'pooled', 'pearson');
  res.n = a.rows;
  res.clients = a.clients;
  if (a.rows < 3) return notEstimable(res, `fewer than 3 paired rows (${a.rows})`);
  const r = rFromMoments(a.pooled.xx, a.pooled.yy, a.pooled.xy, a.pooled.sx2, a.pooled.sy2);
  if (typeof r === 'string') return notEstimable(res, r);
  return fillCorrelation(res, ctx, p, r, a.rows - 2, a.rows);
}

function betweenResult(ctx: GroupContext, p: number, a: PairAggregate): CorrelateResult {
  const res = base(ctx, p, 'between', 'pearson');
  res.n = a.clients;
  res.clients = a.clients;
  if (a.clients < 3) return notEstimable(res, `fewer than 3 clients (${a.clients})`);
  const r = rFromMoments(a.between.xx, a.between.yy, a.between.xy, a.between.sx2, a.between.sy2);
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
  const r = rFromMoments(a.within.xx, a.within.yy, a.within.xy, a.pooled.sx2, a.pooled.sy2);
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
  if (n > 3 && Math.abs(rho) < 1) {
    const z = Math.atanh(rho);
    const half = (tHalfWidthNormal(ctx.opts.ciLevel) * Math.sqrt(1 + (rho * rho) / 2)) / Math.sqrt(n - 3);
    res.ci = [Math.tanh(z - half), Math.tanh(z + half)];
  }
  return res;
}

function tHalfWidthNormal(level: number): number {
  return tHalfWidth(1, Infinity, level);
}

// ---------------------------------------------------------------------------------------
// Bootstrap (resampling units, from the per-unit moments)

function bootstrap(stats: Accumulator, p: number, ctx: GroupContext, out: { pooled?: CorrelateResult; between?: CorrelateResult; within?: CorrelateResult }): void {
  const rng = ctx.rng;
  const B = ctx.opts.bootstrap;
  if (!rng || B <= 0) return;
  const P = stats.P;
  const store = stats.clientMoments;
  if (!store) return;
  const c = store.data;
  const present: number[] = [];
  for (let e = 0; e < stats.clientEntries; e++) if (c[(e * P + p) * C_STRIDE] > 0) present.push(e);
  // Clients in id order, so the resamples do not depend on the order of the rows.
  const ids = present.map((e) => ctx.clientId(stats.entryClient[e]));
  const order = present.map((_, i) => i).sort((a, b) => (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0));
  const idx = order.map((i) => present[i]);
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
  const w = new Float64Array(K);
  const rp: number[] = [];
  const rb: number[] = [];
  const rw: number[] = [];
  for (let rep = 0; rep < B; rep++) {
    w.fill(0);
    for (let i = 0; i < K; i++) w[rng.int(K)] += 1;
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
    if (pxx > 0 && pyy > 0) rp.push(pxy / Math.sqrt(pxx * pyy));
    if (qxx > 0 && qyy > 0) rb.push(qxy / Math.sqrt(qxx * qyy));
    if (wxx > 0 && wyy > 0) rw.push(wxy / Math.sqrt(wxx * wyy));
  }
  const alpha = (1 - ctx.opts.ciLevel) / 2;
  const ci = (vals: number[]): [number, number] | null => {
    // Require most replicates to be defined; otherwise the interval would be conditional.
    if (vals.length < Math.max(2, 0.9 * B)) return null;
    const s = Float64Array.from(vals).sort();
    return [quantileSorted(s, alpha), quantileSorted(s, 1 - alpha)];
  };
  if (out.pooled?.estimable) out.pooled.bootstrap_ci = ci(rp);
  if (out.between?.estimable) out.between.bootstrap_ci = ci(rb);
  if (out.within?.estimable) out.within.bootstrap_ci = ci(rw);
}

// ---------------------------------------------------------------------------------------
// Early alliance -> final outcome, controlling intake

/** Correlations of (x, y, z) = (early alliance, final, intake) from 3-D co-moments. */
function corr3(e: Float64Array, b: number): { rxy: number; rxz: number; ryz: number } | string {
  const n = e[b];
  const xx = e[b + 4];
  const xy = e[b + 5];
  const xz = e[b + 6];
  const yy = e[b + 7];
  const yz = e[b + 8];
  const zz = e[b + 9];
  const scale = (m: number, c: number) => n * m * m + c;
  if (!(xx > ZERO_REL * scale(e[b + 1], xx))) return 'no variation in early alliance';
  if (!(yy > ZERO_REL * scale(e[b + 2], yy))) return 'no variation in final outcome';
  if (!(zz > ZERO_REL * scale(e[b + 3], zz))) return 'no variation in intake outcome';
  return { rxy: xy / Math.sqrt(xx * yy), rxz: xz / Math.sqrt(xx * zz), ryz: yz / Math.sqrt(yy * zz) };
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
  const c = corr3(e, b);
  if (typeof c === 'string') {
    for (const r of all) notEstimable(r, c);
    return all;
  }
  const { rxy, rxz, ryz } = c;
  if (1 - rxz * rxz < 1e-12 || 1 - ryz * ryz < 1e-12) {
    for (const r of [partial, semi]) notEstimable(r, 'intake is collinear with early alliance or final outcome');
  } else {
    const pr = (rxy - rxz * ryz) / Math.sqrt((1 - rxz * rxz) * (1 - ryz * ryz));
    fillCorrelation(partial, ctx, p, clamp1(pr), n - 3, n - 1);
    const sr = (rxy - rxz * ryz) / Math.sqrt(1 - ryz * ryz);
    fillCorrelation(semi, ctx, p, clamp1(sr), n - 3, n - 1);
  }
  fillCorrelation(zero, ctx, p, clamp1(rxy), n - 2, n);
  return all;
}

function clamp1(r: number): number {
  return Math.max(-1, Math.min(1, r));
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
  // forward: o(s+1) ~ a(s) + o(s); reverse: a(s+1) ~ o(s) + a(s). Slots: 0 a(s), 1 o(s), 2 a(s+1), 3 o(s+1).
  const specs: { dir: LagDirection; y: number; x1: number; x2: number }[] = [
    { dir: 'alliance->outcome', y: 3, x1: 0, x2: 1 },
    { dir: 'outcome->alliance', y: 2, x1: 1, x2: 0 },
  ];
  for (const sp of specs) {
    const res = base(ctx, p, 'lagged', 'fixed-effects', sp.dir);
    res.n = pairs;
    res.clients = clients;
    out.push(res);
    const df = pairs - clients - 2;
    if (clients < 3) {
      notEstimable(res, `fewer than 3 clients with consecutive sessions (${clients})`);
      continue;
    }
    if (df < 1) {
      notEstimable(res, 'too few consecutive-session pairs per client');
      continue;
    }
    const a11 = W[lxIndex(sp.x1, sp.x1)];
    const a22 = W[lxIndex(sp.x2, sp.x2)];
    const a12 = W[lxIndex(sp.x1, sp.x2)];
    const r1 = rawSq(sp.x1) + 1;
    const r2 = rawSq(sp.x2) + 1;
    if (!(a11 > ZERO_REL * r1)) {
      notEstimable(res, `no within-client variation in ${sp.x1 === 0 ? 'alliance' : 'outcome'} at s`);
      continue;
    }
    if (!(a22 > ZERO_REL * r2)) {
      notEstimable(res, `no within-client variation in ${sp.x2 === 0 ? 'alliance' : 'outcome'} at s`);
      continue;
    }
    const det = a11 * a22 - a12 * a12;
    if (!(det > 1e-12 * a11 * a22)) {
      notEstimable(res, 'alliance(s) and outcome(s) are collinear within clients');
      continue;
    }
    const c1 = W[lxIndex(sp.x1, sp.y)];
    const c2 = W[lxIndex(sp.x2, sp.y)];
    const inv11 = a22 / det;
    const inv12 = -a12 / det;
    const inv22 = a11 / det;
    const b1 = inv11 * c1 + inv12 * c2;
    const b2 = inv12 * c1 + inv22 * c2;
    const rss = Math.max(0, W[lxIndex(sp.y, sp.y)] - b1 * c1 - b2 * c2);
    const sigma2 = rss / df;
    const se = Math.sqrt(sigma2 * inv11);
    res.b = b1;
    res.se = se;
    res.df = df;
    res.estimable = true;
    if (se > 0) {
      res.t = b1 / se;
      res.p = tTwoSidedP(res.t, df);
      const h = tHalfWidth(se, df, ctx.opts.ciLevel);
      res.ci = [b1 - h, b1 + h];
    } else {
      notEstimable(res, 'perfect fit (residual variance is zero)');
      res.b = null;
      res.se = null;
      res.df = null;
      continue;
    }
    const o = ctx.pairs[p].orientation;
    res.favourable = o === null || b1 === 0 ? null : b1 * o > 0;
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
    const boot: { pooled?: CorrelateResult; between?: CorrelateResult; within?: CorrelateResult } = {};
    if (want.has('pooled')) {
      if (ctx.opts.method !== 'spearman') {
        boot.pooled = pooledResult(ctx, p, a);
        out.push(boot.pooled);
      }
      if (ctx.opts.method !== 'pearson') out.push(spearmanResult(ctx, p, stats, a));
    }
    if (want.has('between')) {
      boot.between = betweenResult(ctx, p, a);
      out.push(boot.between);
    }
    if (want.has('within')) {
      boot.within = withinResult(ctx, p, a);
      out.push(boot.within);
    }
    bootstrap(stats, p, ctx, boot);
    if (want.has('early') && stats.cfg.early) out.push(...earlyResults(stats, p, ctx));
    if (want.has('lagged') && stats.cfg.lagged) out.push(...laggedResults(stats, p, ctx));
  }
  return out;
}


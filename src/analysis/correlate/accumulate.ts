/**
 * Streaming sufficient statistics for the correlation report.
 *
 * Rows normally arrive grouped by client (a run of rows per client). The accumulator keeps
 * only the current run in a small buffer; when the client changes, the run is reduced to
 * its statistics (per pair: count, means and centred co-moments; the within-client
 * co-moments of its consecutive-session pairs; its early alliance, intake and final
 * outcome) and merged into report-level aggregates:
 *
 * - pooled: Chan et al. merge of the runs' moments (exact decomposition, stable);
 * - between: Welford over the client means;
 * - within (rmcorr): sum of the clients' centred co-moments;
 * - early: Welford 3-D co-moments over (early alliance, final, intake) per client;
 * - lagged: sum of the clients' within-client 4 x 4 co-moments of
 *   (alliance(s), outcome(s), alliance(s+1), outcome(s+1)) = the fixed-effects
 *   (client-demeaned) cross-product matrix.
 *
 * Nothing per row is retained, and nothing per client unless --bootstrap asks for the
 * per-client moments (resampling clients needs them). A run whose sessions are out of
 * order is sorted before its lagged pairs are formed.
 *
 * A client whose rows are not contiguous (it reappears after another client) is
 * "scattered": its first run was already merged, so later runs are skipped in the first
 * pass, and `ScatterRepair` re-reads the input once, removes the first run's contribution
 * (every aggregate above can be un-merged) and merges the client's complete rows.
 */

import { GrowableF64 } from './growable.js';
import { SpearmanAccumulator } from './spearman.js';

export { GrowableF64 };

export interface PairSpec {
  /** Index into Mapping.measures. */
  alliance: number;
  outcome: number;
}

export interface EarlySpec {
  /** 'session': alliance at session k; 'window': mean of alliance over sessions 1..k. */
  mode: 'session' | 'window';
  k: number;
}

export interface AccumulatorConfig {
  /** Number of measures in SessionRow.values. */
  measures: number;
  pairs: PairSpec[];
  early: EarlySpec | null;
  lagged: boolean;
  /** Keep the paired values of the pooled rows (Spearman needs ranks over all rows). */
  keepPooledValues: boolean;
  /** Keep per-client moments (and early triples, lag sums) for the cluster bootstrap. */
  keepClients: boolean;
}

/** Moment slots: count, mean x, mean y, Sxx, Syy, Sxy. */
export const C_STRIDE = 6;
/** Lag slots: count, 4 means, 10 co-moments (upper triangle, row-major: 00 01 02 03 11 12 13 22 23 33). */
export const L_STRIDE = 15;
export const LX_STRIDE = 10;
export function lxIndex(i: number, j: number): number {
  if (i > j) [i, j] = [j, i];
  const start = i === 0 ? 0 : i === 1 ? 4 : i === 2 ? 7 : 9;
  return start + (j - i);
}
/** Positions of the diagonal in the upper-triangle layout. */
const DIAG = [0, 4, 7, 9];
/** Early 3-D moments: count, 3 means, 6 co-moments (xx xy xz yy yz zz). */
export const E_STRIDE = 10;
/** Per-client early values kept for the bootstrap: early alliance, final outcome, intake outcome. */
export const EARLY_CLIENT_STRIDE = 3;

/**
 * Which clients have been merged. Dense (one byte per client index) for all clients; for a
 * --by group it starts sparse (a Set) and turns dense once the Set would take more memory
 * than the bytes (about 32 bytes per Set entry against one per index up to the largest):
 * with 1.3M clients over 10 therapists that is 13 MB instead of about 45 MB of Sets.
 */
class SeenSet {
  private dense: Uint8Array | null;
  private sparse: Set<number> | null;
  private maxIndex = -1;
  size = 0;
  constructor(denseMode: boolean) {
    this.dense = denseMode ? new Uint8Array(1024) : null;
    this.sparse = denseMode ? null : new Set();
  }
  has(c: number): boolean {
    if (this.dense) return c < this.dense.length && this.dense[c] === 1;
    return this.sparse!.has(c);
  }
  add(c: number): void {
    if (this.dense) {
      if (c >= this.dense.length) {
        let cap = this.dense.length * 2;
        while (cap <= c) cap *= 2;
        const next = new Uint8Array(cap);
        next.set(this.dense);
        this.dense = next;
      }
      if (this.dense[c] === 0) this.size++;
      this.dense[c] = 1;
      return;
    }
    const sparse = this.sparse!;
    if (!sparse.has(c)) this.size++;
    sparse.add(c);
    if (c > this.maxIndex) this.maxIndex = c;
    if (sparse.size >= 4096 && sparse.size * 32 > this.maxIndex + 1) {
      const dense = new Uint8Array(Math.max(1024, this.maxIndex + 1));
      for (const k of sparse) dense[k] = 1;
      this.dense = dense;
      this.sparse = null;
    }
  }
}

/** The statistics of one client's rows (a run, or all rows of a scattered client). */
class RunStats {
  readonly corr: Float64Array;
  readonly lag: Float64Array;
  /** Early alliance per pair (NaN when absent), final and intake outcome (NaN unless valid). */
  readonly earlyX: Float64Array;
  readonly earlyY: Float64Array;
  readonly earlyZ: Float64Array;
  rows = 0;
  disordered = false;
  constructor(P: number) {
    this.corr = new Float64Array(P * C_STRIDE);
    this.lag = new Float64Array(P * L_STRIDE);
    this.earlyX = new Float64Array(P);
    this.earlyY = new Float64Array(P);
    this.earlyZ = new Float64Array(P);
  }
}

/** Per-pair aggregates over clients. */
export class Aggregates {
  /** Pooled moments over all paired rows: n, mx, my, Sxx, Syy, Sxy. */
  readonly pooled: Float64Array;
  /** Raw sums of squares sum x^2, sum y^2 (scale for zero-variance tests). */
  readonly pooledSq: Float64Array;
  /** Between: Welford over client means: k, mx, my, Sxx, Syy, Sxy. */
  readonly between: Float64Array;
  readonly betweenSq: Float64Array;
  /** Within: sums of client co-moments Sxx, Syy, Sxy. */
  readonly within: Float64Array;
  /** Lagged: pairs, clients, W (10). */
  readonly lagN: Float64Array;
  readonly lagW: Float64Array;
  readonly lagSq: Float64Array;
  /** Early: 3-D Welford over clients. */
  readonly early: Float64Array;
  constructor(P: number) {
    this.pooled = new Float64Array(P * C_STRIDE);
    this.pooledSq = new Float64Array(P * 2);
    this.between = new Float64Array(P * C_STRIDE);
    this.betweenSq = new Float64Array(P * 2);
    this.within = new Float64Array(P * 3);
    this.lagN = new Float64Array(P * 2);
    this.lagW = new Float64Array(P * LX_STRIDE);
    this.lagSq = new Float64Array(P * 4);
    this.early = new Float64Array(P * E_STRIDE);
  }
}

/** Sufficient statistics for one set of rows (all rows, or one --by group). */
export class Accumulator {
  readonly cfg: AccumulatorConfig;
  readonly P: number;
  readonly M: number;
  readonly agg: Aggregates;
  /** Rows seen. */
  rows = 0;
  /** Clients whose rows were not contiguous (repaired by a second scan). */
  scatteredCount = 0;
  /** Clients whose rows were not in session order (or repeated a session number). */
  disorderedCount = 0;
  readonly seen: SeenSet;
  readonly scattered = new Set<number>();
  /** Per pair, with --method spearman|both: the distinct (x, y) pairs and their counts. */
  readonly spearman: SpearmanAccumulator[];
  /** Per-client moments for the bootstrap: one C_STRIDE block per (client entry, pair). */
  readonly clientMoments: GrowableF64 | null;
  /** Per-client early (x, y, z) = (early alliance, final, intake) per pair, NaN when incomplete: EARLY_CLIENT_STRIDE per (entry, pair); null unless kept and early is computed. */
  readonly clientEarly: GrowableF64 | null;
  /** Per-client lag statistics per pair (the L_STRIDE block: pairs, 4 means, 10 within co-moments); null unless kept and lagged is computed. */
  readonly clientLag: GrowableF64 | null;
  private readonly entryOf: Map<number, number> | null;
  private entries = 0;
  /** Client index of each bootstrap entry. */
  readonly entryClient: number[] = [];
  // current run
  private cur = -1;
  private skipping = false;
  private readonly buf: GrowableF64;
  private bufRows = 0;
  private readonly run: RunStats;

  constructor(cfg: AccumulatorConfig, dense: boolean) {
    this.cfg = cfg;
    this.P = cfg.pairs.length;
    this.M = cfg.measures;
    this.agg = new Aggregates(this.P);
    this.seen = new SeenSet(dense);
    this.spearman = cfg.keepPooledValues ? cfg.pairs.map(() => new SpearmanAccumulator()) : [];
    this.clientMoments = cfg.keepClients ? new GrowableF64(1024) : null;
    this.clientEarly = cfg.keepClients && cfg.early ? new GrowableF64(1024) : null;
    this.clientLag = cfg.keepClients && cfg.lagged ? new GrowableF64(1024) : null;
    this.entryOf = cfg.keepClients ? new Map() : null;
    this.buf = new GrowableF64(64 * (1 + this.M));
    this.run = new RunStats(this.P);
  }

  get clients(): number {
    return this.seen.size;
  }

  /** Adds one row (values: one per measure, NaN = missing). */
  add(client: number, session: number, values: Float64Array): void {
    this.rows++;
    if (this.cfg.keepPooledValues) {
      const pairs = this.cfg.pairs;
      for (let p = 0; p < this.P; p++) {
        const x = values[pairs[p].alliance];
        const y = values[pairs[p].outcome];
        if (x === x && y === y) this.spearman[p].add(x, y);
      }
    }
    if (client !== this.cur) {
      this.flush();
      this.cur = client;
      if (this.seen.has(client)) {
        this.skipping = true;
        if (!this.scattered.has(client)) {
          this.scattered.add(client);
          this.scatteredCount++;
        }
      } else {
        this.skipping = false;
        this.seen.add(client);
      }
    }
    if (this.skipping) return;
    const M = this.M;
    const buf = this.buf;
    buf.ensure(1 + M);
    const d = buf.data;
    let o = buf.length;
    d[o++] = session;
    for (let m = 0; m < M; m++) d[o++] = values[m];
    buf.length = o;
    this.bufRows++;
  }

  /** Merges the current run; call once after the last row. */
  flush(): void {
    if (this.cur >= 0 && !this.skipping && this.bufRows > 0) {
      computeRun(this.cfg, this.buf.data, this.bufRows, this.run);
      if (this.run.disordered) this.disorderedCount++;
      this.merge(this.run, 1, this.cur);
    }
    this.buf.length = 0;
    this.bufRows = 0;
    this.cur = -1;
    this.skipping = false;
  }

  /** Merges (sign 1) or removes (sign -1) one client's run statistics. */
  merge(run: RunStats, sign: 1 | -1, client: number): void {
    const P = this.P;
    const a = this.agg;
    const rc = run.corr;
    for (let p = 0; p < P; p++) {
      const b = p * C_STRIDE;
      const n = rc[b];
      if (n > 0) {
        const mx = rc[b + 1];
        const my = rc[b + 2];
        chanMerge(a.pooled, b, n, mx, my, rc[b + 3], rc[b + 4], rc[b + 5], sign);
        a.pooledSq[p * 2] += sign * (n * mx * mx + rc[b + 3]);
        a.pooledSq[p * 2 + 1] += sign * (n * my * my + rc[b + 4]);
        welford2(a.between, b, mx, my, sign);
        a.betweenSq[p * 2] += sign * mx * mx;
        a.betweenSq[p * 2 + 1] += sign * my * my;
        a.within[p * 3] += sign * rc[b + 3];
        a.within[p * 3 + 1] += sign * rc[b + 4];
        a.within[p * 3 + 2] += sign * rc[b + 5];
      }
      if (this.cfg.lagged) {
        const lb = p * L_STRIDE;
        const ln = run.lag[lb];
        if (ln > 0) {
          a.lagN[p * 2] += sign * ln;
          a.lagN[p * 2 + 1] += sign;
          const wb = p * LX_STRIDE;
          for (let k = 0; k < LX_STRIDE; k++) a.lagW[wb + k] += sign * run.lag[lb + 5 + k];
          for (let k = 0; k < 4; k++) {
            const m = run.lag[lb + 1 + k];
            a.lagSq[p * 4 + k] += sign * (ln * m * m + run.lag[lb + 5 + DIAG[k]]);
          }
        }
      }
      if (this.cfg.early) {
        const x = run.earlyX[p];
        const y = run.earlyY[p];
        const z = run.earlyZ[p];
        if (x === x && y === y && z === z) welford3(a.early, p * E_STRIDE, x, y, z, sign);
      }
    }
    if (this.clientMoments && this.entryOf) {
      if (sign < 0) {
        const e = this.entryOf.get(client);
        if (e !== undefined) {
          this.clientMoments.data.fill(0, e * P * C_STRIDE, (e + 1) * P * C_STRIDE);
          this.clientEarly?.data.fill(NaN, e * P * EARLY_CLIENT_STRIDE, (e + 1) * P * EARLY_CLIENT_STRIDE);
          this.clientLag?.data.fill(0, e * P * L_STRIDE, (e + 1) * P * L_STRIDE);
        }
      } else {
        this.entryOf.set(client, this.entries++);
        this.entryClient.push(client);
        for (let k = 0; k < P * C_STRIDE; k++) this.clientMoments.push(rc[k]);
        if (this.clientEarly) {
          for (let p = 0; p < P; p++) {
            this.clientEarly.push(run.earlyX[p]);
            this.clientEarly.push(run.earlyY[p]);
            this.clientEarly.push(run.earlyZ[p]);
          }
        }
        if (this.clientLag) for (let k = 0; k < P * L_STRIDE; k++) this.clientLag.push(run.lag[k]);
      }
    }
  }

  /** Statistics of a complete row list (session, values...) of one client. */
  runOf(rows: Float64Array, count: number): RunStats {
    const r = new RunStats(this.P);
    computeRun(this.cfg, rows, count, r);
    return r;
  }

  /** Spearman's rho of the pooled rows of pair p (null unless kept). */
  spearmanRho(p: number): number | string | null {
    if (!this.cfg.keepPooledValues) return null;
    return this.spearman[p].rho();
  }

  /** Bootstrap entries: number of clients stored (removed ones have count 0). */
  get clientEntries(): number {
    return this.entries;
  }
}

/** Chan et al. (1979) pairwise merge (sign 1) or its inverse (sign -1) of bivariate moments. */
function chanMerge(g: Float64Array, b: number, n: number, mx: number, my: number, sxx: number, syy: number, sxy: number, sign: number): void {
  const n0 = g[b];
  if (sign > 0) {
    const nn = n0 + n;
    const dx = mx - g[b + 1];
    const dy = my - g[b + 2];
    const f = (n0 * n) / nn;
    g[b + 3] += sxx + dx * dx * f;
    g[b + 4] += syy + dy * dy * f;
    g[b + 5] += sxy + dx * dy * f;
    g[b + 1] += (dx * n) / nn;
    g[b + 2] += (dy * n) / nn;
    g[b] = nn;
    return;
  }
  const rest = n0 - n;
  if (rest <= 0) {
    g.fill(0, b, b + C_STRIDE);
    return;
  }
  const rx = (n0 * g[b + 1] - n * mx) / rest;
  const ry = (n0 * g[b + 2] - n * my) / rest;
  const dx = mx - rx;
  const dy = my - ry;
  const f = (rest * n) / n0;
  g[b + 3] -= sxx + dx * dx * f;
  g[b + 4] -= syy + dy * dy * f;
  g[b + 5] -= sxy + dx * dy * f;
  g[b + 1] = rx;
  g[b + 2] = ry;
  g[b] = rest;
}

/** Welford add (sign 1) or remove (sign -1) of a 2-D point. */
function welford2(g: Float64Array, b: number, x: number, y: number, sign: number): void {
  const k0 = g[b];
  if (sign > 0) {
    const k = k0 + 1;
    const dx = x - g[b + 1];
    const dy = y - g[b + 2];
    g[b + 1] += dx / k;
    g[b + 2] += dy / k;
    g[b + 3] += dx * (x - g[b + 1]);
    g[b + 4] += dy * (y - g[b + 2]);
    g[b + 5] += dx * (y - g[b + 2]);
    g[b] = k;
    return;
  }
  const k = k0 - 1;
  if (k <= 0) {
    g.fill(0, b, b + C_STRIDE);
    return;
  }
  const mx = (k0 * g[b + 1] - x) / k;
  const my = (k0 * g[b + 2] - y) / k;
  g[b + 3] -= (x - mx) * (x - g[b + 1]);
  g[b + 4] -= (y - my) * (y - g[b + 2]);
  g[b + 5] -= (x - mx) * (y - g[b + 2]);
  g[b + 1] = mx;
  g[b + 2] = my;
  g[b] = k;
}

/** Welford add/remove of a 3-D point (x, y, z): count, means, co-moments xx xy xz yy yz zz. */
function welford3(g: Float64Array, b: number, x: number, y: number, z: number, sign: number): void {
  const k0 = g[b];
  const k = k0 + sign;
  if (k <= 0) {
    g.fill(0, b, b + E_STRIDE);
    return;
  }
  let ox: number;
  let oy: number;
  let oz: number;
  let nx: number;
  let ny: number;
  let nz: number;
  if (sign > 0) {
    ox = g[b + 1];
    oy = g[b + 2];
    oz = g[b + 3];
    nx = ox + (x - ox) / k;
    ny = oy + (y - oy) / k;
    nz = oz + (z - oz) / k;
  } else {
    nx = g[b + 1];
    ny = g[b + 2];
    nz = g[b + 3];
    ox = (k0 * nx - x) / k;
    oy = (k0 * ny - y) / k;
    oz = (k0 * nz - z) / k;
  }
  // C_new = C_old + (p - m_old)(p - m_new)'  (symmetric in exact arithmetic)
  const ax = x - ox;
  const ay = y - oy;
  const az = z - oz;
  const bx = x - nx;
  const by = y - ny;
  const bz = z - nz;
  g[b + 4] += sign * ax * bx;
  g[b + 5] += sign * ax * by;
  g[b + 6] += sign * ax * bz;
  g[b + 7] += sign * ay * by;
  g[b + 8] += sign * ay * bz;
  g[b + 9] += sign * az * bz;
  if (sign > 0) {
    g[b + 1] = nx;
    g[b + 2] = ny;
    g[b + 3] = nz;
  } else {
    g[b + 1] = ox;
    g[b + 2] = oy;
    g[b + 3] = oz;
  }
  g[b] = k;
}

// Scratch (module-level, so reducing a run allocates nothing): row offsets in session order,
// and the offsets of valid consecutive-session pairs.
let orderScratch = new Int32Array(64);
let pairScratch = new Int32Array(64);

/**
 * Reduces one client's rows (flat: session, v_0..v_{M-1} per row, in arrival order) to its
 * statistics. Moments and early values use the rows in arrival order (the first row wins
 * for a repeated session); lagged pairs use the rows sorted by session. Moments are
 * computed in two passes (means, then centred sums): as accurate as Welford, and faster
 * for the few rows of one client.
 */
function computeRun(cfg: AccumulatorConfig, d: Float64Array, rows: number, out: RunStats): void {
  const M = cfg.measures;
  const W = 1 + M;
  const pairs = cfg.pairs;
  const P = pairs.length;
  const end = rows * W;
  out.rows = rows;
  const corr = out.corr;
  for (let p = 0; p < P; p++) {
    const ai = 1 + pairs[p].alliance;
    const oi = 1 + pairs[p].outcome;
    let n = 0;
    let sx = 0;
    let sy = 0;
    for (let o = 0; o < end; o += W) {
      const x = d[o + ai];
      const y = d[o + oi];
      if (x === x && y === y) {
        n++;
        sx += x;
        sy += y;
      }
    }
    const b = p * C_STRIDE;
    let xx = 0;
    let yy = 0;
    let xy = 0;
    const mx = n > 0 ? sx / n : 0;
    const my = n > 0 ? sy / n : 0;
    if (n > 1) {
      for (let o = 0; o < end; o += W) {
        const x = d[o + ai];
        const y = d[o + oi];
        if (x === x && y === y) {
          const dx = x - mx;
          const dy = y - my;
          xx += dx * dx;
          yy += dy * dy;
          xy += dx * dy;
        }
      }
    }
    corr[b] = n;
    corr[b + 1] = mx;
    corr[b + 2] = my;
    corr[b + 3] = xx;
    corr[b + 4] = yy;
    corr[b + 5] = xy;
  }

  if (cfg.lagged) {
    // Session order: arrival order when strictly increasing, else a stable sort without repeats.
    let sorted = true;
    for (let o = W; o < end; o += W) {
      if (!(d[o] > d[o - W])) {
        sorted = false;
        break;
      }
    }
    out.disordered = !sorted;
    if (orderScratch.length < rows) {
      orderScratch = new Int32Array(Math.max(rows, orderScratch.length * 2));
      pairScratch = new Int32Array(orderScratch.length);
    }
    const order = orderScratch;
    let len = rows;
    if (sorted) {
      for (let r = 0; r < rows; r++) order[r] = r * W;
    } else {
      const idx = Array.from({ length: rows }, (_, r) => r);
      idx.sort((a, b) => d[a * W] - d[b * W] || a - b);
      len = 0;
      for (const r of idx) {
        if (len > 0 && d[order[len - 1]] === d[r * W]) continue;
        order[len++] = r * W;
      }
    }
    const lag = out.lag;
    const valid = pairScratch;
    for (let p = 0; p < P; p++) {
      const ai = 1 + pairs[p].alliance;
      const oi = 1 + pairs[p].outcome;
      const b = p * L_STRIDE;
      let n = 0;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let j = 1; j < len; j++) {
        const o0 = order[j - 1];
        const o1 = order[j];
        if (d[o1] !== d[o0] + 1) continue;
        const v0 = d[o0 + ai];
        const v1 = d[o0 + oi];
        const v2 = d[o1 + ai];
        const v3 = d[o1 + oi];
        if (v0 !== v0 || v1 !== v1 || v2 !== v2 || v3 !== v3) continue;
        valid[n++] = j;
        s0 += v0;
        s1 += v1;
        s2 += v2;
        s3 += v3;
      }
      const m0 = n > 0 ? s0 / n : 0;
      const m1 = n > 0 ? s1 / n : 0;
      const m2 = n > 0 ? s2 / n : 0;
      const m3 = n > 0 ? s3 / n : 0;
      let c00 = 0;
      let c01 = 0;
      let c02 = 0;
      let c03 = 0;
      let c11 = 0;
      let c12 = 0;
      let c13 = 0;
      let c22 = 0;
      let c23 = 0;
      let c33 = 0;
      for (let i = 0; i < n && n > 1; i++) {
        const j = valid[i];
        const o0 = order[j - 1];
        const o1 = order[j];
        const f0 = d[o0 + ai] - m0;
        const f1 = d[o0 + oi] - m1;
        const f2 = d[o1 + ai] - m2;
        const f3 = d[o1 + oi] - m3;
        c00 += f0 * f0;
        c01 += f0 * f1;
        c02 += f0 * f2;
        c03 += f0 * f3;
        c11 += f1 * f1;
        c12 += f1 * f2;
        c13 += f1 * f3;
        c22 += f2 * f2;
        c23 += f2 * f3;
        c33 += f3 * f3;
      }
      lag[b] = n;
      lag[b + 1] = m0;
      lag[b + 2] = m1;
      lag[b + 3] = m2;
      lag[b + 4] = m3;
      lag[b + 5] = c00;
      lag[b + 6] = c01;
      lag[b + 7] = c02;
      lag[b + 8] = c03;
      lag[b + 9] = c11;
      lag[b + 10] = c12;
      lag[b + 11] = c13;
      lag[b + 12] = c22;
      lag[b + 13] = c23;
      lag[b + 14] = c33;
    }
  } else {
    out.disordered = false;
  }

  if (cfg.early) {
    const k = cfg.early.k;
    const window = cfg.early.mode === 'window';
    for (let p = 0; p < P; p++) {
      const ai = 1 + pairs[p].alliance;
      const oi = 1 + pairs[p].outcome;
      let x = NaN;
      let sum = 0;
      let cnt = 0;
      let minS = Infinity;
      let minV = NaN;
      let maxS = -Infinity;
      let maxV = NaN;
      for (let o = 0; o < end; o += W) {
        const s = d[o];
        const a = d[o + ai];
        if (a === a) {
          if (window) {
            if (s <= k) {
              sum += a;
              cnt++;
            }
          } else if (s === k && x !== x) x = a;
        }
        const v = d[o + oi];
        if (v === v) {
          if (s < minS) {
            minS = s;
            minV = v;
          }
          if (s > maxS) {
            maxS = s;
            maxV = v;
          }
        }
      }
      if (window) x = cnt > 0 ? sum / cnt : NaN;
      const ok = maxS > k && maxS > minS;
      out.earlyX[p] = x;
      out.earlyY[p] = ok ? maxV : NaN;
      out.earlyZ[p] = ok ? minV : NaN;
    }
  }
}

/** Per scattered client in the repair scan: its rows in arrival order and the length of its first run. */
interface ScatterState {
  client: number;
  rows: GrowableF64;
  count: number;
  firstLen: number;
  firstEnded: boolean;
}

/**
 * Second-scan repair for scattered clients of one accumulator: identifies their first run
 * exactly as the first pass did (same row order, same run boundaries), removes it and merges
 * all their rows. Clients are keyed by id text, so the repair does not depend on the
 * dataset assigning the same indices in both scans.
 */
export class ScatterRepair {
  private readonly states = new Map<string, ScatterState>();
  private last: string | null = null;
  constructor(
    private readonly acc: Accumulator,
    /** Client id text -> client index of the first scan, for the scattered clients. */
    scattered: Map<string, number>,
  ) {
    for (const [id, c] of scattered) {
      this.states.set(id, { client: c, rows: new GrowableF64(64), count: 0, firstLen: 0, firstEnded: false });
    }
  }

  add(id: string, session: number, values: Float64Array): void {
    if (id !== this.last) {
      if (this.last !== null) {
        const prev = this.states.get(this.last);
        if (prev) prev.firstEnded = true;
      }
      this.last = id;
    }
    const st = this.states.get(id);
    if (!st) return;
    const M = this.acc.M;
    st.rows.push(session);
    for (let m = 0; m < M; m++) st.rows.push(values[m]);
    st.count++;
    if (!st.firstEnded) st.firstLen++;
  }

  finish(): void {
    const list = [...this.states.values()].sort((a, b) => a.client - b.client);
    for (const st of list) {
      if (st.firstLen === 0) continue;
      const first = this.acc.runOf(st.rows.data, st.firstLen);
      this.acc.merge(first, -1, st.client);
      const all = this.acc.runOf(st.rows.data, st.count);
      this.acc.disorderedCount += (all.disordered ? 1 : 0) - (first.disordered ? 1 : 0);
      this.acc.merge(all, 1, st.client);
    }
  }
}

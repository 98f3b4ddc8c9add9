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
import { C_STRIDE, E_STRIDE, EARLY_CLIENT_STRIDE, L_STRIDE, LAG_DIAG, LX_STRIDE, type AccumulatorConfig } from './layout.js';
import { chanMerge, welford2, welford3 } from './moments.js';
import { computeRun, RunStats } from './run.js';
import { SpearmanAccumulator } from './spearman.js';

export { GrowableF64 };
export * from './layout.js';

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

/**
 * The run statistics `flush` reduces a run into and merges at once: scratch shared by every
 * accumulator with the same number of pairs (flush is synchronous), not one per --by group.
 */
const scratchRuns = new Map<number, RunStats>();
function scratchRun(P: number): RunStats {
  let r = scratchRuns.get(P);
  if (!r) scratchRuns.set(P, (r = new RunStats(P)));
  return r;
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
    // Views of one buffer: one backing store per group instead of nine (each costs a few
    // hundred bytes outside the JavaScript heap; README "Performance", bytes per group).
    const all = new Float64Array(P * (2 * C_STRIDE + 2 + 2 + 3 + 2 + LX_STRIDE + 4 + E_STRIDE));
    let at = 0;
    const take = (n: number): Float64Array => all.subarray(at, (at += n));
    this.pooled = take(P * C_STRIDE);
    this.pooledSq = take(P * 2);
    this.between = take(P * C_STRIDE);
    this.betweenSq = take(P * 2);
    this.within = take(P * 3);
    this.lagN = take(P * 2);
    this.lagW = take(P * LX_STRIDE);
    this.lagSq = take(P * 4);
    this.early = take(P * E_STRIDE);
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
    // a client's run; grows with the longest run (a small start: one per --by group)
    this.buf = new GrowableF64(8 * (1 + this.M));
    this.run = scratchRun(this.P);
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

  /**
   * Adds one client's complete run, reduced elsewhere (a worker, ./range.ts) by computeRun
   * from the rows `add` would have buffered: the same as adding those rows one by one and
   * the next client's first row. Spearman's values are added by the caller (./range.ts).
   */
  addRun(client: number, rows: number, run: RunStats): void {
    this.flush();
    this.rows += rows;
    if (this.seen.has(client)) {
      if (!this.scattered.has(client)) {
        this.scattered.add(client);
        this.scatteredCount++;
      }
      return;
    }
    this.seen.add(client);
    if (run.disordered) this.disorderedCount++;
    this.merge(run, 1, client);
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
            a.lagSq[p * 4 + k] += sign * (ln * m * m + run.lag[lb + 5 + LAG_DIAG[k]]);
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

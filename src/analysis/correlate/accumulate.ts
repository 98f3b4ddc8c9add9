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
import { computeRun, RunStats, runFloats } from './run.js';
import { SeenSet, type ClientSet } from './seen.js';
import { SpearmanAccumulator } from './spearman.js';

export { GrowableF64 };
export * from './layout.js';

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
  /** A run's statistics (RunStats.flat) held until the accumulator's run ends (Accumulator.addBlock). */
  readonly held: Float64Array;
  constructor(P: number) {
    // Views of one buffer: one backing store per group instead of nine (each costs a few
    // hundred bytes outside the JavaScript heap; README "Performance", bytes per group).
    const all = new Float64Array(P * (2 * C_STRIDE + 2 + 2 + 3 + 2 + LX_STRIDE + 4 + E_STRIDE) + runFloats(P));
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
    this.held = take(runFloats(P));
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
  readonly seen: ClientSet;
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
  private buf: GrowableF64;
  private bufRows = 0;
  private readonly run: RunStats;
  /** The current run's row count when agg.held holds its statistics (addBlock), else -1. */
  private heldRows = -1;
  private heldDisordered = false;

  /** `seen`: the clients merged (a --by group's: ./seen.ts, GroupCells). */
  constructor(cfg: AccumulatorConfig, seen: ClientSet = new SeenSet()) {
    this.cfg = cfg;
    this.P = cfg.pairs.length;
    this.M = cfg.measures;
    this.agg = new Aggregates(this.P);
    this.seen = seen;
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
    if (client !== this.cur) this.begin(client);
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
   * Starts the run of a client other than the current one: flushes, then skips it if its
   * rows were merged before (`unseen`: the caller knows they were not).
   */
  private begin(client: number, unseen = false): void {
    this.flush();
    this.cur = client;
    this.skipping = !this.admit(client, unseen);
  }

  /** Marks a client merged (true), or scattered when it was merged before (false). */
  private admit(client: number, unseen = false): boolean {
    if (!unseen && this.seen.has(client)) {
      if (!this.scattered.has(client)) {
        this.scattered.add(client);
        this.scatteredCount++;
      }
      return false;
    }
    this.seen.add(client);
    return true;
  }

  /**
   * Spearman's pooled values of `count` rows (flat: session, v_0..v_{M-1} per row), in row
   * order: what `add` adds of each row.
   */
  addPooledValues(rows: Float64Array, count: number): void {
    if (!this.cfg.keepPooledValues) return;
    const W = 1 + this.M;
    const pairs = this.cfg.pairs;
    for (let o = 0, end = count * W; o < end; o += W) {
      for (let p = 0; p < this.P; p++) {
        const x = rows[o + 1 + pairs[p].alliance];
        const y = rows[o + 1 + pairs[p].outcome];
        if (x === x && y === y) this.spearman[p].add(x, y);
      }
    }
  }

  /**
   * Adds the `count` rows of one client in `block` (flat: session, v_0..v_{M-1} per row):
   * the same as `add` for each. Returns the buffer the caller is to fill next: `block`, or
   * this accumulator's own empty buffer when the rows begin its run (it keeps `block`: no
   * copy). `reduced`, when given, is computeRun of exactly these rows by an accumulator
   * that had not seen the client before (./grouped.ts: the overall accumulator, which sees
   * every row this one sees), so neither has this one: if the rows begin this accumulator's
   * run, their statistics are held and merged when the run ends, unless more rows join it
   * first (a client whose rows come back before another client's), which are then reduced
   * from the buffered rows as `add` would have them. So the result is `add`'s bit for bit.
   */
  addBlock(client: number, block: GrowableF64, count: number, reduced: RunStats | null): GrowableF64 {
    const rows = block.data;
    this.rows += count;
    this.addPooledValues(rows, count);
    if (client !== this.cur) this.begin(client, reduced !== null);
    if (this.skipping) return block;
    const n = count * (1 + this.M);
    if (this.bufRows === 0) {
      const own = this.buf;
      this.buf = block;
      block.length = n;
      this.bufRows = count;
      if (reduced) {
        this.agg.held.set(reduced.flat);
        this.heldDisordered = reduced.disordered;
        this.heldRows = count;
      }
      return own;
    }
    const buf = this.buf;
    buf.ensure(n);
    const d = buf.data;
    const o = buf.length;
    for (let k = 0; k < n; k++) d[o + k] = rows[k];
    buf.length = o + n;
    this.bufRows += count;
    return block;
  }

  /**
   * Adds one client's complete run, reduced elsewhere (a worker, ./range.ts) by computeRun
   * from the rows `add` would have buffered: the same as adding those rows one by one and
   * the next client's first row. Spearman's values are added by the caller (./range.ts).
   */
  addRun(client: number, rows: number, run: RunStats): void {
    this.flush();
    this.rows += rows;
    if (!this.admit(client)) return;
    if (run.disordered) this.disorderedCount++;
    this.merge(run, 1, client);
  }

  /**
   * Adds one client's complete run of `count` rows (flat, as `addBlock`) and reduces it into
   * `out`, as `add` for each row and the next client's first row would: returns `out`, or
   * null when the client's rows were merged before (skipped: scattered, not reduced).
   */
  addRows(client: number, rows: Float64Array, count: number, out: RunStats): RunStats | null {
    this.flush();
    this.rows += count;
    this.addPooledValues(rows, count);
    if (!this.admit(client)) return null;
    computeRun(this.cfg, rows, count, out);
    if (out.disordered) this.disorderedCount++;
    this.merge(out, 1, client);
    return out;
  }

  /** Merges the current run; call once after the last row. */
  flush(): void {
    if (this.cur >= 0 && !this.skipping && this.bufRows > 0) {
      const run = this.run;
      if (this.heldRows === this.bufRows) {
        run.flat.set(this.agg.held);
        run.disordered = this.heldDisordered;
        run.rows = this.bufRows;
      } else {
        computeRun(this.cfg, this.buf.data, this.bufRows, run);
      }
      if (run.disordered) this.disorderedCount++;
      this.merge(run, 1, this.cur);
    }
    this.heldRows = -1;
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

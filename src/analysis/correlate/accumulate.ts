/**
 * Streaming sufficient statistics for the correlation report.
 *
 * One pass over the rows keeps, per unit (a client, or a client inside one --by group),
 * only a few numbers in typed arrays indexed by the dense unit index (grown by doubling):
 *
 * - per alliance x outcome pair: the paired-row count, means and centred co-moments
 *   (Welford/Chan updates). Pooled r merges the per-unit moments, between r correlates
 *   the per-unit means, within r (rmcorr) sums the per-unit co-moments. Nothing per row is
 *   retained, and the bootstrap resamples units from these statistics.
 * - early: alliance at session k (or sum and count over sessions 1..k) per alliance
 *   measure; earliest and latest session with an outcome and their values per outcome.
 * - lagged: the previous row's session and values (per unit), and per pair the number of
 *   consecutive-session pairs (s, s+1) with all four values, their sums (shifted by the
 *   unit's first value of each measure, for numerical stability) and global shifted
 *   cross-products. The within-unit (fixed-effects) cross-product matrix is then
 *   sum(d d') - sum_u S_u S_u' / n_u.
 *
 * Rows normally arrive in session order within a client. A unit whose rows do not (a
 * session number not above the previous one) is flagged; `LagRepair` re-reads only those
 * units' rows in a second scan, removes the pairs the first pass counted from them and
 * adds the pairs of their session-sorted rows instead.
 */

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
  /** Measure indices with role alliance / outcome (early analysis). */
  allianceMeasures: number[];
  outcomeMeasures: number[];
  early: EarlySpec | null;
  lagged: boolean;
  /** Keep the paired values of the pooled rows (Spearman needs ranks over all rows). */
  keepPooledValues: boolean;
}

/** Co-moment slots per unit and pair. */
export const C_N = 0;
export const C_MX = 1;
export const C_MY = 2;
export const C_XX = 3;
export const C_YY = 4;
export const C_XY = 5;
export const C_STRIDE = 6;

/** Lag slots per unit and pair: count, then sums of shifted a(s), o(s), a(s+1), o(s+1). */
export const L_STRIDE = 5;
/** Upper triangle of the 4 x 4 cross-product matrix, row-major: 00 01 02 03 11 12 13 22 23 33. */
export const LX_STRIDE = 10;
export function lxIndex(i: number, j: number): number {
  if (i > j) [i, j] = [j, i];
  // offsets of row starts: 0, 4, 7, 9
  const start = i === 0 ? 0 : i === 1 ? 4 : i === 2 ? 7 : 9;
  return start + (j - i);
}

/** Early slots: per alliance measure [value or sum, seen flag or count]; per outcome [minS, minV, maxS, maxV]. */
export const EA_STRIDE = 2;
export const EO_STRIDE = 4;

class GrowableF64 {
  data: Float64Array;
  length = 0;
  constructor(cap = 1024) {
    this.data = new Float64Array(cap);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

/** Sufficient statistics for one set of units (all clients, or the clients of one group). */
export class UnitStats {
  readonly cfg: AccumulatorConfig;
  readonly P: number;
  readonly M: number;
  cap: number;
  /** Number of unit slots in use (max unit index + 1). */
  units = 0;
  /** Rows seen (any values). */
  rows = 0;
  /** Global client index of each unit (for messages). */
  unitClient: Int32Array;
  corr: Float64Array;
  prevSession: Float64Array;
  prevVals: Float64Array;
  shift: Float64Array;
  lag: Float64Array;
  readonly lagCross: Float64Array;
  disordered: Uint8Array;
  disorderedCount = 0;
  earlyA: Float64Array;
  earlyO: Float64Array;
  readonly pooledX: GrowableF64[];
  readonly pooledY: GrowableF64[];

  constructor(cfg: AccumulatorConfig, initialCap = 1024) {
    this.cfg = cfg;
    this.P = cfg.pairs.length;
    this.M = cfg.measures;
    this.cap = 0;
    this.unitClient = new Int32Array(0);
    this.corr = new Float64Array(0);
    this.prevSession = new Float64Array(0);
    this.prevVals = new Float64Array(0);
    this.shift = new Float64Array(0);
    this.lag = new Float64Array(0);
    this.disordered = new Uint8Array(0);
    this.earlyA = new Float64Array(0);
    this.earlyO = new Float64Array(0);
    this.lagCross = new Float64Array(this.P * LX_STRIDE);
    this.pooledX = cfg.keepPooledValues ? cfg.pairs.map(() => new GrowableF64()) : [];
    this.pooledY = cfg.keepPooledValues ? cfg.pairs.map(() => new GrowableF64()) : [];
    this.grow(initialCap);
  }

  private grow(minCap: number): void {
    let cap = Math.max(this.cap, 16);
    while (cap < minCap) cap *= 2;
    if (cap === this.cap) return;
    const old = this.cap;
    const P = this.P;
    const M = this.M;
    const g = <T extends Float64Array | Int32Array | Uint8Array>(a: T, per: number, fill?: number): T => {
      const next = new (a.constructor as { new (n: number): T })(cap * per);
      next.set(a);
      if (fill !== undefined) next.fill(fill, old * per);
      return next;
    };
    this.unitClient = g(this.unitClient, 1, -1);
    this.corr = g(this.corr, P * C_STRIDE);
    if (this.cfg.lagged) {
      this.prevSession = g(this.prevSession, 1, NaN);
      this.prevVals = g(this.prevVals, M);
      this.shift = g(this.shift, M, NaN);
      this.lag = g(this.lag, P * L_STRIDE);
      this.disordered = g(this.disordered, 1);
    }
    if (this.cfg.early) {
      this.earlyA = g(this.earlyA, this.cfg.allianceMeasures.length * EA_STRIDE);
      const eo = g(this.earlyO, this.cfg.outcomeMeasures.length * EO_STRIDE);
      for (let u = old; u < cap; u++) {
        for (let j = 0; j < this.cfg.outcomeMeasures.length; j++) {
          const b = (u * this.cfg.outcomeMeasures.length + j) * EO_STRIDE;
          eo[b] = Infinity;
          eo[b + 1] = NaN;
          eo[b + 2] = -Infinity;
          eo[b + 3] = NaN;
        }
      }
      this.earlyO = eo;
    }
    this.cap = cap;
  }

  /** Adds one row of unit `u` (values: one per measure, NaN = missing). */
  add(u: number, client: number, session: number, values: Float64Array): void {
    if (u >= this.cap) this.grow(u + 1);
    if (u >= this.units) this.units = u + 1;
    this.unitClient[u] = client;
    this.rows++;
    const P = this.P;
    const pairs = this.cfg.pairs;
    const corr = this.corr;
    const keep = this.cfg.keepPooledValues;
    for (let p = 0; p < P; p++) {
      const pr = pairs[p];
      const x = values[pr.alliance];
      const y = values[pr.outcome];
      if (x !== x || y !== y) continue;
      const b = (u * P + p) * C_STRIDE;
      const n1 = corr[b] + 1;
      const dx = x - corr[b + 1];
      const dy = y - corr[b + 2];
      const mx = corr[b + 1] + dx / n1;
      const my = corr[b + 2] + dy / n1;
      corr[b] = n1;
      corr[b + 1] = mx;
      corr[b + 2] = my;
      corr[b + 3] += dx * (x - mx);
      corr[b + 4] += dy * (y - my);
      corr[b + 5] += dx * (y - my);
      if (keep) {
        this.pooledX[p].push(x);
        this.pooledY[p].push(y);
      }
    }
    if (this.cfg.lagged) this.addLag(u, session, values);
    if (this.cfg.early) this.addEarly(u, session, values);
  }

  private addLag(u: number, session: number, values: Float64Array): void {
    const M = this.M;
    const ps = this.prevSession[u];
    if (session <= ps && this.disordered[u] === 0) {
      this.disordered[u] = 1;
      this.disorderedCount++;
    }
    const mb = u * M;
    for (let m = 0; m < M; m++) {
      const v = values[m];
      if (v === v && this.shift[mb + m] !== this.shift[mb + m]) this.shift[mb + m] = v;
    }
    if (session === ps + 1) {
      const pairs = this.cfg.pairs;
      for (let p = 0; p < this.P; p++) {
        const pr = pairs[p];
        this.lagAdd(u, p, this.prevVals[mb + pr.alliance], this.prevVals[mb + pr.outcome], values[pr.alliance], values[pr.outcome], 1);
      }
    }
    this.prevSession[u] = session;
    for (let m = 0; m < M; m++) this.prevVals[mb + m] = values[m];
  }

  /** Adds (sign 1) or removes (sign -1) one consecutive-session pair, when all four values are present. */
  lagAdd(u: number, p: number, a0: number, o0: number, a1: number, o1: number, sign: number): void {
    if (a0 !== a0 || o0 !== o0 || a1 !== a1 || o1 !== o1) return;
    const pr = this.cfg.pairs[p];
    const ka = this.shift[u * this.M + pr.alliance];
    const ko = this.shift[u * this.M + pr.outcome];
    const d0 = a0 - ka;
    const d1 = o0 - ko;
    const d2 = a1 - ka;
    const d3 = o1 - ko;
    const b = (u * this.P + p) * L_STRIDE;
    const lag = this.lag;
    lag[b] += sign;
    lag[b + 1] += sign * d0;
    lag[b + 2] += sign * d1;
    lag[b + 3] += sign * d2;
    lag[b + 4] += sign * d3;
    const x = this.lagCross;
    const c = p * LX_STRIDE;
    x[c] += sign * d0 * d0;
    x[c + 1] += sign * d0 * d1;
    x[c + 2] += sign * d0 * d2;
    x[c + 3] += sign * d0 * d3;
    x[c + 4] += sign * d1 * d1;
    x[c + 5] += sign * d1 * d2;
    x[c + 6] += sign * d1 * d3;
    x[c + 7] += sign * d2 * d2;
    x[c + 8] += sign * d2 * d3;
    x[c + 9] += sign * d3 * d3;
  }

  private addEarly(u: number, session: number, values: Float64Array): void {
    const early = this.cfg.early!;
    const am = this.cfg.allianceMeasures;
    const ea = this.earlyA;
    if (early.mode === 'session') {
      if (session === early.k) {
        for (let j = 0; j < am.length; j++) {
          const v = values[am[j]];
          const b = (u * am.length + j) * EA_STRIDE;
          if (v === v && ea[b + 1] === 0) {
            ea[b] = v;
            ea[b + 1] = 1;
          }
        }
      }
    } else if (session <= early.k) {
      for (let j = 0; j < am.length; j++) {
        const v = values[am[j]];
        if (v !== v) continue;
        const b = (u * am.length + j) * EA_STRIDE;
        ea[b] += v;
        ea[b + 1] += 1;
      }
    }
    const om = this.cfg.outcomeMeasures;
    const eo = this.earlyO;
    for (let j = 0; j < om.length; j++) {
      const v = values[om[j]];
      if (v !== v) continue;
      const b = (u * om.length + j) * EO_STRIDE;
      if (session < eo[b]) {
        eo[b] = session;
        eo[b + 1] = v;
      }
      if (session > eo[b + 2]) {
        eo[b + 2] = session;
        eo[b + 3] = v;
      }
    }
  }

  pooledValues(p: number): { x: Float64Array; y: Float64Array } | null {
    if (!this.cfg.keepPooledValues) return null;
    return { x: this.pooledX[p].view(), y: this.pooledY[p].view() };
  }
}

/** One buffered row of a disordered unit (second scan only). */
interface BufferedRow {
  session: number;
  values: Float64Array;
}

/**
 * Second-scan repair of the lagged statistics for units whose rows were not in session
 * order: collect their rows, undo the pairs the first pass counted (consecutive in arrival
 * order), and add the pairs of the rows sorted by session (the first row in file order
 * wins for a repeated session number).
 */
export class LagRepair {
  private readonly rows = new Map<number, BufferedRow[]>();
  constructor(private readonly stats: UnitStats) {}

  wants(u: number): boolean {
    return u < this.stats.units && this.stats.disordered[u] === 1;
  }

  add(u: number, session: number, values: Float64Array): void {
    let list = this.rows.get(u);
    if (!list) {
      list = [];
      this.rows.set(u, list);
    }
    list.push({ session, values: Float64Array.from(values) });
  }

  finish(): void {
    const s = this.stats;
    const pairs = s.cfg.pairs;
    const units = [...this.rows.keys()].sort((a, b) => a - b);
    for (const u of units) {
      const list = this.rows.get(u)!;
      for (let i = 1; i < list.length; i++) {
        if (list[i].session !== list[i - 1].session + 1) continue;
        for (let p = 0; p < pairs.length; p++) {
          const pr = pairs[p];
          s.lagAdd(u, p, list[i - 1].values[pr.alliance], list[i - 1].values[pr.outcome], list[i].values[pr.alliance], list[i].values[pr.outcome], -1);
        }
      }
      const sorted = list.map((r, i) => ({ r, i })).sort((a, b) => a.r.session - b.r.session || a.i - b.i);
      const unique: BufferedRow[] = [];
      for (const { r } of sorted) {
        if (unique.length > 0 && unique[unique.length - 1].session === r.session) continue;
        unique.push(r);
      }
      for (let i = 1; i < unique.length; i++) {
        if (unique[i].session !== unique[i - 1].session + 1) continue;
        for (let p = 0; p < pairs.length; p++) {
          const pr = pairs[p];
          s.lagAdd(u, p, unique[i - 1].values[pr.alliance], unique[i - 1].values[pr.outcome], unique[i].values[pr.alliance], unique[i].values[pr.outcome], 1);
        }
      }
    }
  }
}

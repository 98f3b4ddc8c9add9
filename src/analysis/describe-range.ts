/**
 * describe's range reduction (issue 15: both cores; ../dataset/range-runs.ts). In the read's
 * worker threads each clean client run is reduced to what describe keeps of it: its row
 * count, its first and last date, and per measure the session and value of its intake (the
 * first row with the lowest session number) and its values in row order. The main thread
 * (./describe.ts) takes the run in its place: the client's sessions and intake are per-client
 * state, and the values go through the same moment accumulation (RunningMoments) in the
 * same order as on one thread (the double-double sums are rounded at every step, so
 * partial sums would not merge bit for bit: the values travel, and the main thread adds a
 * run's values as one block, RunningMoments.addAll, the same operations as one add per
 * value; the lowest and highest value of the run are found in the worker). The scan, the
 * parsing and the client changes are what the workers take off the main thread. So the
 * result is the one-thread result bit for bit.
 *
 * This module is what the workers import (`startPiece`): keep its imports light.
 */
import type { GrowableF64 } from '../dataset/intern.js';
import { pieceReducer, type RunLayout, type RunReducer } from '../dataset/range-runs.js';
import type { RowReduction } from '../dataset/types.js';
import { compiledUrl } from '../io/parallel/reduce.js';

class DescribeRunReducer implements RunReducer {
  private readonly W: number;
  private readonly off: number;
  constructor(
    private readonly M: number,
    private readonly dated: boolean,
  ) {
    this.off = dated ? 2 : 1;
    this.W = this.off + M;
  }

  /** Writes: first and last date (Infinity, -Infinity: none), then per measure n, intake session, intake value, lowest and highest value, the n values. */
  reduce(rows: Float64Array, count: number, out: GrowableF64): void {
    const { M, W, off } = this;
    out.ensure(2 + 5 * M + count * M);
    const d = out.data;
    let o = out.length;
    let lo = Infinity;
    let hi = -Infinity;
    if (this.dated) {
      for (let r = 0; r < count; r++) {
        const t = rows[r * W + 1];
        if (t < lo) lo = t;
        if (t > hi) hi = t;
      }
    }
    d[o++] = lo;
    d[o++] = hi;
    for (let j = 0; j < M; j++) {
      const head = o;
      o += 5;
      let bestS = Infinity;
      let bestV = NaN;
      let lo = Infinity;
      let hi = -Infinity;
      for (let r = 0; r < count; r++) {
        const v = rows[r * W + off + j];
        if (v !== v) continue;
        d[o++] = v;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
        const s = rows[r * W];
        if (s < bestS) {
          bestS = s;
          bestV = v;
        }
      }
      d[head] = o - head - 5;
      d[head + 1] = bestS;
      d[head + 2] = bestV;
      d[head + 3] = lo;
      d[head + 4] = hi;
    }
    out.length = o;
  }
}

export const startPiece = pieceReducer((command: unknown, layout: RunLayout) => new DescribeRunReducer((command as { M: number }).M, layout.date >= 0));

/** What describe keeps per row and per client (./describe.ts). */
export interface DescribeSink {
  /** A client's run of `rows` rows: its sessions count. */
  client(c: number, rows: number): void;
  date(lo: number, hi: number): void;
  /** A measure's value, in row order. */
  value(j: number, v: number): void;
  /** A run's values of measure j, f[from..to) in row order (as value() for each), with their lowest and highest. */
  values(j: number, f: Float64Array, from: number, to: number, lo: number, hi: number): void;
  /** A client's intake candidate for measure j (its lowest session with a value, and the value). */
  intake(j: number, c: number, session: number, v: number): void;
}

/** The scan option that has the workers reduce describe's client runs into `sink` (ScanOptions.reduce). */
export function describeReduction(M: number, sink: DescribeSink): RowReduction {
  return {
    module: compiledUrl(import.meta.url, './describe-range.js'),
    start: startPiece,
    command: { M },
    onRun(c, rows, f, at) {
      sink.client(c, rows);
      let o = at;
      sink.date(f[o], f[o + 1]);
      o += 2;
      for (let j = 0; j < M; j++) {
        const n = f[o];
        const s = f[o + 1];
        const v = f[o + 2];
        const lo = f[o + 3];
        const hi = f[o + 4];
        o += 5;
        if (n > 0) {
          sink.values(j, f, o, o + n, lo, hi);
          sink.intake(j, c, s, v);
        }
        o += n;
      }
    },
  };
}

/**
 * trend's range reduction (issue 15: both cores; ../../dataset/range-runs.ts): in the read's
 * worker threads each clean client run is reduced to the four numbers per row trend keeps
 * of it (session, date, alliance, outcome; NaN where absent), in row order, and the main
 * thread hands them to the scan's RunCollector (./runs.ts) in the run's place among the
 * rows, exactly as if the rows had come one by one. So the workers take the scan, the
 * parsing and the client changes off the main thread, and the result is the one-thread
 * result bit for bit (test/io/parallel-reduce.test.ts). Used when no --by is asked (a
 * group's levels come with the rows, not the runs), like correlate's.
 *
 * This module is what the workers import (`startPiece`): keep its imports light.
 */
import type { GrowableF64 } from '../../dataset/intern.js';
import { pieceReducer, type RunLayout, type RunReducer } from '../../dataset/range-runs.js';
import type { RowReduction } from '../../dataset/types.js';
import { compiledUrl } from '../../io/parallel/reduce.js';
import type { RunCollector } from './runs.js';

/** Which measures trend reads (-1: none). */
export interface TrendRunConfig {
  alliance: number;
  outcome: number;
}

/** Numbers per row in a reduced run: session, date, alliance, outcome. */
const STRIDE = 4;

class TrendRunReducer implements RunReducer {
  private readonly W: number;
  private readonly dated: boolean;
  constructor(
    private readonly cfg: TrendRunConfig,
    layout: RunLayout,
  ) {
    this.dated = layout.date >= 0;
    this.W = (this.dated ? 2 : 1) + layout.M;
  }

  reduce(rows: Float64Array, count: number, out: GrowableF64): void {
    const { W, dated } = this;
    const a = this.cfg.alliance;
    const y = this.cfg.outcome;
    const off = dated ? 2 : 1;
    out.ensure(STRIDE * count);
    const d = out.data;
    let o = out.length;
    for (let r = 0; r < count; r++) {
      const at = r * W;
      d[o++] = rows[at];
      d[o++] = dated ? rows[at + 1] : NaN;
      d[o++] = a >= 0 ? rows[at + off + a] : NaN;
      d[o++] = y >= 0 ? rows[at + off + y] : NaN;
    }
    out.length = o;
  }
}

export const startPiece = pieceReducer((command: unknown, layout: RunLayout) => new TrendRunReducer(command as TrendRunConfig, layout));

/**
 * The scan option that has the workers reduce the client runs for `runs` (ScanOptions.reduce);
 * `keepDate`: whether the rows' dates are kept (else NaN, as the row path passes them).
 */
export function trendReduction(runs: RunCollector, cfg: TrendRunConfig, keepDate: boolean): RowReduction {
  return {
    module: compiledUrl(import.meta.url, './range.js'),
    // No `start`: the main thread does not reduce trend's pieces itself, and so (csv.ts)
    // trend is read on several threads only when --threads N asks: at 10M rows two threads
    // took its peak RSS from 231 MB to 302-308 MB (over issue 15's 300 MB), slower and with
    // 30 % more CPU (README Performance).
    command: cfg,
    onRun(client, count, floats, at) {
      for (let r = 0, o = at; r < count; r++, o += STRIDE) runs.add(client, floats[o], keepDate ? floats[o + 1] : NaN, floats[o + 2], floats[o + 3], -1);
    },
  };
}

/**
 * correlate's range reduction (issue 15: both cores; ../../dataset/range-runs.ts): in the
 * read's worker threads each clean client run is reduced by computeRun, the function the
 * one-thread accumulator calls on the same rows, and the main thread merges the RunStats in
 * the runs' order through Accumulator.addRun (the merge code of the one-thread path). So the
 * report is the one-thread report bit for bit: the same per-run inputs merged in the same
 * order. Used for the overall results when no --by and no Spearman (--method) is asked
 * (a --by group's runs and Spearman's pooled values are per row: those scans stay on the
 * main thread); scattered clients are found by the same `seen` check and repaired by the
 * same second scan; --bootstrap keeps the same per-client moments.
 *
 * This module is what the workers import (`startPiece`): keep its imports light.
 */
import { pieceReducer, type RunLayout, type RunReducer } from '../../dataset/range-runs.js';
import type { GrowableF64 } from '../../dataset/intern.js';
import type { RowReduction } from '../../dataset/types.js';
import { compiledUrl } from '../../io/parallel/reduce.js';
import { C_STRIDE, L_STRIDE, type AccumulatorConfig } from './layout.js';
import { computeRun, RunStats } from './run.js';
import type { Accumulator } from './accumulate.js';

/** Floats per run: disordered, then the moments, the lag block (lagged) and early x, y, z (early). */
function width(cfg: AccumulatorConfig): number {
  const P = cfg.pairs.length;
  return 1 + P * C_STRIDE + (cfg.lagged ? P * L_STRIDE : 0) + (cfg.early ? 3 * P : 0);
}

class CorrelateRunReducer implements RunReducer {
  private readonly run: RunStats;
  constructor(private readonly cfg: AccumulatorConfig) {
    this.run = new RunStats(cfg.pairs.length);
  }
  reduce(rows: Float64Array, count: number, out: GrowableF64): void {
    const { cfg, run } = this;
    computeRun(cfg, rows, count, run);
    out.ensure(width(cfg));
    const d = out.data;
    let o = out.length;
    d[o++] = run.disordered ? 1 : 0;
    d.set(run.corr, o);
    o += run.corr.length;
    if (cfg.lagged) {
      d.set(run.lag, o);
      o += run.lag.length;
    }
    if (cfg.early) {
      for (const v of [run.earlyX, run.earlyY, run.earlyZ]) {
        d.set(v, o);
        o += v.length;
      }
    }
    out.length = o;
  }
}

export const startPiece = pieceReducer((command: unknown, layout: RunLayout) => {
  if (layout.date >= 0) throw new Error('correlate reduces rows without dates');
  return new CorrelateRunReducer(command as AccumulatorConfig);
});

/** The scan option that has the workers reduce `acc`'s client runs (ScanOptions.reduce). */
export function correlateReduction(acc: Accumulator): RowReduction {
  const cfg = acc.cfg;
  const run = new RunStats(cfg.pairs.length);
  return {
    module: compiledUrl(import.meta.url, './range.js'),
    command: cfg,
    onRun(client, rows, floats, at) {
      let o = at;
      run.disordered = floats[o++] === 1;
      run.corr.set(floats.subarray(o, o + run.corr.length));
      o += run.corr.length;
      if (cfg.lagged) {
        run.lag.set(floats.subarray(o, o + run.lag.length));
        o += run.lag.length;
      }
      if (cfg.early) {
        for (const v of [run.earlyX, run.earlyY, run.earlyZ]) {
          v.set(floats.subarray(o, o + v.length));
          o += v.length;
        }
      }
      run.rows = rows;
      acc.addRun(client, rows, run);
    },
  };
}

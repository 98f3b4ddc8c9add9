/**
 * correlate's range reduction (issue 15: both cores; ../../dataset/range-runs.ts): in the
 * read's worker threads each clean client run is reduced by computeRun, the function the
 * one-thread accumulator calls on the same rows, and the main thread merges the RunStats in
 * the runs' order through Accumulator.addRun (the merge code of the one-thread path). So the
 * report is the one-thread report bit for bit: the same per-run inputs merged in the same
 * order. Spearman's pooled values (--method) travel with the run and are added in row order.
 * Used when no --by is asked (a --by group's runs can span the overall runs: those scans
 * stay on the main thread); scattered clients are found by the same `seen` check and
 * repaired by the same second scan; --bootstrap keeps the same per-client moments.
 *
 * This module is what the workers import (`startPiece`): keep its imports light.
 */
import type { KernelReduction } from '../../dataset/range-kernel.js';
import { pieceReducer, type RunLayout, type RunReducer } from '../../dataset/range-runs.js';
import type { GrowableF64 } from '../../dataset/intern.js';
import type { RowReduction } from '../../dataset/types.js';
import { compiledUrl } from '../../io/parallel/reduce.js';
import { C_STRIDE, L_STRIDE, type AccumulatorConfig } from './layout.js';
import { computeRun, RunStats } from './run.js';
import type { Accumulator } from './accumulate.js';

/**
 * Floats per run: disordered, then the moments, the lag block (lagged) and early x, y, z
 * (early); with Spearman, then per pair the count of its complete rows and their (x, y).
 */
function width(cfg: AccumulatorConfig, rows: number): number {
  const P = cfg.pairs.length;
  return 1 + P * C_STRIDE + (cfg.lagged ? P * L_STRIDE : 0) + (cfg.early ? 3 * P : 0) + (cfg.keepPooledValues ? P * (1 + 2 * rows) : 0);
}

class CorrelateRunReducer implements RunReducer {
  private readonly run: RunStats;
  /** computeRun in the row kernel (kernel/runs.ts reduceRun), unless Spearman's values travel too. */
  readonly kernelReduction: KernelReduction | null;
  constructor(private readonly cfg: AccumulatorConfig) {
    this.run = new RunStats(cfg.pairs.length);
    this.kernelReduction = cfg.keepPooledValues
      ? null
      : {
          pairs: cfg.pairs.flatMap((p) => [p.alliance, p.outcome]),
          early: cfg.early === null ? 0 : cfg.early.mode === 'window' ? 2 : 1,
          k: cfg.early?.k ?? 0,
          lagged: cfg.lagged,
          width: width(cfg, 0),
        };
  }
  reduce(rows: Float64Array, count: number, out: GrowableF64): void {
    this.reduceAt(rows, 0, count, out);
  }
  reduceAt(rows: Float64Array, base: number, count: number, out: GrowableF64): void {
    const { cfg, run } = this;
    computeRun(cfg, rows, count, run, base);
    out.ensure(width(cfg, count));
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
      const P = run.earlyX.length;
      d.set(run.earlyX, o);
      d.set(run.earlyY, o + P);
      d.set(run.earlyZ, o + 2 * P);
      o += 3 * P;
    }
    if (cfg.keepPooledValues) {
      // Spearman ranks all rows: the pairs' values travel, in row order.
      const W = 1 + cfg.measures;
      for (const { alliance, outcome } of cfg.pairs) {
        const head = o++;
        for (let r = 0; r < count; r++) {
          const x = rows[base + r * W + 1 + alliance];
          const y = rows[base + r * W + 1 + outcome];
          if (x === x && y === y) {
            d[o++] = x;
            d[o++] = y;
          }
        }
        d[head] = (o - head - 1) / 2;
      }
    }
    out.length = o;
  }
}

export const startPiece = pieceReducer((command: unknown, layout: RunLayout) => {
  if (layout.date >= 0) throw new Error('correlate reduces rows without dates');
  return new CorrelateRunReducer(command as AccumulatorConfig);
});

/** Fills `to` from floats[at..]; returns the offset after. */
function copyFrom(floats: Float64Array, at: number, to: Float64Array): number {
  for (let k = 0; k < to.length; k++) to[k] = floats[at + k];
  return at + to.length;
}

/** The scan option that has the workers reduce `acc`'s client runs (ScanOptions.reduce). */
export function correlateReduction(acc: Accumulator): RowReduction {
  const cfg = acc.cfg;
  const run = new RunStats(cfg.pairs.length);
  return {
    module: compiledUrl(import.meta.url, './range.js'),
    start: startPiece,
    command: cfg,
    // The kernel reduces the runs itself unless Spearman's values travel (CorrelateRunReducer).
    oneThread: !cfg.keepPooledValues,
    onRun(client, rows, floats, at) {
      // Copied element by element: a subarray per block would be garbage per run.
      let o = at;
      run.disordered = floats[o++] === 1;
      o = copyFrom(floats, o, run.corr);
      if (cfg.lagged) o = copyFrom(floats, o, run.lag);
      if (cfg.early) {
        o = copyFrom(floats, o, run.earlyX);
        o = copyFrom(floats, o, run.earlyY);
        o = copyFrom(floats, o, run.earlyZ);
      }
      if (cfg.keepPooledValues) {
        for (let p = 0; p < cfg.pairs.length; p++) {
          const sp = acc.spearman[p];
          const n = floats[o++];
          for (let k = 0; k < n; k++, o += 2) sp.add(floats[o], floats[o + 1]);
        }
      }
      run.rows = rows;
      acc.addRun(client, rows, run);
    },
  };
}

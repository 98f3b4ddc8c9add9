/**
 * Spearman's rho over paired values: Pearson r of mid-ranks (ties get the average of the
 * ranks they span), as R cor(x, y, method = "spearman").
 *
 * Streaming: ranks depend only on the order of the distinct values and their counts, so
 * the accumulator keeps a table of distinct (x, y) pairs with counts. Session scores take
 * few distinct values (an SRS with one decimal: 401), so the table stays small however many
 * rows there are. Past `maxDistinct` distinct pairs (continuous data) it falls back to
 * keeping the values themselves (16 bytes per paired row). The ranks and rho are
 * stats/rank.ts's (midranksFromCounts, rhoFromRankMoments, spearmanRho).
 */
import type { MomentsProblem } from '../../stats/correlation.js';
import { midranksFromCounts, rhoFromRankMoments, spearmanRho } from '../../stats/rank.js';
import { GrowableF64 } from './growable.js';

const KEY = 67108864; // 2^26: key = ix * 2^26 + iy stays below 2^53

export class SpearmanAccumulator {
  n = 0;
  private readonly xIndex = new Map<number, number>();
  private readonly yIndex = new Map<number, number>();
  private readonly xs: number[] = [];
  private readonly ys: number[] = [];
  private counts: Map<number, number> | null = new Map();
  private rawX: GrowableF64 | null = null;
  private rawY: GrowableF64 | null = null;

  constructor(private readonly maxDistinct = 1_000_000) {}

  add(x: number, y: number): void {
    this.n++;
    if (this.counts === null) {
      this.rawX!.push(x);
      this.rawY!.push(y);
      return;
    }
    let ix = this.xIndex.get(x);
    if (ix === undefined) {
      ix = this.xs.length;
      this.xs.push(x);
      this.xIndex.set(x, ix);
    }
    let iy = this.yIndex.get(y);
    if (iy === undefined) {
      iy = this.ys.length;
      this.ys.push(y);
      this.yIndex.set(y, iy);
    }
    const key = ix * KEY + iy;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (this.counts.size > this.maxDistinct || this.xs.length >= KEY || this.ys.length >= KEY) this.toRaw();
  }

  private toRaw(): void {
    const rx = new GrowableF64(Math.max(1024, this.n * 2));
    const ry = new GrowableF64(Math.max(1024, this.n * 2));
    for (const [key, c] of this.counts!) {
      const ix = Math.floor(key / KEY);
      const iy = key - ix * KEY;
      for (let k = 0; k < c; k++) {
        rx.push(this.xs[ix]);
        ry.push(this.ys[iy]);
      }
    }
    this.counts = null;
    this.rawX = rx;
    this.rawY = ry;
    this.xIndex.clear();
    this.yIndex.clear();
  }

  /** Spearman's rho, or the reason it is undefined (a constant variable). */
  rho(): number | string {
    if (this.counts === null) return rhoText(spearmanRho(this.rawX!.view(), this.rawY!.view()));
    const n = this.n;
    const cx = new Float64Array(this.xs.length);
    const cy = new Float64Array(this.ys.length);
    for (const [key, c] of this.counts) {
      const ix = Math.floor(key / KEY);
      cx[ix] += c;
      cy[key - ix * KEY] += c;
    }
    const rankX = midranksFromCounts(this.xs, cx);
    const rankY = midranksFromCounts(this.ys, cy);
    const mean = (n + 1) / 2;
    let xx = 0;
    let yy = 0;
    let xy = 0;
    for (let i = 0; i < cx.length; i++) xx += cx[i] * (rankX[i] - mean) ** 2;
    for (let i = 0; i < cy.length; i++) yy += cy[i] * (rankY[i] - mean) ** 2;
    for (const [key, c] of this.counts) {
      const ix = Math.floor(key / KEY);
      xy += c * (rankX[ix] - mean) * (rankY[key - ix * KEY] - mean);
    }
    return rhoText(rhoFromRankMoments(xx, yy, xy));
  }
}

function rhoText(rho: number | MomentsProblem): number | string {
  return typeof rho === 'number' ? rho : `no variation in ${rho.variable === 0 ? 'alliance' : 'outcome'}`;
}

/**
 * Spearman's rho over paired values: Pearson r of mid-ranks (ties get the average of the
 * ranks they span), as R cor(x, y, method = "spearman").
 *
 * Streaming: ranks depend only on the order of the distinct values and their counts, so
 * the accumulator keeps a table of distinct (x, y) pairs with counts. Session scores take
 * few distinct values (an SRS with one decimal: 401), so the table stays small however many
 * rows there are. Past `maxDistinct` distinct pairs (continuous data) it falls back to
 * keeping the values themselves (16 bytes per paired row).
 */
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
    if (this.counts === null) return spearmanFromValues(this.rawX!.view(), this.rawY!.view());
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
    if (xx === 0) return 'no variation in alliance';
    if (yy === 0) return 'no variation in outcome';
    return Math.max(-1, Math.min(1, xy / Math.sqrt(xx * yy)));
  }
}

/** Mid-rank of each distinct value given its count. */
function midranksFromCounts(values: number[], counts: Float64Array): Float64Array {
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const rank = new Float64Array(values.length);
  let below = 0;
  for (const i of order) {
    rank[i] = below + (counts[i] + 1) / 2;
    below += counts[i];
  }
  return rank;
}

/** Mid-ranks of `v` (1-based), ties averaged. */
export function midranks(v: Float64Array): Float64Array {
  const sorted = Float64Array.from(v).sort();
  const n = sorted.length;
  const distinct = new Float64Array(n);
  const rank = new Float64Array(n);
  let d = 0;
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && sorted[j] === sorted[i]) j++;
    distinct[d] = sorted[i];
    rank[d] = (i + 1 + j) / 2;
    d++;
    i = j;
  }
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const x = v[k];
    let lo = 0;
    let hi = d - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (distinct[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    out[k] = rank[lo];
  }
  return out;
}

/** Spearman's rho of paired values, or the reason it is undefined (a constant column). */
export function spearmanFromValues(x: Float64Array, y: Float64Array): number | string {
  const rx = midranks(x);
  const ry = midranks(y);
  const n = rx.length;
  const mean = (n + 1) / 2;
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (let i = 0; i < n; i++) {
    const dx = rx[i] - mean;
    const dy = ry[i] - mean;
    xx += dx * dx;
    yy += dy * dy;
    xy += dx * dy;
  }
  if (xx === 0) return 'no variation in alliance';
  if (yy === 0) return 'no variation in outcome';
  return Math.max(-1, Math.min(1, xy / Math.sqrt(xx * yy)));
}

/**
 * Spearman's rho over paired values: Pearson r of mid-ranks (ties get the average of the
 * ranks they span), as R cor(x, y, method = "spearman").
 *
 * Ranks are found without sorting row indices: each column is copied and sorted natively,
 * its distinct values get their mid-ranks, and each value's rank is a binary search.
 */

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

/** Spearman's rho, or the reason it is undefined (a constant column). */
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

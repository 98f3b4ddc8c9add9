/**
 * Sample quantile, type 7 (R's default `quantile(x, p)`; Hyndman & Fan 1996,
 * doi:10.2307/2684934): h = (n - 1) p, Q = x[floor(h)] + (h - floor(h)) (x[floor(h)+1] - x[floor(h)]).
 *
 * @param sorted values in ascending order, no NaN
 * @param p probability in [0, 1]
 * @returns the quantile, or NaN for an empty sample
 * @example quantileSorted([1, 2, 3, 4], 0.25) // 1.75, as R quantile(1:4, 0.25)
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (p <= 0) return sorted[0];
  if (p >= 1) return sorted[n - 1];
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const frac = h - lo;
  if (lo + 1 >= n) return sorted[n - 1];
  return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

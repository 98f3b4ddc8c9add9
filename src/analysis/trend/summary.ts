/**
 * Small descriptive statistics the trend report needs, computed two-pass from arrays so
 * they agree with R to the last digits: mean, sample SD, OLS slope, R's type-7 quantile,
 * a t interval for a mean and the Wilson score interval for a proportion.
 */
import { normalQuantile, tQuantile } from '../../stats/distributions.js';

/** Arithmetic mean of the first n values (NaN when n = 0). */
export function meanOf(x: ArrayLike<number>, n = x.length): number {
  if (n === 0) return NaN;
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i];
  let m = s / n;
  // One correction pass, as R's mean() does (it accumulates in long double).
  let r = 0;
  for (let i = 0; i < n; i++) r += x[i] - m;
  m += r / n;
  return m;
}

/** Sample standard deviation (n - 1 denominator), NaN when n < 2. R: sd(). */
export function sdOf(x: ArrayLike<number>, n = x.length): number {
  if (n < 2) return NaN;
  const m = meanOf(x, n);
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (x[i] - m) * (x[i] - m);
  return Math.sqrt(ss / (n - 1));
}

/**
 * Ordinary least-squares slope of y on x over pairs where both are finite. NaN when fewer
 * than two pairs or x does not vary. R: coef(lm(y ~ x))[2].
 */
export function olsSlope(x: ArrayLike<number>, y: ArrayLike<number>, n: number): number {
  let k = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(x[i]) || Number.isNaN(y[i])) continue;
    k++;
    sx += x[i];
    sy += y[i];
  }
  if (k < 2) return NaN;
  const mx = sx / k;
  const my = sy / k;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(x[i]) || Number.isNaN(y[i])) continue;
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
  }
  return sxx > 0 ? sxy / sxx : NaN;
}

/**
 * Quantile of sorted values by linear interpolation between order statistics, R's default
 * quantile(type = 7): h = (n - 1) p, Q = x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]).
 * Reference: Hyndman & Fan (1996), doi:10.2307/2684934.
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Two-sided t confidence interval for a mean: m +- qt(1 - alpha/2, n - 1) * sd / sqrt(n). */
export function tInterval(mean: number, sd: number, n: number, level = 0.95): [number, number] | null {
  if (n < 2 || !Number.isFinite(sd)) return null;
  const half = tQuantile(1 - (1 - level) / 2, n - 1) * (sd / Math.sqrt(n));
  return [mean - half, mean + half];
}

/**
 * Wilson score interval for a proportion x / n (without continuity correction), as R's
 * prop.test(x, n, correct = FALSE)$conf.int. Wilson (1927), doi:10.1080/01621459.1927.10502953.
 */
export function wilsonInterval(x: number, n: number, level = 0.95): [number, number] | null {
  if (n < 1) return null;
  const z = normalQuantile(1 - (1 - level) / 2);
  const p = x / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const half = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const denom = 1 + z2 / n;
  return [Math.max(0, (centre - half) / denom), Math.min(1, (centre + half) / denom)];
}

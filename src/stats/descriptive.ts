/**
 * Descriptive statistics with R's conventions: mean, sample variance and SD (n - 1),
 * quantiles of R's default type 7, and the least-squares line of a trajectory.
 *
 * Functions return NaN where the statistic is undefined (empty input, n < 2, constant
 * x for a slope); callers turn that into a "not estimable" reason before output.
 * NaN inputs are not skipped: drop missing values first.
 *
 * Reference values: test/reference/descriptive.R -> descriptive.json (R mean, var, sd,
 * quantile(type = 7), coef(lm(y ~ x))).
 */

/**
 * Arithmetic mean, with one refinement pass (mean + mean of residuals) as R's mean().
 * Reference: https://en.wikipedia.org/wiki/Arithmetic_mean . Validated against R mean().
 *
 * @example mean([1, 2, 3, 4]) // 2.5
 */
export function mean(x: ArrayLike<number>): number {
  const n = x.length;
  if (n === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i];
  const m = s / n;
  let r = 0;
  for (let i = 0; i < n; i++) r += x[i] - m;
  return m + r / n;
}

/**
 * Sample variance sum (x - mean)^2 / (n - 1) (two-pass). NaN when n < 2.
 * Reference: https://en.wikipedia.org/wiki/Variance#Sample_variance . Validated against R var().
 *
 * @example variance([1, 2, 3, 4]) // 1.6666666666666667
 */
export function variance(x: ArrayLike<number>): number {
  const n = x.length;
  if (n < 2) return Number.NaN;
  const m = mean(x);
  let s = 0;
  for (let i = 0; i < n; i++) s += (x[i] - m) * (x[i] - m);
  return s / (n - 1);
}

/**
 * Sample standard deviation sqrt(variance) with the n - 1 denominator. NaN when n < 2.
 * Validated against R sd().
 */
export function sd(x: ArrayLike<number>): number {
  return Math.sqrt(variance(x));
}

/**
 * Sample quantile of R's default type 7 (Hyndman & Fan 1996, definition 7):
 * h = (n - 1) p + 1 (1-based), Q(p) = (1 - g) x_(floor h) + g x_(ceil h), g = h - floor h,
 * on the sorted data, evaluated exactly as R's quantile.default.
 *
 * Reference: Hyndman, R. J. & Fan, Y. (1996) Sample quantiles in statistical packages.
 * Am. Stat. 50, 361-365, doi:10.1080/00031305.1996.10473566. Validated against R
 * quantile(x, p, type = 7).
 *
 * @example quantile([1, 2, 3, 4], 0.25) // 1.75
 */
export function quantile(x: ArrayLike<number>, p: number): number;
export function quantile(x: ArrayLike<number>, p: readonly number[]): number[];
export function quantile(x: ArrayLike<number>, p: number | readonly number[]): number | number[] {
  const sorted = Float64Array.from(x as ArrayLike<number>).sort();
  const one = (q: number): number => quantileSorted(sorted, q);
  return typeof p === 'number' ? one(p) : p.map(one);
}

/** quantile() on data already sorted ascending (no copy). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile probability must be in [0, 1] (got ${p})`);
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const index = 1 + (n - 1) * p;
  const lo = Math.floor(index);
  const hi = Math.ceil(index);
  const qs = sorted[lo - 1];
  const xhi = sorted[hi - 1];
  if (index > lo && xhi !== qs) {
    const h = index - lo;
    return (1 - h) * qs + h * xhi;
  }
  return qs;
}

/** Median (type-7 quantile at 0.5). Validated against R median(). */
export function median(x: ArrayLike<number>): number {
  return quantile(x, 0.5);
}

/**
 * Least-squares line y = intercept + slope x (e.g. a client's outcome trajectory over
 * session number). Two-pass centred: slope = Sxy / Sxx, intercept = mean y - slope mean x.
 * NaN for both when n < 2 or x is constant. Unlike R's lm(), which drops x as
 * collinear with the intercept when its spread is below 1e-7 of its magnitude (e.g.
 * x = 1e9 + U(0,1)) and reports NA, this returns the closed-form slope.
 *
 * Reference: https://en.wikipedia.org/wiki/Simple_linear_regression . Validated against
 * R coef(lm(y ~ x)).
 *
 * @example olsLine([1, 2, 3, 4], [1, 3, 2, 5]) // { intercept: ~0, slope: 1.1 }
 */
export function olsLine(x: ArrayLike<number>, y: ArrayLike<number>): { intercept: number; slope: number } {
  if (x.length !== y.length) throw new RangeError(`x and y differ in length (${x.length} vs ${y.length})`);
  const n = x.length;
  if (n < 2) return { intercept: Number.NaN, slope: Number.NaN };
  const mx = mean(x);
  const my = mean(y);
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i] - mx) * (x[i] - mx);
    sxy += (x[i] - mx) * (y[i] - my);
  }
  if (!(sxx > 0)) return { intercept: Number.NaN, slope: Number.NaN };
  const slope = sxy / sxx;
  return { intercept: my - slope * mx, slope };
}

/** Slope of the least-squares line of y on x (see olsLine). Validated against R coef(lm(y ~ x))[2]. */
export function olsSlope(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return olsLine(x, y).slope;
}

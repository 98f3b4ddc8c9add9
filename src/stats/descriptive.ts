/**
 * Descriptive statistics with R's conventions: mean, sample variance and SD (n - 1),
 * quantiles of R's default type 7, and the least-squares line of a trajectory.
 *
 * Functions return NaN where the statistic is undefined (empty input, n < 2, constant
 * x for a slope); callers turn that into a "not estimable" reason before output.
 * NaN inputs are not skipped (drop missing values first), except by olsLine, which uses the
 * complete pairs. Also the t interval of a mean and the Wilson interval of a proportion.
 *
 * Reference values: test/reference/descriptive.R -> descriptive.json (R mean, var, sd,
 * quantile(type = 7), coef(lm(y ~ x))); the intervals through test/reference/trend.R.
 */

import { normalQuantile, tQuantile } from './distributions.js';
import { ddAdd, ddDiv, ddMul, SPLITTER, twoProduct, twoSum, type Pair } from './double-double.js';

/**
 * Arithmetic mean, with one refinement pass (mean + mean of residuals) as R's mean().
 * Reference: https://en.wikipedia.org/wiki/Arithmetic_mean . Validated against R mean().
 *
 * @example mean([1, 2, 3, 4]) // 2.5
 */
export function mean(x: ArrayLike<number>, n = x.length): number {
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
export function variance(x: ArrayLike<number>, n = x.length): number {
  if (n < 2) return Number.NaN;
  const m = mean(x, n);
  let s = 0;
  for (let i = 0; i < n; i++) s += (x[i] - m) * (x[i] - m);
  return s / (n - 1);
}

/**
 * Sample standard deviation sqrt(variance) with the n - 1 denominator. NaN when n < 2.
 * Validated against R sd().
 */
export function sd(x: ArrayLike<number>, n = x.length): number {
  return Math.sqrt(variance(x, n));
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
  const sorted = Float64Array.from(x).sort();
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

/**
 * The end of the run of values equal to `sorted[from]` in `sorted[from, to)` (ascending, no
 * NaN in the range): the first index whose value is greater, by bisection. -0 and 0 are one run.
 */
export function runEnd(sorted: ArrayLike<number>, from: number, to: number): number {
  const x = sorted[from];
  let lo = from + 1;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** How many leading values of `sorted` are numbers: a typed array's sort() puts NaN last. */
export function numbersBeforeNaN(sorted: ArrayLike<number>): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] === sorted[mid]) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Median (type-7 quantile at 0.5). Validated against R median(). */
export function median(x: ArrayLike<number>): number {
  return quantile(x, 0.5);
}

/**
 * Least-squares line y = intercept + slope x (e.g. a client's outcome trajectory over
 * session number), over the first n pairs (default all) where both values are present: pairs
 * with a NaN are skipped. Two-pass centred: slope = Sxy / Sxx, intercept = mean y - slope
 * mean x. NaN for both when fewer than 2 complete pairs or x is constant. Unlike R's lm(),
 * which drops x as collinear with the intercept when its spread is below 1e-7 of its
 * magnitude (e.g. x = 1e9 + U(0,1)) and reports NA, this returns the closed-form slope.
 *
 * Reference: https://en.wikipedia.org/wiki/Simple_linear_regression . Validated against
 * R coef(lm(y ~ x)).
 *
 * @example olsLine([1, 2, 3, 4], [1, 3, 2, 5]) // { intercept: ~0, slope: 1.1 }
 */
export function olsLine(x: ArrayLike<number>, y: ArrayLike<number>, n = x.length): { intercept: number; slope: number } {
  if (n === x.length && x.length !== y.length) throw new RangeError(`x and y differ in length (${x.length} vs ${y.length})`);
  let k = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(x[i]) || Number.isNaN(y[i])) continue;
    k++;
    sx += x[i];
    sy += y[i];
  }
  if (k < 2) return { intercept: Number.NaN, slope: Number.NaN };
  const mx = sx / k;
  const my = sy / k;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(x[i]) || Number.isNaN(y[i])) continue;
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
  }
  if (!(sxx > 0)) return { intercept: Number.NaN, slope: Number.NaN };
  const slope = sxy / sxx;
  return { intercept: my - slope * mx, slope };
}

/** Slope of the least-squares line of y on x over the first n complete pairs (see olsLine). Validated against R coef(lm(y ~ x))[2]. */
export function olsSlope(x: ArrayLike<number>, y: ArrayLike<number>, n = x.length): number {
  return olsLine(x, y, n).slope;
}

/**
 * Two-sided t confidence interval for a mean: m +- qt(1 - (1 - level)/2, n - 1) sd / sqrt(n);
 * null when n < 2 or the SD is not finite. Validated against R t.test()$conf.int.
 */
export function tInterval(mean: number, sd: number, n: number, level = 0.95): [number, number] | null {
  if (n < 2 || !Number.isFinite(sd)) return null;
  const half = tQuantile(1 - (1 - level) / 2, n - 1) * (sd / Math.sqrt(n));
  return [mean - half, mean + half];
}

/**
 * Wilson score interval for a proportion x / n (without continuity correction), as R's
 * prop.test(x, n, correct = FALSE)$conf.int; null when n < 1.
 * Reference: Wilson, E. B. (1927) J. Am. Stat. Assoc. 22, 209-212, doi:10.1080/01621459.1927.10502953.
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

/**
 * Streaming mean and sample SD of a sequence, without keeping the values.
 *
 * Shifted sums in double-double: with K the first value, u = x - K is kept exactly (as a
 * TwoSum pair), and S1 = sum u and S2 = sum u^2 are summed in double-double (about 106
 * bits); mean = K + S1 / n, m2 = S2 - S1^2 / n, sd = sqrt(m2 / (n - 1)), each evaluated in
 * double-double and rounded once. The shift keeps the cancellation small (sd / mean near
 * 1e-10 when scores are offset by 1e9, or for dates as epoch numbers), the extra precision
 * absorbs what is left: the mean and SD are the correctly rounded ones in practice, as R's
 * long-double mean() and sd() (bit-identical on the report's trend cohorts). Welford's
 * update used before kept only about 7 significant digits of the SD at mean 1e9, and its
 * running mean drifted by an ulp (-391 / 40 printed as -9.77 where R prints -9.78).
 * At mean 1e9 R's var() itself rounds the mean to a double, which adds (ulp / 2)^2 to the
 * variance; the values here equal R's sd() of the values minus the first there.
 * References: Chan, T. F., Golub, G. H. & LeVeque, R. J. (1983) Algorithms for computing
 * the sample variance. Am. Stat. 37, 242-247, doi:10.1080/00031305.1983.10483115 (the
 * shift); Dekker (1971), see double-double.ts. Validated against R mean() and sd()
 * (test/reference/descriptive.R, running-moments.R, report-trend.R).
 */
export class RunningMoments {
  n = 0;
  /** The shift K (the first value). */
  private shift = 0;
  private readonly s1: Pair = { hi: 0, lo: 0 };
  private readonly s2: Pair = { hi: 0, lo: 0 };
  private readonly t: Pair = { hi: 0, lo: 0 };
  private readonly t2: Pair = { hi: 0, lo: 0 };

  add(x: number): void {
    if (this.n === 0) this.shift = x;
    this.n++;
    const u = twoSum(x, -this.shift, this.t);
    const hi = u.hi;
    const lo = u.lo;
    ddAdd(this.s1, hi, lo);
    const p = twoProduct(hi, hi, this.t);
    ddAdd(this.s2, p.hi, p.lo + 2 * hi * lo);
  }

  /**
   * add(xs[i]) for i = from .. to - 1, in that order: the same operations (twoSum,
   * twoProduct and ddAdd written out, the sums held in locals), so the sums are bit for bit
   * those of the single adds (test/stats/running-moments-batch.test.ts). For a block of
   * values at a time (describe's reduced client runs, ../analysis/describe-range.ts).
   */
  addAll(xs: Float64Array, from: number, to: number): void {
    if (from >= to) return;
    if (this.n === 0) this.shift = xs[from];
    this.n += to - from;
    const k = -this.shift;
    let h1 = this.s1.hi;
    let l1 = this.s1.lo;
    let h2 = this.s2.hi;
    let l2 = this.s2.lo;
    for (let i = from; i < to; i++) {
      const x = xs[i];
      // u = twoSum(x, -K)
      const s = x + k;
      const bb = s - x;
      const hi = s;
      const lo = x - (s - bb) + (k - bb);
      // ddAdd(s1, hi, lo)
      let t = h1 + hi;
      let b = t - h1;
      let e = h1 - (t - b) + (hi - b) + l1 + lo;
      h1 = t + e;
      l1 = e - (h1 - t);
      // p = twoProduct(hi, hi)
      const p = hi * hi;
      const c = SPLITTER * hi;
      const ah = c - (c - hi);
      const al = hi - ah;
      const c2 = SPLITTER * hi;
      const bh = c2 - (c2 - hi);
      const bl = hi - bh;
      const plo = ah * bh - p + ah * bl + al * bh + al * bl;
      // ddAdd(s2, p.hi, p.lo + 2 * hi * lo)
      const lo2 = plo + 2 * hi * lo;
      t = h2 + p;
      b = t - h2;
      e = h2 - (t - b) + (p - b) + l2 + lo2;
      h2 = t + e;
      l2 = e - (h2 - t);
    }
    this.s1.hi = h1;
    this.s1.lo = l1;
    this.s2.hi = h2;
    this.s2.lo = l2;
  }

  /** Mean of the values added (0 before the first). */
  get mean(): number {
    if (this.n === 0) return 0;
    const q = ddDiv(this.s1, this.n, this.t);
    const lo = q.lo;
    return twoSum(this.shift, q.hi, this.t).hi + (this.t.lo + lo);
  }

  /** Sample SD (n - 1 denominator); NaN when n < 2. */
  sd(): number {
    if (this.n < 2) return NaN;
    const v = ddDiv(this.m2Pair(), this.n - 1, this.t2);
    return Math.sqrt(v.hi + v.lo);
  }

  /** m2 = S2 - S1^2 / n, the sum of squared deviations, in double-double (in this.t). */
  private m2Pair(): Pair {
    const sq = ddMul(this.s1, this.s1, this.t);
    const c = ddDiv(sq, this.n, this.t2);
    const hi = c.hi;
    const lo = c.lo;
    this.t.hi = this.s2.hi;
    this.t.lo = this.s2.lo;
    return ddAdd(this.t, -hi, -lo);
  }
}

/**
 * Welch's two-sample t test (unequal variances), as R's t.test(x, y) gives it: the
 * difference of means mean(x) - mean(y), t, the Welch-Satterthwaite df, the two-sided p and
 * the 95% confidence interval of the difference.
 *
 *   se^2 = s_x^2 / n_x + s_y^2 / n_y,   t = (mean_x - mean_y) / se,
 *   df = se^4 / ((s_x^2/n_x)^2 / (n_x - 1) + (s_y^2/n_y)^2 / (n_y - 1)),
 *   CI = difference -+ qt(0.975, df) se.
 *
 * Reference: Welch, B. L. (1947). The generalization of "Student's" problem when several
 * different population variances are involved. Biometrika 34, 28-35,
 * doi:10.1093/biomet/34.1-2.28. Validated against R t.test (test/reference/ruptures.R).
 */
import { mean, variance } from './descriptive.js';
import { tQuantile, tTwoSidedP } from './distributions.js';

export interface WelchResult {
  /** mean(x) - mean(y). */
  difference: number;
  t: number;
  df: number;
  p: number;
  ci: [number, number];
  se: number;
}

/**
 * Welch's t test of x against y; a string (why) when it cannot be computed: fewer than 2
 * values in either sample, or both samples constant (R: "data are essentially constant").
 */
export function welchTTest(x: ArrayLike<number>, y: ArrayLike<number>, level = 0.95): WelchResult | string {
  const nx = x.length;
  const ny = y.length;
  if (nx < 2 || ny < 2) return 'needs at least 2 clients with a change in each class';
  const mx = mean(x);
  const my = mean(y);
  const vx = variance(x) / nx;
  const vy = variance(y) / ny;
  const se2 = vx + vy;
  const se = Math.sqrt(se2);
  // R's t.test stops when stderr < 10 * .Machine$double.eps * max(|mx|, |my|).
  if (!(se >= 10 * Number.EPSILON * Math.max(Math.abs(mx), Math.abs(my))) || se === 0) return 'no variation in change in either class';
  const df = (se2 * se2) / ((vx * vx) / (nx - 1) + (vy * vy) / (ny - 1));
  const difference = mx - my;
  const t = difference / se;
  const half = tQuantile(1 - (1 - level) / 2, df) * se;
  return { difference, t, df, p: tTwoSidedP(t, df), ci: [difference - half, difference + half], se };
}

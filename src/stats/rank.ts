/**
 * Ranks and Spearman's rank correlation: the mid-ranks, rho from rank co-moments and the
 * Bonett-Wright interval the tool's pooled Spearman analysis uses (its streaming
 * accumulator, analysis/correlate/spearman.ts, calls these), and spearman() on raw arrays.
 *
 * Reference values: test/reference/rank.R -> rank.json (R rank(), cor.test(method =
 * "spearman", exact = FALSE)) and test/reference/rank.py -> rank_scipy.json
 * (scipy.stats.rankdata, scipy.stats.spearmanr).
 */

import { type CorrelationTest, type CorrelationTestOptions, correlationTTest, type MomentsProblem } from './correlation.js';
import { normalQuantile } from './distributions.js';

/**
 * Mid-ranks (fractional ranks): 1-based ranks where tied values share the mean of
 * the ranks they span, e.g. [10, 20, 20, 30] -> [1, 2.5, 2.5, 4]. Independent of the
 * input order of ties (unlike ordinal ranking). NaN is not allowed (RangeError):
 * drop missing values first. One sort of the values, then a binary search per value.
 *
 * Reference: https://en.wikipedia.org/wiki/Ranking#Fractional_ranking_(%221_2.5_2.5_4%22_ranking)
 * Validated against R rank(x, ties.method = "average") and scipy.stats.rankdata.
 *
 * @example midranks([3, 1, 3, 2]) // [3.5, 1, 3.5, 2]
 */
export function midranks(v: ArrayLike<number>): Float64Array {
  const n = v.length;
  for (let i = 0; i < n; i++) if (Number.isNaN(v[i])) throw new RangeError(`midranks: NaN at index ${i}; drop missing values first`);
  const sorted = Float64Array.from(v).sort();
  const distinct = new Float64Array(n);
  const rank = new Float64Array(n);
  let d = 0;
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && sorted[j] === sorted[i]) j++;
    // positions i..j-1 (0-based) hold ranks i+1..j; their mean is (i + 1 + j) / 2
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

/** Mid-rank of each distinct value given how often it occurs (values in any order). */
export function midranksFromCounts(values: readonly number[], counts: Float64Array): Float64Array {
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const rank = new Float64Array(values.length);
  let below = 0;
  for (const i of order) {
    rank[i] = below + (counts[i] + 1) / 2;
    below += counts[i];
  }
  return rank;
}

/**
 * Spearman's rho from the co-moments of the mid-ranks about their mean (n + 1)/2: xy / sqrt(xx yy),
 * clamped to [-1, 1]. Ranks are exact small numbers, so a sum of squares is zero exactly
 * when the variable is constant: no-variation of variable 0 (x) or 1 (y).
 */
export function rhoFromRankMoments(xx: number, yy: number, xy: number): number | MomentsProblem {
  if (xx === 0) return { problem: 'no-variation', variable: 0 };
  if (yy === 0) return { problem: 'no-variation', variable: 1 };
  return Math.max(-1, Math.min(1, xy / Math.sqrt(xx * yy)));
}

/** Spearman's rho of complete paired values (Pearson r of their mid-ranks), or why it is undefined. */
export function spearmanRho(x: ArrayLike<number>, y: ArrayLike<number>): number | MomentsProblem {
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
  return rhoFromRankMoments(xx, yy, xy);
}

/**
 * Fisher z interval of Spearman's rho with the Bonett-Wright standard error:
 * tanh(atanh(rho) +- z_c sqrt(1 + rho^2/2) / sqrt(n - 3)), z_c = Phi^-1(1 - (1 - level)/2).
 * Null when n <= 3 or |rho| = 1.
 *
 * Reference: Bonett, D. G. & Wright, T. A. (2000) Sample size requirements for
 * estimating Pearson, Kendall and Spearman correlations. Psychometrika 65, 23-28,
 * doi:10.1007/BF02294183. Validated against its closed form in R (test/reference/rank.R).
 */
export function bonettWrightCi(rho: number, n: number, level: number): [number, number] | null {
  if (!(n > 3 && Math.abs(rho) < 1)) return null;
  const z = Math.atanh(rho);
  const half = (normalQuantile(1 - (1 - level) / 2) * Math.sqrt(1 + (rho * rho) / 2)) / Math.sqrt(n - 3);
  return [Math.tanh(z - half), Math.tanh(z + half)];
}

/** Result of spearman(): the correlation test plus how the interval was made. */
export type SpearmanResult = CorrelationTest & {
  method: 'spearman';
  /** The SE used for the Fisher z interval. */
  ciMethod: 'bonett-wright';
};

/**
 * Spearman's rank correlation rho with a t-approximation p-value and a Fisher z
 * interval using the Bonett-Wright standard error.
 *
 * Formula: rho = Pearson r of the mid-ranks of the complete pairs (ties averaged;
 * spearmanRho); t = rho sqrt((n-2)/(1-rho^2)), df = n - 2, two-sided p from Student t
 * (as R cor.test(method = "spearman", exact = FALSE) and scipy.stats.spearmanr);
 * CI: bonettWrightCi, given for n >= 4. R's cor.test gives no interval for Spearman.
 * Pairs where either value is NaN are dropped first. Not estimable (explicit
 * reason): n < 3, a constant variable, |rho| = 1.
 *
 * Reference: Bonett & Wright (2000), doi:10.1007/BF02294183;
 * https://en.wikipedia.org/wiki/Spearman%27s_rank_correlation_coefficient
 * Validated against R cor.test(x, y, method = "spearman", exact = FALSE) and
 * scipy.stats.spearmanr (rho, p); the interval against its closed form in R.
 *
 * @example spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]).r // 0.8
 */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>, opts: CorrelationTestOptions = {}): SpearmanResult {
  if (x.length !== y.length) throw new RangeError(`x and y differ in length (${x.length} vs ${y.length})`);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i]) || Number.isNaN(y[i])) continue;
    xs.push(x[i]);
    ys.push(y[i]);
  }
  const n = xs.length;
  const rho = n >= 2 ? spearmanRho(xs, ys) : Number.NaN;
  const r = typeof rho === 'number' ? rho : Number.NaN;
  const res = correlationTTest(r, n, n - 2, null, { ...opts, ciReason: 'the Fisher z interval needs n >= 4' });
  const ci = res.ok ? bonettWrightCi(res.r, n, res.ciLevel) : null;
  if (res.ok && ci !== null) {
    res.ci = ci;
    delete res.ciReason;
  }
  return { ...res, method: 'spearman', ciMethod: 'bonett-wright' };
}

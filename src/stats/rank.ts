/**
 * Ranks and Spearman's rank correlation.
 *
 * Reference values: test/reference/rank.R -> rank.json (R rank(), cor.test(method =
 * "spearman", exact = FALSE)) and test/reference/rank.py -> rank_scipy.json
 * (scipy.stats.rankdata, scipy.stats.spearmanr).
 */

import { type CorrelationTest, type CorrelationTestOptions, correlationTTest, pearson } from './correlation.js';

/**
 * Mid-ranks (fractional ranks): 1-based ranks where tied values share the mean of
 * the ranks they span, e.g. [10, 20, 20, 30] -> [1, 2.5, 2.5, 4]. Independent of the
 * input order of ties (unlike ordinal ranking). NaN is not allowed (RangeError):
 * drop missing values first.
 *
 * Reference: https://en.wikipedia.org/wiki/Ranking#Fractional_ranking_(%221_2.5_2.5_4%22_ranking)
 * Validated against R rank(x, ties.method = "average") and scipy.stats.rankdata.
 *
 * @example midranks([3, 1, 3, 2]) // [3.5, 1, 3.5, 2]
 */
export function midranks(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const idx = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(x[i])) throw new RangeError(`midranks: NaN at index ${i}; drop missing values first`);
    idx[i] = i;
  }
  idx.sort((a, b) => x[a] - x[b] || a - b);
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && x[idx[j]] === x[idx[i]]) j++;
    // positions i..j-1 (0-based) hold ranks i+1..j; their mean is (i + 1 + j) / 2
    const r = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) ranks[idx[k]] = r;
    i = j;
  }
  return ranks;
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
 * Formula: rho = Pearson r of the mid-ranks of the complete pairs (ties averaged);
 * t = rho sqrt((n-2)/(1-rho^2)), df = n - 2, two-sided p from Student t (as R
 * cor.test(method = "spearman", exact = FALSE) and scipy.stats.spearmanr);
 * CI = tanh(atanh(rho) +- z_c SE), SE = sqrt((1 + rho^2/2) / (n - 3)) (Bonett & Wright
 * 2000), given for n >= 4. R's cor.test gives no interval for Spearman.
 * Pairs where either value is NaN are dropped first. Not estimable (explicit
 * reason): n < 3, a constant variable, |rho| = 1.
 *
 * Reference: Bonett, D. G. & Wright, T. A. (2000) Sample size requirements for
 * estimating Pearson, Kendall and Spearman correlations. Psychometrika 65, 23-28,
 * doi:10.1007/BF02294183; https://en.wikipedia.org/wiki/Spearman%27s_rank_correlation_coefficient
 * Validated against R cor.test(x, y, method = "spearman", exact = FALSE) and
 * scipy.stats.spearmanr (rho, p); the interval against its closed form in R.
 *
 * @example spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]).r // 0.8
 */
export function spearman(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  opts: CorrelationTestOptions = {},
): SpearmanResult {
  if (x.length !== y.length) throw new RangeError(`x and y differ in length (${x.length} vs ${y.length})`);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i]) || Number.isNaN(y[i])) continue;
    xs.push(x[i]);
    ys.push(y[i]);
  }
  const n = xs.length;
  const r = n >= 2 ? pearson(midranks(xs), midranks(ys)) : Number.NaN;
  const se = n > 3 && !Number.isNaN(r) ? Math.sqrt((1 + (r * r) / 2) / (n - 3)) : null;
  const res = correlationTTest(r, n, n - 2, se, { ...opts, ciReason: 'the Fisher z interval needs n >= 4' });
  return { ...res, method: 'spearman', ciMethod: 'bonett-wright' };
}

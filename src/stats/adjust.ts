/**
 * Multiple-testing adjustment of p-values, exactly as R's p.adjust().
 *
 * The family is the set of non-missing p-values passed in: NaN entries are excluded
 * from the family (they do not count in m) and are returned as NaN in place, as R
 * does with NA. Pass only the distinct tests actually in the report; never pad the
 * family with placeholders (pingouin PR#521).
 *
 * Reference values: test/reference/adjust.R -> adjust.json (R p.adjust()).
 */

function family(p: readonly number[]): { idx: number[]; m: number } {
  const idx: number[] = [];
  p.forEach((v, i) => {
    if (Number.isNaN(v)) return;
    if (v < 0 || v > 1) throw new RangeError(`p-value out of [0, 1] at index ${i}: ${v}`);
    idx.push(i);
  });
  return { idx, m: idx.length };
}

/**
 * Holm's step-down adjustment (controls the family-wise error rate).
 *
 * Formula: with p(1) <= ... <= p(m) the sorted non-missing p-values,
 * p~(i) = max_{j <= i} min(1, (m - j + 1) p(j)); returned in the input order.
 * Ties and NaN are handled as R's p.adjust(p, "holm").
 *
 * Reference: Holm, S. (1979) A simple sequentially rejective multiple test procedure.
 * Scand. J. Statist. 6, 65-70, https://www.jstor.org/stable/4615733 ;
 * https://en.wikipedia.org/wiki/Holm%E2%80%93Bonferroni_method
 * Validated against R p.adjust(method = "holm").
 *
 * @example holm([0.01, 0.04, 0.03]) // [0.03, 0.06, 0.06]
 */
export function holm(p: readonly number[]): number[] {
  const out = p.map((v) => (Number.isNaN(v) ? Number.NaN : v));
  const { idx, m } = family(p);
  const order = [...idx].sort((a, b) => p[a] - p[b] || a - b);
  let running = 0;
  order.forEach((i, j) => {
    running = Math.max(running, (m - j) * p[i]);
    out[i] = Math.min(1, running);
  });
  return out;
}

/**
 * Benjamini-Hochberg step-up adjustment (controls the false discovery rate).
 *
 * Formula: with p(1) <= ... <= p(m) the sorted non-missing p-values,
 * p~(i) = min_{j >= i} min(1, m p(j) / j); returned in the input order.
 * Ties and NaN are handled as R's p.adjust(p, "BH").
 *
 * Reference: Benjamini, Y. & Hochberg, Y. (1995) Controlling the false discovery
 * rate. J. R. Statist. Soc. B 57, 289-300, doi:10.1111/j.2517-6161.1995.tb02031.x ;
 * https://en.wikipedia.org/wiki/False_discovery_rate#Benjamini%E2%80%93Hochberg_procedure
 * Validated against R p.adjust(method = "BH").
 *
 * @example bh([0.01, 0.04, 0.03]) // [0.03, 0.04, 0.04]
 */
export function bh(p: readonly number[]): number[] {
  const out = p.map((v) => (Number.isNaN(v) ? Number.NaN : v));
  const { idx, m } = family(p);
  const order = [...idx].sort((a, b) => p[b] - p[a] || a - b); // decreasing
  let running = Infinity;
  order.forEach((i, j) => {
    const rank = m - j; // 1-based rank in increasing order
    running = Math.min(running, (m / rank) * p[i]);
    out[i] = Math.min(1, running);
  });
  return out;
}

/**
 * Bonferroni adjustment: min(1, m p). Validated against R p.adjust(method = "bonferroni").
 * Reference: https://en.wikipedia.org/wiki/Bonferroni_correction
 */
export function bonferroni(p: readonly number[]): number[] {
  const { m } = family(p);
  return p.map((v) => (Number.isNaN(v) ? Number.NaN : Math.min(1, m * v)));
}

export type AdjustMethod = 'holm' | 'bh' | 'bonferroni' | 'none';

/** Dispatch by method name (as R's p.adjust(p, method)); 'none' returns a copy. */
export function adjustP(p: readonly number[], method: AdjustMethod): number[] {
  switch (method) {
    case 'holm':
      return holm(p);
    case 'bh':
      return bh(p);
    case 'bonferroni':
      return bonferroni(p);
    case 'none':
      family(p);
      return [...p];
  }
}

/**
 * Inference helpers for the correlation report: t tests and Fisher-z intervals for
 * correlation coefficients (zero-order, repeated-measures, partial), multiplicity
 * adjustment, and a seeded PRNG for the cluster bootstrap.
 *
 * These are small closed forms kept beside the report while the shared src/stats
 * versions are being written (see the report of the correlate work); each is checked
 * against R in test/reference/correlate.R.
 */
import { normalQuantile, tQuantile, tTwoSidedP } from '../../stats/distributions.js';

export interface CorrelationInference {
  /** t statistic (r * sqrt(df / (1 - r^2))); +-Infinity when |r| = 1. */
  t: number;
  df: number;
  p: number;
  /** Fisher-z interval, null when the standard error is undefined. */
  ci: [number, number] | null;
}

/**
 * Test of a correlation-type coefficient r with `df` residual degrees of freedom, and its
 * Fisher-z interval with standard error 1/sqrt(ciN - 3).
 *
 * - Pearson (R cor.test): df = n - 2, ciN = n.
 * - Repeated-measures r (rmcorr >= 0.5.4): df = N - k - 1, ciN = df + 2.
 * - Partial r with g covariates (ppcor pcor.test): df = n - 2 - g, ciN = n - g.
 *
 * Formula: t = r sqrt(df / (1 - r^2)), p = 2 P(T_df >= |t|);
 * CI = tanh(atanh(r) +- z_{1-alpha/2} / sqrt(ciN - 3)).
 * Reference: Fisher (1921); R stats::cor.test source.
 */
export function correlationInference(r: number, df: number, ciN: number, level: number): CorrelationInference {
  const r2 = r * r;
  let t: number;
  let p: number;
  if (r2 >= 1) {
    t = r > 0 ? Infinity : -Infinity;
    p = 0;
  } else {
    t = r * Math.sqrt(df / (1 - r2));
    p = tTwoSidedP(t, df);
  }
  let ci: [number, number] | null = null;
  if (ciN > 3) {
    const z = Math.atanh(r);
    const half = normalQuantile(1 - (1 - level) / 2) / Math.sqrt(ciN - 3);
    ci = [Math.tanh(z - half), Math.tanh(z + half)];
    if (r2 >= 1) ci = [r, r];
  }
  return { t, df, p, ci };
}

/** Two-sided t interval half-width for a regression coefficient. */
export function tHalfWidth(se: number, df: number, level: number): number {
  return tQuantile(1 - (1 - level) / 2, df) * se;
}

/**
 * Holm (1979) step-down adjusted p-values, in the input order.
 * p_(i) = max_{j <= i} min(1, (m - j + 1) p_(j)). As R p.adjust(method = "holm").
 */
export function holm(ps: readonly number[]): number[] {
  const m = ps.length;
  const order = ps.map((_, i) => i).sort((a, b) => ps[a] - ps[b] || a - b);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach((idx, i) => {
    running = Math.max(running, Math.min(1, (m - i) * ps[idx]));
    out[idx] = running;
  });
  return out;
}

/**
 * Benjamini-Hochberg (1995) step-up adjusted p-values, in the input order.
 * p_(i) = min_{j >= i} min(1, m p_(j) / j). As R p.adjust(method = "BH").
 */
export function bh(ps: readonly number[]): number[] {
  const m = ps.length;
  const order = ps.map((_, i) => i).sort((a, b) => ps[b] - ps[a] || b - a);
  const out = new Array<number>(m);
  let running = 1;
  order.forEach((idx, i) => {
    const rank = m - i;
    running = Math.min(running, Math.min(1, (m * ps[idx]) / rank));
    out[idx] = running;
  });
  return out;
}

/**
 * Seeded PRNG (mulberry32, public domain): 32-bit state, period 2^32, good enough for
 * bootstrap resampling indices; same seed, same sequence on every platform.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Percentile of a sorted sample, R quantile type 7 (linear interpolation between order
 * statistics).
 */
export function quantileSorted(sorted: Float64Array | number[], prob: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * prob;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

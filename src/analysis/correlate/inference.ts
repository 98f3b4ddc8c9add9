/**
 * Inference for the correlation report: the report's shape around the shared numerics in
 * src/stats (correlationTTest: t test and Fisher-z interval of correlation-type
 * coefficients; t quantiles). Checked end to end against R in test/reference/correlate.R.
 */
import { correlationTTest } from '../../stats/correlation.js';
import { tQuantile } from '../../stats/distributions.js';

export type CorrelationInference = { ok: true; t: number; df: number; p: number; ci: [number, number] | null } | { ok: false; message: string };

/**
 * Test of a correlation-type coefficient r with `df` residual degrees of freedom, and its
 * Fisher-z interval with standard error 1/sqrt(ciN - 3) (none when ciN <= 3).
 *
 * - Pearson (R cor.test): df = n - 2, ciN = n.
 * - Repeated-measures r (rmcorr >= 0.5.4): df = N - k - 1, ciN = df + 2.
 * - Partial / semi-partial r with g covariates (ppcor): df = n - 2 - g, ciN = n - g.
 *
 * |r| = 1 (within 1e-12) is "not estimable: perfect correlation", as src/stats decides.
 */
export function correlationInference(r: number, df: number, ciN: number, level: number): CorrelationInference {
  const se = ciN > 3 ? 1 / Math.sqrt(ciN - 3) : null;
  const t = correlationTTest(r, ciN, df, se, { ciLevel: level, ciReason: 'the Fisher z interval needs more observations' });
  if (!t.ok) return { ok: false, message: t.message };
  return { ok: true, t: t.t, df: t.df, p: t.p, ci: t.ci };
}

/** Two-sided t interval half-width for a coefficient with standard error `se`. */
export function tHalfWidth(se: number, df: number, level: number): number {
  return tQuantile(1 - (1 - level) / 2, df) * se;
}

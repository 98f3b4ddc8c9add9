/**
 * The configuration of the correlate accumulator and the layout of its flat statistics
 * arrays (moments, lag co-moments, early 3-D co-moments).
 */

export interface PairSpec {
  /** Index into Mapping.measures. */
  alliance: number;
  outcome: number;
}

export interface EarlySpec {
  /** 'session': alliance at session k; 'window': mean of alliance over sessions 1..k. */
  mode: 'session' | 'window';
  k: number;
}

export interface AccumulatorConfig {
  /** Number of measures in SessionRow.values. */
  measures: number;
  pairs: PairSpec[];
  early: EarlySpec | null;
  lagged: boolean;
  /** Keep the paired values of the pooled rows (Spearman needs ranks over all rows). */
  keepPooledValues: boolean;
  /** Keep per-client moments (and early triples, lag sums) for the cluster bootstrap. */
  keepClients: boolean;
}

/** Moment slots: count, mean x, mean y, Sxx, Syy, Sxy. */
export const C_STRIDE = 6;
/** Lag slots: count, 4 means, 10 co-moments (upper triangle, row-major: 00 01 02 03 11 12 13 22 23 33). */
export const L_STRIDE = 15;
export const LX_STRIDE = 10;
export function lxIndex(i: number, j: number): number {
  if (i > j) [i, j] = [j, i];
  const start = i === 0 ? 0 : i === 1 ? 4 : i === 2 ? 7 : 9;
  return start + (j - i);
}
/** Positions of the diagonal in the upper-triangle layout. */
export const LAG_DIAG = [0, 4, 7, 9];
/** Early 3-D moments: count, 3 means, 6 co-moments (xx xy xz yy yz zz): the M3 layout partialFromMoments (stats/partial.ts) reads. */
export const E_STRIDE = 10;
/** Per-client early values kept for the bootstrap: early alliance, final outcome, intake outcome. */
export const EARLY_CLIENT_STRIDE = 3;

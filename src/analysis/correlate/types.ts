/**
 * The result model of `alliance correlate` (the stable JSON shape is documented in
 * docs/correlate.md).
 */
import type { Random } from '../../stats/random.js';
import type { By } from '../../names.js';

export type Analysis = 'pooled' | 'between' | 'within' | 'early' | 'lagged';
export const ANALYSES: Analysis[] = ['pooled', 'between', 'within', 'early', 'lagged'];

/** The defaults of `alliance correlate` (flags and the config's correlate: section override them). */
export const DEFAULT_OPTIONS: CorrelateOptions = {
  analyses: ['pooled', 'between', 'within', 'early', 'lagged'],
  method: 'pearson',
  ciLevel: 0.95,
  adjust: 'holm',
  by: null,
  minClients: 5,
  early: { mode: 'session', k: 3 },
  bootstrap: 0,
  seed: 1,
};

export type Method = 'pearson' | 'spearman' | 'rmcorr' | 'partial' | 'semipartial' | 'fixed-effects';

export type LagDirection = 'alliance->outcome' | 'outcome->alliance';

/** Comparison of an oriented r with the meta-analytic benchmark (Flueckiger et al. 2018). */
export interface BenchmarkComparison {
  /** r oriented so that positive = favourable. */
  r_oriented: number;
  /** 'lower' / 'higher': the benchmark r = .278 lies above / below this result's CI. */
  comparison: 'consistent' | 'lower' | 'higher';
}

export interface CorrelateResult {
  /** Level of the --by column, null for all rows. */
  group: string | null;
  alliance: string;
  outcome: string;
  analysis: Analysis;
  method: Method;
  /** Lagged only: which variable is predicted at s+1. */
  direction: LagDirection | null;
  /** Correlation (null for lagged and when not estimable). */
  r: number | null;
  /** Lagged only: coefficient and standard error. */
  b: number | null;
  se: number | null;
  /** t statistic of the test (r sqrt(df / (1 - r^2)) for correlations, b / se for lagged). */
  t: number | null;
  /** Rows (pooled, within), clients (between, early) or session pairs (lagged) used. */
  n: number;
  clients: number;
  df: number | null;
  p: number | null;
  p_adjusted: number | null;
  /** Interval at `ci_level`; null when not estimable or undefined (e.g. n < 4). */
  ci: [number, number] | null;
  ci_level: number;
  /** Cluster-bootstrap percentile interval (with --bootstrap), null otherwise. */
  bootstrap_ci: [number, number] | null;
  /** Whether the sign of the estimate is favourable given the outcome's direction; null when unknown. */
  favourable: boolean | null;
  estimable: boolean;
  reason: string | null;
  benchmark: BenchmarkComparison | null;
}

export interface CorrelateOptions {
  analyses: Analysis[];
  method: 'pearson' | 'spearman' | 'both';
  ciLevel: number;
  adjust: 'holm' | 'bh' | 'none';
  /** Column(s) whose levels split the report (a --group column or the therapist column); several are nested. */
  by: By | null;
  minClients: number;
  early: { mode: 'session' | 'window'; k: number };
  bootstrap: number;
  seed: number;
}

export interface Warning {
  code: 'simpson' | 'nickell' | 'disordered' | 'scattered' | 'missing-group' | 'orientation';
  group: string | null;
  alliance: string | null;
  outcome: string | null;
  message: string;
}

export interface SuppressedGroup {
  group: string;
  /** With several --by columns: the cell's value in each, in --by order. */
  levels?: string[];
  clients: number;
  reason: string;
}

/**
 * What the scan left out, by reason: rows without a client id, and per alliance or outcome
 * column the cells that were blank or a missing marker, not numeric, out of the instrument's
 * range, or a conventional missing code. A pair's analyses leave out every row where either of
 * its two cells is one of these.
 */
export interface LeftOut {
  rows_without_client: number;
  measures: { column: string; missing: number; not_numeric: number; out_of_range: number; missing_code: number }[];
}

export interface CorrelateReport {
  options: CorrelateOptions;
  results: CorrelateResult[];
  warnings: Warning[];
  suppressed: SuppressedGroup[];
  groups: { group: string; levels?: string[]; clients: number; rows: number }[];
  data: { rows: number; clients: number; left_out: LeftOut };
  /** Size of the p-adjustment family: the distinct tests (a group repeating the overall results adds none). */
  adjusted: number;
}

/** Flueckiger, Del Re, Wampold & Horvath (2018), Psychotherapy 55(4), 316-340, doi:10.1037/pst0000172. */
export const BENCHMARK = {
  r: 0.278,
  ci: [0.256, 0.299] as [number, number],
  source: 'Flueckiger et al. 2018, doi:10.1037/pst0000172 (295 studies)',
};

export interface PairInfo {
  alliance: string;
  outcome: string;
  /** +1: higher alliance with higher outcome is favourable; -1: with lower outcome; null: unknown. */
  orientation: 1 | -1 | null;
}

export interface GroupContext {
  group: string | null;
  pairs: PairInfo[];
  opts: CorrelateOptions;
  /** Shared bootstrap generator (consumed in a fixed order), null without --bootstrap. */
  rng: Random | null;
  /** Client id text of a client index (the bootstrap orders clients by id, so row order does not matter). */
  clientId: (client: number) => string;
}

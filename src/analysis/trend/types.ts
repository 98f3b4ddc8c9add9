/**
 * The options and the result model of `alliance trend` (docs/trend.md), and the calendar
 * helpers of its period series.
 */
import type { By } from '../../names.js';
import type { Sequence } from '../../sequence.js';
import type { ChangeCategory, CutoffType, ReliableDirection } from '../change.js';

export type Period = 'month' | 'quarter' | 'year';

export interface TrendOptions {
  /** Fixed pre and post session numbers (both or neither). */
  pre?: number;
  post?: number;
  /** Points threshold for reliable change (overrides the instrument's). */
  rcThreshold?: number;
  /** r_xx: switches to the Jacobson-Truax RCI. */
  reliability?: number;
  /** SD of pre scores for the RCI (default: from the data). */
  sd?: number;
  clinicalMean?: number;
  clinicalSd?: number;
  functionalMean?: number;
  functionalSd?: number;
  cutoff?: CutoffType;
  /** Alliance drop (points) that is an alert (overrides the instrument's). */
  drop?: number;
  /** Alliance concern threshold (overrides the instrument's cutoff; below it is an alert). */
  allianceCutoff?: number;
  /** Direction of the outcome measure when it has no instrument (or to override it). */
  outcomeHigherIsBetter?: boolean;
  /** Not-on-track quantile. */
  ntpQuantile?: number;
  /** Minimum clients in an ETR cell before anyone is flagged against it. */
  ntpMinClients?: number;
  /** Number of intake-severity bands (3: tertiles). */
  ntpBands?: number;
  period?: Period;
  /** Group column(s): the therapist column name (or "therapist") or a --group column; several are nested. */
  by?: By;
  /** Groups with fewer clients are suppressed. */
  minClients?: number;
  /** Keep per-client rows and trajectories in the result. */
  clients?: boolean;
  /** Values of the expected-response cells sorted at once (default 1M; small values for tests). */
  etrBatch?: number;
  /** Rows in client order after which a streamed scan stops keeping the sessions (runs.ts; default 65,536; small values for tests). */
  streamAfter?: number;
  /**
   * Answer the per-session tests from per-code tables and count the expected-response cells
   * in histograms when the columns hold integer codes (default true; false, for tests, calls
   * the threshold functions for every session and sorts the cells: the same results).
   */
  codeTables?: boolean;
}

/**
 * The options a run needs with a value: the trend section fills them from its defaults
 * (TREND_DEFAULTS, src/sections/trend/options.ts, beside the option table), so the numbers
 * live in one place.
 */
export type TrendRunOptions = TrendOptions & Required<Pick<TrendOptions, 'ntpQuantile' | 'ntpMinClients' | 'ntpBands' | 'minClients'>>;

export type Maybe<T> = T | null;

export interface ClientTrend {
  client: string;
  sessions: number;
  firstSession: number;
  lastSession: number;
  firstDate: Maybe<string>;
  lastDate: Maybe<string>;
  alliance: {
    n: number;
    mean: Maybe<number>;
    slope: Maybe<number>;
    /** Session numbers with alliance below the concern threshold. */
    belowCutoff: number[];
    /** Session numbers at which alliance dropped by >= the drop threshold from the previous rated session. */
    drops: number[];
  };
  outcome: {
    n: number;
    intakeSession: Maybe<number>;
    intake: Maybe<number>;
    lastSession: Maybe<number>;
    last: Maybe<number>;
    slope: Maybe<number>;
  };
  change: {
    preSession: Maybe<number>;
    pre: Maybe<number>;
    postSession: Maybe<number>;
    post: Maybe<number>;
    /** post - pre. */
    change: Maybe<number>;
    rci: Maybe<number>;
    reliable: Maybe<ReliableDirection>;
    clinicalPre: Maybe<boolean>;
    clinicalPost: Maybe<boolean>;
    category: Maybe<ChangeCategory>;
    /** Why change is not classified, when it is not. */
    reason?: string;
  };
  notOnTrack: {
    band: Maybe<number>;
    /** Sessions compared against a band (cell with enough clients). */
    assessed: number;
    /** Session numbers flagged. */
    sessions: number[];
    /** Flagged at the last assessed session. */
    current: boolean;
  };
  /** Trajectories (session order) for sparklines. */
  series: { session: number[]; alliance: number[]; outcome: number[] };
}

/**
 * The per-client rows (`--clients`): made one at a time, from the session store, each time
 * they are iterated (src/sequence.ts), so a million clients are never held as objects.
 */
export type ClientRows = Sequence<ClientTrend>;

export interface Proportion {
  x: number;
  n: number;
  share: Maybe<number>;
  ci: Maybe<[number, number]>;
}

export interface CohortStats {
  sessions: number;
  clients: number;
  allianceMean: Maybe<number>;
  allianceBelowShare: Maybe<number>;
  outcomeMean: Maybe<number>;
  /** Clients whose post session falls here, with a change. */
  completed: number;
  meanChange: Maybe<number>;
  meanChangeCi: Maybe<[number, number]>;
  sdPre: Maybe<number>;
  sdChange: Maybe<number>;
  d: Maybe<number>;
  dz: Maybe<number>;
  classified: number;
  reliablyImproved: Proportion;
  recovered: Proportion;
  deteriorated: Proportion;
  /** Why a statistic is null. */
  notEstimable: Record<string, string>;
}

export interface PeriodRow extends CohortStats {
  period: string;
}

export interface GroupRow extends CohortStats {
  /** The cell's label: the level, or the levels joined with ' / ' when `by` names several columns. */
  group: string;
  /** With several `by` columns: the cell's value in each, in `by` order. */
  levels?: string[];
}

export interface MeasureInfo {
  column: string;
  instrument: Maybe<string>;
  higherIsBetter: Maybe<boolean>;
}

export interface TrendResult {
  measures: { alliance: Maybe<MeasureInfo>; outcome: Maybe<MeasureInfo>; ignored: string[] };
  rows: number;
  clients: number;
  methods: {
    change:
      | { method: 'points'; threshold: Maybe<number>; source: string; reason?: string }
      | {
          method: 'jacobson-truax';
          reliability: number;
          sdPre: Maybe<number>;
          sdSource: 'data' | 'given';
          sDiff: Maybe<number>;
          critical: number;
          reason?: string;
        };
    clinical:
      | { source: 'instrument'; cutoff: number; clinicalIf: string; citation: string }
      | {
          source: 'jacobson-truax';
          type: CutoffType;
          cutoff: Maybe<number>;
          clinicalMean: Maybe<number>;
          clinicalSd: Maybe<number>;
          clinicalNormsSource: 'data' | 'given';
          functionalMean: Maybe<number>;
          functionalSd: Maybe<number>;
          reason?: string;
        }
      | { source: 'none'; reason: string };
    timePoints: { mode: 'first-last' } | { mode: 'fixed'; pre: number; post: number };
    allianceAlerts: {
      cutoff: Maybe<number>;
      cutoffSource: string;
      drop: Maybe<number>;
      dropSource: string;
    };
    notOnTrack: {
      quantile: number;
      minClients: number;
      bands: number;
      /** Intake values separating the bands (type-7 quantiles of intake). */
      bandLimits: number[];
      /** Cells (band x sessions since intake) with enough clients to flag against. */
      cellsUsed: number;
      cellsTooSmall: number;
      reason?: string;
    };
  };
  summary: {
    /** Clients with a pre and post value (their change is classified when a method is available). */
    used: number;
    excluded: { total: number; missingPre: number; missingPost: number; oneMeasurement: number; noOutcome: number };
    categories: Record<ChangeCategory, number>;
    reliable: Record<ReliableDirection, number>;
    allianceAlerts: { clientsBelowCutoff: number; sessionsBelowCutoff: number; clientsWithDrop: number; drops: number };
    notOnTrack: { clientsFlagged: number; clientsCurrentlyFlagged: number; flags: number };
    /** Pre/post effect sizes over all used clients. */
    overall: CohortStats;
  };
  clientRows: Maybe<ClientRows>;
  /** `minClients`: the suppression threshold; a period with fewer clients seen is marked (not left out) in tables and charts. */
  periods: Maybe<{ period: Period; rows: PeriodRow[]; sessionsWithoutDate: number; clientsWithoutPostDate: number; minClients: number }>;
  groups: Maybe<{ by: By; minClients: number; rows: GroupRow[]; suppressed: string[]; missingLevel: number }>;
}

/** isoDay's strings by day number: sessions fall on a few thousand days, asked for per client row. */
const isoDays = new Map<number, string>();

/** Days since 1970-01-01 -> "YYYY-MM-DD" (each day's text made once, then looked up). */
export function isoDay(day: number): string {
  let s = isoDays.get(day);
  if (s === undefined) {
    s = new Date(day * 86_400_000).toISOString().slice(0, 10);
    if (isoDays.size < 100_000) isoDays.set(day, s);
  }
  return s;
}

/** The period a day falls in: "2024-03", "2024-Q1" or "2024". */
export function periodKey(day: number, period: Period): string {
  const d = new Date(day * 86_400_000);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const yy = String(y).padStart(4, '0');
  if (period === 'year') return yy;
  if (period === 'quarter') return `${yy}-Q${Math.floor(m / 3) + 1}`;
  return `${yy}-${String(m + 1).padStart(2, '0')}`;
}

/** Why a client has no pre/post change. */
export type ExclusionReason = 'missingPre' | 'missingPost' | 'missingBoth' | 'oneMeasurement' | 'noOutcome';

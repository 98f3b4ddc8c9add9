/** The model's specification and results (see ../model.ts). */
import type { SessionRow } from '../../dataset/types.js';

/** Therapists needed before a therapist level is added (fewer give unusable variance estimates). */
export const MIN_THERAPISTS = 5;

export interface ModelSpec {
  /** Outcome and alliance columns (measure names in the mapping). */
  outcome: string;
  alliance: string;
  /** Add the session number as a fixed effect. */
  time?: boolean;
  /** Covariate values per row, by name (read by the caller from raw fields). */
  covariates?: string[];
  /** Random slope for the within-client alliance ('alliance') or the session ('time'). */
  randomSlope?: 'alliance' | 'time' | null;
  lag?: boolean;
  reverse?: boolean;
  ml?: boolean;
  /** Add a therapist level (clients nested in therapists). */
  therapistLevel?: boolean;
  /** Return the BLUPs. */
  randomEffects?: boolean;
  /** Cap on the optimizer's deviance evaluations (tests use it to provoke non-convergence). */
  maxEvaluations?: number;
  /** Also fit the nested ML sequence (null, + alliance, + random slope) and test it as anova(). */
  compare?: boolean;
  /**
   * Split the alliance into therapist, client and session components (Baldwin, Wampold &
   * Imel 2007) and fit outcome ~ a_session + a_client + a_therapist + (1 | therapist) +
   * (1 | therapist:client). Implies the therapist level.
   */
  decompose?: boolean;
  /**
   * Denominator df of the fixed-effect t tests: Satterthwaite (default, as lmerTest) or
   * Kenward-Roger ('kr', REML only: pbkrtest's adjusted covariance and df, as lmerTest's
   * summary(ddf = "Kenward-Roger")).
   */
  df?: 'satterthwaite' | 'kr';
  /**
   * With `decompose`: 'client' fits Baldwin et al.'s client-level variant, one row per
   * client: final ~ alliance_client + alliance_therapist + intake + (1 | therapist)
   * (model/client-level.ts). Default 'session'.
   */
  level?: 'session' | 'client';
  /** --level client: the client's alliance, the mean of the first K rated sessions ('early', default) or of all ('mean'). */
  clientAlliance?: 'early' | 'mean';
  /** K of the early alliance (default 3). */
  earlySessions?: number;
}

/** --decompose therapist: the therapist ICCs and which component carries the association. */
export interface Decomposition {
  /** Therapist share of the outcome's / the alliance's variance: null models y ~ 1 + (1 | therapist) + (1 | therapist:client) (REML). */
  iccOutcome: number | null;
  iccAlliance: number | null;
  therapists: number;
  sentence: string;
}

/** One model of the --compare sequence, with its likelihood-ratio test against the one before (as anova()). */
export interface ComparisonRow {
  model: string;
  formula: string;
  npar: number;
  aic: number;
  bic: number;
  logLik: number;
  deviance: number;
  /** Likelihood-ratio chi-square against the previous row, its df and p (null for the first row). */
  chisq: number | null;
  df: number | null;
  p: number | null;
}

/**
 * Nakagawa & Schielzeth (2013) R2 for mixed models, as performance::r2_nakagawa: marginal
 * = var_f / (var_f + var_r + var_e), conditional = (var_f + var_r) / (...), with var_f the
 * variance (n - 1) of the fixed-effects prediction X b over the rows used, var_r the random
 * variances (for a random slope the mean over rows of z' Sigma z, Johnson 2014; Nakagawa,
 * Johnson & Schielzeth 2017) and var_e the residual variance. When a variance parameter is
 * at the boundary (relative Cholesky diagonal < 1e-5), performance gives the random
 * variance as not available: conditional R2 null and marginal = var_f / (var_f + var_e).
 */
export interface R2 {
  marginal: number;
  conditional: number | null;
  varianceFixed: number;
  varianceRandom: number | null;
  varianceResidual: number;
}

export interface FixedEffect {
  term: string;
  estimate: number;
  se: number;
  df: number | null;
  t: number;
  p: number | null;
  lower: number | null;
  upper: number | null;
}

export interface VarianceComponent {
  group: 'client' | 'therapist' | 'residual';
  term: string;
  variance: number;
  sd: number;
}

export interface RandomEffect {
  level: 'client' | 'therapist';
  id: string;
  intercept: number;
  slope: number | null;
  /** Conditional SDs (sqrt of lme4's postVar diagonal, ranef(condVar = TRUE)). */
  interceptSD: number;
  slopeSD: number | null;
}

export interface ModelFitResult {
  method: 'REML' | 'ML';
  formula: string;
  fixed: FixedEffect[];
  /**
   * Contextual effect (Curran & Bauer 2011): between - within coefficient of the predictor,
   * i.e. how much more the client-level association is than the session-level one;
   * Satterthwaite t test of the contrast as lmerTest::contest1D.
   */
  contextual: FixedEffect;
  dfMethod: 'Satterthwaite' | 'Kenward-Roger';
  variance: VarianceComponent[];
  /** Correlation of the client random intercept and slope (random-slope models). */
  correlation: number | null;
  logLik: number;
  /** REML criterion (REML fits). */
  remlCriterion: number | null;
  /** -2 logLik, AIC and BIC (ML fits only: REML likelihoods of models with different fixed effects are not comparable). */
  deviance: number | null;
  aic: number | null;
  bic: number | null;
  npar: number;
  nobs: number;
  clients: number;
  therapists: number | null;
  singular: boolean;
  converged: boolean;
  optimizerMessage: string;
  evaluations: number;
  randomEffects: RandomEffect[] | null;
  r2: R2;
  /**
   * Standardised coefficients by refitting (effectsize's "refit" method): the outcome and
   * every predictor z-scored over the rows used (SD with n - 1), the same model refitted
   * (same random structure, REML/ML), Satterthwaite t tests and 95% CIs from that fit.
   * Null when the refit is not possible.
   */
  standardized: FixedEffect[] | null;
}

export interface ModelResult {
  spec: ModelSpec;
  /** Rows read, rows (or lagged pairs) used, and why others were left out. */
  rows: { read: number; used: number; clientsRead: number; excluded: Record<string, number> };
  /** Intraclass correlation of the null model outcome ~ 1 + (1 | client) on the same rows (REML). */
  icc: { value: number; clientVariance: number; residualVariance: number } | null;
  fit: ModelFitResult | null;
  /** Why the model could not be fitted (fit is null). */
  notEstimable: string | null;
  /** The --compare sequence (ML), null unless asked (or when a model of it cannot be fitted). */
  comparison: ComparisonRow[] | null;
  /** --decompose therapist results (null otherwise). */
  decomposition: Decomposition | null;
  notes: string[];
}

/** Values for the covariates of the row just delivered, filled by the caller (NaN if missing). */
export type CovariateReader = (row: SessionRow) => ArrayLike<number>;

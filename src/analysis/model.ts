/**
 * `model`: linear mixed models of outcome on alliance with the within/between-client split
 * (Curran & Bauer 2011, Annu. Rev. Psychol. 62:583-619, doi:10.1146/annurev.psych.093008.100356):
 *
 *   outcome ~ alliance_within + alliance_between [+ session] [+ covariates] + (1 | client)
 *
 * fitted by REML (or ML with `ml`), with optional random slope for the within-client
 * alliance (or session) and its correlation with the intercept, an optional therapist
 * level (clients nested in therapists), and lagged forms:
 *
 *   outcome(s+1) ~ alliance_within(s) + alliance_between + outcome(s) + (1 | client)
 *   alliance(s+1) ~ outcome_within(s) + outcome_between + alliance(s) + (1 | client)   (reverse)
 *
 * Centring: alliance_between is the client's mean alliance over the rows that enter the
 * model (every model variable present; for lagged models, the pairs used), and
 * alliance_within = alliance - that mean; this is what `ave(x, client)` on the model frame
 * gives in R. Fixed-effect tests use Satterthwaite degrees of freedom as lmerTest does.
 *
 * The fit itself (src/stats/lmm) works from per-client cross-products, so rows are held
 * only as a few typed columns while the design is built.
 */
import { blankSessionNotes } from '../dataset/numbering.js';
import type { Dataset, SessionRow } from '../dataset/types.js';
import { UserError } from '../errors.js';
import { CrossProductAccumulator, selectColumns, standardizeColumns, type GroupedCrossProducts } from '../stats/lmm/data.js';
import { FLAT_CURVATURE, fitLmm, LmmError, satterthwaiteContrast, type LmmFit } from '../stats/lmm/fit.js';
import { NestedInterceptStructure, SingleFactorStructure, SlopeTherapistStructure, type RandomStructure } from '../stats/lmm/profile.js';
import { chiSquareCdf, tQuantile, tTwoSidedP } from '../stats/distributions.js';

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
  dfMethod: 'Satterthwaite';
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

class Growable {
  data: Float64Array = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

interface Columns {
  client: Growable;
  session: Growable;
  x: Growable;
  y: Growable;
  therapist: Growable;
  covs: Growable[];
}

/**
 * Reads the rows (one scan), builds the design and fits the model. `covariates` reads the
 * covariate values of each row (the analysis has no access to unmapped columns itself).
 */
export async function fitModel(
  dataset: Dataset,
  spec: ModelSpec,
  covariates?: { reader: CovariateReader; onRaw?: (fields: string[], line: number, file: number) => void },
): Promise<ModelResult> {
  const measures = dataset.mapping.measures;
  const yIndex = measures.findIndex((m) => m.name === spec.outcome && m.role === 'outcome');
  const xIndex = measures.findIndex((m) => m.name === spec.alliance && m.role === 'alliance');
  if (yIndex < 0 || xIndex < 0) throw new Error('fitModel: outcome/alliance not among the mapped measures');
  const nc = spec.covariates?.length ?? 0;
  if (nc > 0 && !covariates) throw new Error('fitModel: covariates named but no covariate reader given');
  const cols: Columns = {
    client: new Growable(),
    session: new Growable(),
    x: new Growable(),
    y: new Growable(),
    therapist: new Growable(),
    covs: Array.from({ length: nc }, () => new Growable()),
  };
  const stats = await dataset.scan(
    (row) => {
      cols.client.push(row.client);
      cols.session.push(row.session);
      cols.x.push(row.values[xIndex]);
      cols.y.push(row.values[yIndex]);
      cols.therapist.push(row.therapist);
      if (nc > 0 && covariates) {
        const v = covariates.reader(row);
        for (let j = 0; j < nc; j++) cols.covs[j].push(v[j]);
      }
    },
    { onRaw: nc > 0 ? covariates?.onRaw : undefined },
  );
  const result = await fitColumns(dataset, spec, cols, cols.client.length);
  if (stats.blankSessions) result.notes.push(...blankSessionNotes(stats.blankSessions).map((n) => `Sessions: ${n}.`));
  if (stats.rowsWithoutClient > 0) {
    result.rows.excluded['no client id'] = stats.rowsWithoutClient;
    result.rows.read += stats.rowsWithoutClient;
  }
  return result;
}

interface Design {
  data: GroupedCrossProducts;
  terms: string[];
  /** Client index (dataset) of each group. */
  clientOf: number[];
  /** Per group: therapist index, -1 when none. */
  therapistOf: number[];
  nullData: GroupedCrossProducts;
  /** The predictor (alliance) alone, for the therapist ICC of the alliance (--decompose). */
  nullPredictor: GroupedCrossProducts;
  excluded: Record<string, number>;
  used: number;
}

function buildDesign(spec: ModelSpec, cols: Columns, n: number): Design {
  const excluded: Record<string, number> = {};
  const bump = (k: string): void => void (excluded[k] = (excluded[k] ?? 0) + 1);
  const nc = cols.covs.length;
  const { client, session, x, y } = cols;
  const covOk = (r: number): boolean => {
    for (let j = 0; j < nc; j++) if (!Number.isFinite(cols.covs[j].data[r])) return false;
    return true;
  };
  // (response row, predictor row) pairs
  const respRow: number[] = [];
  const predRow: number[] = [];
  if (!spec.lag) {
    for (let r = 0; r < n; r++) {
      if (!Number.isFinite(y.data[r])) bump(`missing or unusable ${spec.outcome}`);
      else if (!Number.isFinite(x.data[r])) bump(`missing or unusable ${spec.alliance}`);
      else if (spec.time && !Number.isFinite(session.data[r])) bump('missing session number');
      else if (!covOk(r)) bump('missing covariate');
      else {
        respRow.push(r);
        predRow.push(r);
      }
    }
  } else {
    // predictor variable at s, response variable at s+1
    const pv = spec.reverse ? y : x;
    const rv = spec.reverse ? x : y;
    const order = Array.from({ length: n }, (_, i) => i).filter((r) => Number.isFinite(session.data[r]));
    if (order.length < n) excluded['missing session number'] = n - order.length;
    order.sort((a, b) => client.data[a] - client.data[b] || session.data[a] - session.data[b] || a - b);
    for (let i = 0; i < order.length; i++) {
      const r = order[i];
      const dupPrev = i > 0 && client.data[order[i - 1]] === client.data[r] && session.data[order[i - 1]] === session.data[r];
      const dupNext = i + 1 < order.length && client.data[order[i + 1]] === client.data[r] && session.data[order[i + 1]] === session.data[r];
      if (dupPrev || dupNext) {
        bump('duplicate session number (not paired)');
        continue;
      }
      const nxt = order[i + 1];
      if (nxt === undefined || client.data[nxt] !== client.data[r]) continue; // last session of the client
      if (session.data[nxt] !== session.data[r] + 1) {
        bump('next session not consecutive');
        continue;
      }
      const dupNxt = i + 2 < order.length && client.data[order[i + 2]] === client.data[nxt] && session.data[order[i + 2]] === session.data[nxt];
      if (dupNxt) continue;
      if (!Number.isFinite(pv.data[r]) || !Number.isFinite(rv.data[r]) || !Number.isFinite(rv.data[nxt])) bump('missing value in the pair');
      else if (!covOk(r)) bump('missing covariate');
      else {
        respRow.push(nxt);
        predRow.push(r);
      }
    }
  }
  const pv = spec.lag && spec.reverse ? y : x;
  const rv = spec.lag && spec.reverse ? x : y;
  // client means of the predictor over the rows used
  const sum = new Map<number, { s: number; n: number }>();
  for (let i = 0; i < predRow.length; i++) {
    const c = client.data[predRow[i]];
    const e = sum.get(c) ?? { s: 0, n: 0 };
    e.s += pv.data[predRow[i]];
    e.n++;
    sum.set(c, e);
  }
  // --decompose: each client's therapist (first seen) and the therapist component, the
  // mean over the therapist's clients of the client means
  const therapistMean = new Map<number, number>();
  const clientTherapist = new Map<number, number>();
  if (spec.decompose) {
    for (const r of predRow) if (!clientTherapist.has(client.data[r])) clientTherapist.set(client.data[r], cols.therapist.data[r]);
    const acc2 = new Map<number, { s: number; n: number }>();
    for (const [c, e] of sum) {
      const t = clientTherapist.get(c)!;
      const a = acc2.get(t) ?? { s: 0, n: 0 };
      a.s += e.s / e.n;
      a.n++;
      acc2.set(t, a);
    }
    for (const [t, a] of acc2) therapistMean.set(t, a.s / a.n);
  }
  const predName = spec.lag && spec.reverse ? spec.outcome : spec.alliance;
  const respName = spec.lag && spec.reverse ? spec.alliance : spec.outcome;
  const terms = spec.decompose
    ? ['(Intercept)', `${predName}_session`, `${predName}_client`, `${predName}_therapist`]
    : ['(Intercept)', `${predName}_within`, `${predName}_between`];
  if (spec.lag) terms.push(`${respName}_previous`);
  if (spec.time) terms.push('session');
  for (const c of spec.covariates ?? []) terms.push(c);
  const p = terms.length;
  const xr = new Float64Array(p);
  const fill = (i: number): number => {
    const r = predRow[i];
    const e = sum.get(client.data[r])!;
    const mean = e.s / e.n;
    let k = 0;
    xr[k++] = 1;
    xr[k++] = pv.data[r] - mean;
    if (spec.decompose) {
      const tm = therapistMean.get(clientTherapist.get(client.data[r])!) ?? 0;
      xr[k++] = mean - tm;
      xr[k++] = tm;
    } else xr[k++] = mean;
    if (spec.lag) xr[k++] = rv.data[r];
    if (spec.time) xr[k++] = session.data[r];
    for (let j = 0; j < nc; j++) xr[k++] = cols.covs[j].data[r];
    return rv.data[respRow[i]];
  };
  // Column and response means, subtracted before the cross-products are accumulated
  // (numerical accuracy; see CrossProductAccumulator). A column with a random slope is
  // not shifted: that would change the model; nor is the within column (mean 0 already, and
  // its exact zeros tell when the predictor does not vary within any client).
  const shift = new Float64Array(p);
  let yShift = 0;
  for (let i = 0; i < predRow.length; i++) {
    yShift += fill(i);
    for (let j = 1; j < p; j++) shift[j] += xr[j];
  }
  if (predRow.length > 0) {
    yShift /= predRow.length;
    for (let j = 1; j < p; j++) shift[j] /= predRow.length;
  }
  const slopeCol = spec.randomSlope === 'time' ? terms.indexOf('session') : spec.randomSlope ? 1 : -1;
  if (slopeCol > 0) shift[slopeCol] = 0;
  shift[1] = 0;
  const acc = new CrossProductAccumulator(p, { shift, yShift });
  const nullAcc = new CrossProductAccumulator(1, { yShift });
  let pShift = 0;
  for (const r of predRow) pShift += pv.data[r];
  const nullPred = new CrossProductAccumulator(1, { yShift: predRow.length > 0 ? pShift / predRow.length : 0 });
  const one = new Float64Array([1]);
  const therapistOfClient = new Map<number, number>();
  for (let i = 0; i < predRow.length; i++) {
    const r = predRow[i];
    const c = client.data[r];
    const yv = fill(i);
    acc.add(c, xr, yv);
    nullAcc.add(c, one, yv);
    nullPred.add(c, one, pv.data[r]);
    if (spec.therapistLevel || spec.decompose) {
      const t = cols.therapist.data[r];
      const prev = therapistOfClient.get(c);
      if (prev === undefined) therapistOfClient.set(c, t);
      else if (prev !== t) therapistOfClient.set(c, -2); // more than one therapist
    }
  }
  const data = acc.finish();
  return {
    data,
    terms,
    clientOf: data.groupIds,
    therapistOf: data.groupIds.map((c) => therapistOfClient.get(c) ?? -1),
    nullData: nullAcc.finish(),
    nullPredictor: nullPred.finish(),
    excluded,
    used: predRow.length,
  };
}

function formula(spec: ModelSpec, terms: string[], slopeTerm: string | null, therapist: boolean): string {
  const resp = spec.lag ? `${spec.reverse ? spec.alliance : spec.outcome}(s+1)` : spec.outcome;
  // in lagged models every predictor except the client mean is taken at session s
  const rhs = terms.slice(1).map((t) => (spec.lag && !/_(between|client|therapist)$/.test(t) ? `${t}(s)` : t));
  const re = slopeTerm
    ? `(1 + ${slopeTerm} | client)${therapist ? ' + (1 | therapist)' : ''}`
    : therapist
      ? '(1 | therapist) + (1 | therapist:client)'
      : '(1 | client)';
  return `${resp} ~ ${rhs.join(' + ')} + ${re}`;
}

async function fitColumns(dataset: Dataset, spec: ModelSpec, cols: Columns, nRows: number): Promise<ModelResult> {
  const design = buildDesign(spec, cols, nRows);
  const { data, terms } = design;
  const notes: string[] = [];
  const clientsRead = new Set<number>();
  for (let r = 0; r < nRows; r++) clientsRead.add(cols.client.data[r]);
  const base: Omit<ModelResult, 'fit' | 'notEstimable' | 'icc'> = {
    spec,
    rows: { read: nRows, used: design.used, clientsRead: clientsRead.size, excluded: design.excluded },
    comparison: null,
    decomposition: null,
    notes,
  };
  const fail = (reason: string): ModelResult => ({ ...base, icc: null, fit: null, notEstimable: reason });
  if (spec.lag) {
    notes.push(
      'Lagged outcome with a random intercept: with few sessions per client the coefficient of the previous score is biased (Nickell 1981, Econometrica 49:1417-1426); read it, and the within-client effect beside it, with that in mind.',
    );
  }
  const unit = spec.lag ? 'consecutive-session pairs' : 'rows';
  if (data.groups < 2) return fail(`${data.groups} client(s) with usable ${unit}; a mixed model needs at least 2`);
  if (data.nobs <= data.groups) {
    return fail(`every client has a single usable ${spec.lag ? 'pair' : 'row'}: client and residual variance cannot be separated`);
  }
  // within-client variation of the predictor
  const k = data.p + 1;
  let withinSS = 0;
  for (let g = 0; g < data.groups; g++) withinSS += data.cross[g * k * k + 1 * k + 1];
  if (!(withinSS > 0)) return fail(`${terms[1].replace(/_within$/, '')} does not vary within any client`);

  // Identification of the client variance: the columns constant within every client
  // (intercept, the client mean, client-level covariates) are fitted from the client means
  // alone; with no more clients than such columns, nothing is left to estimate the
  // variance of the clients around them (the REML deviance is flat in it).
  const clientLevel = clientLevelColumns(data);
  if (data.groups <= clientLevel.length) {
    return fail(
      `${data.groups} clients for ${clientLevel.length} client-level fixed effects (${clientLevel.map((j) => terms[j]).join(', ')}): ` +
        `the client variance cannot be separated from them (the likelihood is flat in it); at least ${clientLevel.length + 1} clients are needed, and many more for a usable estimate`,
    );
  }

  // ICC of the null model on the same rows (REML)
  let icc: ModelResult['icc'] = null;
  try {
    const nf = fitLmm(new SingleFactorStructure(design.nullData, [0]), design.nullData.nobs, 1, true);
    const cv = nf.sigma ** 2 * nf.theta[0] ** 2;
    const rv = nf.sigma ** 2;
    icc = { value: cv / (cv + rv), clientVariance: cv, residualVariance: rv };
  } catch {
    icc = null;
  }

  // random structure
  let slopeTerm: string | null = null;
  let therapists: number | null = null;
  let therapistIds: number[] = [];
  let useTherapist = false;
  if (spec.decompose && spec.randomSlope) {
    throw new UserError('--decompose therapist fits random intercepts for therapists and clients; it takes no --random-slope', { hint: 'Drop --random-slope' });
  }
  if (spec.therapistLevel || spec.decompose) {
    if (design.therapistOf.some((t) => t === -2)) {
      throw new UserError('some clients are seen by more than one therapist, so clients are not nested in therapists', {
        hint: 'Drop --group therapist, or give each client a single therapist (the first session\'s therapist, say) before modelling',
      });
    }
    const distinct = [...new Set(design.therapistOf.filter((t) => t >= 0))];
    if (design.therapistOf.some((t) => t < 0)) {
      notes.push('Clients without a therapist id were left out of the therapist level: the therapist level was not added.');
    } else if (distinct.length < MIN_THERAPISTS) {
      notes.push(`Therapist level not added: ${distinct.length} therapist(s) in the rows used; at least ${MIN_THERAPISTS} are needed to estimate a therapist variance.`);
    } else {
      useTherapist = true;
      therapistIds = distinct;
    }
  }
  if (spec.decompose && !useTherapist) {
    return fail(
      `--decompose therapist needs every client's therapist and at least ${MIN_THERAPISTS} therapists in the rows used (${[...new Set(design.therapistOf.filter((t) => t >= 0))].length} found)`,
    );
  }
  // the random structure, as a factory: the same structure on other cross-products of the
  // same rows (standardised refit, --compare sequence)
  let makeStructure: (d: GroupedCrossProducts, interceptOnly?: boolean) => RandomStructure;
  if (useTherapist) {
    const tIndex = new Map(therapistIds.map((t, i) => [t, i]));
    const parent = Int32Array.from(design.therapistOf.map((t) => tIndex.get(t)!));
    therapists = therapistIds.length;
    if (spec.randomSlope) {
      // (1 + slope | client) + (1 | therapist)
      const col = spec.randomSlope === 'time' ? terms.indexOf('session') : 1;
      if (col < 0) throw new UserError('--random-slope time needs --time', { hint: 'Add --time, or use --random-slope alliance' });
      slopeTerm = terms[col];
      makeStructure = (d, interceptOnly) =>
        interceptOnly ? new NestedInterceptStructure(d, parent, therapistIds.length) : new SlopeTherapistStructure(d, col, parent, therapistIds.length);
    } else {
      makeStructure = (d) => new NestedInterceptStructure(d, parent, therapistIds.length);
    }
  } else if (spec.randomSlope) {
    const col = spec.randomSlope === 'time' ? terms.indexOf('session') : 1;
    if (col < 0) throw new UserError('--random-slope time needs --time', { hint: 'Add --time, or use --random-slope alliance' });
    slopeTerm = terms[col];
    makeStructure = (d, interceptOnly) => new SingleFactorStructure(d, interceptOnly ? [0] : [0, col]);
  } else {
    makeStructure = (d) => new SingleFactorStructure(d, [0]);
  }
  const structure: RandomStructure = makeStructure(data);

  let fit: LmmFit;
  try {
    fit = fitLmm(structure, data.nobs, data.p, !spec.ml, { maxEval: spec.maxEvaluations });
  } catch (e) {
    if (e instanceof LmmError) {
      const why =
        e.reason === 'rank-deficient' && e.column > 0
          ? `${terms[e.column]} is constant or a combination of the other predictors (the fixed-effects design is rank deficient)`
          : e.message;
      return { ...fail(why), icc };
    }
    throw e;
  }

  if (!(fit.flatness > FLAT_CURVATURE)) {
    const names = structure instanceof NestedInterceptStructure ? 'the client and therapist variances' : slopeTerm ? 'the client intercept and slope (co)variances' : 'the client variance';
    return {
      ...fail(
        `the data do not identify ${names}: the likelihood is flat in them (smallest curvature of the deviance ${fit.flatness.toExponential(1)} of the largest); ` +
          'too few clients (or therapists) for this random structure',
      ),
      icc,
    };
  }

  const fixed: FixedEffect[] = terms.map((term, j) => fixedRow(term, fit.beta[j], fit.se[j], fit.df[j]));
  const L = terms.map(() => 0);
  L[1] = -1;
  L[2] = 1;
  const ctr = satterthwaiteContrast(fit, L);
  const contextual = fixedRow(`${terms[2]} - ${terms[1]}`, ctr.estimate, ctr.se, ctr.df);
  if (fixed.some((f) => f.df === null)) notes.push('Satterthwaite df not computable for some terms (p and CI not shown for them).');
  if (fit.dfNote) notes.push(`Satterthwaite df: ${fit.dfNote} (as lmerTest warns; the df use the positive part of the Hessian).`);

  const s2 = fit.sigma * fit.sigma;
  const variance: VarianceComponent[] = [];
  let correlation: number | null = null;
  const vc = (group: VarianceComponent['group'], term: string, v: number): void => void variance.push({ group, term, variance: v, sd: Math.sqrt(v) });
  if (structure instanceof NestedInterceptStructure) {
    vc('client', '(Intercept)', s2 * fit.theta[0] ** 2);
    vc('therapist', '(Intercept)', s2 * fit.theta[1] ** 2);
  } else if (slopeTerm) {
    const [t11, t21, t22] = fit.theta;
    const v1 = s2 * t11 * t11;
    const v2 = s2 * (t21 * t21 + t22 * t22);
    vc('client', '(Intercept)', v1);
    vc('client', slopeTerm, v2);
    const cov = s2 * t11 * t21;
    correlation = v1 > 0 && v2 > 0 ? cov / Math.sqrt(v1 * v2) : null;
    if (structure instanceof SlopeTherapistStructure) vc('therapist', '(Intercept)', s2 * fit.theta[3] ** 2);
  } else {
    vc('client', '(Intercept)', s2 * fit.theta[0] ** 2);
  }
  vc('residual', '', s2);

  if (fit.singular) {
    notes.push(
      'Singular fit: a random-effect variance (or the slope-intercept correlation) is at the boundary of its range (variance 0 or correlation +-1). The model is over-specified for these data; a simpler random structure gives the same fixed effects more honestly.',
    );
  }
  if (!fit.converged) notes.push(`The optimizer did not converge: ${fit.optimizerMessage}. Treat the estimates as unreliable.`);

  const r2 = nakagawaR2(data, fit, variance, slopeTerm ? terms.indexOf(slopeTerm) : -1, correlation);
  const standardized = standardizedRefit(makeStructure(standardizeColumns(data)), data, terms, !spec.ml);
  if (standardized === null) notes.push('Standardised coefficients: the refit on z-scored data could not be fitted.');
  const decomposition = spec.decompose ? decompose(design, structure as NestedInterceptStructure, terms, fit, notes) : null;
  let comparison: ComparisonRow[] | null = null;
  if (spec.compare) {
    comparison = compareSequence(spec, data, terms, makeStructure, slopeTerm, therapists !== null);
    if (comparison === null) notes.push('--compare: a model of the sequence could not be fitted, so no comparison is shown.');
  }

  let randomEffects: RandomEffect[] | null = null;
  if (spec.randomEffects) {
    randomEffects = [];
    const sd = (v: number): number => fit.sigma * Math.sqrt(Math.max(0, v));
    if (structure instanceof SlopeTherapistStructure) {
      const { client, therapist, clientVar, therapistVar } = structure.ranef(fit.theta, fit.beta);
      therapistIds.forEach((t, i) =>
        randomEffects!.push({ level: 'therapist', id: dataset.therapists[t], intercept: therapist[i], slope: null, interceptSD: sd(therapistVar[i]), slopeSD: null }),
      );
      design.clientOf.forEach((c, g) =>
        randomEffects!.push({
          level: 'client',
          id: dataset.clients[c],
          intercept: client[g * 2],
          slope: client[g * 2 + 1],
          interceptSD: sd(clientVar[g * 4]),
          slopeSD: sd(clientVar[g * 4 + 3]),
        }),
      );
    } else if (structure instanceof NestedInterceptStructure) {
      const { client, therapist, clientVar, therapistVar } = structure.ranef(fit.theta, fit.beta);
      therapistIds.forEach((t, i) =>
        randomEffects!.push({ level: 'therapist', id: dataset.therapists[t], intercept: therapist[i], slope: null, interceptSD: sd(therapistVar[i]), slopeSD: null }),
      );
      design.clientOf.forEach((c, g) =>
        randomEffects!.push({ level: 'client', id: dataset.clients[c], intercept: client[g], slope: null, interceptSD: sd(clientVar[g]), slopeSD: null }),
      );
    } else {
      const s = structure as SingleFactorStructure;
      const { modes, condVar } = s.ranef(fit.theta, fit.beta);
      const q = s.q;
      design.clientOf.forEach((c, g) =>
        randomEffects!.push({
          level: 'client',
          id: dataset.clients[c],
          intercept: modes[g * q],
          slope: q > 1 ? modes[g * q + 1] : null,
          interceptSD: sd(condVar[g * q * q]),
          slopeSD: q > 1 ? sd(condVar[g * q * q + q + 1]) : null,
        }),
      );
    }
  }

  return {
    ...base,
    icc,
    notEstimable: null,
    comparison,
    decomposition,
    fit: {
      method: spec.ml ? 'ML' : 'REML',
      formula: formula(spec, terms, slopeTerm, useTherapist),
      fixed,
      contextual,
      dfMethod: 'Satterthwaite',
      variance,
      correlation,
      logLik: fit.logLik,
      remlCriterion: spec.ml ? null : fit.deviance,
      deviance: spec.ml ? fit.deviance : null,
      aic: spec.ml ? fit.aic : null,
      bic: spec.ml ? fit.bic : null,
      npar: fit.npar,
      nobs: data.nobs,
      clients: data.groups,
      therapists,
      singular: fit.singular,
      converged: fit.converged,
      optimizerMessage: fit.optimizerMessage,
      evaluations: fit.evaluations,
      randomEffects,
      r2,
      standardized,
    },
  };
}

function fixedRow(term: string, est: number, se: number, df: number): FixedEffect {
  const t = est / se;
  const dfOk = Number.isFinite(df) && df > 0;
  const q = dfOk ? tQuantile(0.975, df) : NaN;
  return {
    term,
    estimate: est,
    se,
    df: dfOk ? df : null,
    t,
    p: dfOk ? tTwoSidedP(t, df) : null,
    lower: dfOk ? est - q * se : null,
    upper: dfOk ? est + q * se : null,
  };
}

function nakagawaR2(data: GroupedCrossProducts, fit: LmmFit, variance: VarianceComponent[], slopeCol: number, correlation: number | null): R2 {
  const k = data.p + 1;
  const p = data.p;
  const tot = new Float64Array(k * k);
  for (let g = 0; g < data.groups; g++) for (let e = 0; e < k * k; e++) tot[e] += data.cross[g * k * k + e];
  const n = tot[0];
  // variance (n - 1) of X b: b' Cov(X) b over the non-intercept columns (shift-invariant)
  let vf = 0;
  for (let i = 1; i < p; i++) {
    for (let j = 1; j < p; j++) vf += fit.beta[i] * fit.beta[j] * ((tot[i * k + j] - (tot[i] * tot[j]) / n) / (n - 1));
  }
  const ve = fit.sigma * fit.sigma;
  // performance/insight: a variance parameter at the boundary (tolerance 1e-5) makes the
  // random variances "not available"
  let vr: number | null = null;
  const atBoundary = fit.theta.some((t, i) => i < fit.theta.length && isDiagonalTheta(fit, i) && Math.abs(t) < 1e-5);
  if (!atBoundary) {
    const clientVars = variance.filter((v) => v.group !== 'residual');
    if (slopeCol > 0) {
      // mean over rows of z' Sigma z with z = (1, x_slope); the slope column is never shifted;
      // plus the therapist intercept variance when there is one
      const v1 = clientVars[0].variance;
      const v2 = clientVars[1].variance;
      const cov = (correlation ?? 0) * Math.sqrt(v1 * v2);
      vr = v1 + (2 * cov * tot[slopeCol]) / n + (v2 * tot[slopeCol * k + slopeCol]) / n;
      for (const v of clientVars.slice(2)) vr += v.variance;
    } else {
      vr = clientVars.reduce((a, v) => a + v.variance, 0);
    }
  }
  const total = vf + (vr ?? 0) + ve;
  return { marginal: vf / total, conditional: vr === null ? null : (vf + vr) / total, varianceFixed: vf, varianceRandom: vr, varianceResidual: ve };
}

/** Below this many therapists the therapist component is flagged as poorly estimated. */
export const DECOMPOSE_WARN_THERAPISTS = 10;

/**
 * --decompose therapist: the therapist ICCs of the outcome and of the alliance (null models
 * y ~ 1 + (1 | therapist) + (1 | therapist:client), REML, on the rows used: therapist
 * variance over the total), and a sentence saying which components carry the association
 * (a component "carries" it when its coefficient's Satterthwaite p < .05).
 */
function decompose(design: Design, structure: NestedInterceptStructure, terms: string[], fit: LmmFit, notes: string[]): Decomposition {
  const icc = (d: GroupedCrossProducts): number | null => {
    try {
      const f = fitLmm(new NestedInterceptStructure(d, structure.parent, structure.therapists), d.nobs, 1, true);
      const vc = f.theta[0] ** 2;
      const vt = f.theta[1] ** 2;
      return vt / (vt + vc + 1);
    } catch (e) {
      if (e instanceof LmmError) return null;
      throw e;
    }
  };
  const therapists = structure.therapists;
  if (therapists < DECOMPOSE_WARN_THERAPISTS) {
    notes.push(
      `Only ${therapists} therapists: the therapist component and the therapist variance are poorly estimated (Baldwin, Wampold & Imel 2007 used 80 therapists); read the therapist row as indicative at most.`,
    );
  }
  const label = ['', 'session-to-session changes within clients', 'differences between clients of the same therapist', 'differences between therapists'];
  const parts = [1, 2, 3].map((j) => {
    const b = fit.beta[j];
    const se = fit.se[j];
    const df = fit.df[j];
    const p = Number.isFinite(df) && df > 0 ? tTwoSidedP(b / se, df) : NaN;
    return { j, b, p, carries: p < 0.05 };
  });
  const carrying = parts.filter((x) => x.carries);
  const fmt = (x: { j: number; b: number; p: number }): string => `${label[x.j]} (${terms[x.j]}: b = ${x.b.toPrecision(3)}, p ${Number.isFinite(x.p) ? (x.p < 0.001 ? '< .001' : `= ${x.p.toFixed(3)}`) : 'not computable'})`;
  const sentence =
    carrying.length === 0
      ? `None of the three alliance components is significantly associated with the outcome at p < .05: ${parts.map(fmt).join('; ')}.`
      : `The alliance-outcome association is carried by ${carrying.map(fmt).join(' and by ')}${
          carrying.length < 3 ? `; not detectably by ${parts.filter((x) => !x.carries).map(fmt).join(' or by ')}` : ''
        }.`;
  return { iccOutcome: icc(design.nullData), iccAlliance: icc(design.nullPredictor), therapists, sentence };
}

/** Whether theta[i] is a diagonal element of a relative Cholesky factor (lower bound 0). */
function isDiagonalTheta(fit: LmmFit, i: number): boolean {
  return fit.thetaLower[i] === 0;
}

function standardizedRefit(structure: RandomStructure, data: GroupedCrossProducts, terms: string[], reml: boolean): FixedEffect[] | null {
  try {
    const f = fitLmm(structure, data.nobs, data.p, reml);
    return terms.map((term, j) => fixedRow(term, f.beta[j], f.se[j], f.df[j]));
  } catch (e) {
    if (e instanceof LmmError) return null;
    throw e;
  }
}

/**
 * --compare: ML fits of the nested sequence on the same rows, and the likelihood-ratio tests
 * of each against the one before, as anova() on lme4 fits (which refits by ML):
 *   null:     the model without the alliance terms (keeps session, covariates, the previous
 *             outcome of a lagged model), same random intercept(s)
 *   alliance: + _within + _between, same random intercept(s)
 *   slope:    + the random slope (when asked)
 */
function compareSequence(
  spec: ModelSpec,
  data: GroupedCrossProducts,
  terms: string[],
  makeStructure: (d: GroupedCrossProducts, interceptOnly?: boolean) => RandomStructure,
  slopeTerm: string | null,
  therapist: boolean,
): ComparisonRow[] | null {
  const allianceCols = spec.decompose ? [1, 2, 3] : [1, 2];
  const rest = terms.map((_, j) => j).filter((j) => j > allianceCols.length);
  const re = therapist ? '(1 | therapist) + (1 | therapist:client)' : '(1 | client)';
  const resp = spec.lag ? `${spec.reverse ? spec.alliance : spec.outcome}(s+1)` : spec.outcome;
  const rhs = (cols: number[]): string => (cols.length === 0 ? '1' : cols.map((j) => terms[j]).join(' + '));
  const models: { model: string; formula: string; d: GroupedCrossProducts; interceptOnly: boolean }[] = [
    { model: 'null', formula: `${resp} ~ ${rhs(rest)} + ${re}`, d: selectColumns(data, [0, ...rest]), interceptOnly: true },
    { model: `+ ${allianceCols.map((j) => terms[j]).join(' + ')}`, formula: `${resp} ~ ${rhs([...allianceCols, ...rest])} + ${re}`, d: data, interceptOnly: true },
  ];
  if (slopeTerm) {
    const reSlope = `(1 + ${slopeTerm} | client)${therapist ? ' + (1 | therapist)' : ''}`;
    models.push({ model: `+ random slope of ${slopeTerm}`, formula: `${resp} ~ ${rhs([1, 2, ...rest])} + ${reSlope}`, d: data, interceptOnly: false });
  }
  const rows: ComparisonRow[] = [];
  for (const m of models) {
    let f: LmmFit;
    try {
      f = fitLmm(makeStructure(m.d, m.interceptOnly), m.d.nobs, m.d.p, false);
    } catch (e) {
      if (e instanceof LmmError) return null;
      throw e;
    }
    const prev = rows[rows.length - 1];
    let chisq: number | null = null;
    let df: number | null = null;
    let p: number | null = null;
    if (prev) {
      chisq = Math.max(0, prev.deviance - f.deviance);
      df = f.npar - prev.npar;
      p = chiSquareCdf(chisq, df, false);
    }
    rows.push({ model: m.model, formula: m.formula, npar: f.npar, aic: f.aic, bic: f.bic, logLik: f.logLik, deviance: f.deviance, chisq, df, p });
  }
  return rows;
}

/**
 * Fixed-effect columns constant within every group (column 0, the intercept, always is):
 * a column's within-group sum of squares S_jj - S_0j^2 / n_g is zero (to rounding) in each.
 */
export function clientLevelColumns(data: GroupedCrossProducts): number[] {
  const k = data.p + 1;
  const kk = k * k;
  const out: number[] = [0];
  for (let j = 1; j < data.p; j++) {
    let constant = true;
    for (let g = 0; g < data.groups && constant; g++) {
      const base = g * kk;
      const n = data.cross[base];
      const sj = data.cross[base + j];
      const sjj = data.cross[base + j * k + j];
      const within = sjj - (sj * sj) / n;
      if (within > 1e-10 * Math.max(sjj, 1e-300)) constant = false;
    }
    if (constant) out.push(j);
  }
  return out;
}

/** Tokens read as missing in a covariate cell (besides the empty cell). */
const COVARIATE_MISSING = new Set(['NA', 'N/A', 'na', 'n/a', '.', '-', 'NaN', 'null', 'NULL', 'missing']);

/**
 * Reads covariate columns (which the dataset does not map) from the raw records: the
 * dataset calls `onRaw` for a record just before delivering its row, so the values are
 * matched by (file, line). Rows whose raw record was not seen (joined exports deliver
 * merged rows) get NaN and are counted in `unmatched`.
 */
export function rawCovariates(dataset: Dataset, names: string[]) {
  const index: number[][] = dataset.files.map((f) =>
    names.map((name) => {
      const i = f.header.findIndex((h) => h.trim() === name);
      if (i < 0) {
        throw new UserError(`covariate column "${name}" is not in the header`, {
          location: { file: f.display, line: 1 },
          hint: `Columns are: ${f.header.join(', ')}`,
        });
      }
      return i;
    }),
  );
  const counts = { unmatched: 0, unusable: names.map(() => 0) };
  // The dataset's cell rules (missing markers, --missing codes, instrument ranges), as for every other column.
  const cells = dataset.columnCells ? names.map((name) => dataset.columnCells!(name)) : null;
  let lastFile = -1;
  let lastLine = -1;
  const values = new Float64Array(names.length);
  const nan = new Float64Array(names.length).fill(NaN);
  return {
    counts,
    onRaw(fields: string[], line: number, file: number): void {
      lastFile = file;
      lastLine = line;
      const decimalComma = dataset.files[file]?.decimal === ',';
      index[file].forEach((fi, j) => {
        if (cells) {
          values[j] = cells[j].read(fields[fi] ?? '', file);
          if (cells[j].last === 'unusable') counts.unusable[j]++;
          return;
        }
        let s = (fields[fi] ?? '').trim();
        if (s === '' || COVARIATE_MISSING.has(s)) {
          values[j] = NaN;
          return;
        }
        if (decimalComma) s = s.replace(',', '.');
        const v = Number(s);
        if (!Number.isFinite(v)) counts.unusable[j]++;
        values[j] = Number.isFinite(v) ? v : NaN;
      });
    },
    reader(row: SessionRow): ArrayLike<number> {
      if (row.file === lastFile && row.line === lastLine) return values;
      counts.unmatched++;
      return nan;
    },
  };
}

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
import type { Dataset } from '../dataset/types.js';
import { UserError } from '../errors.js';
import { standardizeColumns, type GroupedCrossProducts } from '../stats/lmm/data.js';
import { FLAT_CURVATURE, fitLmm, LmmError, type LmmFit } from '../stats/lmm/fit.js';
import { SingleFactorStructure, type RandomStructure } from '../stats/lmm/profile.js';
import { NestedInterceptStructure, SlopeTherapistStructure } from '../stats/lmm/nested.js';
import { buildDesign, formula, Growable, nullModelData, type Columns } from './model/design.js';
import { clientLevelColumns, compareSequence, decompose, fitCriteria, fixedTests, nakagawaR2, standardizedRefit } from './model/statistics.js';
import { listRandomEffects } from './model/random.js';
import { fitClientLevel } from './model/client-level.js';
import { MIN_THERAPISTS, type ComparisonRow, type CovariateReader, type ModelResult, type ModelSpec, type VarianceComponent } from './model/types.js';

export * from './model/types.js';
export { rawCovariates } from './model/covariates.js';
export { clientLevelColumns, DECOMPOSE_WARN_THERAPISTS } from './model/statistics.js';

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
    client: new Growable('i32'),
    session: new Growable(),
    x: new Growable(),
    y: new Growable(),
    therapist: new Growable('i32'),
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

/** Distinct client numbers among the first `n` (interned numbers, dense from 0): a byte per client. */
function countClients(client: ArrayLike<number>, n: number): number {
  let top = 0;
  for (let r = 0; r < n; r++) if (client[r] >= top) top = client[r] + 1;
  const seen = new Uint8Array(top);
  let count = 0;
  for (let r = 0; r < n; r++) {
    const c = client[r];
    if (seen[c] === 0) {
      seen[c] = 1;
      count++;
    }
  }
  return count;
}

async function fitColumns(dataset: Dataset, spec: ModelSpec, cols: Columns, nRows: number): Promise<ModelResult> {
  const clientsRead = countClients(cols.client.data, nRows);
  if (spec.level === 'client') return fitClientLevel(spec, cols, nRows, clientsRead);
  const design = buildDesign(spec, cols, nRows);
  // the rows are not read again: their columns go before the fit
  for (const c of [cols.client, cols.session, cols.x, cols.y, cols.therapist, ...cols.covs]) c.release();
  const { data, terms } = design;
  const notes: string[] = [];
  const base: Omit<ModelResult, 'fit' | 'notEstimable' | 'icc'> = {
    spec,
    rows: { read: nRows, used: design.used, clientsRead, excluded: design.excluded },
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
    const nullData = nullModelData(design);
    const nf = fitLmm(new SingleFactorStructure(nullData, [0]), nullData.nobs, 1, true);
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
        hint: "Drop --group therapist, or give each client a single therapist (the first session's therapist, say) before modelling",
      });
    }
    const distinct = [...new Set(design.therapistOf.filter((t) => t >= 0))];
    if (design.therapistOf.some((t) => t < 0)) {
      notes.push('Clients without a therapist id were left out of the therapist level: the therapist level was not added.');
    } else if (distinct.length < MIN_THERAPISTS) {
      notes.push(
        `Therapist level not added: ${distinct.length} therapist(s) in the rows used; at least ${MIN_THERAPISTS} are needed to estimate a therapist variance.`,
      );
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
    const names =
      structure instanceof NestedInterceptStructure
        ? 'the client and therapist variances'
        : slopeTerm
          ? 'the client intercept and slope (co)variances'
          : 'the client variance';
    return {
      ...fail(
        `the data do not identify ${names}: the likelihood is flat in them (smallest curvature of the deviance ${fit.flatness.toExponential(1)} of the largest); ` +
          'too few clients (or therapists) for this random structure',
      ),
      icc,
    };
  }

  const kr = spec.df === 'kr';
  const { fixed, contextual, method: dfMethod } = fixedTests(structure, fit, terms, kr);
  if (kr && dfMethod !== 'Kenward-Roger')
    notes.push('Kenward-Roger df could not be computed for this fit: Satterthwaite df are given instead (as lmerTest does).');
  if (fixed.some((f) => f.df === null)) notes.push(`${dfMethod} df not computable for some terms (p and CI not shown for them).`);
  if (fit.dfNote && dfMethod === 'Satterthwaite')
    notes.push(`Satterthwaite df: ${fit.dfNote} (as lmerTest warns; the df use the positive part of the Hessian).`);

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
  // The standardised refit comes last (below): its note goes here.
  const standardizedNoteAt = notes.length;
  const decomposition = spec.decompose ? decompose(design, structure as NestedInterceptStructure, terms, fixed, notes) : null;
  let comparison: ComparisonRow[] | null = null;
  if (spec.compare) {
    comparison = compareSequence(spec, data, terms, makeStructure, slopeTerm, therapists !== null);
    if (comparison === null) notes.push('--compare: a model of the sequence could not be fitted, so no comparison is shown.');
  }

  const randomEffects = spec.randomEffects ? listRandomEffects(dataset, structure, fit, design.clientOf, therapistIds) : null;
  // The standardised refit z-scores the cross-products in place, so nothing reads `data` after it.
  const standardized = standardizedRefit(makeStructure(standardizeColumns(data, { inPlace: true })), terms, !spec.ml, kr);
  if (standardized === null) notes.splice(standardizedNoteAt, 0, 'Standardised coefficients: the refit on z-scored data could not be fitted.');

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
      dfMethod,
      variance,
      correlation,
      ...fitCriteria(fit, spec.ml),
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

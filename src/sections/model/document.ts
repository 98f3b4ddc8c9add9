/**
 * The ResultDocument of `alliance model`: fixed effects, the contextual effect, variance
 * components, fit statistics and (optionally) random effects.
 */
import type { ModelResult } from '../../analysis/model.js';
import type { Dataset } from '../../dataset/types.js';
import { F, type Column, type ResultDocument, type TableModel } from '../../report/model.js';
import { coefficientColumns, coefficientRow, snake } from '../../report/cells.js';

/** The columns of a table of named figures (fit statistics, the decomposition). */
const METRIC_COLUMNS: Column[] = [
  { key: 'metric', header: 'metric' },
  { key: 'value', header: 'value', format: F.fixed(3), align: 'right' },
];

const num = (x: number | null | undefined): number | null => (x === null || x === undefined || !Number.isFinite(x) ? null : x);

export function modelDocument(result: ModelResult, dataset: Dataset): ResultDocument {
  const fit = result.fit;
  const spec = result.spec;
  const excluded = Object.entries(result.rows.excluded)
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([k, v]) => `${v} ${k}`);
  const kr = (fit?.dfMethod ?? (spec.df === 'kr' ? 'Kenward-Roger' : 'Satterthwaite')) === 'Kenward-Roger';
  const dfName = kr ? 'Kenward-Roger' : 'Satterthwaite';
  const client = spec.level === 'client';
  const preface = [
    `files: ${dataset.files.map((f) => f.display).join(', ')}`,
    `model: ${fit ? fit.formula : `${spec.outcome} on ${spec.alliance}`}`,
    `fitted by ${spec.ml ? 'maximum likelihood (ML)' : 'REML'}; ${kr ? 'fixed-effect SEs and df by Kenward-Roger\'s method (as pbkrtest, lmerTest\'s ddf = "Kenward-Roger")' : "fixed-effect df by Satterthwaite's method (as lmerTest)"}`,
    spec.level === 'client'
      ? `clients used: ${result.rows.used} of ${result.rows.clientsRead} clients (${result.rows.read} rows read)${excluded.length ? ` (left out: ${excluded.join(', ')})` : ''}`
      : `${spec.lag ? 'consecutive-session pairs' : 'rows'} used: ${result.rows.used} of ${result.rows.read} rows read${excluded.length ? ` (left out: ${excluded.join(', ')})` : ''}`,
    spec.level === 'client'
      ? `components (one row per client): ${spec.alliance}_therapist is the mean alliance of the therapist's clients, _client the client's alliance minus it; the outcome is the final score, controlling the intake score`
      : spec.decompose
        ? `components: ${spec.lag && spec.reverse ? spec.outcome : spec.alliance}_therapist is the mean of the therapist's client means, _client the client mean minus it, _session the deviation from the client mean (over the ${spec.lag ? 'pairs' : 'rows'} used)`
        : `centring: ${spec.lag && spec.reverse ? spec.outcome : spec.alliance}_between is each client's mean over the ${spec.lag ? 'pairs' : 'rows'} used, _within the deviation from it`,
  ];
  const tables: TableModel[] = [];
  if (!fit) {
    tables.push({
      id: 'fixed',
      title: 'Fixed effects',
      columns: [
        { key: 'term', header: 'term' },
        { key: 'status', header: 'status' },
      ],
      rows: [{ term: '(model)', status: `not estimable: ${result.notEstimable}` }],
    });
  } else {
    tables.push({
      id: 'fixed',
      title: 'Fixed effects',
      columns: coefficientColumns(dfName),
      rows: fit.fixed.map((f) => coefficientRow(f)),
      notes: [`95% CI: estimate +- t(0.975, df) x SE with the ${dfName} df${kr ? ' and the Kenward-Roger adjusted SE' : ''}.`],
    });
    const cx = fit.contextual;
    tables.push({
      id: 'contextual',
      title: client ? 'Therapist minus client component' : 'Contextual effect (between minus within)',
      columns: tables[0].columns,
      rows: [coefficientRow(cx)],
      notes: [
        client
          ? `How much the therapist-level association exceeds the client-level one (Baldwin, Wampold & Imel 2007); t test of the contrast with ${dfName} df.`
          : `How much the client-level (between) association exceeds the session-level (within) one (Curran & Bauer 2011); t test of the contrast with ${dfName} df.`,
      ],
    });
    const vrows: Record<string, string | number | null>[] = fit.variance.map((v) => ({
      group: v.group,
      term: v.term,
      variance: v.variance,
      sd: v.sd,
      correlation: null,
    }));
    if (fit.correlation !== null || fit.variance.length === 4) {
      vrows[1].correlation = fit.correlation;
    }
    tables.push({
      id: 'variance',
      title: 'Random effects (variance components)',
      columns: [
        { key: 'group', header: 'group' },
        { key: 'term', header: 'term' },
        { key: 'variance', header: 'variance', format: F.fixed(3) },
        { key: 'sd', header: 'SD', format: F.fixed(3) },
        { key: 'correlation', header: 'corr. with intercept', format: F.fixed(2) },
      ],
      rows: vrows,
    });
    const icc = result.icc;
    const fitRows: { metric: string; value: string | number | boolean | null }[] = [
      { metric: 'observations', value: String(fit.nobs) },
      { metric: 'clients', value: String(fit.clients) },
      ...(fit.therapists !== null ? [{ metric: 'therapists', value: String(fit.therapists) }] : []),
      { metric: 'method', value: fit.method },
      { metric: 'log-likelihood', value: fit.logLik },
      ...(fit.remlCriterion !== null ? [{ metric: 'REML criterion', value: fit.remlCriterion }] : []),
      ...(fit.deviance !== null ? [{ metric: 'deviance (-2 log-likelihood)', value: fit.deviance }] : []),
      ...(fit.aic !== null ? [{ metric: 'AIC', value: fit.aic }] : []),
      ...(fit.bic !== null ? [{ metric: 'BIC', value: fit.bic }] : []),
      { metric: 'parameters', value: String(fit.npar) },
      ...(client ? [] : [{ metric: 'ICC of the null model (outcome ~ 1 + (1 | client), REML)', value: icc ? icc.value : 'not estimable' }]),
      { metric: 'marginal R2 (fixed effects; Nakagawa & Schielzeth)', value: fit.r2.marginal },
      { metric: 'conditional R2 (fixed + random effects)', value: fit.r2.conditional ?? 'not available (variance at the boundary)' },
      { metric: 'singular fit', value: fit.singular },
      { metric: 'converged', value: fit.converged },
      { metric: 'optimizer', value: fit.optimizerMessage },
      { metric: 'deviance evaluations', value: String(fit.evaluations) },
    ];
    tables.push({
      id: 'fit',
      title: 'Model fit',
      columns: [...METRIC_COLUMNS],
      rows: fitRows,
      notes: spec.ml ? [] : ['AIC/BIC are given for ML fits only (--ml): REML likelihoods of models with different fixed effects are not comparable.'],
    });
    if (result.decomposition) {
      const d = result.decomposition;
      tables.push({
        id: 'decomposition',
        title: client
          ? "The therapist's share (client alliance decomposed into therapist and client components)"
          : "The therapist's share (alliance decomposed into therapist, client and session components)",
        columns: [...METRIC_COLUMNS],
        rows: [
          { metric: 'therapists', value: String(d.therapists) },
          { metric: 'therapist ICC of the outcome', value: d.iccOutcome ?? 'not estimable' },
          { metric: 'therapist ICC of the alliance', value: d.iccAlliance ?? 'not estimable' },
        ],
        notes: [
          d.sentence,
          client
            ? "Components (Baldwin, Wampold & Imel 2007), one row per client: therapist = mean of the client alliance over the therapist's clients; client = client alliance - therapist component. ICC = therapist variance / total variance of v ~ 1 + (1 | therapist) (REML) over the clients used (v = final outcome, client alliance)."
            : "Components (Baldwin, Wampold & Imel 2007): therapist = mean over the therapist's clients of the client means; client = client mean - therapist component; session = score - client mean. ICC = therapist variance / total variance of y ~ 1 + (1 | therapist) + (1 | therapist:client) (REML) on the rows used.",
        ],
      });
    }
    if (fit.standardized) {
      tables.push({
        id: 'standardized',
        title: 'Standardised coefficients (refit on z-scored outcome and predictors)',
        columns: tables[0].columns,
        rows: fit.standardized.map((f) => coefficientRow(f)),
        notes: [
          'effectsize\'s "refit" method: the outcome and every predictor (including the within and between parts and the session) z-scored over the rows used (SD with n - 1), the same model refitted; SE, df, p and CI are from that fit.',
        ],
      });
    }
    if (result.comparison) {
      tables.push({
        id: 'comparison',
        title: 'Model comparison (ML, likelihood-ratio tests as anova())',
        columns: [
          { key: 'model', header: 'model' },
          { key: 'npar', header: 'npar', align: 'right' },
          { key: 'aic', header: 'AIC', format: F.fixed(2) },
          { key: 'bic', header: 'BIC', format: F.fixed(2) },
          { key: 'logLik', header: 'logLik', format: F.fixed(2) },
          { key: 'deviance', header: 'deviance', format: F.fixed(2) },
          { key: 'chisq', header: 'chisq', format: F.fixed(2) },
          { key: 'df', header: 'df', align: 'right' },
          { key: 'p', header: 'p', format: F.p },
        ],
        rows: result.comparison.map((c) => ({
          model: c.model,
          npar: String(c.npar),
          aic: c.aic,
          bic: c.bic,
          logLik: c.logLik,
          deviance: c.deviance,
          chisq: c.chisq,
          df: c.df === null ? null : String(c.df),
          p: c.p,
        })),
        notes: [
          'Each model is tested against the one above it on the same rows, all fitted by maximum likelihood. null: the model without the alliance terms; the random slope test is on the boundary of the parameter space, so its p is conservative (Self & Liang 1987).',
          ...result.comparison.map((c) => `${c.model}: ${c.formula}`),
        ],
      });
    }
    if (fit.randomEffects) {
      const slope = fit.randomEffects.some((r) => r.slope !== null);
      tables.push({
        id: 'random_effects',
        title: 'Random effects per client / therapist (conditional modes, BLUPs)',
        columns: [
          { key: 'level', header: 'level' },
          { key: 'id', header: 'id' },
          { key: 'intercept', header: 'intercept', format: F.fixed(3) },
          { key: 'intercept_sd', header: 'cond. SD', format: F.fixed(3) },
          ...(slope
            ? [
                { key: 'slope', header: 'slope', format: F.fixed(3) },
                { key: 'slope_sd', header: 'cond. SD', format: F.fixed(3) },
              ]
            : []),
        ],
        rows: fit.randomEffects.map((r) => ({
          level: r.level,
          id: r.id,
          intercept: r.intercept,
          intercept_sd: r.interceptSD,
          slope: r.slope,
          slope_sd: r.slopeSD,
        })),
        notes: ['Conditional modes of the random effects with their conditional SDs (as lme4 ranef(condVar = TRUE)).'],
      });
    }
  }
  return {
    title: 'alliance model',
    preface,
    tables,
    notes: result.notes,
    csvTable: 'fixed',
    json: modelJson(
      {
        command: 'model',
        schema: 2,
        files: dataset.files.map((f) => f.display),
        spec: {
          outcome: spec.outcome,
          alliance: spec.alliance,
          time: Boolean(spec.time),
          covariates: spec.covariates ?? [],
          randomSlope: spec.randomSlope ?? null,
          lag: Boolean(spec.lag),
          reverse: Boolean(spec.reverse),
          method: spec.ml ? 'ML' : 'REML',
          therapistLevel: Boolean(spec.therapistLevel),
          decompose: spec.decompose ? 'therapist' : null,
          ...(spec.level === 'client'
            ? {
                level: 'client',
                clientAlliance: spec.clientAlliance ?? 'early',
                earlySessions: spec.clientAlliance === 'mean' ? null : (spec.earlySessions ?? 3),
              }
            : {}),
        },
        rows: result.rows,
        notEstimable: result.notEstimable,
        icc: result.icc,
        comparison: result.comparison,
        decomposition: result.decomposition,
        fit: fit
          ? {
              ...fit,
              fixed: fit.fixed.map((f) => ({ ...f, df: num(f.df), p: num(f.p), lower: num(f.lower), upper: num(f.upper) })),
              contextual: {
                ...fit.contextual,
                df: num(fit.contextual.df),
                p: num(fit.contextual.p),
                lower: num(fit.contextual.lower),
                upper: num(fit.contextual.upper),
              },
              standardized: fit.standardized
                ? fit.standardized.map((f) => ({ ...f, df: num(f.df), p: num(f.p), lower: num(f.lower), upper: num(f.upper) }))
                : null,
            }
          : null,
        notes: result.notes,
      },
      result.rows.excluded,
    ),
  };
}

/** The JSON document in snake_case, but `rows.excluded` as it is: its keys are the reasons rows were left out (data, not field names). */
function modelJson(doc: Record<string, unknown>, excluded: Record<string, number>): unknown {
  const json = snake(doc) as { rows: Record<string, unknown> };
  json.rows.excluded = excluded;
  return json;
}

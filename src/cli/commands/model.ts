/**
 * `alliance model FILE... --outcome COL --alliance COL`: a linear mixed model of outcome on
 * within- and between-client alliance with a random client intercept (REML; lme4's
 * criterion, Satterthwaite df as lmerTest).
 */
import type { Command } from 'commander';
import { buildCommand, type CommandContext } from '../command.js';
import { COLOR_OPTIONS, explicitOptions, FORMAT_OPTION, INPUT_OPTIONS, type OptionSpec } from '../options.js';
import type { Config } from '../../config/load.js';
import { decideColor, makeChalk } from '../color.js';
import { loadInput } from '../input.js';
import { UserError } from '../../errors.js';
import { fitModel, rawCovariates, MIN_THERAPISTS, type ModelResult, type ModelSpec } from '../../analysis/model.js';
import { F, type ResultDocument, type TableModel } from '../../report/model.js';
import { render, type OutputFormat } from '../../report/render.js';
import type { Dataset } from '../../dataset/types.js';

interface ModelOptions {
  format: OutputFormat;
  color?: boolean;
  outcome?: string[];
  alliance?: string[];
  /** commander's attribute for --group (config key `groups`). */
  group?: string[];
  groups?: string[];
  time?: boolean;
  covariate?: string[];
  randomSlope?: boolean | string;
  lag?: boolean;
  reverse?: boolean;
  ml?: boolean;
  randomEffects?: boolean;
  [key: string]: unknown;
}

const list = (value: string, previous: unknown): string[] =>
  (Array.isArray(previous) ? (previous as string[]) : []).concat(
    value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

export const MODEL_OPTIONS: OptionSpec[] = [
  { flags: '--time', description: 'add the session number as a fixed effect' },
  { flags: '--covariate <cols>', description: 'numeric column(s) added as fixed effects, comma-separated (repeatable)', parse: list },
  {
    flags: '--random-slope [term]',
    description: 'random slope for the within-client alliance (default) or "time", with its correlation with the intercept',
  },
  { flags: '--lag', description: 'lagged model: outcome at session s+1 on alliance (within, between) and outcome at s' },
  { flags: '--reverse', description: 'with --lag: alliance at s+1 on outcome (within, between) and alliance at s' },
  { flags: '--ml', description: 'fit by maximum likelihood (to compare models by AIC/BIC or likelihood ratio) instead of REML' },
  { flags: '--random-effects', description: 'also list each client\'s (and therapist\'s) random effects (BLUPs)' },
];

function pickMeasure(dataset: Dataset, role: 'alliance' | 'outcome', given: string[] | undefined): string {
  const flag = `--${role}`;
  if (given && given.length > 1) {
    throw new UserError(`model takes one ${role} column, got ${given.length} (${given.join(', ')})`, { hint: `Give a single ${flag} COL` });
  }
  const bound = dataset.mapping.measures.filter((m) => m.role === role);
  if (given && given.length === 1) {
    const m = bound.find((b) => b.name === given[0]);
    if (m) return m.name;
    throw new UserError(`${role} column "${given[0]}" is not among the mapped ${role} measures (${bound.map((b) => b.name).join(', ') || 'none'})`, {
      location: { file: dataset.files[0]?.display, line: 1 },
      hint: `Check the spelling of ${flag}`,
    });
  }
  if (bound.length === 1) return bound[0].name;
  throw new UserError(bound.length === 0 ? `no ${role} column found` : `several ${role} columns (${bound.map((b) => b.name).join(', ')})`, {
    location: { file: dataset.files[0]?.display, line: 1 },
    hint: `Name the column with ${flag} COL`,
  });
}

const num = (x: number | null | undefined): number | null => (x === null || x === undefined || !Number.isFinite(x) ? null : x);

export function modelDocument(result: ModelResult, dataset: Dataset): ResultDocument {
  const fit = result.fit;
  const spec = result.spec;
  const excluded = Object.entries(result.rows.excluded)
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([k, v]) => `${v} ${k}`);
  const preface = [
    `files: ${dataset.files.map((f) => f.display).join(', ')}`,
    `model: ${fit ? fit.formula : `${spec.outcome} on ${spec.alliance}`}`,
    `fitted by ${spec.ml ? 'maximum likelihood (ML)' : 'REML'}; fixed-effect df by Satterthwaite's method (as lmerTest)`,
    `${spec.lag ? 'consecutive-session pairs' : 'rows'} used: ${result.rows.used} of ${result.rows.read} rows read${excluded.length ? ` (left out: ${excluded.join(', ')})` : ''}`,
    `centring: ${spec.lag && spec.reverse ? spec.outcome : spec.alliance}_between is each client's mean over the ${spec.lag ? 'pairs' : 'rows'} used, _within the deviation from it`,
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
      columns: [
        { key: 'term', header: 'term' },
        { key: 'estimate', header: 'estimate', format: F.fixed(3) },
        { key: 'se', header: 'SE', format: F.fixed(3) },
        { key: 'df', header: 'df (Satterthwaite)', format: F.fixed(1) },
        { key: 't', header: 't', format: F.fixed(2) },
        { key: 'p', header: 'p', format: F.p },
        { key: 'ci95', header: '95% CI', format: F.interval(3) },
      ],
      rows: fit.fixed.map((f) => ({
        term: f.term,
        estimate: f.estimate,
        se: f.se,
        df: f.df,
        t: f.t,
        p: f.p,
        ci95: f.lower !== null && f.upper !== null ? ([f.lower, f.upper] as const) : null,
      })),
      notes: [`95% CI: estimate +- t(0.975, df) x SE with the Satterthwaite df.`],
    });
    const cx = fit.contextual;
    tables.push({
      id: 'contextual',
      title: 'Contextual effect (between minus within)',
      columns: tables[0].columns,
      rows: [{ term: cx.term, estimate: cx.estimate, se: cx.se, df: cx.df, t: cx.t, p: cx.p, ci95: cx.lower !== null && cx.upper !== null ? ([cx.lower, cx.upper] as const) : null }],
      notes: ['How much the client-level (between) association exceeds the session-level (within) one (Curran & Bauer 2011); t test of the contrast with Satterthwaite df.'],
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
      { metric: 'ICC of the null model (outcome ~ 1 + (1 | client), REML)', value: icc ? icc.value : 'not estimable' },
      { metric: 'singular fit', value: fit.singular },
      { metric: 'converged', value: fit.converged },
      { metric: 'optimizer', value: fit.optimizerMessage },
      { metric: 'deviance evaluations', value: String(fit.evaluations) },
    ];
    tables.push({
      id: 'fit',
      title: 'Model fit',
      columns: [
        { key: 'metric', header: 'metric' },
        { key: 'value', header: 'value', format: F.fixed(3), align: 'right' },
      ],
      rows: fitRows,
      notes: spec.ml ? [] : ['AIC/BIC are given for ML fits only (--ml): REML likelihoods of models with different fixed effects are not comparable.'],
    });
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
        rows: fit.randomEffects.map((r) => ({ level: r.level, id: r.id, intercept: r.intercept, intercept_sd: r.interceptSD, slope: r.slope, slope_sd: r.slopeSD })),
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
    json: {
      command: 'model',
      schema: 1,
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
      },
      rows: result.rows,
      notEstimable: result.notEstimable,
      icc: result.icc,
      fit: fit
        ? {
            ...fit,
            fixed: fit.fixed.map((f) => ({ ...f, df: num(f.df), p: num(f.p), lower: num(f.lower), upper: num(f.upper) })),
            contextual: { ...fit.contextual, df: num(fit.contextual.df), p: num(fit.contextual.p), lower: num(fit.contextual.lower), upper: num(fit.contextual.upper) },
          }
        : null,
      notes: result.notes,
    },
  };
}

interface ModelSettings {
  group: string[];
  time: boolean;
  covariate: string[];
  randomSlope: boolean | string | undefined;
  lag: boolean;
  reverse: boolean;
  ml: boolean;
  randomEffects: boolean;
}

/** Keys of the config file's `model:` section (camelCase or kebab-case), by option attribute. */
const SECTION_KEYS: Record<string, keyof ModelSettings> = {
  group: 'group',
  time: 'time',
  covariate: 'covariate',
  covariates: 'covariate',
  randomSlope: 'randomSlope',
  lag: 'lag',
  reverse: 'reverse',
  ml: 'ml',
  randomEffects: 'randomEffects',
};

/**
 * The model settings: flags given on the command line win over the config file's `model:`
 * section, which wins over the defaults.
 */
export function modelSettings(opts: ModelOptions, explicit: Set<string>, config: Config | null): ModelSettings {
  const set: ModelSettings = {
    group: opts.group ?? opts.groups ?? [],
    time: Boolean(opts.time),
    covariate: opts.covariate ?? [],
    randomSlope: opts.randomSlope,
    lag: Boolean(opts.lag),
    reverse: Boolean(opts.reverse),
    ml: Boolean(opts.ml),
    randomEffects: Boolean(opts.randomEffects),
  };
  const section = config?.sections.model ?? {};
  for (const [key, value] of Object.entries(section)) {
    const location = { file: config!.path, line: config!.lines[`model.${key}`] };
    const attr = SECTION_KEYS[key];
    if (!attr) {
      throw new UserError(`unknown key '${key}' in the model section`, { location, hint: `Known keys: ${Object.keys(SECTION_KEYS).join(', ')}` });
    }
    if (explicit.has(attr) || (attr === 'group' && explicit.has('groups'))) continue;
    if (attr === 'group' || attr === 'covariate') {
      const list = typeof value === 'string' ? [value] : Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : null;
      if (!list) throw new UserError(`model.${key} must be a column name or a list of column names`, { location });
      set[attr] = list;
    } else if (attr === 'randomSlope') {
      if (typeof value !== 'boolean' && typeof value !== 'string') throw new UserError(`model.${key} must be true, "alliance" or "time"`, { location });
      set.randomSlope = value;
    } else {
      if (typeof value !== 'boolean') throw new UserError(`model.${key} must be true or false`, { location });
      set[attr] = value;
    }
  }
  return set;
}

export function modelCommand(ctx: CommandContext): Command {
  return buildCommand<ModelOptions>(
    {
      name: 'model',
      summary: 'linear mixed model: outcome on within- and between-client alliance (REML, Satterthwaite df)',
      args: '[files...]',
      options: [...INPUT_OPTIONS, ...MODEL_OPTIONS, FORMAT_OPTION, ...COLOR_OPTIONS],
      examples: [
        'alliance model sessions.csv --outcome ors --alliance srs',
        'alliance model sessions.csv --outcome phq9 --alliance wai --time --random-slope',
        'alliance model sessions.csv --outcome ors --alliance srs --lag',
        'alliance model sessions.csv --outcome ors --alliance srs --lag --reverse',
        'alliance model sessions.csv --outcome ors --alliance srs --group therapist --ml --format json',
      ],
      async run(files, opts, cmd, io) {
        // `--group therapist` asks for the therapist level: it is not a grouping column to map.
        const readOpts = { ...opts, group: undefined, groups: undefined };
        const { dataset, config } = await loadInput(files, readOpts, cmd, io);
        const set = modelSettings(opts, explicitOptions(cmd), config);
        const groups = set.group;
        const therapistLevel = groups.includes('therapist');
        const others = groups.filter((g) => g !== 'therapist');
        if (others.length > 0) {
          throw new UserError(`model --group takes "therapist" (clients nested in therapists), got "${others.join(', ')}"`, {
            hint: 'Use --group therapist, with --therapist COL if the therapist column is not detected',
          });
        }
        if (set.reverse && !set.lag) throw new UserError('--reverse needs --lag', { hint: 'Add --lag' });
        let randomSlope: ModelSpec['randomSlope'] = null;
        if (set.randomSlope !== undefined && set.randomSlope !== false) {
          const v = set.randomSlope === true ? 'alliance' : String(set.randomSlope);
          if (v !== 'alliance' && v !== 'time') {
            throw new UserError(`--random-slope takes "alliance" or "time", got "${v}"`, {
              hint: `Use --random-slope (alliance) or --random-slope time; if "${v}" is an input file, put it before --random-slope`,
            });
          }
          randomSlope = v;
        }
        if (therapistLevel && !dataset.mapping.therapist) {
          throw new UserError('--group therapist needs a therapist column, and none was found', {
            location: { file: dataset.files[0]?.display, line: 1 },
            hint: 'Name it with --therapist COL',
          });
        }
        const spec: ModelSpec = {
          outcome: pickMeasure(dataset, 'outcome', opts.outcome),
          alliance: pickMeasure(dataset, 'alliance', opts.alliance),
          time: set.time,
          covariates: set.covariate,
          randomSlope,
          lag: set.lag,
          reverse: set.reverse,
          ml: set.ml,
          therapistLevel,
          randomEffects: set.randomEffects,
        };
        const cov = spec.covariates!.length > 0 ? rawCovariates(dataset, spec.covariates!) : undefined;
        const result = await fitModel(dataset, spec, cov);
        if (cov) {
          if (cov.counts.unmatched > 0) {
            result.notes.push(`Covariates could not be read for ${cov.counts.unmatched} row(s) (joined exports): those rows were left out.`);
          }
          cov.counts.unusable.forEach((n, j) => {
            if (n > 0) result.notes.push(`${n} non-numeric value(s) in covariate ${spec.covariates![j]} were treated as missing.`);
          });
        }
        if (spec.time && dataset.mapping.sessionSource === 'file-order') {
          result.notes.push('Session numbers come from file order within client (no session or date column): --time uses them as they are.');
        }
        if (therapistLevel && result.fit && result.fit.therapists === null) {
          result.notes.push(`(--group therapist needs at least ${MIN_THERAPISTS} therapists, each client with one therapist.)`);
        }
        const color = decideColor(opts.color, io);
        io.stdout.write(render(modelDocument(result, dataset), opts.format, makeChalk(color), color));
        return 0;
      },
    },
    ctx,
  );
}

/**
 * `alliance model FILE... --outcome COL --alliance COL`: a linear mixed model of outcome on
 * within- and between-client alliance with a random client intercept (REML; lme4's
 * criterion, Satterthwaite df as lmerTest).
 */
import type { Command } from 'commander';
import { buildCommand, type CommandContext } from '../command.js';
import { COLOR_OPTIONS, explicitOptions, FORMAT_OPTION, INPUT_OPTIONS, type OptionSpec } from '../options.js';
import { decideColor, makeChalk } from '../color.js';
import { loadInput } from '../input.js';
import { UserError } from '../../errors.js';
import { fitModel, rawCovariates, MIN_THERAPISTS, type ModelSpec } from '../../analysis/model.js';
import { modelSettings, type ModelFlags } from '../../config/sections/model.js';
import { modelDocument } from '../../report/documents/model.js';
import { render, type OutputFormat } from '../../report/render.js';
import type { Dataset } from '../../dataset/types.js';

interface ModelOptions extends ModelFlags {
  format: OutputFormat;
  color?: boolean;
  outcome?: string[];
  alliance?: string[];
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

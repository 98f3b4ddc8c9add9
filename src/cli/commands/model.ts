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
import { modelSettings, modelSpec, runModel, type ModelFlags } from '../../config/sections/model.js';
import { modelDocument } from '../../report/documents/model.js';
import { render, type OutputFormat } from '../../report/render.js';

interface ModelOptions extends ModelFlags {
  format: OutputFormat;
  color?: boolean;
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
        const result = await runModel(dataset, modelSpec(dataset, set));
        const color = decideColor(opts.color, io);
        io.stdout.write(render(modelDocument(result, dataset), opts.format, makeChalk(color), color));
        return 0;
      },
    },
    ctx,
  );
}

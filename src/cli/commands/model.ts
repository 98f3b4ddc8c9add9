/**
 * `alliance model FILE... --outcome COL --alliance COL`: a linear mixed model of outcome on
 * within- and between-client alliance with a random client intercept (REML; lme4's
 * criterion, Satterthwaite df as lmerTest).
 */
import type { Command } from 'commander';
import type { CommandContext } from '../command.js';
import type { OptionSpec } from '../options.js';
import { sectionCommand } from '../section-command.js';
import { modelSection } from '../../sections/model/index.js';

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
  { flags: '--decompose <level>', description: '"therapist": alliance split into therapist, client and session components, clients nested in therapists' },
  { flags: '--compare', description: 'also fit the nested sequence (null, + alliance, + random slope) by ML and test it as anova()' },
];

export function modelCommand(ctx: CommandContext): Command {
  return sectionCommand(
    modelSection,
    {
      summary: 'linear mixed model: outcome on within- and between-client alliance (REML, Satterthwaite df)',
      options: MODEL_OPTIONS,
      examples: [
        'alliance model sessions.csv --outcome ors --alliance srs',
        'alliance model sessions.csv --outcome phq9 --alliance wai --time --random-slope',
        'alliance model sessions.csv --outcome ors --alliance srs --lag',
        'alliance model sessions.csv --outcome ors --alliance srs --lag --reverse',
        'alliance model sessions.csv --outcome ors --alliance srs --group therapist --ml --format json',
        'alliance model sessions.csv --outcome ors --alliance srs --random-slope --compare',
      ],
    },
    ctx,
  );
}

/**
 * `alliance model FILE... --outcome COL --alliance COL`: a linear mixed model of outcome on
 * within- and between-client alliance with a random client intercept (REML; lme4's
 * criterion, Satterthwaite df as lmerTest).
 */
import type { Command } from 'commander';
import type { CommandContext } from '../command.js';
import { tableFlags } from '../../config/option-table.js';
import { sectionCommand } from '../section-command.js';
import { MODEL_TABLE } from '../../sections/model/options.js';

/** The model's own flags, from its option table. */
export const MODEL_OPTIONS = tableFlags(MODEL_TABLE);

export function modelCommand(ctx: CommandContext): Command {
  return sectionCommand(
    {
      name: 'model',
      section: async () => (await import('../../sections/model/index.js')).modelSection,
      manuscript: true,
      summary: 'linear mixed model: outcome on within- and between-client alliance (REML, Satterthwaite df)',
      options: MODEL_OPTIONS,
      // --group is the input option's flag, read by the model as its level (docs/model.md).
      inputHelp: { '--group': MODEL_TABLE.find((r) => r.key === 'group')!.description },
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

/**
 * `alliance describe FILE...`: what an export holds, and which column was taken for what.
 */
import type { Command } from 'commander';
import type { CommandContext } from '../command.js';
import { sectionCommand } from '../section-command.js';

export function describeCommand(ctx: CommandContext): Command {
  return sectionCommand(
    {
      name: 'describe',
      section: async () => (await import('../../sections/describe/index.js')).describeSection,
      manuscript: true,
      summary: 'summarise an export: clients, sessions, dates, and each measure',
      options: [],
      examples: [
        'alliance describe fixtures/demo.csv',
        'alliance describe export.csv --client "Client ID" --alliance srs --outcome ors --format json',
        'alliance describe alliance.csv outcome.csv --join-on date --format md',
      ],
    },
    ctx,
  );
}

/**
 * `alliance ruptures FILE...`: alliance rupture-repair episodes per client, client classes
 * and outcome change by class (Welch t tests), optionally by therapist or group. The JSON
 * shape and the definitions are documented in docs/ruptures.md.
 */
import type { Command } from 'commander';
import type { CommandContext } from '../command.js';
import { tableFlags } from '../../config/option-table.js';
import { sectionCommand } from '../section-command.js';
import { RUPTURES_TABLE } from '../../sections/ruptures/options.js';

export function rupturesCommand(ctx: CommandContext): Command {
  return sectionCommand(
    {
      name: 'ruptures',
      section: async () => (await import('../../sections/ruptures/index.js')).rupturesSection,
      manuscript: false,
      summary: 'alliance rupture-repair episodes, client classes and outcome change by class',
      options: tableFlags(RUPTURES_TABLE),
      examples: [
        'alliance ruptures sessions.csv',
        'alliance ruptures sessions.csv --rupture-drop 3 --repair-window 2',
        'alliance ruptures sessions.csv --by therapist --min-clients 10',
        'alliance ruptures sessions.csv --clients --format csv > clients.csv',
      ],
    },
    ctx,
  );
}

/**
 * `alliance ruptures FILE...`: alliance rupture-repair episodes per client, client classes
 * and outcome change by class (Welch t tests), optionally by therapist or group. The JSON
 * shape and the definitions are documented in docs/ruptures.md.
 */
import type { Command } from 'commander';
import type { CommandContext } from '../command.js';
import type { OptionSpec } from '../options.js';
import { sectionCommand } from '../section-command.js';
import { rupturesSection } from '../../sections/ruptures/index.js';

const RUPTURES_OPTIONS: OptionSpec[] = [
  { flags: '--rupture-drop <points>', description: 'a rupture is a drop of at least this many points from the previous rated session (default: 2 x the pooled within-client SD of the alliance)' },
  { flags: '--rupture-sd <k>', description: 'without --rupture-drop: the drop as this multiple of the pooled within-client SD (default 2)' },
  { flags: '--repair-window <sessions>', description: 'a repair must reach the pre-rupture level within this many sessions (default 3)' },
  { flags: '--by <col>', description: 'rupture rates per therapist or group column, with confidence intervals' },
  { flags: '--min-clients <n>', description: 'suppress --by groups with fewer assessed clients than this (default 5)' },
  { flags: '--clients', description: 'add the per-client tables (class, episodes; the --format csv output)' },
];

export function rupturesCommand(ctx: CommandContext): Command {
  return sectionCommand(
    rupturesSection,
    {
      summary: 'alliance rupture-repair episodes, client classes and outcome change by class',
      options: RUPTURES_OPTIONS,
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

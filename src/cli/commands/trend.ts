/**
 * `alliance trend FILE...`: client trajectories, reliable and clinically significant
 * change, alliance alerts, not-on-track flags and cohort series by period or group. The
 * JSON shape and the methods are documented in docs/trend.md.
 */
import type { Command } from 'commander';
import type { CommandContext } from '../command.js';
import { tableFlags } from '../../config/option-table.js';
import { sectionCommand } from '../section-command.js';
import { TREND_TABLE } from '../../sections/trend/options.js';

export function trendCommand(ctx: CommandContext): Command {
  return sectionCommand(
    {
      name: 'trend',
      section: async () => (await import('../../sections/trend/index.js')).trendSection,
      manuscript: true,
      summary: 'client trajectories, reliable change, alliance alerts, not-on-track flags, cohort trends',
      options: tableFlags(TREND_TABLE),
      examples: [
        'alliance trend sessions.csv --period month',
        'alliance trend sessions.csv --clients --format csv > clients.csv',
        'alliance trend sessions.csv --by therapist --min-clients 10',
        'alliance trend trial.csv --outcome bdi --instrument bdi=BDI-II --pre 1 --post 4 --reliability 0.801 --cutoff c --functional-mean 7.69 --functional-sd 7.52',
      ],
    },
    ctx,
  );
}

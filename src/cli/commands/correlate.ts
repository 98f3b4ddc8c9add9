/**
 * `alliance correlate FILE...`: the alliance-outcome correlation report (pooled, between,
 * within, early, lagged) for every alliance x outcome pair. The JSON shape is documented in
 * docs/correlate.md.
 */
import type { Command } from 'commander';
import type { CommandContext } from '../command.js';
import { tableFlags } from '../../config/option-table.js';
import { sectionCommand } from '../section-command.js';
import { CORRELATE_TABLE } from '../../sections/correlate/options.js';

export function correlateCommand(ctx: CommandContext): Command {
  return sectionCommand(
    {
      name: 'correlate',
      section: async () => (await import('../../sections/correlate/index.js')).correlateSection,
      manuscript: true,
      summary: 'alliance-outcome correlations: pooled, between and within clients, early alliance, lagged',
      options: tableFlags(CORRELATE_TABLE),
      examples: [
        'alliance correlate sessions.csv',
        'alliance correlate sessions.csv --alliance srs --outcome phq9 --format json',
        'alliance correlate sessions.csv --by therapist --min-clients 10 --bootstrap 2000 --seed 7',
        'alliance correlate sessions.csv --analyses between,within --method both --adjust bh',
      ],
    },
    ctx,
  );
}

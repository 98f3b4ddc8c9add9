/**
 * `alliance correlate FILE...`: the alliance-outcome correlation report (pooled, between,
 * within, early, lagged) for every alliance x outcome pair. The JSON shape is documented in
 * docs/correlate.md.
 */
import type { Command } from 'commander';
import type { CommandContext } from '../command.js';
import type { OptionSpec } from '../options.js';
import { sectionCommand } from '../section-command.js';
import { ANALYSES } from '../../analysis/correlate/index.js';
import { correlateSection } from '../../sections/correlate/index.js';

const CORRELATE_OPTIONS: OptionSpec[] = [
  { flags: '--analyses <list>', description: `analyses to run, comma-separated: ${ANALYSES.join(', ')} (default: all)` },
  { flags: '--method <method>', description: 'pooled correlation method (default pearson)', choices: ['pearson', 'spearman', 'both'] },
  { flags: '--ci <level>', description: 'confidence level, e.g. 0.95 or 95 (default 0.95)' },
  { flags: '--adjust <method>', description: 'multiple-testing adjustment over all tests in the report (default holm)', choices: ['holm', 'bh', 'none'] },
  { flags: '--by <col>', description: 'repeat the report for each level of a column (therapist, site, modality, ...)' },
  { flags: '--min-clients <n>', description: 'suppress --by groups with fewer clients than this (default 5)' },
  { flags: '--early-session <k>', description: 'early alliance = alliance at session k (default 3)' },
  { flags: '--early-window <k>', description: 'early alliance = mean alliance over sessions 1..k (instead of --early-session)' },
  { flags: '--bootstrap <n>', description: 'add a cluster-bootstrap CI (resampling clients) with n replicates' },
  { flags: '--seed <s>', description: 'seed for --bootstrap (default 1); same seed, same result' },
];

export function correlateCommand(ctx: CommandContext): Command {
  return sectionCommand(
    correlateSection,
    {
      summary: 'alliance-outcome correlations: pooled, between and within clients, early alliance, lagged',
      options: CORRELATE_OPTIONS,
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

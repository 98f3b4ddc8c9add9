/**
 * `alliance correlate FILE...`: the alliance-outcome correlation report (pooled, between,
 * within, early, lagged) for every alliance x outcome pair. The JSON shape is documented in
 * docs/correlate.md.
 */
import type { Command } from 'commander';
import { buildCommand, type CommandContext } from '../command.js';
import { COLOR_OPTIONS, FORMAT_OPTION, INPUT_OPTIONS, explicitOptions, type OptionSpec } from '../options.js';
import { decideColor, makeChalk } from '../color.js';
import { byIsMapped, loadInputWithBy } from '../by.js';
import { ANALYSES, runCorrelate } from '../../analysis/correlate/index.js';
import { correlateOptions, SECTION_KEYS, type CorrelateFlags as CorrelateOptionFlags } from '../../config/sections/correlate.js';
import { checkKeys, configPlace } from '../../config/keys.js';
import { correlateDocument } from '../../report/documents/correlate.js';
import { render, type OutputFormat } from '../../report/render.js';

interface CorrelateFlags extends CorrelateOptionFlags {
  format: OutputFormat;
  color?: boolean;
  groups?: string[];
}

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
  return buildCommand<CorrelateFlags>(
    {
      name: 'correlate',
      summary: 'alliance-outcome correlations: pooled, between and within clients, early alliance, lagged',
      args: '[files...]',
      options: [...INPUT_OPTIONS, ...CORRELATE_OPTIONS, FORMAT_OPTION, ...COLOR_OPTIONS],
      examples: [
        'alliance correlate sessions.csv',
        'alliance correlate sessions.csv --alliance srs --outcome phq9 --format json',
        'alliance correlate sessions.csv --by therapist --min-clients 10 --bootstrap 2000 --seed 7',
        'alliance correlate sessions.csv --analyses between,within --method both --adjust bh',
      ],
      async run(files, flags, cmd, io) {
        // The --by column must be read: loadInputWithBy adds it to the grouping columns.
        const explicit = explicitOptions(cmd);
        let opts = correlateOptions(flags, {}, explicit);
        let { dataset, config } = await loadInputWithBy(files, flags, cmd, io, opts.by);
        const section = config?.sections?.correlate;
        if (section && config) {
          checkKeys(section, { section: 'correlate', known: SECTION_KEYS, at: configPlace(config) });
          opts = correlateOptions(flags, section, explicit);
          // A --by column named only in the config: open the input again with it as a group column.
          if (opts.by && !byIsMapped(dataset, opts.by)) ({ dataset, config } = await loadInputWithBy(files, flags, cmd, io, opts.by, `correlate.by in ${config.path}`));
        }
        const report = await runCorrelate(dataset, opts);
        const color = decideColor(flags.color, io);
        io.stdout.write(render(correlateDocument(report, dataset), flags.format, makeChalk(color), color));
        return 0;
      },
    },
    ctx,
  );
}

/**
 * `alliance ruptures FILE...`: alliance rupture-repair episodes per client, client classes
 * and outcome change by class (Welch t tests), optionally by therapist or group. The JSON
 * shape and the definitions are documented in docs/ruptures.md.
 */
import type { Command } from 'commander';
import { buildCommand, type CommandContext } from '../command.js';
import { COLOR_OPTIONS, FORMAT_OPTION, INPUT_OPTIONS, explicitOptions, type OptionSpec } from '../options.js';
import { decideColor, makeChalk } from '../color.js';
import { byIsMapped, loadInputWithBy } from '../by.js';
import { UserError } from '../../errors.js';
import { analyzeRuptures } from '../../analysis/ruptures.js';
import { rupturesOptions } from '../../config/sections/ruptures.js';
import { rupturesDocument } from '../../report/documents/ruptures.js';
import { render, type OutputFormat } from '../../report/render.js';

interface RupturesFlags {
  [key: string]: unknown;
  format: OutputFormat;
  color?: boolean;
}

const RUPTURES_OPTIONS: OptionSpec[] = [
  { flags: '--rupture-drop <points>', description: 'a rupture is a drop of at least this many points from the previous rated session (default: 2 x the pooled within-client SD of the alliance)' },
  { flags: '--rupture-sd <k>', description: 'without --rupture-drop: the drop as this multiple of the pooled within-client SD (default 2)' },
  { flags: '--repair-window <sessions>', description: 'a repair must reach the pre-rupture level within this many sessions (default 3)' },
  { flags: '--by <col>', description: 'rupture rates per therapist or group column, with confidence intervals' },
  { flags: '--min-clients <n>', description: 'suppress --by groups with fewer assessed clients than this (default 5)' },
  { flags: '--clients', description: 'add the per-client tables (class, episodes; the --format csv output)' },
];

export function rupturesCommand(ctx: CommandContext): Command {
  return buildCommand<RupturesFlags>(
    {
      name: 'ruptures',
      summary: 'alliance rupture-repair episodes, client classes and outcome change by class',
      args: '[files...]',
      options: [...INPUT_OPTIONS, ...RUPTURES_OPTIONS, FORMAT_OPTION, ...COLOR_OPTIONS],
      examples: [
        'alliance ruptures sessions.csv',
        'alliance ruptures sessions.csv --rupture-drop 3 --repair-window 2',
        'alliance ruptures sessions.csv --by therapist --min-clients 10',
        'alliance ruptures sessions.csv --clients --format csv > clients.csv',
      ],
      async run(files, flags, cmd, io) {
        const explicit = explicitOptions(cmd);
        let opts = rupturesOptions(flags, {}, explicit);
        let { dataset, config } = await loadInputWithBy(files, flags, cmd, io, opts.by);
        const section = config?.sections?.ruptures;
        if (section && config) {
          opts = rupturesOptions(flags, section, explicit, config.path, config.lines);
          if (opts.by && !byIsMapped(dataset, opts.by)) ({ dataset, config } = await loadInputWithBy(files, flags, cmd, io, opts.by, `ruptures.by in ${config.path}`));
        }
        if (opts.by && opts.by.toLowerCase() === 'therapist' && !dataset.mapping.therapist) {
          throw new UserError('--by therapist needs a therapist column, and none was found', { hint: 'Name it with --therapist COL' });
        }
        const result = await analyzeRuptures(dataset, opts);
        const color = decideColor(flags.color, io);
        io.stdout.write(render(rupturesDocument(result, dataset, opts), flags.format, makeChalk(color), color));
        return 0;
      },
    },
    ctx,
  );
}

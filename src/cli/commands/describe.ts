/**
 * `alliance describe FILE...`: what an export holds, and which column was taken for what.
 */
import type { Command } from 'commander';
import { buildCommand, type CommandContext } from '../command.js';
import { COLOR_OPTIONS, FORMAT_OPTION, INPUT_OPTIONS } from '../options.js';
import { decideColor, makeChalk } from '../color.js';
import { loadInput } from '../input.js';
import { describe } from '../../analysis/describe.js';
import { describeDocument } from '../../report/documents/describe.js';
import { render, type OutputFormat } from '../../report/render.js';

interface DescribeOptions {
  format: OutputFormat;
  color?: boolean;
  [key: string]: unknown;
}

export function describeCommand(ctx: CommandContext): Command {
  return buildCommand<DescribeOptions>(
    {
      name: 'describe',
      summary: 'summarise an export: clients, sessions, dates, and each measure',
      args: '[files...]',
      options: [...INPUT_OPTIONS, FORMAT_OPTION, ...COLOR_OPTIONS],
      examples: [
        'alliance describe fixtures/demo.csv',
        'alliance describe export.csv --client "Client ID" --alliance srs --outcome ors --format json',
        'alliance describe alliance.csv outcome.csv --join-on date --format md',
      ],
      async run(files, opts, cmd, io) {
        const { dataset } = await loadInput(files, opts, cmd, io);
        const result = await describe(dataset);
        const color = decideColor(opts.color, io);
        io.stdout.write(render(describeDocument(result, dataset), opts.format, makeChalk(color), color));
        return 0;
      },
    },
    ctx,
  );
}

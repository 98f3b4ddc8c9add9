/**
 * A command that is a Section (src/sections/): the input options, the section's own
 * flags, --format and colour; its run reads --config, the section's options (flags win
 * over the config section), opens the input with the columns the section needs, checks
 * the data, runs the section and renders its document. `alliance correlate`, `trend`,
 * `model` and `describe` are each this plus their flags and help examples.
 */
import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { render, type OutputFormat } from '../report/render.js';
import { optionOrigin, type OptionSource, type Section } from '../sections/section.js';
import { buildCommand, type CommandContext } from './command.js';
import { TERMINAL_OPTIONS, FORMAT_OPTION, INPUT_OPTIONS, explicitOptions, type OptionSpec } from './options.js';
import { decideColor, decideWidth, makeChalk } from './color.js';
import { loadInputWithGroups } from './by.js';

export interface SectionCommandSpec {
  /** One line for `alliance --help`. */
  summary: string;
  /** The section's own flags (the input options, --format and colour are added). */
  options: OptionSpec[];
  /** Lines shown under "Examples:" in --help. */
  examples: string[];
}

interface Flags {
  format: OutputFormat;
  color?: boolean;
  config?: string;
  [key: string]: unknown;
}

export function sectionCommand(section: Section, spec: SectionCommandSpec, ctx: CommandContext): Command {
  return buildCommand<Flags>(
    {
      name: section.name,
      summary: spec.summary,
      args: '[files...]',
      options: [...INPUT_OPTIONS, ...spec.options, FORMAT_OPTION, ...TERMINAL_OPTIONS],
      examples: spec.examples,
      async run(files, flags, cmd, io) {
        const config = typeof flags.config === 'string' ? await loadConfig(flags.config, io.cwd) : null;
        const src: OptionSource = { mode: 'command', flags, explicit: explicitOptions(cmd), config };
        const opts = section.options(src);
        const needed = (section.groups?.(opts) ?? []).map((g) => ({ column: g.column, origin: optionOrigin(section.name, g.option, src) }));
        const inputFlags = section.inputFlags ? section.inputFlags(flags) : flags;
        const { dataset, read } = await loadInputWithGroups(files, inputFlags, cmd, io, needed, config);
        section.check?.(dataset, opts, src);
        const result = await section.run(dataset, opts, { io, now: new Date(), read, config });
        const doc = section.document(result, dataset, opts, { mode: 'command', filtered: false, clientTables: true });
        const color = decideColor(flags.color, io);
        io.stdout.write(render(doc, flags.format, makeChalk(color), color, decideWidth(flags.width, io)));
        return 0;
      },
    },
    ctx,
  );
}

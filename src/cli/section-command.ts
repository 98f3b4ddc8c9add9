/**
 * A command that is a Section (src/sections/): the input options, the section's own
 * flags, --format and colour; its run reads --config, the section's options (flags win
 * over the config section), opens the input with the columns the section needs, checks
 * the data, runs the section and renders its document. `alliance correlate`, `trend`,
 * `model` and `describe` are each this plus their flags and help examples.
 */
import type { Command } from 'commander';
import { UserError } from '../errors.js';
import type { Io } from '../io/process.js';
import type { OutputFormat } from '../report/render.js';
import { isManuscriptFormat, MANUSCRIPT_FORMATS } from '../report/manuscript/formats.js';
import { writeChunks } from '../report/stream.js';
import { optionOrigin, type OptionSource, type Section } from '../sections/section.js';
import { buildCommand, type CommandContext } from './command.js';
import { TERMINAL_OPTIONS, FORMAT_OPTION, INPUT_OPTIONS, OUT_OPTIONS, explicitOptions, type OptionSpec } from './options.js';
import { toFile, writeOutFile } from './out-file.js';

export interface SectionCommandSpec {
  /** The command's name: the section's. */
  name: string;
  /**
   * Loads the Section when the command runs (a dynamic import), so that declaring the
   * command loads only its flags, not its analysis, readers and renderers.
   */
  section(): Promise<Section>;
  /** The section has a manuscript (--format apa, latex, docx and --methods); checked against it when run. */
  manuscript: boolean;
  /** One line for `alliance --help`. */
  summary: string;
  /** The section's own flags (the input options, --format and colour are added). */
  options: OptionSpec[];
  /** Lines shown under "Examples:" in --help. */
  examples: string[];
  /**
   * Help of an input option that means something else to this command, by flag: the
   * model's --group is the level clients are nested in, not grouping columns to read.
   */
  inputHelp?: Record<string, string>;
}

interface Flags {
  format: OutputFormat | 'apa' | 'latex' | 'docx';
  color?: boolean;
  config?: string;
  out?: string;
  force?: boolean;
  methods?: boolean;
  [key: string]: unknown;
}

/** For a section with a manuscript: --methods (--out and --force are OUT_OPTIONS, options.ts). */
const METHODS_OPTION: OptionSpec = { flags: '--methods', description: 'with --format apa, latex or docx: add the methods paragraph and the references' };

/** --format: a section with a manuscript also offers apa, latex and docx. */
function formatOption(manuscript: boolean): OptionSpec {
  if (!manuscript) return FORMAT_OPTION;
  return {
    ...FORMAT_OPTION,
    description:
      'output format: table, json, csv, md; apa (APA 7 results text: plain, or Markdown / HTML for --out FILE.md / FILE.html), latex or docx (APA tables; docx needs --out)',
    choices: [...(FORMAT_OPTION.choices ?? []), ...MANUSCRIPT_FORMATS],
  };
}

/**
 * Writes the output to --out (never over an existing file without --force) or standard
 * output; text may come in pieces (src/report/stream.ts).
 */
async function emit(out: string | string[] | Buffer, flags: Flags, io: Io): Promise<void> {
  if (!toFile(flags)) {
    if (Buffer.isBuffer(out)) throw new UserError('a Word document is binary and is not written to standard output', { hint: 'Give --out FILE.docx' });
    for (const piece of typeof out === 'string' ? [out] : out) io.stdout.write(piece);
    return;
  }
  await writeOutFile(out, flags, io);
}

export function sectionCommand(spec: SectionCommandSpec, ctx: CommandContext): Command {
  return buildCommand<Flags>(
    {
      name: spec.name,
      summary: spec.summary,
      args: '[files...]',
      options: [
        ...INPUT_OPTIONS.map((o) => {
          const help = spec.inputHelp?.[o.flags.split(' ')[0]];
          return help === undefined ? o : { ...o, description: help };
        }),
        ...spec.options,
        formatOption(spec.manuscript),
        ...OUT_OPTIONS,
        ...(spec.manuscript ? [METHODS_OPTION] : []),
        ...TERMINAL_OPTIONS,
      ],
      examples: spec.examples,
      progress: true,
      async run(files, flags, cmd, io) {
        if (flags.methods && !isManuscriptFormat(flags.format))
          throw new UserError('--methods goes with --format apa, latex or docx', { hint: 'Add --format apa (or latex, docx), or leave out --methods' });
        if (flags.format === 'docx' && !toFile(flags))
          throw new UserError('a Word document is binary and is not written to standard output', { hint: 'Give --out FILE.docx' });
        const [section, { loadConfig }, { loadInputWithGroups }, { renderChunks }, { renderManuscript }, { decideLook, decideWidth, makeChalk }] =
          await Promise.all([
            spec.section(),
            import('../config/load.js'),
            import('./by.js'),
            import('../report/render.js'),
            import('../report/manuscript/render.js'),
            import('./color.js'),
          ]);
        if ((section.manuscript !== undefined) !== spec.manuscript)
          throw new Error(`alliance ${spec.name}: the command's manuscript flag does not match its section`);
        const config = typeof flags.config === 'string' ? await loadConfig(flags.config, io.cwd) : null;
        const src: OptionSource = { mode: 'command', flags, explicit: explicitOptions(cmd), config };
        const opts = section.options(src);
        const needed = (section.groups?.(opts) ?? []).map((g) => ({ column: g.column, origin: optionOrigin(section.name, g.option, src) }));
        const inputFlags = section.inputFlags ? section.inputFlags(flags) : flags;
        const { dataset, read } = await loadInputWithGroups(files, inputFlags, cmd, io, needed, config);
        section.check?.(dataset, opts, src);
        const result = await section.run(dataset, opts, { io, now: new Date(), read, config });
        if (isManuscriptFormat(flags.format) && section.manuscript) {
          const m = section.manuscript(result, dataset, opts);
          const file = toFile(flags) ? flags.out : null;
          // A terminal's width (or --width) wraps the plain text at spaces; a file gets one line per paragraph.
          await emit(
            await renderManuscript(m, flags.format, file, Boolean(flags.methods), file === null ? decideWidth(flags.width, io) : undefined),
            flags,
            io,
          );
          return 0;
        }
        const doc = section.document(result, dataset, opts, { mode: 'command', filtered: false, clientTables: true });
        const intoFile = toFile(flags);
        const { color, width } = decideLook(flags, io, intoFile);
        // JSON and CSV come in pieces: a per-client table can be larger than one string may
        // be; on standard output they are written as they come, waiting for the reader.
        const chunks = renderChunks(doc, flags.format as OutputFormat, makeChalk(color), color, width);
        if (intoFile) await emit([...chunks], flags, io);
        else await writeChunks(io, chunks);
        return 0;
      },
    },
    ctx,
  );
}

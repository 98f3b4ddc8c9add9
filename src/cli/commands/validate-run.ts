/**
 * The run of `alliance validate` (src/cli/commands/validate.ts declares its options): loaded
 * only when the command runs, so `alliance --help` and the other commands do not load the
 * validator, the readers and the renderers.
 */
import { appendFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { sourceDateEpochDay, type Io } from '../../io/process.js';
import { explicitOptions } from '../options.js';
import { outTarget, toFile, writeOutFile } from '../out-file.js';
import { scanProgress } from '../input.js';
import { decideLook, makeChalk } from '../color.js';
import { UserError, EXIT } from '../../errors.js';
import { printable } from '../../io/text-safety.js';
import { configFiles, loadConfig, mergeReadOptions } from '../../config/load.js';
import { validateOptions, type ValidateFormat } from '../../sections/validate/options.js';
import { parseDate } from '../../dataset/values.js';
import { render } from '../../report/render.js';
import type { TableSchema } from '../../validate/schema.js';
import { validateInputs } from '../../validate/inputs.js';
import { capPerCode, renderValidateCsv, validateJson, validationDocument } from '../../sections/validate/document.js';
import { jsonChunks, writeChunks } from '../../report/stream.js';
import { validateSarif } from '../../sections/validate/sarif.js';
import { packageVersion } from '../../version.js';
import { renderGithub, renderStepSummary } from '../../sections/validate/github.js';
import { renderJunit } from '../../sections/validate/junit.js';

export interface ValidateFlags {
  format: ValidateFormat;
  strict?: boolean;
  maxFindings: string;
  maxAnnotations: string;
  schema?: string;
  today?: string;
  color?: boolean;
  config?: string;
  out?: string;
  force?: boolean;
  [key: string]: unknown;
}

/** The schema reader (re2js, yaml) loads only when a schema is given. */
const loadSchema = async (file: string, cwd: string): Promise<TableSchema> => (await import('../../validate/schema.js')).loadSchema(file, cwd);

/** The reference day: --today / the config's today, else SOURCE_DATE_EPOCH's day (as the report), else today (UTC). */
function parseToday(value: string | undefined, from: string, env: Record<string, string | undefined> = {}): number {
  if (value === undefined) return sourceDateEpochDay(env) ?? Math.floor(Date.now() / 86_400_000);
  const d = /^\d{4}-\d{2}-\d{2}$/.test(value) ? parseDate(value, 'iso') : NaN;
  if (Number.isNaN(d)) throw new UserError(`${from} must be a date YYYY-MM-DD (got '${value}')`, { hint: 'For example --today 2024-06-30' });
  return d;
}

export async function run(files: string[], flags: ValidateFlags, cmd: Command, io: Io): Promise<number> {
  const explicit = explicitOptions(cmd);
  // Flags first (their errors come before any file is read), then the config under them.
  const fromFlags = validateOptions({ mode: 'command', flags, explicit, config: null });
  const flagToday = fromFlags.today !== undefined ? parseToday(fromFlags.today, '--today') : undefined;
  // An existing --out without --force is refused before any file is read (checked again when written).
  const intoFile = toFile(flags);
  if (intoFile) outTarget(flags, io);

  const config = flags.config ? await loadConfig(flags.config, io.cwd) : null;
  const read = mergeReadOptions(config, flags, explicit);
  const paths = files.length > 0 ? files : configFiles(config, io.cwd);
  if (paths.length === 0) {
    throw new UserError('no input file given', {
      hint: flags.config
        ? `Give CSV exports as arguments or list them under 'files:' in ${flags.config}`
        : 'Give one or more CSV exports as arguments (or - for standard input)',
    });
  }
  const { strict, maxFindings, capped, maxAnnotations, schema: schemaPath } = validateOptions({ mode: 'command', flags, explicit, config });
  const schema: TableSchema | null = schemaPath ? await loadSchema(schemaPath, io.cwd) : null;
  const today = flagToday ?? parseToday(read.today, config ? `today in ${config.path}` : '--today', io.env);
  // Each read clears its progress line when it ends (also before an error message).
  const progress = scanProgress(io, 'alliance validate', { forced: cmd.opts<{ progress?: boolean }>().progress, stdin: paths.includes('-') });
  const run = await validateInputs(paths, read, io, { today, missing: read.missing ?? [], schema, ...(progress ? { progress } : {}) });
  const { notes } = run;
  // --max-findings given (flag or config) caps the listing in every format; counts stay exact.
  const result = capped ? capPerCode(run.result, maxFindings) : run.result;
  // Each unreadable file is also the usual one line on stderr (the document says it too).
  for (const f of run.fatal) io.stderr.write(`alliance: ${printable(f.error.format())}\n`);

  const { fatal, errors, warnings } = result.summary.findings;
  const code = fatal > 0 ? EXIT.usage : errors > 0 || (strict && warnings > 0) ? EXIT.findings : EXIT.ok;
  const format = flags.format;
  // The document goes to standard output, or whole to --out FILE (atomically; the exit code is the same).
  const emit = async (text: string | Iterable<string>): Promise<void> => {
    if (intoFile) await writeOutFile(text, flags, io);
    else if (typeof text === 'string') io.stdout.write(text);
    else await writeChunks(io, text);
  };
  if (format === 'github') {
    await emit(renderGithub(result, strict, maxAnnotations));
    const summaryFile = io.env.GITHUB_STEP_SUMMARY;
    if (summaryFile) {
      try {
        appendFileSync(path.resolve(io.cwd, summaryFile), renderStepSummary(result, strict), 'utf8');
      } catch (err) {
        throw new UserError(`cannot append to GITHUB_STEP_SUMMARY (${(err as NodeJS.ErrnoException).code ?? String(err)})`, {
          location: { file: summaryFile },
          hint: 'Check that the path in GITHUB_STEP_SUMMARY is writable',
        });
      }
    }
  } else if (format === 'junit') {
    await emit(renderJunit(result, strict));
  } else if (format === 'sarif') {
    // Both written in pieces as they are made (hundreds of thousands of findings are never one string).
    await emit(jsonChunks(validateSarif(result, strict, packageVersion())));
  } else if (format === 'json') {
    await emit(jsonChunks(validateJson(result, strict)));
  } else if (format === 'csv') {
    await emit(renderValidateCsv(result));
  } else {
    const doc = validationDocument(result, { maxFindings, strict, notes });
    const { color, width } = decideLook(flags, io, intoFile);
    await emit(render(doc, format, makeChalk(color), color, width));
  }
  return code;
}

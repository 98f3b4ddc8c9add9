/**
 * `alliance validate FILE...`: checks an export before anyone analyses it (structure,
 * values, sessions, direct identifiers, an optional Table Schema) and reports findings
 * with stable codes (docs/validate.md). Exit 1 when there are error-level findings (or
 * warnings with --strict), 2 when the input cannot be read at all.
 */
import { appendFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { buildCommand, type CommandContext } from '../command.js';
import { TERMINAL_OPTIONS, INPUT_OPTIONS, explicitOptions, type OptionSpec } from '../options.js';
import { decideColor, decideWidth, makeChalk } from '../color.js';
import { loadInput } from '../input.js';
import type { Io } from '../../io/process.js';
import { UserError, isUserError, EXIT } from '../../errors.js';
import { loadConfig, mergeReadOptions } from '../../config/load.js';
import { readValidateSection } from '../../sections/validate/options.js';
import { findColumn, mapFile, unknownColumnError } from '../../dataset/mapping.js';
import { parseDate } from '../../dataset/values.js';
import { openTable } from '../../dataset/formats.js';
import { render } from '../../report/render.js';
import { loadSchema, type TableSchema } from '../../validate/schema.js';
import { validateDataset, validateRaw, type ValidateOptions, type ValidationResult } from '../../validate/validate.js';
import { renderGithub, renderJunit, renderStepSummary, renderValidateCsv, validationDocument, writeValidateJson } from '../../report/documents/validate.js';

type ValidateFormat = 'table' | 'json' | 'csv' | 'md' | 'github' | 'junit';

interface ValidateFlags {
  format: ValidateFormat;
  strict?: boolean;
  maxFindings: string;
  schema?: string;
  today?: string;
  color?: boolean;
  config?: string;
  [key: string]: unknown;
}

const VALIDATE_OPTIONS: OptionSpec[] = [
  {
    flags: '--format <format>',
    description: 'output format: table, json, csv, md, github (Actions annotations) or junit (JUnit XML)',
    choices: ['table', 'json', 'csv', 'md', 'github', 'junit'],
    defaultValue: 'table',
  },
  { flags: '--strict', description: 'exit 1 on warnings too' },
  { flags: '--max-findings <n>', description: 'findings shown per code in the table (0 = all; JSON/CSV/github/junit list all)', defaultValue: '20' },
  { flags: '--schema <file>', description: 'Frictionless Table Schema (JSON or YAML) pinning types, required columns and ranges' },
  { flags: '--today <date>', description: 'reference date YYYY-MM-DD for "date in the future" (default: today, UTC)' },
];

/** openDataset's error when no client column can be found (validate reports it as a finding). */
const isNoClient = (e: unknown): boolean => isUserError(e) && e.code === 'no-client-column';

function parseToday(value: string | undefined, from: string): number {
  if (value === undefined) return Math.floor(Date.now() / 86_400_000);
  const d = /^\d{4}-\d{2}-\d{2}$/.test(value) ? parseDate(value, 'iso') : NaN;
  if (Number.isNaN(d)) throw new UserError(`${from} must be a date YYYY-MM-DD (got '${value}')`, { hint: 'For example --today 2024-06-30' });
  return d;
}

function parseMax(value: string, from: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(String(value).trim()) || !Number.isSafeInteger(n)) {
    throw new UserError(`${from} must be a whole number >= 0 (got '${value}')`, { hint: 'Use 0 to show every finding in the table' });
  }
  return n;
}

/** Falls back to raw checks when the files have no client column (not possible for stdin, which is read once). */
async function validateUnmapped(files: string[], flags: ValidateFlags, cmd: Command, io: Io, vopts: ValidateOptions): Promise<ValidationResult> {
  const config = flags.config ? await loadConfig(flags.config, io.cwd) : null;
  const read = mergeReadOptions(config, flags, explicitOptions(cmd));
  const paths = files.length > 0 ? files : (config?.files ?? []);
  const inputs = [];
  const noClient: boolean[] = [];
  for (const p of paths) {
    const input = await openTable(p, read, io);
    inputs.push({ ...input, display: p });
    try {
      mapFile(input.header, read, p);
      noClient.push(false);
    } catch (e) {
      if (isNoClient(e)) noClient.push(true);
      else throw e;
    }
  }
  // mapFile stops at the missing client column: check the other columns named by flags here.
  const named: [string, string][] = [
    ...(['session', 'date', 'therapist'] as const).filter((k) => read[k] !== undefined).map((k): [string, string] => [read[k]!, `--${k}`]),
    ...(read.alliance ?? []).map((c): [string, string] => [c, '--alliance']),
    ...(read.outcome ?? []).map((c): [string, string] => [c, '--outcome']),
    ...(read.groups ?? []).map((c): [string, string] => [c, '--group']),
    ...Object.keys(read.instruments ?? {}).map((c): [string, string] => [c, '--instrument']),
  ];
  for (const [name, flag] of named) {
    if (inputs.every((inp) => findColumn(inp.header, name) < 0)) throw unknownColumnError(name, flag, inputs[0].header, inputs[0].display);
  }
  return validateRaw(inputs, noClient, { ...vopts, missing: read.missing ?? [] });
}

export function validateCommand(ctx: CommandContext): Command {
  return buildCommand<ValidateFlags>(
    {
      name: 'validate',
      summary: 'check exports for structural, value, session and privacy problems (for CI)',
      args: '[files...]',
      options: [...INPUT_OPTIONS, ...VALIDATE_OPTIONS, ...TERMINAL_OPTIONS],
      examples: [
        'alliance validate export.csv',
        'alliance validate export.csv --format github --strict',
        'alliance validate export.csv --schema schema.yaml --format junit > validate.xml',
        'alliance validate export.csv --today 2024-06-30 --format json',
      ],
      async run(files, flags, cmd, io) {
        const explicit = explicitOptions(cmd);
        let maxFindings = parseMax(flags.maxFindings, '--max-findings');
        const flagToday = flags.today !== undefined ? parseToday(flags.today, '--today') : undefined;
        let progressShown = false;
        const progress =
          io.stderrIsTTY && !io.env.CI
            ? (n: number) => {
                progressShown = true;
                io.stderr.write(`\ralliance validate: ${(n / 1e6).toFixed(1)}M rows read`);
              }
            : undefined;

        let notes: string[] = [];
        let strict = flags.strict === true;
        let schema: TableSchema | null = null;
        const base = (today: number, missing: string[]): ValidateOptions => ({ today, missing, schema, onProgress: progress });
        const validate = async (): Promise<ValidationResult> => {
          try {
            const input = await loadInput(files, flags, cmd, io, { progress: false }); // validate shows its own
            const sec = readValidateSection(input.config);
            if (!explicit.has('strict') && sec.strict !== undefined) strict = sec.strict;
            if (!explicit.has('maxFindings') && sec.maxFindings !== undefined) maxFindings = sec.maxFindings;
            const schemaPath = flags.schema ?? sec.schema;
            if (schemaPath) schema = await loadSchema(schemaPath, io.cwd);
            const today = flagToday ?? parseToday(input.read.today, input.config ? `today in ${input.config.path}` : '--today');
            notes = [...input.dataset.mapping.notes];
            return await validateDataset(input.dataset, base(today, input.read.missing ?? []));
          } catch (e) {
            if (!(isNoClient(e) && !files.includes('-'))) throw e;
            if (flags.schema) schema = await loadSchema(flags.schema, io.cwd);
            return await validateUnmapped(files, flags, cmd, io, base(flagToday ?? parseToday(undefined, ''), []));
          }
        };
        let result: ValidationResult;
        try {
          result = await validate();
        } finally {
          // Clear the progress line (also before an error message).
          if (progressShown) io.stderr.write('\r\x1b[K');
        }

        const { errors, warnings } = result.summary.findings;
        const code = errors > 0 || (strict && warnings > 0) ? EXIT.findings : EXIT.ok;
        const format = flags.format;
        if (format === 'github') {
          io.stdout.write(renderGithub(result, strict));
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
          io.stdout.write(renderJunit(result, strict));
        } else if (format === 'json') {
          writeValidateJson(result, (chunk) => void io.stdout.write(chunk));
        } else if (format === 'csv') {
          io.stdout.write(renderValidateCsv(result));
        } else {
          const doc = validationDocument(result, { maxFindings, strict, notes });
          const color = decideColor(flags.color, io);
          io.stdout.write(render(doc, format, makeChalk(color), color, decideWidth(flags.width, io)));
        }
        return code;
      },
    },
    ctx,
  );
}

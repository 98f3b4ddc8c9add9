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
import { UserError, EXIT } from '../../errors.js';
import { printable } from '../../io/text-safety.js';
import { loadConfig, mergeReadOptions } from '../../config/load.js';
import { readValidateSection } from '../../sections/validate/options.js';
import { parseDate } from '../../dataset/values.js';
import { render } from '../../report/render.js';
import { loadSchema, type TableSchema } from '../../validate/schema.js';
import { validateInputs } from '../../validate/inputs.js';
import { capPerCode, renderValidateCsv, validationDocument, writeValidateJson } from '../../report/documents/validate.js';
import { DEFAULT_MAX_ANNOTATIONS, renderGithub, renderStepSummary } from '../../report/documents/validate-github.js';
import { renderJunit } from '../../report/documents/validate-junit.js';

type ValidateFormat = 'table' | 'json' | 'csv' | 'md' | 'github' | 'junit';

interface ValidateFlags {
  format: ValidateFormat;
  strict?: boolean;
  maxFindings: string;
  maxAnnotations: string;
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
  {
    flags: '--max-findings <n>',
    description: 'findings listed per code (0 = all); default 20 in table and md, all in the other formats; when given, in every format (counts stay exact)',
    defaultValue: '20',
  },
  { flags: '--max-annotations <n>', description: 'github: annotations written per code (0 = all), then one summary annotation with the counts', defaultValue: String(DEFAULT_MAX_ANNOTATIONS) },
  { flags: '--schema <file>', description: 'Frictionless Table Schema (JSON or YAML) pinning types, required columns and ranges' },
  { flags: '--today <date>', description: 'reference date YYYY-MM-DD for "date in the future" (default: today, UTC)' },
];

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
        const maxAnnotations = parseMax(flags.maxAnnotations, '--max-annotations');
        const flagToday = flags.today !== undefined ? parseToday(flags.today, '--today') : undefined;
        let progressShown = false;
        const progress =
          io.stderrIsTTY && !io.env.CI
            ? (n: number) => {
                progressShown = true;
                io.stderr.write(`\ralliance validate: ${(n / 1e6).toFixed(1)}M rows read`);
              }
            : undefined;

        const config = flags.config ? await loadConfig(flags.config, io.cwd) : null;
        const read = mergeReadOptions(config, flags, explicit);
        const paths = files.length > 0 ? files : (config?.files ?? []);
        if (paths.length === 0) {
          throw new UserError('no input file given', {
            hint: flags.config ? `Give CSV exports as arguments or list them under 'files:' in ${flags.config}` : 'Give one or more CSV exports as arguments (or - for standard input)',
          });
        }
        const sec = readValidateSection(config);
        let strict = flags.strict === true;
        if (!explicit.has('strict') && sec.strict !== undefined) strict = sec.strict;
        if (!explicit.has('maxFindings') && sec.maxFindings !== undefined) maxFindings = sec.maxFindings;
        const schemaPath = flags.schema ?? sec.schema;
        const schema: TableSchema | null = schemaPath ? await loadSchema(schemaPath, io.cwd) : null;
        const today = flagToday ?? parseToday(read.today, config ? `today in ${config.path}` : '--today');
        let run;
        try {
          run = await validateInputs(paths, read, io, { today, missing: read.missing ?? [], schema, onProgress: progress });
        } finally {
          // Clear the progress line (also before an error message).
          if (progressShown) io.stderr.write('\r\x1b[K');
        }
        const { notes } = run;
        // --max-findings given (flag or config) caps the listing in every format; counts stay exact.
        const result = explicit.has('maxFindings') || sec.maxFindings !== undefined ? capPerCode(run.result, maxFindings) : run.result;
        // Each unreadable file is also the usual one line on stderr (the document says it too).
        for (const f of run.fatal) io.stderr.write(`alliance: ${printable(f.error.format())}\n`);

        const { fatal, errors, warnings } = result.summary.findings;
        const code = fatal > 0 ? EXIT.usage : errors > 0 || (strict && warnings > 0) ? EXIT.findings : EXIT.ok;
        const format = flags.format;
        if (format === 'github') {
          io.stdout.write(renderGithub(result, strict, maxAnnotations));
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
          writeValidateJson(result, strict, (chunk) => void io.stdout.write(chunk));
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

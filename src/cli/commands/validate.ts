/**
 * `alliance validate FILE...`: checks an export before anyone analyses it (structure,
 * values, sessions, direct identifiers, an optional Table Schema) and reports findings
 * with stable codes (docs/validate.md). Exit 1 when there are error-level findings (or
 * warnings with --strict), 2 when the input cannot be read at all.
 */
import type { Command } from 'commander';
import { buildCommand, lazyRun, type CommandContext } from '../command.js';
import { TERMINAL_OPTIONS, INPUT_OPTIONS, type OptionSpec } from '../options.js';
import { DEFAULT_MAX_ANNOTATIONS } from '../../sections/validate/output-limits.js';
import type { ValidateFlags } from './validate-run.js';

const VALIDATE_OPTIONS: OptionSpec[] = [
  {
    flags: '--format <format>',
    description: 'output format: table, json, csv, md, github (Actions annotations), junit (JUnit XML) or sarif (SARIF 2.1.0, for code scanning)',
    choices: ['table', 'json', 'csv', 'md', 'github', 'junit', 'sarif'],
    defaultValue: 'table',
  },
  { flags: '--strict', description: 'exit 1 on warnings too' },
  {
    flags: '--max-findings <n>',
    description: 'findings listed per code (0 = all); default 20 in table and md, all in the other formats; when given, in every format (counts stay exact)',
    defaultValue: '20',
  },
  {
    flags: '--max-annotations <n>',
    description: 'github: annotations written per code (0 = all), then one summary annotation with the counts',
    defaultValue: String(DEFAULT_MAX_ANNOTATIONS),
  },
  { flags: '--schema <file>', description: 'Frictionless Table Schema (JSON or YAML) pinning types, required columns and ranges' },
  { flags: '--today <date>', description: 'reference date YYYY-MM-DD for "date in the future" (default: today, UTC)' },
];

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
        'alliance validate exports/*.csv --format sarif > validate.sarif',
      ],
      run: lazyRun(() => import('./validate-run.js')),
    },
    ctx,
  );
}

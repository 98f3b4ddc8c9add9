/**
 * `alliance validate FILE...`: checks an export before anyone analyses it (structure,
 * values, sessions, direct identifiers, an optional Table Schema) and reports findings
 * with stable codes (docs/validate.md), on standard output or in --out FILE. Exit 1 when
 * there are error-level findings (or warnings with --strict), 2 when the input cannot be
 * read at all; the same with --out.
 */
import type { Command } from 'commander';
import { buildCommand, lazyRun, type CommandContext } from '../command.js';
import { TERMINAL_OPTIONS, INPUT_OPTIONS, OUT_OPTIONS } from '../options.js';
import { tableFlags } from '../../config/option-table.js';
import { VALIDATE_TABLE } from '../../sections/validate/options.js';
import type { ValidateFlags } from './validate-run.js';

export function validateCommand(ctx: CommandContext): Command {
  return buildCommand<ValidateFlags>(
    {
      name: 'validate',
      summary: 'check exports for structural, value, session and privacy problems (for CI)',
      args: '[files...]',
      options: [...INPUT_OPTIONS, ...tableFlags(VALIDATE_TABLE), ...OUT_OPTIONS, ...TERMINAL_OPTIONS],
      examples: [
        'alliance validate export.csv',
        'alliance validate export.csv --format github --strict',
        'alliance validate export.csv --schema schema.yaml --format junit > validate.xml',
        'alliance validate export.csv --today 2024-06-30 --format json',
        'alliance validate exports/*.csv --format sarif --out validate.sarif',
      ],
      progress: true,
      run: lazyRun(() => import('./validate-run.js')),
    },
    ctx,
  );
}

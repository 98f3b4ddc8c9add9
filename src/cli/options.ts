/**
 * Options shared by several commands, declared once as data so they are worded
 * identically everywhere (help text, README, config keys).
 */
import { Option, type Command } from 'commander';
import { INPUT_OPTIONS, list, type OptionSpec } from '../config/input-options.js';
import { UserError } from '../errors.js';

export { INPUT_OPTIONS, list, type OptionSpec };

/** Terminal output options shared by the reporting commands (colour, table width). */
export const TERMINAL_OPTIONS: OptionSpec[] = [
  { flags: '--color', description: 'force colour' },
  { flags: '--no-color', description: 'disable colour (also NO_COLOR)' },
  {
    flags: '--width <n>',
    description: 'fit tables and notes to N columns (default: COLUMNS, else the terminal width; no limit when not a terminal; 0 = no limit)',
  },
];

/** --progress / --no-progress for the commands that read data (src/cli/progress.ts). */
export const PROGRESS_OPTIONS: OptionSpec[] = [
  { flags: '--progress', description: 'show progress on stderr even when it is not a terminal (default: only on a terminal, never in CI)' },
  { flags: '--no-progress', description: 'never show progress' },
];

export const DEBUG_OPTION: OptionSpec = { flags: '--debug', description: 'show stack traces for internal errors' };

export function addOptions(cmd: Command, specs: OptionSpec[]): Command {
  for (const spec of specs) {
    const opt = new Option(spec.flags, spec.description);
    if (spec.parse) opt.argParser(spec.parse);
    if (spec.choices) opt.choices(spec.choices);
    if (spec.defaultValue !== undefined) opt.default(spec.defaultValue);
    cmd.addOption(opt);
  }
  return cmd;
}

/** Keys of options that were given explicitly on the command line (they win over config). */
export function explicitOptions(cmd: Command): Set<string> {
  const out = new Set<string>();
  for (const opt of cmd.options) {
    const key = opt.attributeName();
    if (cmd.getOptionValueSource(key) === 'cli') out.add(key);
  }
  return out;
}

/** `--format` for the analysis commands (validate adds github and junit). */
export const FORMAT_OPTION: OptionSpec = {
  flags: '--format <format>',
  description: 'output format: table, json, csv or md',
  choices: ['table', 'json', 'csv', 'md'],
  defaultValue: 'table',
};

/**
 * --out and --force of the commands that write one document (the analysis commands and
 * validate; written by src/cli/out-file.ts). simulate and report declare their own.
 */
export const OUT_OPTIONS: OptionSpec[] = [
  { flags: '--out <file>', description: 'write the output to FILE (atomically: temp file + rename) instead of standard output', parse: outPath },
  { flags: '--force', description: 'replace FILE when --out names an existing file' },
];

/**
 * --out's value. An empty one (`--out "$OUT"` with OUT unset) would resolve to the current
 * folder: refused here, named as --out, before any work.
 */
export function outPath(value: string): string {
  if (value.trim() === '')
    throw new UserError('--out is empty', { key: '--out', hint: 'Give the output path, or leave out --out (a file command then writes to standard output)' });
  return value;
}

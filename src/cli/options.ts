/**
 * Options shared by several commands, declared once as data so they are worded
 * identically everywhere (help text, README, config keys).
 */
import { Option, type Command } from 'commander';

export interface OptionSpec {
  flags: string;
  description: string;
  /** Config-file key (camelCase); defaults to commander's attribute name. */
  key?: string;
  parse?: (value: string, previous: unknown) => unknown;
  defaultValue?: unknown;
  choices?: string[];
}

/** Parser for comma-separated, repeatable list options (`--outcome a,b --outcome c`). */
export const list = (value: string, previous: unknown): string[] => {
  const prev = Array.isArray(previous) ? (previous as string[]) : [];
  return prev.concat(
    value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  );
};

const assignments = (value: string, previous: unknown): Record<string, string> => {
  const out: Record<string, string> = { ...((previous as Record<string, string>) ?? {}) };
  for (const part of value.split(',')) {
    const eq = part.lastIndexOf('=');
    if (eq <= 0 || eq === part.length - 1) {
      throw new Error(`expected COLUMN=INSTRUMENT, got "${part}"`);
    }
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
};

/** Column mapping and dialect: every command that reads session exports takes these. */
export const INPUT_OPTIONS: OptionSpec[] = [
  { flags: '--config <file>', description: 'JSON or YAML file holding any of these options (flags win)' },
  { flags: '--client <col>', description: 'client id column (detected from headers like client_id, Client ID, patient)' },
  { flags: '--session <col>', description: 'session number column (detected: session, session_number, Session #)' },
  { flags: '--date <col>', description: 'session date column (detected: date, session_date)' },
  { flags: '--therapist <col>', description: 'therapist id column (detected: therapist, clinician, provider)' },
  { flags: '--alliance <cols>', description: 'alliance measure column(s), comma-separated', parse: list },
  { flags: '--outcome <cols>', description: 'outcome measure column(s), comma-separated', parse: list },
  { flags: '--group <cols>', description: 'grouping column(s) such as site or modality', key: 'groups', parse: list },
  {
    flags: '--instrument <col=id>',
    description: 'bind a column to an instrument (repeatable), e.g. --instrument score=PHQ-9',
    key: 'instruments',
    parse: assignments,
  },
  { flags: '--delimiter <char>', description: 'field delimiter (sniffed from , ; tab | when absent)' },
  {
    flags: '--encoding <name>',
    description: 'text encoding when there is no BOM',
    choices: ['utf8', 'latin1', 'utf16le', 'utf16be'],
  },
  { flags: '--decimal <char>', description: 'decimal mark (detected for ;-separated files)', choices: ['.', ','] },
  {
    flags: '--date-format <fmt>',
    description: 'date format when not ISO: dmy (DD/MM/YYYY), dmy. (DD.MM.YYYY), mdy (MM/DD/YYYY)',
    choices: ['iso', 'dmy', 'dmy.', 'mdy'],
  },
  { flags: '--missing <tokens>', description: 'extra missing-value tokens, comma-separated', parse: list },
  { flags: '--join-on <key>', description: 'join exports with different columns on client+session or client+date', choices: ['session', 'date'] },
];

/** Output options shared by the reporting commands. */
export const COLOR_OPTIONS: OptionSpec[] = [
  { flags: '--color', description: 'force colour' },
  { flags: '--no-color', description: 'disable colour (also NO_COLOR)' },
];

export const DEBUG_OPTION: OptionSpec = { flags: '--debug', description: 'show stack traces for internal errors' };

export function addOptions(cmd: Command, specs: OptionSpec[]): Command {
  for (const spec of specs) {
    const opt = new Option(spec.flags, spec.description);
    if (spec.parse) opt.argParser(spec.parse as (v: string, p: unknown) => unknown);
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

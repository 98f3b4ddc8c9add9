/**
 * The input options (column mapping and dialect), declared once as data: commander builds
 * the flags from them (src/cli/options.ts) and the config loader derives the config keys
 * from them (src/config/load.ts), so a flag and its config key cannot drift apart.
 */

import { UserError } from '../errors.js';

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
      throw new UserError(`--instrument expects COLUMN=INSTRUMENT, got "${part}"`, {
        hint: 'For example --instrument score=PHQ-9 (run `alliance instruments` for the ids)',
      });
    }
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
};

/** The most threads --threads and `threads:` accept. */
export const MAX_THREADS = 64;

/** A thread count (a whole number from 1 to MAX_THREADS), from a flag or a config value. */
export function threadCount(value: unknown, what: string): number {
  const s = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  const n = /^\d+$/.test(s) ? Number(s) : NaN;
  if (!(n >= 1 && n <= MAX_THREADS))
    throw new UserError(`${what} must be a whole number from 1 to ${MAX_THREADS} (got '${s}')`, {
      key: what,
      hint: 'For example --threads 2, or --threads 1 to read on one thread',
    });
  return n;
}

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
  { flags: '--sheet <name>', description: 'workbook sheet to read, by name or number (1 = first); default: the first visible sheet with session data' },
  {
    flags: '--wide [pattern]',
    description: "read a wide file (one row per client): detect the columns, or name them, e.g. '{measure}_t{session}'",
  },
  {
    flags: '--show-identifiers',
    description:
      'show client, therapist and group values that look like direct identifiers (emails, phone numbers, names, addresses) as they are, not as pseudonyms',
  },
  {
    flags: '--threads <n>',
    description:
      'threads that read a large UTF-8 CSV (default: 2 for describe and correlate on 256 MiB or more when the cores are not all busy, else 1; files under 8 MiB always use one)',
    parse: (value: string) => threadCount(value, '--threads'),
  },
  { flags: '--join-on <key>', description: 'join exports with different columns on client+session or client+date', choices: ['session', 'date'] },
];

/**
 * One typed table per command's own options (as tsc's optionDeclarations or vitest's CLI
 * options): each row is one option. From the table come the command's flags and their
 * help (`tableFlags`), the keys of its config section (`tableKeys`), the defaults, and
 * the reading of flag and config values into typed values (`readTable`: one number
 * parser, one choice check, one boolean check). A flag given on the command line wins
 * over the config section, which wins over the row's default.
 *
 * A section's options.ts then only adds what a table cannot say: checks across options
 * (--pre with --post) and values with their own grammar (--ci 95 = 0.95).
 */
import { UserError, type Location } from '../errors.js';
import { list, type OptionSpec } from './input-options.js';
import { camel, checkKey, configPlace, type KeyPlace } from './keys.js';

/** The accepted range of a number option. */
export interface NumberRange {
  min?: number;
  max?: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
  integer?: boolean;
}

interface RowBase<K extends string> {
  /** The commander attribute and the config key (camelCase); the flag is its kebab-case. */
  key: K;
  /** Help text as shown by --help (a default it names is the row's `default`; a test checks they agree). */
  description: string;
  /** Other config keys for the same option (e.g. covariates for covariate). */
  aliases?: readonly string[];
  /**
   * Options that give the same setting another way (ruptures' drop in points, ruptureDrop,
   * or as a multiple of an SD, ruptureSd). A flag on the command line wins over the config
   * here too: one of them given as a flag sets aside this row's config value for the run
   * (it is neither read nor named). Both from the same place (two flags, two config keys)
   * are for the section to refuse.
   */
  alternatives?: readonly string[];
  /** false: a config key only (its flag is declared elsewhere, e.g. an input option). */
  flag?: false;
  /** false: a flag only, not a key of the command's config section (e.g. validate's --format). */
  config?: false;
  /** The flag's help shows the default, as commander does ("(default: "20")"): commander then also gives it as the flag's value. */
  showDefault?: true;
}

export type OptionRow<K extends string = string> =
  | (RowBase<K> & { type: 'boolean'; default?: boolean })
  | (RowBase<K> & { type: 'number'; arg: string; range?: NumberRange; default?: number; /** The value in "For example --flag X". */ example: string })
  | (RowBase<K> & { type: 'choice'; arg: string; choices: readonly string[]; default?: string })
  /** Free text (a column name, or a value with its own grammar parsed by the section); blank = not given. */
  | (RowBase<K> & { type: 'text'; arg: string; default?: string })
  /** Comma-separated (or a config list); blank items dropped; `repeatable`: the flag may be given again and adds to the list. */
  | (RowBase<K> & { type: 'list'; arg: string; repeatable?: boolean; default?: readonly string[] })
  /** A flag with an optional value (`--random-slope [term]`): true when given bare, else the value. */
  | (RowBase<K> & { type: 'optional'; arg: string; default?: boolean | string });

export type OptionTable = readonly OptionRow[];

type ValueOf<R> = R extends { type: 'boolean' }
  ? boolean
  : R extends { type: 'optional' }
    ? boolean | string
    : R extends { type: 'number' }
      ? number
      : R extends { type: 'list' }
        ? string[]
        : R extends { type: 'choice'; choices: readonly (infer C)[] }
          ? C
          : string;

/** The typed values of a table: undefined where neither a flag, the config nor a default gives one. */
export type TableValues<T extends OptionTable> = { [R in T[number] as R['key']]?: ValueOf<R> };

const kebab = (k: string): string => k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

/** The flag of a key: minClients -> --min-clients. */
export const flagOf = (key: string): string => `--${kebab(key)}`;

/** The commander options of a table (flag, help, choices). */
export function tableFlags(table: OptionTable): OptionSpec[] {
  return table
    .filter((r) => r.flag !== false)
    .map((r) => ({
      flags: r.type === 'boolean' ? flagOf(r.key) : `${flagOf(r.key)} ${r.arg}`,
      description: r.description,
      ...(r.type === 'choice' ? { choices: [...r.choices] } : {}),
      ...(r.type === 'list' && r.repeatable ? { parse: list } : {}),
      ...(r.showDefault && r.default !== undefined ? { defaultValue: String(r.default) } : {}),
    }));
}

/** The config keys of a table (camelCase, in table order; each row's aliases after it). */
export function tableKeys(table: OptionTable): string[] {
  return table.filter((r) => r.config !== false).flatMap((r) => [r.key, ...(r.aliases ?? [])]);
}

/** The row a config key (or alias) belongs to. */
export function rowOf<T extends OptionTable>(table: T, key: string): T[number] | undefined {
  return table.find((r) => r.key === key || (r.aliases ?? []).includes(key));
}

/** The defaults of a table, by key (rows without one are left out). */
export function tableDefaults(table: OptionTable): Record<string, unknown> {
  return Object.fromEntries(table.filter((r) => r.default !== undefined).map((r) => [r.key, r.default]));
}

/** "a, b or c". */
export function orList(xs: readonly string[]): string {
  return xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]}`;
}

/** A number in decimal notation: optional sign, digits with an optional fraction, optional exponent. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * Parses a number option; the message names the option (its flag, or its config key), the
 * accepted range and what was given. `how` is the hint's example (default "NAME EXAMPLE").
 */
export function parseNumber(name: string, value: unknown, range: NumberRange = {}, example = '5', how = `${name} ${example}`): number {
  const s = String(value).trim();
  // Decimal notation only (1e6 and 20.0 included): Number() would also read 0x20, 0b11 and
  // 0o17, which no option means.
  const v = DECIMAL.test(s) ? Number(s) : NaN;
  const { min, max, minExclusive, maxExclusive, integer } = range;
  const ok =
    s !== '' &&
    Number.isFinite(v) &&
    (!integer || Number.isSafeInteger(v)) &&
    (min === undefined || (minExclusive ? v > min : v >= min)) &&
    (max === undefined || (maxExclusive ? v < max : v <= max));
  if (!ok) {
    let what: string;
    if (min !== undefined && max !== undefined)
      what = `${integer ? 'a whole number ' : ''}between ${min} and ${max}${minExclusive || maxExclusive ? ' (exclusive)' : ''}`;
    else if (min !== undefined) what = `${integer ? 'a whole number' : 'a number'} ${minExclusive ? '>' : '>='} ${min}`;
    else if (max !== undefined) what = `${integer ? 'a whole number' : 'a number'} ${maxExclusive ? '<' : '<='} ${max}`;
    else what = integer ? 'a whole number' : 'a number';
    throw new UserError(`${name} must be ${what}, got "${s}"`, { hint: `For example ${how}` });
  }
  return v;
}

/** How an option is named in a message, and where it stands when it came from the config. */
interface Naming {
  name: string;
  /** "--min-clients 3" or "minClients: 3 under correlate:". */
  example: (value: string) => string;
  location?: Location;
  key: string;
}

function parseRow(r: OptionRow, v: unknown, n: Naming): unknown {
  const { name } = n;
  const fail = (message: string, hint?: string): never => {
    throw new UserError(message, { hint, location: n.location, key: n.key });
  };
  switch (r.type) {
    case 'boolean':
      if (typeof v !== 'boolean') fail(`${name} must be true or false, got "${String(v)}"`, `In a config file: ${r.key}: true`);
      return v;
    case 'optional':
      if (typeof v !== 'boolean' && typeof v !== 'string') fail(`${name} must be true or a value, got "${String(v)}"`);
      return v;
    case 'number':
      try {
        return parseNumber(name, v, r.range, r.example, n.example(r.example));
      } catch (e) {
        if (e instanceof UserError) fail(e.message, e.hint);
        throw e;
      }
    case 'choice': {
      const s = String(v).trim();
      if (!r.choices.includes(s)) fail(`${name} must be ${orList(r.choices)}, got "${s}"`);
      return s;
    }
    case 'text': {
      const s = (Array.isArray(v) ? v.join(',') : String(v)).trim();
      return s === '' ? undefined : s;
    }
    case 'list': {
      const items = Array.isArray(v) ? v.map(String) : String(v).split(',');
      return items.map((x) => x.trim()).filter(Boolean);
    }
  }
}

export interface TableSource {
  /** Flag values by commander attribute name. */
  flags: Record<string, unknown>;
  /** The config section (camelCase keys; already checked for unknown keys). */
  section?: Record<string, unknown>;
  /** Attribute names of the flags given on the command line: they win over the config. */
  explicit?: ReadonlySet<string>;
  /**
   * The config section's name and where its keys stand: an option whose value came from the
   * config is then named by its key ("correlate.minClients", at the key's line), not by its
   * flag. `only`: the config is the only source (the report), so every option is named by
   * its key.
   */
  config?: { section: string; at: KeyPlace | null; only?: boolean };
}

/**
 * Whether a row's config value is set aside: its own flag, or the flag of an alternative
 * (another way to give the same setting), was given on the command line.
 */
function flagWins(r: OptionRow, explicit: ReadonlySet<string> | undefined): boolean {
  return explicit !== undefined && (explicit.has(r.key) || (r.alternatives ?? []).some((k) => explicit.has(k)));
}

/** The config key a row's value was read from (the key or an alias as written), or undefined. */
function configKey(r: OptionRow, src: TableSource): string | undefined {
  if (r.config === false || !src.section || flagWins(r, src.explicit)) return undefined;
  return [r.key, ...(r.aliases ?? [])].find((k) => src.section![k] !== undefined);
}

/**
 * How a table's options are named in messages: by the flag (`--min-clients`), or, when the
 * value came from the config section (or the config is the only source), by the config key
 * (`correlate.minClients`) with its location. Sections use it for their checks across
 * options, so a message names what the user wrote where they wrote it.
 */
export interface OptionNames {
  name(key: string): string;
  /** "--cutoff a" or "cutoff: a under trend:" (for hints). */
  example(key: string, value: string): string;
  /**
   * The UserError options that place an error at the option (its config key's line, when
   * from the config); of several options, at the first one set in the config (else the
   * last).
   */
  place(key: string | readonly string[], hint?: string): { hint?: string; location?: Location; key: string };
}

export function optionNames(table: OptionTable, src: TableSource): OptionNames {
  const naming = (key: string): Naming => {
    const r = table.find((x) => x.key === key);
    const c = src.config;
    const written = r ? configKey(r, src) : undefined;
    if (c && (written !== undefined || (c.only && r?.config !== false))) {
      const k = written ?? key;
      const line = c.at?.line(`${c.section}.${k}`);
      return {
        name: `${c.section}.${k}`,
        example: (v) => `${k}: ${v} under ${c.section}:`,
        location: c.at && line !== undefined ? { file: c.at.file, line } : undefined,
        key: `${c.section}.${k}`,
      };
    }
    return { name: flagOf(key), example: (v) => `${flagOf(key)} ${v}`, key: flagOf(key) };
  };
  return {
    name: (key) => naming(key).name,
    example: (key, value) => naming(key).example(value),
    place: (keys, hint) => {
      const all = (typeof keys === 'string' ? [keys] : keys).map(naming);
      const n = all.find((x) => x.location) ?? all.find((x) => !x.name.startsWith('--')) ?? all[all.length - 1];
      return { ...(hint !== undefined ? { hint } : {}), ...(n.location ? { location: n.location } : {}), key: n.key };
    },
  };
}

/**
 * Reads every option of the table: the flag when given on the command line (or when the
 * config does not set it), else the config's value, else the row's default; each parsed
 * by its type. A flag of one of a row's alternatives sets the row's config value aside
 * (the flag, if any, or the default then). Messages name the flag, or the config key at
 * its line when the value came from the config (`src.config`).
 */
export function readTable<T extends OptionTable>(table: T, src: TableSource): TableValues<T> {
  const sec = src.section ?? {};
  const explicit = src.explicit ?? new Set<string>();
  const names = src.config ? optionNames(table, src) : null;
  const out: Record<string, unknown> = {};
  for (const r of table) {
    const fromConfig = r.config === false ? undefined : [r.key, ...(r.aliases ?? [])].map((k) => sec[k]).find((x) => x !== undefined);
    const raw = flagWins(r, explicit) || fromConfig === undefined ? src.flags[r.key] : fromConfig;
    const n: Naming = names
      ? { name: names.name(r.key), example: (v) => names.example(r.key, v), ...names.place(r.key) }
      : { name: flagOf(r.key), example: (v) => `${flagOf(r.key)} ${v}`, key: flagOf(r.key) };
    const v = raw === undefined || raw === null ? undefined : parseRow(r, raw, n);
    out[r.key] = v === undefined ? r.default : v;
  }
  return out as TableValues<T>;
}

/**
 * Reads a command's options from its flags over its config section as written (keys
 * checked first, in the order written, kebab-case accepted: an unknown key is an error at
 * its line when `lines` are given), with the names its checks across options use.
 * `only`: the config is the only source (the report), so every option is named by its key.
 */
export function readSection<T extends OptionTable>(
  table: T,
  name: string,
  input: {
    flags: Record<string, unknown>;
    section: Record<string, unknown>;
    explicit: ReadonlySet<string>;
    configPath: string;
    /** The config's key lines (Config.lines); without them errors name no line. */
    lines?: Record<string, number>;
    only?: boolean;
  },
): { values: TableValues<T>; names: OptionNames } {
  const known = tableKeys(table);
  const sec: Record<string, unknown> = {};
  const at = input.lines ? configPlace({ path: input.configPath, lines: input.lines }) : null;
  for (const [k, v] of Object.entries(input.section)) {
    checkKey(k, { section: name, known, at, camelCase: true, within: `the ${name} section of ${input.configPath}` });
    sec[camel(k)] = v;
  }
  const src: TableSource = {
    flags: input.flags,
    section: sec,
    explicit: input.explicit,
    config: input.lines ? { section: name, at, only: input.only } : undefined,
  };
  return { values: readTable(table, src), names: optionNames(table, src) };
}

/**
 * `--config FILE`: a JSON or YAML file holding anything the flags hold, plus the list of
 * input files and free-form per-command sections.
 *
 * ```yaml
 * files: [alliance.csv, outcome.csv]     # relative to this file's folder
 * client: Client ID
 * alliance: [srs_total]
 * instruments: { score: PHQ-9 }
 * instrumentOverrides:
 *   ORS: { cutoff: 28, reliableChange: 5 }
 * dateFormat: dmy
 * validate: { strict: true }             # checked by the validate command
 * ```
 *
 * Both files are parsed with the `yaml` package (JSON is YAML), so every error names the
 * line: "report.yaml:7: unknown key 'clinet'. Did you mean 'client'?". Keys may be written
 * camelCase (as above) or kebab-case like the flags (date-format, join-on).
 */
import * as path from 'node:path';
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import type { Document, Node, YAMLMap } from 'yaml';
import { UserError } from '../errors.js';
import { valueText } from './text.js';
import { INPUT_OPTIONS, MAX_THREADS } from './input-options.js';
import { getInstrument, INSTRUMENTS, validateOverride, validInstrumentIds } from '../instruments/registry.js';
import type { ReadOptions } from '../dataset/types.js';
import { closest } from '../names.js';
import { Option } from 'commander';
import { jsonErrorAt } from './json-check.js';
import { readSmallText } from '../io/source.js';
import { normaliseDelimiter } from '../io/csv.js';
import { patternRe } from '../dataset/wide.js';

// yaml is loaded when a config is parsed, not by every command that could take one (it is
// the largest module a command would otherwise load at startup).
let yamlModule: typeof Yaml | undefined;
const yaml = (): typeof Yaml => (yamlModule ??= createRequire(import.meta.url)('yaml') as typeof Yaml);
const isMap = (n: unknown): n is YAMLMap => yaml().isMap(n);
const isScalar = (n: unknown): n is Yaml.Scalar => yaml().isScalar(n);
const isSeq = (n: unknown): n is Yaml.YAMLSeq => yaml().isSeq(n);
/**
 * An alias (`*name`) as the node its anchor names, anything else as it is: `session: *id`
 * is the text `client: &id ...` holds. (Only one level: a list item that is an alias to a
 * list is not expanded, so no alias bomb grows here.)
 */
const deref = (n: unknown, doc: Document): Node | null => (yaml().isAlias(n) ? ((n.resolve(doc) as Node | undefined) ?? null) : (n as Node | null));

export interface Config {
  /** The config file as given (used in messages). */
  path: string;
  /** The input options it holds (a subset of ReadOptions). */
  read: ReadOptions;
  /** Input files, resolved against the config file's folder. */
  files: string[];
  /** Per-command sections (validate, correlate, ...), unchecked: each command validates its own. */
  sections: Record<string, Record<string, unknown>>;
  /** Display names of columns for people (`labels: {srs_total: "Alliance (SRS)"}`): the report's cards. */
  labels?: Record<string, string>;
  /** 1-based line of each key: "client", "validate", "validate.minClients", ... */
  lines: Record<string, number>;
  /** The text read (loadConfig), so a caller never reads the file a second time. */
  text?: string;
}

/** Sections a command may read; their content is validated by the command. */
export const COMMAND_SECTIONS = ['validate', 'describe', 'correlate', 'trend', 'change', 'model', 'ruptures', 'report', 'alerts', 'therapists', 'simulate'];

type Kind = 'string' | 'boolean' | 'count' | 'list' | 'map' | 'overrides' | 'files' | { choices: readonly string[] };

/** The ReadOptions keys a config may hold, and their types. */
export const READ_KEYS: Record<string, Kind> = {
  client: 'string',
  session: 'string',
  date: 'string',
  therapist: 'string',
  alliance: 'list',
  outcome: 'list',
  groups: 'list',
  instruments: 'map',
  instrumentOverrides: 'overrides',
  delimiter: 'string',
  encoding: { choices: ['utf8', 'latin1', 'utf16le', 'utf16be'] },
  decimal: { choices: ['.', ','] },
  dateFormat: { choices: ['iso', 'dmy', 'dmy.', 'mdy'] },
  missing: 'list',
  joinOn: { choices: ['session', 'date'] },
  showIdentifiers: 'boolean',
  sheet: 'string',
  wide: 'string',
  today: 'string',
  threads: 'count',
};

const camel = (k: string) => k.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Aliases a config may use (`*name`) before it is refused: ordinary reuse is fine, an
 * exponential "billion laughs" expansion is not (the yaml package counts resolved aliases).
 */
const MAX_ALIASES = 100;

/**
 * A config value as plain data, aliases resolved: every mapping becomes an object with no
 * prototype, so a key such as `__proto__`, `constructor` or `toString` is an ordinary key
 * (checked, and refused, like any unknown key), never a hidden setting or a member of
 * Object.prototype.
 */
export function configValue(node: unknown, doc: Document): unknown {
  const js = (node as { toJS?: (d: Document, o: object) => unknown } | null)?.toJS?.(doc, { maxAliasCount: MAX_ALIASES }) ?? node;
  return withoutPrototypes(js);
}

function withoutPrototypes(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutPrototypes);
  if (v === null || typeof v !== 'object' || Object.getPrototypeOf(v) !== Object.prototype) return v;
  const out = Object.create(null) as Record<string, unknown>;
  for (const k of Object.keys(v)) out[k] = withoutPrototypes((v as Record<string, unknown>)[k]);
  return out;
}

/**
 * The config's `files` as a command shows and opens them: relative to the folder the command
 * runs in (they are stored resolved against the config's folder), so no output carries an
 * absolute path the user did not type (`../exports/a.csv` rather than `/home/.../exports/a.csv`).
 */
export function configFiles(config: Config | null, cwd: string): string[] {
  return (config?.files ?? []).map((f) => {
    if (f === '-') return f;
    const rel = path.relative(cwd, f);
    return rel === '' || path.isAbsolute(rel) ? f : rel.split(path.sep).join('/');
  });
}

export async function loadConfig(file: string, cwd: string = process.cwd()): Promise<Config> {
  const display = file;
  const real = path.resolve(cwd, file);
  // At most 1 MiB, never a device (docs/safety.md).
  const text = await readSmallText(real, display, 'config file');
  return { ...parseConfig(text, display, path.dirname(real)), text };
}

const TOO_DEEP_HINT = 'A config is a mapping of keys, with sections one or two levels deep; check the indentation';

/** Parses config text; `dir` is the folder relative `files` resolve against. */
export function parseConfig(text: string, display: string, dir: string): Config {
  const { LineCounter, parseDocument } = yaml();
  const lc = new LineCounter();
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  const lineAt = (offset: number | undefined) => (offset === undefined ? undefined : lc.linePos(offset).line);
  const nodeLine = (n: unknown) => lineAt((n as { range?: [number, number, number] } | null)?.range?.[0]);
  const fail = (msg: string, line: number | undefined, hint?: string): never => {
    throw new UserError(msg, { location: { file: display, line }, hint });
  };

  // A .json file must be strict JSON (YAML would accept `"x": }` as null); other files are
  // YAML, of which JSON is a subset.
  if (/\.json$/i.test(display)) {
    const bad = jsonErrorAt(text.replace(/^\uFEFF/, ''));
    if (bad?.tooDeep) fail('the config is nested too deeply to read', lineAt(bad.offset), TOO_DEEP_HINT);
    if (bad) fail(`cannot parse the config as JSON: expected ${bad.expected}`, lineAt(bad.offset), 'Check the JSON syntax on that line');
  }
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = e.linePos?.[0]?.line ?? lineAt(e.pos?.[0]);
    const what = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?.*$/, '');
    // The parser's recursion gives up on pathological nesting and reports the engine's
    // "Maximum call stack size exceeded": say what is wrong in the config's terms.
    if (/call stack/i.test(what)) fail('the config is nested too deeply to read', line, TOO_DEEP_HINT);
    fail(`cannot parse the config: ${what}`, line, 'Check the JSON/YAML syntax on that line');
  }
  // No prototypes: a key named like an Object.prototype member is only ever a key.
  const out: Config = {
    path: display,
    read: {},
    files: [],
    sections: Object.create(null) as Config['sections'],
    lines: Object.create(null) as Config['lines'],
  };
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) return out;
  if (!isMap(doc.contents))
    fail('the config must be a mapping of keys to values', nodeLine(doc.contents), 'Write it as key: value lines (YAML) or a JSON object');
  const root = doc.contents as YAMLMap;

  const known = [...Object.keys(READ_KEYS), 'files', 'labels', ...COMMAND_SECTIONS];
  const read = out.read as Record<string, unknown>;
  const origin: Record<string, 'config'> = {};

  for (const pair of root.items) {
    const keyNode = pair.key as Node | null;
    const rawKey = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
    const line = nodeLine(keyNode) ?? nodeLine(pair.value);
    const key = camel(rawKey);
    const value = deref(pair.value, doc);
    const typeError = (expected: string): never => fail(`key '${rawKey}' must be ${expected}`, nodeLine(pair.value) ?? line);
    if (!known.includes(key)) {
      const near = closest(rawKey, known);
      fail(`unknown key '${rawKey}'${near ? ` (did you mean '${near}'?)` : ''}`, line, `Known keys: ${known.join(', ')}`);
    }
    out.lines[key] = line ?? 0;

    if (COMMAND_SECTIONS.includes(key)) {
      if (value === null || (isScalar(value) && value.value === null)) {
        out.sections[key] = {};
        continue;
      }
      if (!isMap(value)) typeError(`a mapping of ${key} settings`);
      for (const p of (value as YAMLMap).items) {
        const k = isScalar(p.key) ? String(p.key.value) : String(p.key);
        out.lines[`${key}.${camel(k)}`] = nodeLine(p.key) ?? line ?? 0;
      }
      let js: Record<string, unknown>;
      try {
        js = configValue(value, doc) as Record<string, unknown>;
      } catch (e) {
        // yaml's alias limit ("Excessive alias count indicates a resource exhaustion attack")
        fail(`the ${key} section uses too many aliases (*name) to expand`, line, `Write the values out, or use at most ${MAX_ALIASES} aliases`);
        throw e;
      }
      const camelled = Object.create(null) as Record<string, unknown>;
      for (const [k, v] of Object.entries(js)) camelled[camel(k)] = v;
      out.sections[key] = camelled;
      continue;
    }
    if (key === 'labels') {
      if (!isMap(value)) typeError('a mapping COLUMN: "label shown to people"');
      const labels = Object.create(null) as Record<string, string>;
      for (const p of (value as YAMLMap).items) {
        const col = isScalar(p.key) ? String(p.key.value) : '';
        const v = p.value as Node | null;
        if (!isScalar(v) || typeof v.value !== 'string' || v.value.trim() === '')
          fail(`label for column '${col}' must be text`, nodeLine(v) ?? nodeLine(p.key), 'For example srs_total: "Alliance (SRS)"');
        labels[col] = (v as { value: string }).value.trim();
      }
      out.labels = labels;
      continue;
    }
    if (key === 'files') {
      const list = stringList(value, doc);
      if (list === null) typeError('a file name or a list of file names');
      out.files = list!.map((f) => (f === '-' || path.isAbsolute(f) ? f : path.join(dir, f)));
      continue;
    }
    const kind = READ_KEYS[key];
    origin[key] = 'config';
    if (kind === 'string') {
      if (!isScalar(value) || value.value === null || typeof value.value === 'object')
        typeError(key === 'sheet' ? 'a sheet name or number' : 'a column name (text)');
      const text = String((value as { value: unknown }).value);
      // Checked here, so the error names the key and its line; the readers' own checks name the flag.
      if (key === 'delimiter' && !isDelimiter(text)) typeError('one character, or tab (",", ";", "|" or tab)');
      if (key === 'wide' && text !== 'true' && text !== 'false' && !isWidePattern(text))
        typeError("true, or a pattern with {measure} and {session} (e.g. '{measure}_t{session}')");
      read[key] = text;
    } else if (kind === 'count') {
      if (!isScalar(value) || typeof value.value !== 'number' || !Number.isInteger(value.value) || value.value < 1 || value.value > MAX_THREADS)
        typeError(`a whole number from 1 to ${MAX_THREADS}`);
      read[key] = (value as { value: number }).value;
    } else if (kind === 'boolean') {
      if (!isScalar(value) || typeof value.value !== 'boolean') typeError('true or false');
      read[key] = (value as { value: boolean }).value;
    } else if (kind === 'list') {
      const list = stringList(value, doc);
      if (list === null) typeError('a column name or a list of column names');
      read[key] = list!.flatMap((s) =>
        key === 'missing'
          ? [s]
          : s
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean),
      );
    } else if (kind === 'map') {
      if (!isMap(value)) typeError('a mapping COLUMN: INSTRUMENT');
      const m = Object.create(null) as Record<string, string>;
      for (const p of (value as YAMLMap).items) {
        const col = isScalar(p.key) ? String(p.key.value) : '';
        const v = p.value as Node | null;
        if (!isScalar(v) || typeof v.value !== 'string') {
          fail(`instrument for column '${col}' must be an instrument id`, nodeLine(v) ?? nodeLine(p.key), `Valid ids: ${validInstrumentIds()}`);
        }
        const id = (v as { value: string }).value;
        const inst = getInstrument(id);
        if (!inst) fail(`unknown instrument '${id}' for column '${col}'`, nodeLine(v), `Valid ids: ${validInstrumentIds()}`);
        m[col] = inst!.id;
      }
      read[key] = m;
    } else if (kind === 'overrides') {
      read[key] = parseOverrides(value, doc, nodeLine, fail, typeError);
    } else {
      const choices = (kind as { choices: readonly string[] }).choices;
      const v = isScalar(value) ? String(value.value) : undefined;
      if (v === undefined || !choices.includes(v)) typeError(`one of ${choices.map((c) => `'${c}'`).join(', ')}`);
      read[key] = v;
    }
  }
  if (Object.keys(origin).length > 0) out.read.origin = origin;
  return out;
}

/** Whether `check` accepts `text` (does not throw). */
function accepts(check: (text: string) => unknown, text: string): boolean {
  try {
    check(text);
    return true;
  } catch {
    return false;
  }
}

const isDelimiter = (text: string): boolean => accepts(normaliseDelimiter, text);
const isWidePattern = (text: string): boolean => accepts(patternRe, text);

function stringList(value: Node | null, doc: Document): string[] | null {
  if (isScalar(value)) {
    if (value.value === null || typeof value.value === 'object') return null;
    return valueText(value.value)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  if (isSeq(value)) {
    const out: string[] = [];
    for (const entry of value.items) {
      const item = deref(entry, doc);
      if (!isScalar(item) || item.value === null || typeof item.value === 'object') return null;
      out.push(valueText(item.value));
    }
    return out;
  }
  return null;
}

/**
 * instrumentOverrides: { ID: { field: value } }, checked with the registry's
 * validateOverride (fields and types); the first problem is an error at its line.
 */
function parseOverrides(
  value: Node | null,
  doc: Document,
  nodeLine: (n: unknown) => number | undefined,
  fail: (msg: string, line: number | undefined, hint?: string) => never,
  typeError: (expected: string) => never,
): Record<string, Partial<Record<string, unknown>>> {
  if (!isMap(value)) typeError('a mapping INSTRUMENT: { field: value }');
  const out = Object.create(null) as Record<string, Partial<Record<string, unknown>>>;
  for (const p of value.items) {
    const id = isScalar(p.key) ? String(p.key.value) : String(p.key);
    const body = p.value as Node | null;
    let fields: unknown = null;
    try {
      fields = body && (isMap(body) || isSeq(body) || isScalar(body)) ? configValue(body, doc) : null;
    } catch {
      fail(`instrumentOverrides.${id} uses too many aliases (*name) to expand`, nodeLine(p.key), 'Write the values out');
    }
    const problems = validateOverride(id, fields);
    if (problems.length > 0) {
      const pr = problems[0];
      let line = nodeLine(p.key);
      if (pr.field !== null && isMap(body)) {
        const fp = body.items.find((q) => isScalar(q.key) && String(q.key.value) === pr.field);
        if (fp) line = nodeLine(fp.key) ?? line;
      }
      fail(`instrumentOverrides.${id}: ${pr.message}`, line, 'Fix or remove that override');
    }
    out[getInstrument(id)!.id] = fields as Record<string, unknown>;
  }
  return out;
}

/** commander attribute name -> ReadOptions key, for the shared input options. */
const FLAG_KEYS: [attr: string, key: string][] = INPUT_OPTIONS.map((spec): [string, string] => {
  const attr = new Option(spec.flags).attributeName();
  return [attr, spec.key ?? attr];
}).filter(([attr]) => attr !== 'config');

/**
 * The ReadOptions of a run: flags given explicitly on the command line win over the
 * config, which wins over flag defaults. `explicit` holds commander attribute names (see
 * explicitOptions in src/cli/options.ts).
 */
export function mergeReadOptions(config: Config | null, flags: Record<string, unknown>, explicit: Set<string>): ReadOptions {
  const out: Record<string, unknown> = {};
  const origin: Record<string, 'flag' | 'config'> = {};
  const fromConfig = (config?.read ?? {}) as Record<string, unknown>;
  for (const [attr, key] of FLAG_KEYS) {
    const flagValue = flags[attr] !== undefined ? flags[attr] : flags[key];
    if (explicit.has(attr) || explicit.has(key)) {
      out[key] = flagValue;
      origin[key] = 'flag';
    } else if (fromConfig[key] !== undefined) {
      out[key] = fromConfig[key];
      origin[key] = 'config';
    } else if (flagValue !== undefined) {
      out[key] = flagValue;
      origin[key] = 'flag';
    }
  }
  for (const key of ['instrumentOverrides', 'today']) {
    if (fromConfig[key] !== undefined) {
      out[key] = fromConfig[key];
      origin[key] = 'config';
    }
  }
  if (flags.today !== undefined && (explicit.has('today') || out.today === undefined)) {
    out.today = flags.today;
    origin.today = 'flag';
  }
  const result = out as ReadOptions;
  result.origin = origin;
  return result;
}

/** Known instrument ids (for messages). */
export function instrumentIds(): string[] {
  return INSTRUMENTS.map((i) => i.id);
}

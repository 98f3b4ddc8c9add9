/**
 * `--schema FILE`: a Frictionless Table Schema (https://specs.frictionlessdata.io/table-schema/)
 * in JSON or YAML, so a team can pin column types, required columns and ranges. Supported:
 *
 * - fields[]: name, type (integer, number, string, date, boolean, any), format for dates
 *   (default = YYYY-MM-DD, any, or %d/%m/%Y, %m/%d/%Y, %d.%m.%Y), constraints
 *   {required, minimum, maximum, enum, pattern, unique}
 * - missingValues (default [""]); primaryKey (a field name or a list of names)
 *
 * Violations become findings with codes schema.*. `unique` and `primaryKey` keep a Set of
 * the values seen, so their memory grows with the rows (the one rule that does; use them
 * on keys, not on 10M-row files, or rely on session.duplicate instead).
 */
import { readSmallText } from '../io/source.js';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { RE2JS } from 're2js';
import type { parse as ParseYaml } from 'yaml';
import { UserError } from '../errors.js';
import { parseDate } from '../dataset/values.js';
import type { DateFormat } from '../dataset/types.js';

// re2js and yaml load when a schema is read, not by every validation.
const load = createRequire(import.meta.url);
import { q, type RuleContext } from './context.js';

export type FieldType = 'integer' | 'number' | 'string' | 'date' | 'boolean' | 'any';
const TYPES: FieldType[] = ['integer', 'number', 'string', 'date', 'boolean', 'any'];

export interface SchemaField {
  name: string;
  type: FieldType;
  format?: string;
  constraints: {
    required?: boolean;
    minimum?: number | string;
    maximum?: number | string;
    enum?: (string | number | boolean)[];
    pattern?: string;
    unique?: boolean;
  };
}

export interface TableSchema {
  /** As given, for messages. */
  path: string;
  fields: SchemaField[];
  missingValues: string[];
  primaryKey: string[];
}

function bad(file: string, what: string): UserError {
  return new UserError(`invalid Table Schema: ${what}`, {
    location: { file },
    hint: 'See https://specs.frictionlessdata.io/table-schema/ (fields[] with name, type, constraints)',
  });
}

/** Parses and checks a Table Schema document (already read). */
export function parseSchema(text: string, display: string): TableSchema {
  let doc: unknown;
  try {
    // Spelled out so that the bundle takes its own copy (scripts/bundle.mjs, LAZY_YAML).
    doc = (createRequire(import.meta.url)('yaml') as { parse: typeof ParseYaml }).parse(text);
  } catch (e) {
    // The parser's recursion gives up on pathological nesting with the engine's "Maximum call
    // stack size exceeded": say what is wrong in the schema's terms, as the config loader does.
    if (/call stack/i.test((e as Error).message))
      throw new UserError('the schema is nested too deeply to read', {
        location: { file: display },
        hint: 'A Table Schema is an object with fields[], each field an object of a few keys',
      });
    throw new UserError(`cannot parse the schema (${(e as Error).message.split('\n')[0]})`, {
      location: { file: display },
      hint: 'Write the Table Schema as JSON or YAML',
    });
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw bad(display, 'expected an object with fields[]');
  const d = doc as Record<string, unknown>;
  if (!Array.isArray(d.fields) || d.fields.length === 0) throw bad(display, 'fields must be a non-empty list');
  const fields: SchemaField[] = d.fields.map((f, i) => {
    if (!f || typeof f !== 'object') throw bad(display, `fields[${i}] must be an object`);
    const o = f as Record<string, unknown>;
    if (typeof o.name !== 'string' || o.name === '') throw bad(display, `fields[${i}] needs a name`);
    const type = (o.type ?? 'string') as FieldType;
    if (!TYPES.includes(type)) throw bad(display, `field '${o.name}' has unsupported type '${String(o.type)}' (supported: ${TYPES.join(', ')})`);
    const format = typeof o.format === 'string' ? o.format : undefined;
    if (type === 'date' && format !== undefined && dateFormatOf(format) === undefined) {
      throw bad(display, `field '${o.name}' has unsupported date format '${format}' (supported: default, any, %Y-%m-%d, %d/%m/%Y, %m/%d/%Y, %d.%m.%Y)`);
    }
    const c = (o.constraints ?? {}) as Record<string, unknown>;
    if (typeof c !== 'object' || Array.isArray(c)) throw bad(display, `field '${o.name}': constraints must be an object`);
    const constraints: SchemaField['constraints'] = {};
    if (c.required !== undefined) constraints.required = c.required === true;
    if (c.unique !== undefined) constraints.unique = c.unique === true;
    for (const k of ['minimum', 'maximum'] as const) {
      const v = c[k];
      if (v === undefined) continue;
      if (type === 'date' ? typeof v !== 'string' || Number.isNaN(parseDate(v, 'iso')) : typeof v !== 'number') {
        throw bad(display, `field '${o.name}': ${k} must be a ${type === 'date' ? 'YYYY-MM-DD date' : 'number'}`);
      }
      constraints[k] = v as number | string;
    }
    if (c.enum !== undefined) {
      if (!Array.isArray(c.enum)) throw bad(display, `field '${o.name}': enum must be a list`);
      constraints.enum = c.enum as (string | number | boolean)[];
    }
    if (c.pattern !== undefined) {
      if (typeof c.pattern !== 'string') throw bad(display, `field '${o.name}': pattern must be a string`);
      if (compilePattern(c.pattern) === null) {
        throw bad(
          display,
          `field '${o.name}': pattern '${c.pattern}' is not a valid regular expression here (RE2 syntax, matched in linear time: no backreferences or lookaround)`,
        );
      }
      constraints.pattern = c.pattern;
    }
    return { name: o.name, type, format, constraints };
  });
  const names = new Set(fields.map((f) => f.name));
  const missingValues = d.missingValues === undefined ? [''] : d.missingValues;
  if (!Array.isArray(missingValues) || missingValues.some((m) => typeof m !== 'string')) throw bad(display, 'missingValues must be a list of strings');
  let primaryKey: string[] = [];
  if (typeof d.primaryKey === 'string') primaryKey = [d.primaryKey];
  else if (Array.isArray(d.primaryKey)) primaryKey = d.primaryKey.map(String);
  else if (d.primaryKey !== undefined) throw bad(display, 'primaryKey must be a field name or a list of names');
  for (const k of primaryKey) if (!names.has(k)) throw bad(display, `primaryKey '${k}' is not a field`);
  return { path: display, fields, missingValues: missingValues as string[], primaryKey };
}

export async function loadSchema(file: string, cwd: string): Promise<TableSchema> {
  const text = await readSmallText(path.resolve(cwd, file), file, 'schema file');
  return parseSchema(text, file);
}

function dateFormatOf(format: string | undefined): DateFormat | 'any' | undefined {
  switch (format) {
    case undefined:
    case 'default':
    case '%Y-%m-%d':
      return 'iso';
    case 'any':
      return 'any';
    case '%d/%m/%Y':
      return 'dmy';
    case '%m/%d/%Y':
      return 'mdy';
    case '%d.%m.%Y':
      return 'dmy.';
    default:
      return undefined;
  }
}

const INT_RE = /^[+-]?\d+$/;
const NUM_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const TRUE = new Set(['true', 'True', 'TRUE', '1']);
const FALSE = new Set(['false', 'False', 'FALSE', '0']);

interface Compiled {
  field: SchemaField;
  /** Field index per file (-1 absent). */
  index: number[];
  dateFormat: DateFormat | 'any';
  min: number;
  max: number;
  enumSet: Set<string> | null;
  pattern: { test(s: string): boolean } | null;
  seen: Set<string> | null;
}

/**
 * A user's `pattern`, compiled by RE2JS (a port of RE2: matching time is linear in the
 * cell's length, so a pattern such as `(a+)+` cannot hang validation the way a
 * backtracking engine does). The whole cell must match, as Table Schema says. null when
 * the pattern is not valid RE2 syntax (backreferences and lookaround are not).
 */
function compilePattern(pattern: string): { test(s: string): boolean } | null {
  try {
    const re = (load('re2js') as { RE2JS: typeof RE2JS }).RE2JS.compile(pattern);
    return { test: (s: string) => re.matches(s) };
  } catch {
    return null;
  }
}

/** Casts a cell to a comparable number (dates: days), or NaN when it is not of the type. */
function cast(c: Compiled, s: string): number {
  switch (c.field.type) {
    case 'integer':
      return INT_RE.test(s) ? Number(s) : NaN;
    case 'number':
      return NUM_RE.test(s) ? Number(s) : NaN;
    case 'date': {
      if (c.dateFormat === 'any') {
        const iso = parseDate(s, 'iso');
        if (iso === iso) return iso;
        const dmy = parseDate(s, 'dmy');
        return dmy === dmy ? dmy : parseDate(s, 'mdy');
      }
      // Strict: the default format is ISO only (parseDate accepts ISO under every format).
      if (c.dateFormat !== 'iso' && /^\d{4}[-/]/.test(s)) return NaN;
      return parseDate(s, c.dateFormat);
    }
    case 'boolean':
      return TRUE.has(s) ? 1 : FALSE.has(s) ? 0 : NaN;
    default:
      return 0;
  }
}

export class SchemaRules {
  private readonly compiled: Compiled[];
  private readonly missing: Set<string>;
  private readonly pkIdx: number[][];
  private readonly pkSeen: Set<string> | null;

  constructor(
    private readonly ctx: RuleContext,
    readonly schema: TableSchema,
  ) {
    this.missing = new Set(schema.missingValues);
    this.compiled = schema.fields.map((f) => {
      const dateFormat = f.type === 'date' ? dateFormatOf(f.format)! : 'iso';
      const bound = (v: number | string | undefined, dflt: number) => (v === undefined ? dflt : typeof v === 'string' ? parseDate(v, 'iso') : v);
      return {
        field: f,
        index: ctx.files.map((file) => file.header.indexOf(f.name)),
        dateFormat,
        min: bound(f.constraints.minimum, -Infinity),
        max: bound(f.constraints.maximum, Infinity),
        enumSet: f.constraints.enum ? new Set(f.constraints.enum.map(String)) : null,
        pattern: f.constraints.pattern ? compilePattern(f.constraints.pattern) : null,
        seen: f.constraints.unique ? new Set<string>() : null,
      };
    });
    this.pkIdx = ctx.files.map((file) => schema.primaryKey.map((k) => file.header.indexOf(k)));
    this.pkSeen = schema.primaryKey.length > 0 ? new Set<string>() : null;
  }

  /** Header-level findings: schema fields missing from a file, file columns not in the schema. */
  checkHeaders(): void {
    const names = new Set(this.schema.fields.map((f) => f.name));
    this.ctx.files.forEach((file, fi) => {
      for (const c of this.compiled) {
        if (c.index[fi] < 0) {
          this.ctx.add(
            'schema.missing-field',
            fi,
            null,
            -1,
            c.field.name,
            `schema field '${c.field.name}' is not a column of this file; add the column or remove the field from ${this.schema.path}`,
          );
        }
      }
      file.header.forEach((h, j) => {
        if (!names.has(h)) {
          this.ctx.add('schema.extra-field', fi, null, j, h, `column is not a field of ${this.schema.path}; add it to the schema or drop the column`);
        }
      });
    });
  }

  record(fields: string[], line: number, file: number): void {
    const { ctx } = this;
    for (const c of this.compiled) {
      const j = c.index[file];
      if (j < 0 || j >= fields.length) continue;
      const s = fields[j];
      const f = c.field;
      if (this.missing.has(s)) {
        if (f.constraints.required) ctx.add('schema.required', file, line, j, s, () => `'${f.name}' is required by the schema but empty; fill in the value`);
        continue;
      }
      const x = cast(c, s);
      if (x !== x) {
        ctx.add(
          'schema.type',
          file,
          line,
          j,
          s,
          () =>
            `${q(s)} is not ${f.type === 'integer' ? 'an integer' : `a ${f.type}`}${f.type === 'date' ? ` (format ${f.format ?? 'YYYY-MM-DD'})` : ''}; correct the value or the field's type`,
        );
        continue;
      }
      if (x < c.min) {
        ctx.add(
          'schema.minimum',
          file,
          line,
          j,
          s,
          () => `${q(s)} is below the schema minimum ${String(f.constraints.minimum)}; correct the value or the constraint`,
        );
      } else if (x > c.max) {
        ctx.add(
          'schema.maximum',
          file,
          line,
          j,
          s,
          () => `${q(s)} is above the schema maximum ${String(f.constraints.maximum)}; correct the value or the constraint`,
        );
      }
      const enumSet = c.enumSet;
      if (enumSet !== null && !enumSet.has(s) && !(f.type === 'integer' || f.type === 'number' ? enumSet.has(String(x)) : false)) {
        ctx.add('schema.enum', file, line, j, s, () => {
          const list = [...enumSet].slice(0, 8).join(', ');
          return `${q(s)} is not one of the allowed values (${list}${enumSet.size > 8 ? ', ...' : ''}); correct the value or extend the enum`;
        });
      }
      if (c.pattern !== null && !c.pattern.test(s)) {
        ctx.add('schema.pattern', file, line, j, s, () => `${q(s)} does not match the pattern ${f.constraints.pattern}; correct the value or the pattern`);
      }
      if (c.seen !== null) {
        const key = f.type === 'string' || f.type === 'any' ? s : String(x);
        if (c.seen.has(key))
          ctx.add('schema.unique', file, line, j, s, () => `${q(s)} repeats but '${f.name}' must be unique; remove the duplicate or correct the value`);
        else c.seen.add(key);
      }
    }
    if (this.pkSeen !== null) {
      const idx = this.pkIdx[file];
      if (idx.some((j) => j < 0 || j >= fields.length)) return;
      const key = idx.map((j) => fields[j].trim()).join('\u0000');
      if (this.pkSeen.has(key)) {
        ctx.add(
          'schema.primary-key',
          file,
          line,
          -1,
          idx.map((j) => fields[j]).join(', '),
          () => `primary key (${this.schema.primaryKey.join(', ')}) repeats an earlier row; remove the duplicate row or correct its key`,
        );
      } else this.pkSeen.add(key);
    }
  }
}

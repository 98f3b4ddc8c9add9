/**
 * validate's options: one typed table (flags, help, config keys, parsing, defaults) and
 * `validateOptions`, which reads the flags over the `validate:` section of a --config file
 * (`alliance validate`) or that section alone (the report's validate section). The config
 * keys are strict, maxFindings and schema; --format, --max-annotations and --today are
 * flags only (today is also the config's top-level input option).
 */
import * as path from 'node:path';
import { UserError } from '../../errors.js';
import { checkKeys, configPlace } from '../../config/keys.js';
import { optionNames, readTable, tableKeys, type OptionTable } from '../../config/option-table.js';
import type { OptionSource } from '../section.js';
import { DEFAULT_MAX_ANNOTATIONS } from './output-limits.js';

export const VALIDATE_FORMATS = ['table', 'json', 'csv', 'md', 'github', 'junit', 'sarif'] as const;
export type ValidateFormat = (typeof VALIDATE_FORMATS)[number];

/** Every validate option: its flag and help, its config key (if any), its type, range and default. */
export const VALIDATE_TABLE = [
  {
    key: 'format',
    type: 'choice',
    arg: '<format>',
    choices: VALIDATE_FORMATS,
    default: 'table',
    showDefault: true,
    config: false,
    description: 'output format: table, json, csv, md, github (Actions annotations), junit (JUnit XML) or sarif (SARIF 2.1.0, for code scanning)',
  },
  { key: 'strict', type: 'boolean', description: 'exit 1 on warnings too' },
  {
    key: 'maxFindings',
    type: 'number',
    arg: '<n>',
    range: { min: 0, integer: true },
    example: '0',
    default: 20,
    // Not shown as commander's "(default: 20)": the 20 holds for table and md only (below).
    description: 'findings listed per code, 0 = all (default 20 in table and md, all in the other formats); when given, in every format (counts stay exact)',
  },
  {
    key: 'maxAnnotations',
    type: 'number',
    arg: '<n>',
    range: { min: 0, integer: true },
    example: '0',
    default: DEFAULT_MAX_ANNOTATIONS,
    showDefault: true,
    config: false,
    description: 'github: annotations written per code (0 = all), then one summary annotation with the counts',
  },
  { key: 'schema', type: 'text', arg: '<file>', description: 'Frictionless Table Schema (JSON or YAML) pinning types, required columns and ranges' },
  {
    key: 'today',
    type: 'text',
    arg: '<date>',
    config: false,
    description: 'reference date YYYY-MM-DD for "date in the future" (default: the day of SOURCE_DATE_EPOCH, else today, UTC)',
  },
] as const satisfies OptionTable;

/** Keys of the `validate:` section of a --config file: strict, maxFindings, schema. */
export const SECTION_KEYS = tableKeys(VALIDATE_TABLE);

export interface ValidateOptions {
  format: ValidateFormat;
  strict: boolean;
  /** Findings listed per code (0 = all). */
  maxFindings: number;
  /** --max-findings (or maxFindings in the config) was given: it caps the listing in every format. */
  capped: boolean;
  maxAnnotations: number;
  /** The Table Schema: a flag's path as given, a config's resolved against the config's folder; null: none. */
  schema: string | null;
  /** --today as given (checked by the caller), or undefined. */
  today: string | undefined;
}

/**
 * The options of a validate run: flags given on the command line win over the config's
 * `validate:` section, which wins over the defaults (a report reads the section alone).
 * An unknown key, or a value of the wrong type, is an error naming the key at its line.
 */
export function validateOptions(src: OptionSource): ValidateOptions {
  const report = src.mode === 'report';
  const config = src.config;
  const at = report ? src.report!.at : config ? configPlace(config) : null;
  const sec = config?.sections.validate ?? {};
  if (config?.sections.validate)
    checkKeys(sec, {
      section: 'validate',
      known: SECTION_KEYS,
      at,
      ...(report ? {} : { hint: 'validate accepts strict (true/false), maxFindings (a whole number) and schema (a path)' }),
    });
  const flags = report ? {} : src.flags;
  const table = { flags, section: sec, explicit: src.explicit, config: config ? { section: 'validate', at, only: report } : undefined };
  const t = readTable(VALIDATE_TABLE, table);
  let schema: string | null = typeof flags.schema === 'string' ? flags.schema : null;
  if (schema === null && sec.schema !== undefined) {
    if (typeof sec.schema !== 'string' || sec.schema.trim() === '')
      throw new UserError(`validate.schema must be a path, got ${JSON.stringify(sec.schema)}`, optionNames(VALIDATE_TABLE, table).place('schema'));
    schema = path.resolve(path.dirname(path.resolve(config!.path)), sec.schema);
  }
  return {
    format: t.format ?? 'table',
    strict: t.strict ?? false,
    maxFindings: t.maxFindings ?? 20,
    capped: src.explicit.has('maxFindings') || sec.maxFindings !== undefined,
    maxAnnotations: t.maxAnnotations ?? DEFAULT_MAX_ANNOTATIONS,
    schema,
    today: t.today,
  };
}

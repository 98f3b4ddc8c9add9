/**
 * The `validate:` section of a --config file: { strict, maxFindings, schema }.
 *
 * Two readers, side by side because they differ and unifying them would change what users
 * see: the command's returns only the keys set and says "validate.k has the wrong type";
 * the report's fills in defaults and says "'validate.k' must be true or false" (etc.). Both
 * name the key and its line.
 */
import * as path from 'node:path';
import { UserError } from '../../errors.js';
import type { Config } from '../../config/load.js';
import { checkKey, configPlace, type KeyPlace } from '../../config/keys.js';

const VALIDATE_KEYS = ['strict', 'maxFindings', 'schema'];

function fail(at: KeyPlace, key: string, msg: string, hint?: string): never {
  throw new UserError(msg, { location: { file: at.file, line: at.line(key) }, hint });
}

/**
 * `alliance validate`'s reading: only the keys set (flags and defaults fill the rest); the
 * schema path joined to the config file's folder as given.
 */
export function readValidateSection(config: Config | null): { strict?: boolean; maxFindings?: number; schema?: string } {
  const sec = config?.sections.validate;
  if (!sec) return {};
  const out: { strict?: boolean; maxFindings?: number; schema?: string } = {};
  for (const [k, v] of Object.entries(sec)) {
    const line = config.lines[`validate.${k}`];
    const loc = { file: config.path, line };
    if (k === 'strict' && typeof v === 'boolean') out.strict = v;
    else if ((k === 'maxFindings' || k === 'max-findings') && typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) out.maxFindings = v;
    else if (k === 'schema' && typeof v === 'string') out.schema = path.resolve(path.dirname(config.path), v);
    else {
      const hint = 'validate accepts strict (true/false), maxFindings (a whole number) and schema (a path)';
      checkKey(k, { section: 'validate', known: VALIDATE_KEYS, at: configPlace(config), style: 'dotted', hint });
      throw new UserError(`validate.${k} has the wrong type`, { location: loc, hint });
    }
  }
  return out;
}

/** The report's reading: defaults filled in; the schema path made absolute. `at` places errors. */
export function validateSettings(config: Config, at: KeyPlace): { strict: boolean; maxFindings: number; schema: string | null } {
  const sec = config.sections.validate ?? {};
  const out = { strict: false, maxFindings: 20, schema: null as string | null };
  for (const [k, v] of Object.entries(sec)) {
    const key = `validate.${k}`;
    checkKey(k, { section: 'validate', known: VALIDATE_KEYS, at, style: 'dotted' });
    if (k === 'strict') {
      if (typeof v !== 'boolean') fail(at, key, `'${key}' must be true or false`);
      out.strict = v;
    } else if (k === 'maxFindings') {
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(at, key, `'${key}' must be a whole number >= 0`);
      out.maxFindings = v;
    } else {
      if (typeof v !== 'string') fail(at, key, `'${key}' must be a path`);
      out.schema = path.resolve(path.dirname(path.resolve(config.path)), v);
    }
  }
  return out;
}

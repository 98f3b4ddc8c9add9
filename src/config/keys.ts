/**
 * One check for the keys of a config section (`correlate:`, `trend:`, `model:`,
 * `validate:`, `report:`): the first key that is not known is a UserError naming the key
 * and, when the caller knows it, the file and line where it stands.
 *
 * Two wordings are in use today and are kept byte for byte (the commands' tests and
 * golden files pin them):
 *
 * - `command` (alliance correlate, trend, model): "unknown key 'k' in the S section",
 *   hint "Known keys: a, b, c";
 * - `dotted` (the report's checks, alliance validate): "unknown key 'S.k'", optionally
 *   "(did you mean 'x'?)", hint "The S section accepts a, b, c".
 */
import { UserError } from '../errors.js';
import { closest } from '../dataset/mapping.js';

/** kebab-case -> camelCase (config keys may be written either way). */
export const camel = (k: string): string => k.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Where a section's keys stand: the config file and the line of a dotted key ("trend.by"). */
export interface KeyPlace {
  file: string;
  line: (dottedKey: string) => number | undefined;
}

/** The place of a loaded config's keys (src/config/load.ts records the line of each `section.key`). */
export function configPlace(config: { path: string; lines: Record<string, number> }): KeyPlace {
  return { file: config.path, line: (key) => config.lines[key] };
}

export interface KeyCheck {
  /** The section as named in messages ("correlate", "report"). */
  section: string;
  /** The keys it accepts (camelCase). */
  known: readonly string[];
  /** Where the error points; null: no location. */
  at: KeyPlace | null;
  /** Compare (and look up the line of) the key camelCased, so kebab-case is accepted. Default false. */
  camelCase?: boolean;
  /** Default 'command'. */
  style?: 'command' | 'dotted';
  /** dotted: add "(did you mean 'x'?)" when a known key is close. */
  suggest?: boolean;
  /** Replaces the default hint. */
  hint?: string;
  /** command: what follows "in" (default "the <section> section"). */
  within?: string;
}

/** Throws the UserError for `key` of the section unless it is known. */
export function checkKey(key: string, check: KeyCheck): void {
  const name = check.camelCase ? camel(key) : key;
  if (check.known.includes(name)) return;
  const known = check.known.join(', ');
  const dotted = check.style === 'dotted';
  const near = dotted && check.suggest ? closest(key, check.known) : undefined;
  const message = dotted
    ? `unknown key '${check.section}.${key}'${near ? ` (did you mean '${near}'?)` : ''}`
    : `unknown key '${key}' in ${check.within ?? `the ${check.section} section`}`;
  const hint = check.hint ?? (dotted ? `The ${check.section} section accepts ${known}` : `Known keys: ${known}`);
  throw new UserError(message, {
    location: check.at ? { file: check.at.file, line: check.at.line(`${check.section}.${name}`) } : undefined,
    hint,
  });
}

/** Throws for the first key of `section` that is not known (in the order written). */
export function checkKeys(section: Record<string, unknown>, check: KeyCheck): void {
  for (const key of Object.keys(section)) checkKey(key, check);
}

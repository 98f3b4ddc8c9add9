/**
 * One check for the keys of a config section (`correlate:`, `trend:`, `model:`,
 * `validate:`, `report:`): the first key that is not known is a UserError naming the key
 * and, when the caller knows it, the file and line where it stands.
 *
 * One wording for every caller (alliance correlate, trend, model, validate and the report):
 *
 *   unknown key 'S.k' (did you mean 'x'?)      hint: The S section accepts a, b, c
 *
 * The key is named with its full path (section and key as written); the suggestion is the
 * closest known key, when one is close enough; the hint lists the known keys.
 */
import { UserError } from '../errors.js';
import { closest } from '../names.js';

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
  /** Ignored (kept for callers): there is one wording. */
  style?: 'command' | 'dotted';
  /** Ignored (kept for callers): a close known key is always suggested. */
  suggest?: boolean;
  /** Replaces the default hint (it should still list the known keys). */
  hint?: string;
  /** What the hint calls the section (default "the <section> section"), e.g. "the trend section of t.yaml" when there is no location. */
  within?: string;
}

/** Throws the UserError for `key` of the section unless it is known. */
export function checkKey(key: string, check: KeyCheck): void {
  const name = check.camelCase ? camel(key) : key;
  if (check.known.includes(name)) return;
  const near = closest(key, check.known);
  const message = `unknown key '${check.section}.${key}'${near ? ` (did you mean '${near}'?)` : ''}`;
  const within = check.within ?? `the ${check.section} section`;
  const hint = check.hint ?? `${within[0].toUpperCase()}${within.slice(1)} accepts ${check.known.length > 0 ? check.known.join(', ') : 'no keys'}`;
  throw new UserError(message, {
    location: check.at ? { file: check.at.file, line: check.at.line(`${check.section}.${name}`) } : undefined,
    hint,
    code: 'unknown-key',
    key: `${check.section}.${key}`,
  });
}

/** Throws for the first key of `section` that is not known (in the order written). */
export function checkKeys(section: Record<string, unknown>, check: KeyCheck): void {
  for (const key of Object.keys(section)) checkKey(key, check);
}

/**
 * Runs an options parser on a config section and, when it rejects the section with an
 * error that does not already name a key of it ("correlate.minClients must be ...", as the
 * option tables name a config value), re-throws its message at the line of the key at
 * fault (the first key that fails on its own): "report.yaml:31: correlate: ...". Unknown
 * keys are reported first.
 */
export function checkSection<T>(
  sec: Record<string, unknown>,
  name: string,
  known: readonly string[],
  at: KeyPlace,
  parse: (section: Record<string, unknown>) => T,
): T {
  checkKeys(sec, { section: name, known, at, camelCase: true });
  try {
    return parse(sec);
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    // Already named by its config key (an option table read the section): as it is.
    if (e.key?.startsWith(`${name}.`)) throw e;
    let key = name;
    for (const [k, v] of Object.entries(sec)) {
      try {
        parse({ [k]: v });
      } catch (inner) {
        if (inner instanceof UserError && inner.message === e.message) {
          key = `${name}.${camel(k)}`;
          break;
        }
      }
    }
    throw new UserError(`${name}: ${e.message}`, { location: { file: at.file, line: at.line(key) }, hint: e.hint });
  }
}

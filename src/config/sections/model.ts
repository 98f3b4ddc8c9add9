/**
 * The `model:` section of a --config file and the model flags -> the model settings
 * (`alliance model`; flags given on the command line win).
 */
import { UserError } from '../../errors.js';
import type { Config } from '../load.js';
import { checkKey, configPlace } from '../keys.js';

/** The flags modelSettings reads (commander attribute names); the command adds its own. */
export interface ModelFlags {
  /** commander's attribute for --group (config key `groups`). */
  group?: string[];
  groups?: string[];
  time?: boolean;
  covariate?: string[];
  randomSlope?: boolean | string;
  lag?: boolean;
  reverse?: boolean;
  ml?: boolean;
  randomEffects?: boolean;
  [key: string]: unknown;
}

export interface ModelSettings {
  group: string[];
  time: boolean;
  covariate: string[];
  randomSlope: boolean | string | undefined;
  lag: boolean;
  reverse: boolean;
  ml: boolean;
  randomEffects: boolean;
}

/** Keys of the config file's `model:` section (camelCase or kebab-case), by option attribute. */
const SECTION_KEYS: Record<string, keyof ModelSettings> = {
  group: 'group',
  time: 'time',
  covariate: 'covariate',
  covariates: 'covariate',
  randomSlope: 'randomSlope',
  lag: 'lag',
  reverse: 'reverse',
  ml: 'ml',
  randomEffects: 'randomEffects',
};

/**
 * The model settings: flags given on the command line win over the config file's `model:`
 * section, which wins over the defaults.
 */
export function modelSettings(opts: ModelFlags, explicit: Set<string>, config: Config | null): ModelSettings {
  const set: ModelSettings = {
    group: opts.group ?? opts.groups ?? [],
    time: Boolean(opts.time),
    covariate: opts.covariate ?? [],
    randomSlope: opts.randomSlope,
    lag: Boolean(opts.lag),
    reverse: Boolean(opts.reverse),
    ml: Boolean(opts.ml),
    randomEffects: Boolean(opts.randomEffects),
  };
  const section = config?.sections.model ?? {};
  for (const [key, value] of Object.entries(section)) {
    const location = { file: config!.path, line: config!.lines[`model.${key}`] };
    checkKey(key, { section: 'model', known: Object.keys(SECTION_KEYS), at: configPlace(config!) });
    const attr = SECTION_KEYS[key];
    if (explicit.has(attr) || (attr === 'group' && explicit.has('groups'))) continue;
    if (attr === 'group' || attr === 'covariate') {
      const list = typeof value === 'string' ? [value] : Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : null;
      if (!list) throw new UserError(`model.${key} must be a column name or a list of column names`, { location });
      set[attr] = list;
    } else if (attr === 'randomSlope') {
      if (typeof value !== 'boolean' && typeof value !== 'string') throw new UserError(`model.${key} must be true, "alliance" or "time"`, { location });
      set.randomSlope = value;
    } else {
      if (typeof value !== 'boolean') throw new UserError(`model.${key} must be true or false`, { location });
      set[attr] = value;
    }
  }
  return set;
}

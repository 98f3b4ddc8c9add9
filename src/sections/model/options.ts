/**
 * The `model:` section of a --config file and the model flags -> the model settings, and
 * the settings -> the ModelSpec (the fit is in ./index.ts). Shared by `alliance model` (flags
 * given on the command line win) and the report's model section, so both fit the same
 * model from the same options and add the same notes.
 */
import { UserError, headerLocation, type Location } from '../../errors.js';
import type { Config } from '../../config/load.js';
import { checkKey, configPlace } from '../../config/keys.js';
import type { ModelSpec } from '../../analysis/model.js';
import { parseNumber, rowOf, tableKeys, type OptionTable } from '../../config/option-table.js';
import type { Dataset } from '../../dataset/types.js';
import { normalizeName } from '../../instruments/registry.js';

/** The flags modelSettings reads (commander attribute names); the command adds its own. */
export interface ModelFlags {
  /** commander's attribute for --group (config key `groups`). */
  group?: string[];
  groups?: string[];
  /** --outcome / --alliance (also column mapping flags): the measure the model uses. */
  outcome?: string[];
  alliance?: string[];
  time?: boolean;
  covariate?: string[];
  randomSlope?: boolean | string;
  lag?: boolean;
  reverse?: boolean;
  ml?: boolean;
  randomEffects?: boolean;
  compare?: boolean;
  decompose?: string;
  df?: string;
  level?: string;
  clientAlliance?: string;
  earlySessions?: string | number;
  [key: string]: unknown;
}

export interface ModelSettings {
  /** The outcome / alliance measure named (flag or `model.outcome`), undefined: the only one mapped. */
  outcome: string[] | undefined;
  alliance: string[] | undefined;
  group: string[];
  time: boolean;
  covariate: string[];
  randomSlope: boolean | string | undefined;
  lag: boolean;
  reverse: boolean;
  ml: boolean;
  randomEffects: boolean;
  compare: boolean;
  /** --decompose LEVEL (only "therapist"). */
  decompose: string | undefined;
  /** --df METHOD: "satterthwaite" (default) or "kr". */
  df: string | undefined;
  /** --level session|client (with --decompose therapist). */
  level: string | undefined;
  /** --client-alliance early|mean and --early-sessions K (with --level client). */
  clientAlliance: string | undefined;
  earlySessions: string | number | undefined;
}

/**
 * Every model option: its flag and help, its config key(s) and type. outcome, alliance
 * and group are config keys only: on the command line they are the input options
 * (--outcome, --alliance, --group therapist), which the model reads as its own.
 */
export const MODEL_TABLE = [
  { key: 'outcome', type: 'text', arg: '<col>', flag: false, description: 'the outcome column the model uses (one of the mapped outcomes)' },
  { key: 'alliance', type: 'text', arg: '<col>', flag: false, description: 'the alliance column the model uses (one of the mapped alliance measures)' },
  {
    key: 'group',
    type: 'list',
    arg: '<cols>',
    flag: false,
    description: 'therapist: clients nested in therapists (the level of the model, not grouping columns to read; only therapist)',
  },
  { key: 'time', type: 'boolean', description: 'add the session number as a fixed effect' },
  {
    key: 'covariate',
    type: 'list',
    arg: '<cols>',
    repeatable: true,
    aliases: ['covariates'],
    description: 'numeric column(s) added as fixed effects, comma-separated (repeatable)',
  },
  {
    key: 'randomSlope',
    type: 'optional',
    arg: '[term]',
    description: 'random slope for the within-client alliance (default) or "time", with its correlation with the intercept',
  },
  { key: 'lag', type: 'boolean', description: 'lagged model: outcome at session s+1 on alliance (within, between) and outcome at s' },
  { key: 'reverse', type: 'boolean', description: 'with --lag: alliance at s+1 on outcome (within, between) and alliance at s' },
  { key: 'ml', type: 'boolean', description: 'fit by maximum likelihood (to compare models by AIC/BIC or likelihood ratio) instead of REML' },
  { key: 'randomEffects', type: 'boolean', description: "also list each client's (and therapist's) random effects (BLUPs)" },
  {
    key: 'decompose',
    type: 'text',
    arg: '<level>',
    description: '"therapist": alliance split into therapist, client and session components, clients nested in therapists',
  },
  { key: 'compare', type: 'boolean', description: 'also fit the nested sequence (null, + alliance, + random slope) by ML and test it as anova()' },
  {
    key: 'level',
    type: 'text',
    arg: '<level>',
    description:
      'with --decompose therapist: "client" for one row per client (final outcome on client and therapist alliance, controlling intake; Baldwin et al. 2007); default "session"',
  },
  {
    key: 'clientAlliance',
    type: 'text',
    arg: '<how>',
    description:
      'with --level client: the client\'s alliance, "early" (mean of the first --early-sessions rated sessions, default) or "mean" (all rated sessions)',
  },
  {
    key: 'earlySessions',
    type: 'number',
    arg: '<k>',
    range: { min: 1, integer: true },
    example: '3',
    description: 'with --level client: K of the early alliance, the mean of the first K rated sessions (default 3)',
  },
  {
    key: 'df',
    type: 'text',
    arg: '<method>',
    description: 'df of the fixed-effect t tests: "satterthwaite" (default) or "kr" (Kenward-Roger, adjusted SEs; REML fits only)',
  },
] as const satisfies OptionTable;

/** Keys of the config file's `model:` section (camelCase, as the flags; covariates = covariate). */
export const SECTION_KEYS = tableKeys(MODEL_TABLE);

/**
 * The model settings: flags given on the command line win over the config file's `model:`
 * section, which wins over the defaults.
 */
export function modelSettings(opts: ModelFlags, explicit: Set<string>, config: Config | null): ModelSettings {
  const set: ModelSettings = {
    outcome: opts.outcome,
    alliance: opts.alliance,
    group: opts.group ?? opts.groups ?? [],
    time: Boolean(opts.time),
    covariate: opts.covariate ?? [],
    randomSlope: opts.randomSlope,
    lag: Boolean(opts.lag),
    reverse: Boolean(opts.reverse),
    ml: Boolean(opts.ml),
    randomEffects: Boolean(opts.randomEffects),
    compare: Boolean(opts.compare),
    decompose: opts.decompose,
    df: opts.df,
    level: opts.level,
    clientAlliance: opts.clientAlliance,
    earlySessions: opts.earlySessions,
  };
  const section = config?.sections.model ?? {};
  for (const [key, value] of Object.entries(section)) {
    const location = { file: config!.path, line: config!.lines[`model.${key}`] };
    checkKey(key, { section: 'model', known: SECTION_KEYS, at: configPlace(config!) });
    const row = rowOf(MODEL_TABLE, key)!;
    const attr = row.key;
    if (explicit.has(attr) || (attr === 'group' && explicit.has('groups'))) continue;
    // The config's values are checked here (not by readTable): the model's messages name the key at its line.
    if (row.key === 'decompose') {
      if (typeof value !== 'string') throw new UserError(`model.${key} must be "therapist"`, { location });
      set.decompose = value;
    } else if (row.key === 'level' || row.key === 'clientAlliance') {
      if (typeof value !== 'string')
        throw new UserError(`model.${key} must be ${row.key === 'level' ? '"session" or "client"' : '"early" or "mean"'}`, { location });
      set[row.key] = value;
    } else if (row.key === 'earlySessions') {
      if (typeof value !== 'number' && typeof value !== 'string') throw new UserError(`model.${key} must be a whole number >= 1`, { location });
      set.earlySessions = value;
    } else if (row.key === 'df') {
      if (typeof value !== 'string') throw new UserError(`model.${key} must be "satterthwaite" or "kr"`, { location });
      set.df = value;
    } else if (row.type === 'text') {
      if (typeof value !== 'string' || value.trim() === '')
        throw new UserError(`model.${key} must be one column name`, { location, hint: `For example ${key}: ${attr === 'outcome' ? 'ors' : 'srs'}` });
      set[row.key] = [value.trim()];
    } else if (row.type === 'list') {
      const list = typeof value === 'string' ? [value] : Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : null;
      if (!list) throw new UserError(`model.${key} must be a column name or a list of column names`, { location });
      set[row.key] = list;
    } else if (row.type === 'optional') {
      if (typeof value !== 'boolean' && typeof value !== 'string') throw new UserError(`model.${key} must be true, "alliance" or "time"`, { location });
      set.randomSlope = value;
    } else {
      if (typeof value !== 'boolean') throw new UserError(`model.${key} must be true or false`, { location });
      set[row.key] = value;
    }
  }
  return set;
}

/**
 * How the options are named in messages: as flags (`alliance model`: "--reverse needs
 * --lag") or as keys of a config's model section (the report: "model.reverse needs
 * model.lag", at the key's line).
 */
export interface ModelPlace {
  /** Every option is named as a config key (the report: the config is the only source). */
  config: boolean;
  /**
   * `alliance model --config`: the options whose value came from the config's model
   * section (not overridden by a flag): they are named by their key, at its line.
   */
  fromConfig?: (attr: keyof ModelSettings) => boolean;
  /** The location of a settings attribute in the config, when known. */
  at?: (attr: keyof ModelSettings) => Location | undefined;
}

const FLAGS: ModelPlace = { config: false };
const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

/** Is the option named as a config key (its value came from the config, or the config is the only source)? */
const isConfig = (p: ModelPlace, attr: keyof ModelSettings): boolean => p.config || (p.fromConfig?.(attr) ?? false);

/**
 * The model's place for `alliance model`: options set in the config file's model section
 * (and not given as a flag) are named by their key at its line; the rest by their flag.
 */
export function commandPlace(explicit: ReadonlySet<string>, config: Config | null): ModelPlace {
  const sec = config?.sections.model;
  if (!sec || !config) return FLAGS;
  const written = (attr: keyof ModelSettings): string | undefined => {
    if (explicit.has(attr) || (attr === 'group' && explicit.has('groups'))) return undefined;
    const row = rowOf(MODEL_TABLE, attr);
    return row ? [row.key, ...('aliases' in row ? row.aliases : [])].find((k) => sec[k] !== undefined) : undefined;
  };
  return {
    config: false,
    fromConfig: (attr) => written(attr) !== undefined,
    at: (attr) => {
      const k = written(attr);
      return k === undefined ? undefined : { file: config.path, line: config.lines[`model.${k}`] };
    },
  };
}

function names(p: ModelPlace) {
  return {
    name: (attr: keyof ModelSettings) => (isConfig(p, attr) ? `model.${attr}` : `--${kebab(attr)}`),
    /** "Add --lag" / "Add lag: true under model:". */
    add: (attr: keyof ModelSettings, value: string) =>
      isConfig(p, attr) ? `${attr}: ${value} under model:` : `--${kebab(attr)}${value === 'true' ? '' : ` ${value}`}`,
    at: (attr: keyof ModelSettings) => (isConfig(p, attr) ? p.at?.(attr) : undefined),
  };
}

/** The parts of the spec that need no data: the therapist level and the random slope (throws for a bad combination). */
export function modelChoices(set: ModelSettings, place: ModelPlace = FLAGS): { therapistLevel: boolean; randomSlope: ModelSpec['randomSlope'] } {
  const n = names(place);
  // `--group therapist` asks for the therapist level: it is not a grouping column to map.
  const therapistLevel = set.group.includes('therapist');
  const others = set.group.filter((g) => g !== 'therapist');
  if (others.length > 0) {
    throw new UserError(`model ${n.name('group')} takes "therapist" (clients nested in therapists), got "${others.join(', ')}"`, {
      location: n.at('group'),
      hint: isConfig(place, 'group')
        ? 'Use group: therapist under model:, with therapist: COL if the therapist column is not detected'
        : 'In alliance model, --group names the level clients are nested in (only therapist is modelled), not a grouping column to read; use --group therapist, with --therapist COL if the therapist column is not detected (site figures: correlate, trend or ruptures --by site)',
    });
  }
  if (set.reverse && !set.lag)
    throw new UserError(`${n.name('reverse')} needs ${n.name('lag')}`, { location: n.at('reverse'), hint: `Add ${n.add('lag', 'true')}` });
  let randomSlope: ModelSpec['randomSlope'] = null;
  if (set.randomSlope !== undefined && set.randomSlope !== false) {
    const v = set.randomSlope === true ? 'alliance' : String(set.randomSlope);
    if (v !== 'alliance' && v !== 'time') {
      throw new UserError(`${n.name('randomSlope')} takes "alliance" or "time", got "${v}"`, {
        location: n.at('randomSlope'),
        hint: isConfig(place, 'randomSlope')
          ? 'Use randomSlope: true (alliance) or randomSlope: time'
          : `Use --random-slope (alliance) or --random-slope time; if "${v}" is an input file, put it before --random-slope`,
      });
    }
    randomSlope = v;
  }
  return { therapistLevel, randomSlope };
}

function pickMeasure(dataset: Dataset, role: 'alliance' | 'outcome', given: string[] | undefined, place: ModelPlace): string {
  const n = names(place);
  const flag = n.name(role);
  const how = isConfig(place, role) ? `${role}: COL under model:` : `${flag} COL`;
  if (given && given.length > 1) {
    throw new UserError(`model takes one ${role} column, got ${given.length} (${given.join(', ')})`, {
      location: n.at(role),
      hint: `Give a single ${how}`,
    });
  }
  const bound = dataset.mapping.measures.filter((m) => m.role === role);
  if (given && given.length === 1) {
    // As the input options match headers: exactly, else ignoring case, spaces and punctuation.
    const m = bound.find((b) => b.name === given[0]) ?? bound.find((b) => normalizeName(b.name) === normalizeName(given[0]) && normalizeName(b.name) !== '');
    if (m) return m.name;
    throw new UserError(`${role} column "${given[0]}" is not among the mapped ${role} measures (${bound.map((b) => b.name).join(', ') || 'none'})`, {
      location: n.at(role) ?? headerLocation(dataset.files[0]),
      hint: `Check the spelling of ${flag}`,
    });
  }
  if (bound.length === 1) return bound[0].name;
  throw new UserError(bound.length === 0 ? `no ${role} column found` : `several ${role} columns (${bound.map((b) => b.name).join(', ')})`, {
    location: headerLocation(dataset.files[0]),
    hint: `Name the column with ${how}`,
  });
}

/**
 * A covariate must be another column than the outcome, the alliance (already in the model
 * as its within and between parts), the client id and the session number (--time), and
 * named once: each of these makes the fixed effects collinear, and the outcome regressed
 * on itself is a perfect, meaningless fit.
 */
function checkCovariates(dataset: Dataset, covariates: string[], outcome: string, alliance: string, place: ModelPlace): void {
  const n = names(place);
  const m = dataset.mapping;
  const roles: [string | undefined, string][] = [
    [outcome, 'the outcome'],
    [alliance, 'the alliance measure (already in the model as its within- and between-client parts)'],
    [m.client?.name, 'the client id'],
    [m.session?.name, `the session number (use ${n.add('time', 'true')} for it)`],
  ];
  const seen = new Set<string>();
  for (const c of covariates) {
    const key = c.trim().toLowerCase();
    const role = roles.find(([col]) => col !== undefined && col.trim().toLowerCase() === key)?.[1] ?? (seen.has(key) ? 'named twice' : undefined);
    if (role !== undefined) {
      throw new UserError(`covariate "${c}" is ${role === 'named twice' ? 'named twice' : role}`, {
        location: n.at('covariate') ?? headerLocation(dataset.files[0]),
        hint: `Give ${n.name('covariate')} other columns, each once (a covariate must not repeat a column the model already uses)`,
      });
    }
    seen.add(key);
  }
}

/** The settings and the dataset -> the ModelSpec (throws UserError for options the data cannot serve). */
export function modelSpec(dataset: Dataset, set: ModelSettings, place: ModelPlace = FLAGS): ModelSpec {
  const { therapistLevel: groupTherapist, randomSlope } = modelChoices(set, place);
  const n = names(place);
  if (set.decompose !== undefined && set.decompose !== 'therapist') {
    throw new UserError(`${n.name('decompose')} takes "therapist", got "${set.decompose}"`, {
      location: n.at('decompose'),
      hint: `Use ${n.add('decompose', 'therapist')}`,
    });
  }
  const decompose = set.decompose === 'therapist';
  const df = dfMethod(set, place);
  const level = clientLevel(set, place, decompose);
  const therapistLevel = groupTherapist || decompose;
  if (therapistLevel && !dataset.mapping.therapist) {
    const by = set.decompose === 'therapist' && !groupTherapist ? 'decompose' : 'group';
    throw new UserError(
      `${by === 'decompose' ? n.name('decompose') : isConfig(place, 'group') ? 'model.group:' : '--group'} therapist needs a therapist column, and none was found`,
      {
        location: n.at(by) ?? headerLocation(dataset.files[0]),
        hint: isConfig(place, by) ? 'Name it with therapist: COL' : 'Name it with --therapist COL',
      },
    );
  }
  const outcome = pickMeasure(dataset, 'outcome', set.outcome, place);
  const alliance = pickMeasure(dataset, 'alliance', set.alliance, place);
  checkCovariates(dataset, set.covariate, outcome, alliance, place);
  return {
    outcome,
    alliance,
    time: set.time,
    covariates: set.covariate,
    randomSlope,
    lag: set.lag,
    reverse: set.reverse,
    ml: set.ml,
    therapistLevel,
    randomEffects: set.randomEffects,
    compare: set.compare,
    decompose,
    // only when asked: the default spec (and so the JSON echoing it) stays as it was
    ...(df === 'kr' ? { df } : {}),
    ...level,
  };
}

/**
 * --level client (with --decompose therapist) and its --client-alliance / --early-sessions;
 * empty for the session level, so the default spec stays as it was. The client-level model
 * has one row per client: the session-level options do not apply to it.
 */
function clientLevel(set: ModelSettings, place: ModelPlace, decompose: boolean): Pick<ModelSpec, 'level' | 'clientAlliance' | 'earlySessions'> {
  const n = names(place);
  const level = set.level?.trim().toLowerCase();
  if (level !== undefined && level !== 'session' && level !== 'client') {
    throw new UserError(`${n.name('level')} takes "session" or "client", got "${set.level}"`, {
      location: n.at('level'),
      hint: `Use ${n.add('level', 'client')}`,
    });
  }
  if (level !== 'client') {
    for (const attr of ['clientAlliance', 'earlySessions'] as const) {
      if (set[attr] !== undefined)
        throw new UserError(`${n.name(attr)} needs ${n.name('level')} client`, {
          location: n.at(attr),
          hint: `Add ${n.add('decompose', 'therapist')} and ${n.add('level', 'client')}`,
        });
    }
    return {};
  }
  if (!decompose)
    throw new UserError(`${n.name('level')} client needs ${n.name('decompose')} therapist`, {
      location: n.at('level'),
      hint: `Add ${n.add('decompose', 'therapist')}`,
    });
  const session: [keyof ModelSettings, boolean][] = [
    ['lag', set.lag],
    ['time', set.time],
    ['randomSlope', set.randomSlope !== undefined && set.randomSlope !== false],
    ['covariate', set.covariate.length > 0],
    ['compare', set.compare],
    ['randomEffects', set.randomEffects],
  ];
  const clash = session.find(([, on]) => on);
  if (clash) {
    throw new UserError(`${n.name('level')} client fits one row per client; ${n.name(clash[0])} is for the session-level model`, {
      location: n.at(clash[0]),
      hint: `Drop ${n.name(clash[0])}, or drop ${n.name('level')} client`,
    });
  }
  const how = set.clientAlliance?.trim().toLowerCase() ?? 'early';
  if (how !== 'early' && how !== 'mean') {
    throw new UserError(`${n.name('clientAlliance')} takes "early" or "mean", got "${set.clientAlliance}"`, {
      location: n.at('clientAlliance'),
      hint: `Use ${n.add('clientAlliance', 'mean')}, or leave it out for the early alliance`,
    });
  }
  if (how === 'mean' && set.earlySessions !== undefined) {
    throw new UserError(`${n.name('earlySessions')} sets the early alliance; ${n.name('clientAlliance')} mean uses every rated session`, {
      location: n.at('earlySessions'),
      hint: `Drop one of them`,
    });
  }
  const out: Pick<ModelSpec, 'level' | 'clientAlliance' | 'earlySessions'> = { level: 'client', clientAlliance: how };
  if (set.earlySessions !== undefined) {
    try {
      out.earlySessions = parseNumber(n.name('earlySessions'), set.earlySessions, { min: 1, integer: true }, '3');
    } catch (e) {
      if (e instanceof UserError) throw new UserError(e.message, { location: n.at('earlySessions'), hint: `For example ${n.add('earlySessions', '3')}` });
      throw e;
    }
  }
  return out;
}

/**
 * --df: Satterthwaite (default) or Kenward-Roger. KR is defined for REML fits (Kenward &
 * Roger 1997); lmerTest refuses it for ML fits, and so does the tool.
 */
function dfMethod(set: ModelSettings, place: ModelPlace): ModelSpec['df'] {
  const n = names(place);
  if (set.df === undefined) return 'satterthwaite';
  const v = set.df.trim().toLowerCase();
  const method = v === 'satterthwaite' ? 'satterthwaite' : v === 'kr' || v === 'kenward-roger' ? 'kr' : null;
  if (method === null) {
    throw new UserError(`${n.name('df')} takes "satterthwaite" or "kr" (Kenward-Roger), got "${set.df}"`, {
      location: n.at('df'),
      hint: `Use ${n.add('df', 'kr')}, or leave it out for Satterthwaite`,
    });
  }
  if (method === 'kr' && set.ml) {
    throw new UserError(`Kenward-Roger df (${n.name('df')} kr) are defined for REML fits, and ${n.name('ml')} asks for ML`, {
      location: n.at('df'),
      hint: `Drop ${n.name('ml')}, or drop ${n.name('df')} kr for Satterthwaite df`,
    });
  }
  return method;
}

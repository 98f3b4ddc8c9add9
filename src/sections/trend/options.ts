/**
 * The trend options: one typed table (flags, help, config keys, parsing) and the checks
 * across options. `trendOptions` turns the flags and the `trend:` section of a --config
 * file into TrendOptions (shared by `alliance trend` and the report's trend section).
 */
import { normalizeBy } from '../../names.js';
import { UserError } from '../../errors.js';
import type { TrendOptions, TrendRunOptions } from '../../analysis/trend/trend.js';
import { readSection, tableKeys, type OptionTable } from '../../config/option-table.js';

/** The flags trendOptions reads, by commander attribute name (camelCase). */
export interface TrendFlags {
  [key: string]: unknown;
}

/** Every trend option: its flag and help, its config key, its type and range. */
export const TREND_TABLE = [
  { key: 'clients', type: 'boolean', default: false, description: 'add the per-client table (and make it the --format csv output)' },
  {
    key: 'pre',
    type: 'number',
    arg: '<session>',
    example: '5',
    description: 'pre time point: session number (with --post; default: first session with an outcome)',
  },
  {
    key: 'post',
    type: 'number',
    arg: '<session>',
    example: '5',
    description: 'post time point: session number (with --pre; default: last session with an outcome)',
  },
  {
    key: 'rcThreshold',
    type: 'number',
    arg: '<points>',
    range: { min: 0, minExclusive: true },
    example: '5',
    description: "reliable change in points (default: the outcome instrument's)",
  },
  {
    key: 'reliability',
    type: 'number',
    arg: '<r_xx>',
    range: { min: 0, max: 1, minExclusive: true, maxExclusive: true },
    example: '0.8',
    description: 'use the Jacobson-Truax RCI with this reliability instead of a points threshold',
  },
  {
    key: 'sd',
    type: 'number',
    arg: '<sd>',
    range: { min: 0, minExclusive: true },
    example: '5',
    description: 'SD of pre scores for the RCI (default: from the data)',
  },
  {
    key: 'cutoff',
    type: 'choice',
    arg: '<type>',
    choices: ['a', 'b', 'c'],
    description: 'Jacobson-Truax clinical cut-off a, b or c (default: the instrument cut-off)',
  },
  { key: 'functionalMean', type: 'number', arg: '<m>', example: '5', description: 'functional (non-clinical) population mean, for cut-offs b and c' },
  {
    key: 'functionalSd',
    type: 'number',
    arg: '<sd>',
    range: { min: 0, minExclusive: true },
    example: '5',
    description: 'functional population SD, for cut-offs b and c',
  },
  { key: 'clinicalMean', type: 'number', arg: '<m>', example: '5', description: 'clinical population mean (default: mean of pre scores)' },
  {
    key: 'clinicalSd',
    type: 'number',
    arg: '<sd>',
    range: { min: 0, minExclusive: true },
    example: '5',
    description: 'clinical population SD (default: SD of pre scores)',
  },
  {
    key: 'better',
    type: 'choice',
    arg: '<dir>',
    choices: ['higher', 'lower'],
    description: 'better direction of the outcome when it has no instrument: higher or lower',
  },
  { key: 'allianceCutoff', type: 'number', arg: '<score>', example: '5', description: "alliance below this is an alert (default: the instrument's, SRS 36)" },
  {
    key: 'drop',
    type: 'number',
    arg: '<points>',
    range: { min: 0, minExclusive: true },
    example: '5',
    description: "alliance drop from the previous session that is an alert (default: the instrument's, SRS 1)",
  },
  {
    key: 'ntpQuantile',
    type: 'number',
    arg: '<q>',
    range: { min: 0, max: 1, minExclusive: true, maxExclusive: true },
    example: '0.8',
    description: 'not on track: flag change below this quantile of the expected-response band (default 0.25)',
  },
  {
    key: 'ntpMinClients',
    type: 'number',
    arg: '<n>',
    range: { min: 1, integer: true },
    example: '1',
    description: 'not on track: clients needed in a band cell before flagging against it (default 20)',
  },
  {
    key: 'ntpBands',
    type: 'number',
    arg: '<k>',
    range: { min: 1, max: 10, integer: true },
    example: '1',
    description: 'not on track: number of intake-severity bands, by intake quantiles (default 3)',
  },
  {
    key: 'period',
    type: 'choice',
    arg: '<period>',
    choices: ['month', 'quarter', 'year'],
    description: 'cohort series by session date: month, quarter or year',
  },
  {
    key: 'by',
    type: 'list',
    arg: '<cols>',
    description: 'cohort figures per therapist or group column, with confidence intervals; several columns, comma-separated, are nested (site,therapist)',
  },
  {
    key: 'minClients',
    type: 'number',
    arg: '<n>',
    range: { min: 1, integer: true },
    example: '1',
    description: 'suppress --by groups with fewer clients than this (default 5)',
  },
] as const satisfies OptionTable;

/**
 * What the analysis runs with where an option is not given (the rows' help names each; a
 * test checks they agree). They are filled in when the section runs (`trendRunOptions`),
 * not into the options themselves, so a report's manifest records the options as given.
 */
export const TREND_DEFAULTS = { ntpQuantile: 0.25, ntpMinClients: 20, ntpBands: 3, minClients: 5 } as const;

/** The options with the defaults filled in: what analyzeTrend runs with. */
export function trendRunOptions(o: TrendOptions): TrendRunOptions {
  return {
    ...o,
    ntpQuantile: o.ntpQuantile ?? TREND_DEFAULTS.ntpQuantile,
    ntpMinClients: o.ntpMinClients ?? TREND_DEFAULTS.ntpMinClients,
    ntpBands: o.ntpBands ?? TREND_DEFAULTS.ntpBands,
    minClients: o.minClients ?? TREND_DEFAULTS.minClients,
  };
}

/** Config keys of the `trend:` section (camelCase; kebab-case accepted). */
export const SECTION_KEYS = tableKeys(TREND_TABLE);

/** Flags (and the `trend:` config section; explicit flags win) -> analysis options. */
export function trendOptions(
  flags: TrendFlags,
  section: Record<string, unknown> = {},
  explicit = new Set<string>(),
  configPath = 'config',
  /** The config's key lines (Config.lines), so an unknown key or a bad value is reported at its line. */
  lines?: Record<string, number>,
  /** The config is the only source (the report): every option is named by its key. */
  only = false,
): TrendOptions {
  const { values: t, names: n } = readSection(TREND_TABLE, 'trend', { flags, section, explicit, configPath, lines, only });
  const o: TrendOptions = {};
  o.clients = t.clients ?? false;
  o.pre = t.pre;
  o.post = t.post;
  const prePost = n.name('pre').startsWith('--') && n.name('post').startsWith('--') ? '--pre 1 --post 4' : 'pre: 1 and post: 4 under trend:';
  if ((o.pre === undefined) !== (o.post === undefined)) {
    throw new UserError(`${n.name('pre')} and ${n.name('post')} go together`, n.place(['pre', 'post'], `Give both session numbers, e.g. ${prePost}`));
  }
  if (o.pre !== undefined && o.post !== undefined && !(o.post > o.pre)) {
    throw new UserError(
      `${n.name('post')} (${o.post}) must be a later session than ${n.name('pre')} (${o.pre})`,
      n.place(['pre', 'post'], `For example ${prePost}`),
    );
  }
  o.rcThreshold = t.rcThreshold;
  o.reliability = t.reliability;
  o.sd = t.sd;
  o.functionalMean = t.functionalMean;
  o.functionalSd = t.functionalSd;
  o.clinicalMean = t.clinicalMean;
  o.clinicalSd = t.clinicalSd;
  if (t.cutoff !== undefined) {
    o.cutoff = t.cutoff;
    if (o.cutoff !== 'a' && (o.functionalMean === undefined || o.functionalSd === undefined)) {
      throw new UserError(
        `${n.name('cutoff')} ${o.cutoff} needs the functional population's mean and SD`,
        n.place(
          'cutoff',
          `Give ${n.name('functionalMean')} and ${n.name('functionalSd')} (published norms for the instrument), or use ${n.example('cutoff', 'a')}`,
        ),
      );
    }
  } else if (o.functionalMean !== undefined || o.functionalSd !== undefined || o.clinicalMean !== undefined || o.clinicalSd !== undefined) {
    const given = (['functionalMean', 'functionalSd', 'clinicalMean', 'clinicalSd'] as const).find((k) => o[k] !== undefined)!;
    throw new UserError(`population norms were given without ${n.name('cutoff')}`, n.place(given, `Add ${n.example('cutoff', 'a, b or c')} to use them`));
  }
  if (o.sd !== undefined && o.reliability === undefined) {
    throw new UserError(
      `${n.name('sd')} is only used with ${n.name('reliability')}`,
      n.place(['sd', 'reliability'], `Add ${n.example('reliability', 'r_xx')} for the Jacobson-Truax RCI, or drop ${n.name('sd')}`),
    );
  }
  if (o.rcThreshold !== undefined && o.reliability !== undefined) {
    throw new UserError(
      `${n.name('rcThreshold')} and ${n.name('reliability')} cannot be combined`,
      n.place(['rcThreshold', 'reliability'], 'Use a points threshold or the Jacobson-Truax RCI, not both'),
    );
  }
  if (t.better !== undefined) o.outcomeHigherIsBetter = t.better === 'higher';
  o.allianceCutoff = t.allianceCutoff;
  o.drop = t.drop;
  o.ntpQuantile = t.ntpQuantile;
  o.ntpMinClients = t.ntpMinClients;
  o.ntpBands = t.ntpBands;
  if (t.period !== undefined) o.period = t.period;
  if (t.by !== undefined) o.by = normalizeBy(t.by);
  o.minClients = t.minClients;
  return o;
}

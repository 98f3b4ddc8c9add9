/**
 * The `correlate:` section of a --config file and the correlate flags -> CorrelateOptions
 * (shared by `alliance correlate` and the report's correlate section).
 */
import { normalizeBy } from '../../names.js';
import { UserError } from '../../errors.js';
import { ANALYSES, DEFAULT_OPTIONS, type Analysis, type CorrelateOptions } from '../../analysis/correlate/types.js';
import { optionNames, readTable, tableKeys, type OptionTable, type TableSource } from '../../config/option-table.js';

/** The flags correlateOptions reads (commander attribute names); a command adds its own. */
export interface CorrelateFlags {
  [key: string]: unknown;
}

/** Every correlate option: its flag and help, its config key, its type, range and default. */
export const CORRELATE_TABLE = [
  { key: 'analyses', type: 'list', arg: '<list>', description: `analyses to run, comma-separated: ${ANALYSES.join(', ')} (default: all)` },
  {
    key: 'method',
    type: 'choice',
    arg: '<method>',
    choices: ['pearson', 'spearman', 'both'],
    default: DEFAULT_OPTIONS.method,
    description: 'pooled correlation method (default pearson)',
  },
  { key: 'ci', type: 'text', arg: '<level>', description: 'confidence level, e.g. 0.95 or 95 (default 0.95)' },
  {
    key: 'adjust',
    type: 'choice',
    arg: '<method>',
    choices: ['holm', 'bh', 'none'],
    default: DEFAULT_OPTIONS.adjust,
    description: 'multiple-testing adjustment over all tests in the report (default holm)',
  },
  {
    key: 'by',
    type: 'list',
    arg: '<cols>',
    description: 'repeat the report for each level of a column (therapist, site, modality, ...); several columns, comma-separated, are nested (site,therapist)',
  },
  {
    key: 'minClients',
    type: 'number',
    arg: '<n>',
    range: { min: 1, integer: true },
    example: '3',
    default: DEFAULT_OPTIONS.minClients,
    description: 'suppress --by groups with fewer clients than this (default 5)',
  },
  {
    key: 'earlySession',
    type: 'number',
    arg: '<k>',
    range: { min: 1, integer: true },
    example: '3',
    // Early alliance at session k or over sessions 1..k: two ways to give one setting, so a
    // flag for either sets aside the other's config value (a flag wins over the config).
    alternatives: ['earlyWindow'],
    description: 'early alliance = alliance at session k (default 3)',
  },
  {
    key: 'earlyWindow',
    type: 'number',
    arg: '<k>',
    range: { min: 1, integer: true },
    example: '3',
    alternatives: ['earlySession'],
    description: 'early alliance = mean alliance over sessions 1..k (instead of --early-session)',
  },
  {
    key: 'bootstrap',
    type: 'number',
    arg: '<n>',
    range: { min: 0, integer: true },
    example: '3',
    description: 'add a cluster-bootstrap CI (resampling clients) with n replicates',
  },
  {
    key: 'seed',
    type: 'number',
    arg: '<s>',
    range: { min: 0, integer: true },
    example: '3',
    default: DEFAULT_OPTIONS.seed,
    description: 'seed for --bootstrap (default 1); same seed, same result',
  },
] as const satisfies OptionTable;

/** Keys of the `correlate:` section of a --config file (camelCase, as the flags). */
export const SECTION_KEYS = tableKeys(CORRELATE_TABLE);

/**
 * Turns the flags (and the `correlate:` section of --config) into analysis options.
 * `config` names the section and where its keys stand: messages then name an option set
 * there by its key, at its line (src/config/option-table.ts).
 */
export function correlateOptions(
  flags: CorrelateFlags,
  section: Record<string, unknown> = {},
  explicit = new Set<string>(),
  config?: TableSource['config'],
): CorrelateOptions {
  const src: TableSource = { flags, section, explicit, config };
  const t = readTable(CORRELATE_TABLE, src);
  const names = optionNames(CORRELATE_TABLE, src);
  const opts: CorrelateOptions = { ...DEFAULT_OPTIONS, early: { ...DEFAULT_OPTIONS.early } };
  if (t.analyses !== undefined) {
    const list = t.analyses.map((s) => s.toLowerCase());
    const bad = list.filter((a) => !ANALYSES.includes(a as Analysis));
    if (bad.length > 0 || list.length === 0) {
      throw new UserError(
        `unknown analysis "${bad[0] ?? t.analyses.join(',')}" in ${names.name('analyses')}`,
        names.place('analyses', `Choose from ${ANALYSES.join(', ')}`),
      );
    }
    opts.analyses = ANALYSES.filter((a) => list.includes(a));
  }
  if (t.method !== undefined) opts.method = t.method;
  if (t.ci !== undefined) {
    let level = Number(t.ci);
    if (Number.isFinite(level) && level >= 50 && level < 100) level /= 100;
    if (!(level > 0 && level < 1))
      throw new UserError(
        `${names.name('ci')} must be a level between 0 and 1 (or a percentage), got "${t.ci}"`,
        names.place('ci', `For example ${names.example('ci', '0.95')} or ${names.example('ci', '90')}`),
      );
    opts.ciLevel = level;
  }
  if (t.adjust !== undefined) opts.adjust = t.adjust;
  if (t.by !== undefined) opts.by = normalizeBy(t.by) ?? null;
  if (t.minClients !== undefined) opts.minClients = t.minClients;
  if (t.earlySession !== undefined && t.earlyWindow !== undefined) {
    throw new UserError(
      `${names.name('earlySession')} and ${names.name('earlyWindow')} cannot be combined`,
      names.place(['earlySession', 'earlyWindow'], 'Give one: alliance at session k, or the mean over sessions 1..k'),
    );
  }
  if (t.earlySession !== undefined) opts.early = { mode: 'session', k: t.earlySession };
  if (t.earlyWindow !== undefined) opts.early = { mode: 'window', k: t.earlyWindow };
  if (t.bootstrap !== undefined) {
    const n = t.bootstrap;
    // A percentile interval needs many resamples; a handful gives a meaningless (or blank) CI.
    if (n !== 0 && (n < 20 || n > 1_000_000)) {
      throw new UserError(
        `${names.name('bootstrap')} must be 0 (off) or a number of resamples from 20 to 1000000, got "${n}"`,
        names.place('bootstrap', `For example ${names.example('bootstrap', '2000')}${names.name('bootstrap').startsWith('--') ? ' --seed 1' : ''}`),
      );
    }
    opts.bootstrap = n;
  }
  if (t.seed !== undefined) opts.seed = t.seed;
  return opts;
}

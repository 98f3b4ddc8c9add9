/**
 * The `trend:` section of a --config file and the trend flags -> TrendOptions (shared by
 * `alliance trend` and the report's trend section).
 */
import { UserError } from '../../errors.js';
import type { Period, TrendOptions } from '../../analysis/trend/trend.js';
import { camel, checkKey, configPlace } from '../../config/keys.js';

/** The flags trendOptions reads, by commander attribute name (camelCase). */
export interface TrendFlags {
  [key: string]: unknown;
}

/** Config keys of the `trend:` section (camelCase; kebab-case accepted). */
export const SECTION_KEYS = [
  'clients',
  'pre',
  'post',
  'rcThreshold',
  'reliability',
  'sd',
  'cutoff',
  'functionalMean',
  'functionalSd',
  'clinicalMean',
  'clinicalSd',
  'better',
  'allianceCutoff',
  'drop',
  'ntpQuantile',
  'ntpMinClients',
  'ntpBands',
  'period',
  'by',
  'minClients',
];

const flagName = (k: string): string => '--' + k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

function num(key: string, value: unknown, check: { min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean; integer?: boolean } = {}): number {
  const s = String(value).trim();
  const v = Number(s);
  const name = flagName(key);
  const ok =
    s !== '' &&
    Number.isFinite(v) &&
    (!check.integer || Number.isInteger(v)) &&
    (check.min === undefined || (check.minExclusive ? v > check.min : v >= check.min)) &&
    (check.max === undefined || (check.maxExclusive ? v < check.max : v <= check.max));
  if (!ok) {
    const range =
      check.min !== undefined && check.max !== undefined
        ? `between ${check.min} and ${check.max}${check.minExclusive || check.maxExclusive ? ' (exclusive)' : ''}`
        : check.min !== undefined
          ? `${check.minExclusive ? '>' : '>='} ${check.min}`
          : 'a number';
    throw new UserError(`${name} must be ${check.integer ? 'a whole number ' : ''}${range}, got "${s}"`, {
      hint: `For example ${name} ${check.integer ? Math.max(check.min ?? 1, 1) : check.max !== undefined && check.max <= 1 ? '0.8' : '5'}`,
    });
  }
  return v;
}

/** Flags (and the `trend:` config section; explicit flags win) -> analysis options. */
export function trendOptions(
  flags: TrendFlags,
  section: Record<string, unknown> = {},
  explicit = new Set<string>(),
  configPath = 'config',
  /** The config's key lines (Config.lines), so an unknown key is reported at its line. */
  lines?: Record<string, number>,
): TrendOptions {
  const sec: Record<string, unknown> = {};
  const at = lines ? configPlace({ path: configPath, lines }) : null;
  for (const [k, v] of Object.entries(section)) {
    checkKey(k, { section: 'trend', known: SECTION_KEYS, at, camelCase: true, within: `the trend section of ${configPath}` });
    sec[camel(k)] = v;
  }
  const pick = (key: string): unknown => (explicit.has(key) || sec[key] === undefined ? flags[key] : sec[key]);
  const o: TrendOptions = {};
  const n = (key: string, check?: Parameters<typeof num>[2]): number | undefined => {
    const v = pick(key);
    return v === undefined || v === null ? undefined : num(key, v, check);
  };
  o.clients = Boolean(pick('clients'));
  o.pre = n('pre');
  o.post = n('post');
  if ((o.pre === undefined) !== (o.post === undefined)) {
    throw new UserError('--pre and --post go together', { hint: 'Give both session numbers, e.g. --pre 1 --post 4' });
  }
  if (o.pre !== undefined && o.post !== undefined && !(o.post > o.pre)) {
    throw new UserError(`--post (${o.post}) must be a later session than --pre (${o.pre})`, { hint: 'For example --pre 1 --post 4' });
  }
  o.rcThreshold = n('rcThreshold', { min: 0, minExclusive: true });
  o.reliability = n('reliability', { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  o.sd = n('sd', { min: 0, minExclusive: true });
  o.functionalMean = n('functionalMean');
  o.functionalSd = n('functionalSd', { min: 0, minExclusive: true });
  o.clinicalMean = n('clinicalMean');
  o.clinicalSd = n('clinicalSd', { min: 0, minExclusive: true });
  const cutoff = pick('cutoff');
  if (cutoff !== undefined) {
    if (!['a', 'b', 'c'].includes(String(cutoff))) throw new UserError(`--cutoff must be a, b or c, got "${String(cutoff)}"`);
    o.cutoff = String(cutoff) as 'a' | 'b' | 'c';
    if (o.cutoff !== 'a' && (o.functionalMean === undefined || o.functionalSd === undefined)) {
      throw new UserError(`--cutoff ${o.cutoff} needs the functional population's mean and SD`, {
        hint: 'Give --functional-mean and --functional-sd (published norms for the instrument), or use --cutoff a',
      });
    }
  } else if (o.functionalMean !== undefined || o.functionalSd !== undefined || o.clinicalMean !== undefined || o.clinicalSd !== undefined) {
    throw new UserError('population norms were given without --cutoff', { hint: 'Add --cutoff a, b or c to use them' });
  }
  if (o.sd !== undefined && o.reliability === undefined) {
    throw new UserError('--sd is only used with --reliability', { hint: 'Add --reliability r_xx for the Jacobson-Truax RCI, or drop --sd' });
  }
  if (o.rcThreshold !== undefined && o.reliability !== undefined) {
    throw new UserError('--rc-threshold and --reliability cannot be combined', { hint: 'Use a points threshold or the Jacobson-Truax RCI, not both' });
  }
  const better = pick('better');
  if (better !== undefined) {
    if (!['higher', 'lower'].includes(String(better))) throw new UserError(`--better must be higher or lower, got "${String(better)}"`);
    o.outcomeHigherIsBetter = better === 'higher';
  }
  o.allianceCutoff = n('allianceCutoff');
  o.drop = n('drop', { min: 0, minExclusive: true });
  o.ntpQuantile = n('ntpQuantile', { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  o.ntpMinClients = n('ntpMinClients', { min: 1, integer: true });
  o.ntpBands = n('ntpBands', { min: 1, max: 10, integer: true });
  const period = pick('period');
  if (period !== undefined) {
    if (!['month', 'quarter', 'year'].includes(String(period))) throw new UserError(`--period must be month, quarter or year, got "${String(period)}"`);
    o.period = String(period) as Period;
  }
  const by = pick('by');
  if (by !== undefined && String(by).trim() !== '') o.by = String(by).trim();
  o.minClients = n('minClients', { min: 1, integer: true });
  return o;
}

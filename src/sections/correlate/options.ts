/**
 * The `correlate:` section of a --config file and the correlate flags -> CorrelateOptions
 * (shared by `alliance correlate` and the report's correlate section).
 */
import { UserError } from '../../errors.js';
import { ANALYSES, DEFAULT_OPTIONS, type Analysis, type CorrelateOptions } from '../../analysis/correlate/index.js';

/** The flags correlateOptions reads (commander attribute names); a command adds its own. */
export interface CorrelateFlags {
  analyses?: string;
  method?: string;
  ci?: string;
  adjust?: string;
  by?: string;
  minClients?: string;
  earlySession?: string;
  earlyWindow?: string;
  bootstrap?: string;
  seed?: string;
  [key: string]: unknown;
}

/** Keys of the `correlate:` section of a --config file (camelCase, as the flags). */
export const SECTION_KEYS = ['analyses', 'method', 'ci', 'adjust', 'by', 'minClients', 'earlySession', 'earlyWindow', 'bootstrap', 'seed'];

function parseIntOption(name: string, value: string, min: number): number {
  const v = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(v) || v < min) {
    throw new UserError(`${name} must be a whole number >= ${min}, got "${value}"`, { hint: `For example ${name} ${Math.max(min, 3)}` });
  }
  return v;
}

/** Turns the flags (and the `correlate:` section of --config) into analysis options. */
export function correlateOptions(flags: CorrelateFlags, section: Record<string, unknown> = {}, explicit = new Set<string>()): CorrelateOptions {
  const pick = (key: string): string | undefined => {
    if (explicit.has(key) || section[key] === undefined) {
      const v = flags[key];
      return v === undefined ? undefined : String(v);
    }
    const v = section[key];
    return Array.isArray(v) ? v.join(',') : String(v);
  };
  const opts: CorrelateOptions = { ...DEFAULT_OPTIONS, early: { ...DEFAULT_OPTIONS.early } };
  const analyses = pick('analyses');
  if (analyses !== undefined) {
    const list = analyses.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
    const bad = list.filter((a) => !ANALYSES.includes(a as Analysis));
    if (bad.length > 0 || list.length === 0) {
      throw new UserError(`unknown analysis "${bad[0] ?? analyses}" in --analyses`, { hint: `Choose from ${ANALYSES.join(', ')}` });
    }
    opts.analyses = ANALYSES.filter((a) => list.includes(a));
  }
  const method = pick('method');
  if (method !== undefined) {
    if (!['pearson', 'spearman', 'both'].includes(method)) throw new UserError(`--method must be pearson, spearman or both, got "${method}"`);
    opts.method = method as CorrelateOptions['method'];
  }
  const ci = pick('ci');
  if (ci !== undefined) {
    let level = Number(ci);
    if (Number.isFinite(level) && level >= 50 && level < 100) level /= 100;
    if (!(level > 0 && level < 1)) throw new UserError(`--ci must be a level between 0 and 1 (or a percentage), got "${ci}"`, { hint: 'For example --ci 0.95 or --ci 90' });
    opts.ciLevel = level;
  }
  const adjust = pick('adjust');
  if (adjust !== undefined) {
    if (!['holm', 'bh', 'none'].includes(adjust)) throw new UserError(`--adjust must be holm, bh or none, got "${adjust}"`);
    opts.adjust = adjust as CorrelateOptions['adjust'];
  }
  const by = pick('by');
  if (by !== undefined && by.trim() !== '') opts.by = by.trim();
  const minClients = pick('minClients');
  if (minClients !== undefined) opts.minClients = parseIntOption('--min-clients', minClients, 1);
  const es = pick('earlySession');
  const ew = pick('earlyWindow');
  if (es !== undefined && ew !== undefined) {
    throw new UserError('--early-session and --early-window cannot be combined', { hint: 'Give one: alliance at session k, or the mean over sessions 1..k' });
  }
  if (es !== undefined) opts.early = { mode: 'session', k: parseIntOption('--early-session', es, 1) };
  if (ew !== undefined) opts.early = { mode: 'window', k: parseIntOption('--early-window', ew, 1) };
  const boot = pick('bootstrap');
  if (boot !== undefined) {
    const n = parseIntOption('--bootstrap', boot, 0);
    // A percentile interval needs many resamples; a handful gives a meaningless (or blank) CI.
    if (n !== 0 && (n < 20 || n > 1_000_000)) {
      throw new UserError(`--bootstrap must be 0 (off) or a number of resamples from 20 to 1000000, got "${boot}"`, {
        hint: 'For example --bootstrap 2000 --seed 1',
      });
    }
    opts.bootstrap = n;
  }
  const seed = pick('seed');
  if (seed !== undefined) opts.seed = parseIntOption('--seed', seed, 0);
  return opts;
}

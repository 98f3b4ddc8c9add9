/**
 * The `ruptures:` section of a --config file and the ruptures flags -> RupturesOptions
 * (shared by `alliance ruptures` and the report's ruptures section).
 */
import { UserError } from '../../errors.js';
import type { RupturesOptions } from '../../analysis/ruptures.js';
import { camel, checkKey, configPlace } from '../../config/keys.js';

/** Config keys of the `ruptures:` section (camelCase; kebab-case accepted). */
export const SECTION_KEYS = ['ruptureDrop', 'ruptureSd', 'repairWindow', 'by', 'minClients', 'clients'];

const flagName = (k: string): string => '--' + k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

function num(key: string, value: unknown, check: { min: number; minExclusive?: boolean; integer?: boolean; example: string }): number {
  const s = String(value).trim();
  const v = Number(s);
  const ok = s !== '' && Number.isFinite(v) && (!check.integer || Number.isInteger(v)) && (check.minExclusive ? v > check.min : v >= check.min);
  if (!ok) {
    const name = flagName(key);
    throw new UserError(`${name} must be ${check.integer ? 'a whole number ' : 'a number '}${check.minExclusive ? '>' : '>='} ${check.min}, got "${s}"`, {
      hint: `For example ${name} ${check.example}`,
    });
  }
  return v;
}

/** Flags (and the `ruptures:` config section; explicit flags win) -> analysis options. */
export function rupturesOptions(
  flags: Record<string, unknown>,
  section: Record<string, unknown> = {},
  explicit = new Set<string>(),
  configPath = 'config',
  lines?: Record<string, number>,
): RupturesOptions {
  const sec: Record<string, unknown> = {};
  const at = lines ? configPlace({ path: configPath, lines }) : null;
  for (const [k, v] of Object.entries(section)) {
    checkKey(k, { section: 'ruptures', known: SECTION_KEYS, at, camelCase: true, within: `the ruptures section of ${configPath}` });
    sec[camel(k)] = v;
  }
  const pick = (key: string): unknown => (explicit.has(key) || sec[key] === undefined ? flags[key] : sec[key]);
  const o: RupturesOptions = {};
  const get = (key: string, check: Parameters<typeof num>[2]): number | undefined => {
    const v = pick(key);
    return v === undefined || v === null ? undefined : num(key, v, check);
  };
  o.ruptureDrop = get('ruptureDrop', { min: 0, minExclusive: true, example: '5' });
  o.ruptureSd = get('ruptureSd', { min: 0, minExclusive: true, example: '2' });
  if (o.ruptureDrop !== undefined && o.ruptureSd !== undefined) {
    throw new UserError('--rupture-drop and --rupture-sd cannot be combined', { hint: 'Give the drop in points (--rupture-drop) or as a multiple of the within-client SD (--rupture-sd), not both' });
  }
  o.repairWindow = get('repairWindow', { min: 1, integer: true, example: '3' });
  const by = pick('by');
  if (by !== undefined && by !== null && String(by).trim() !== '') o.by = String(by).trim();
  o.minClients = get('minClients', { min: 1, integer: true, example: '5' });
  o.clients = Boolean(pick('clients'));
  return o;
}

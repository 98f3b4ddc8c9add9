/** Small pieces the document builders share: the not-estimable cell and the JSON key style. */
import type { Cell } from '../model.js';

/** What a table shows where a statistic could not be estimated. */
export const NE = 'n/e';

/** A number cell, or `n/e` for a missing or non-finite value (never NaN/Infinity in output). */
export function cell(v: number | null | undefined): Cell {
  return v === null || v === undefined || !Number.isFinite(v) ? NE : v;
}

/** snake_case of each key seen (keys repeat in every row of a per-client table). */
const snakeKeys = new Map<string, string>();

/** One key in snake_case: `notEstimable` -> `not_estimable`, `interceptSD` -> `intercept_sd` (a run of capitals is one word). */
export function snakeKey(k: string): string {
  let s = snakeKeys.get(k);
  if (s === undefined) {
    s = k.replace(/[A-Z]+/g, (m, at: number) => (at > 0 ? '_' : '') + m.toLowerCase());
    // Keys are field names; data-derived keys (group levels) could be many: bound the cache.
    if (snakeKeys.size < 10_000) snakeKeys.set(k, s);
  }
  return s;
}

/**
 * camelCase keys -> snake_case, recursively: the JSON output convention of every command
 * (issue 14.6; schemas/ checks it). Only for objects whose keys are field names, never data.
 */
export function snake(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(snake);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) out[snakeKey(k)] = snake((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** Small pieces the document builders share: the not-estimable cell and the JSON key style. */
import type { Cell } from '../model.js';

/** What a table shows where a statistic could not be estimated. */
export const NE = 'n/e';

/** A number cell, or `n/e` for a missing or non-finite value (never NaN/Infinity in output). */
export function cell(v: number | null | undefined): Cell {
  return v === null || v === undefined || !Number.isFinite(v) ? NE : v;
}

/** camelCase keys -> snake_case, recursively (the JSON output convention). */
export function snake(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(snake);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase())] = snake(x);
    return out;
  }
  return v;
}

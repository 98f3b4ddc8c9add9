/** Small pieces the document builders share: the not-estimable cell and the JSON key style. */
import type { Cell } from './model.js';

/** What a table shows where a statistic could not be estimated. */
export const NE = 'n/e';

/** A number cell, or `n/e` for a missing or non-finite value (never NaN/Infinity in output). */
export function cell(v: number | null | undefined): Cell {
  return v === null || v === undefined || !Number.isFinite(v) ? NE : v;
}

export { snake, snakeKey } from '../names.js';

/**
 * Small pieces the document builders share: the not-estimable cell, the JSON key style,
 * and the columns several sections' tables have alike (a share with its interval, a table
 * of model coefficients).
 */
import type { FixedEffect } from '../analysis/model.js';
import { F, type Cell, type Column, type Row } from './model.js';

/** What a table shows where a statistic could not be estimated. */
export const NE = 'n/e';

/** A number cell, or `n/e` for a missing or non-finite value (never NaN/Infinity in output). */
export function cell(v: number | null | undefined): Cell {
  return v === null || v === undefined || !Number.isFinite(v) ? NE : v;
}

export { snake, snakeKey } from '../names.js';

/** A share in percent and its 95% interval: the columns `key` and `key_ci`. */
export function shareColumns(key: string, header: string): Column[] {
  return [
    { key, header, format: F.percent(1) },
    { key: `${key}_ci`, header: '95% CI', format: F.percentInterval(1) },
  ];
}

/** The columns of a table of model coefficients (rows: coefficientRow); `df` names the df method. */
export function coefficientColumns(df: string): Column[] {
  return [
    { key: 'term', header: 'term' },
    { key: 'estimate', header: 'estimate', format: F.fixed(3) },
    { key: 'se', header: 'SE', format: F.fixed(3) },
    { key: 'df', header: `df (${df})`, format: F.fixed(1) },
    { key: 't', header: 't', format: F.fixed(2) },
    { key: 'p', header: 'p', format: F.p },
    { key: 'ci95', header: '95% CI', format: F.interval(3) },
  ];
}

/**
 * A coefficient's row. `missing`: the cells of a df, p or interval that could not be
 * computed - null (the model command's tables) or NE (via `cell`, the ruptures model's).
 */
export function coefficientRow(f: FixedEffect, missing: null | typeof NE = null): Row {
  const ci = f.lower !== null && f.upper !== null ? ([f.lower, f.upper] as const) : missing;
  if (missing === null) return { term: f.term, estimate: f.estimate, se: f.se, df: f.df, t: f.t, p: f.p, ci95: ci };
  return { term: f.term, estimate: f.estimate, se: f.se, df: cell(f.df), t: f.t, p: cell(f.p), ci95: ci };
}

/**
 * Names compared as people type them: normalised (case, punctuation, accents) and, for
 * "did you mean ...?" suggestions, by edit distance. Used for column headers, instrument
 * ids and config keys alike; the snake_case key style of every JSON document; and the
 * names of `--by` grouping columns and their cells. Imports nothing of ours.
 */

/** Lowercase and keep letters and digits only: "PHQ-9 total" -> "phq9total". */
export function normalizeName(name: string): string {
  return name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/** Levenshtein distance (small strings only). */
function distance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/** The candidate closest to `name` (normalised edit distance), if reasonably close. */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  const key = normalizeName(name);
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const ck = normalizeName(c);
    const d = ck.includes(key) || key.includes(ck) ? Math.abs(ck.length - key.length) * 0.5 : distance(key, ck);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
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
 * (issue 14.6; schemas/ checks it), here so that a command shapes its JSON without loading
 * the renderers. Only for objects whose keys are field names, never data.
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

/**
 * What `--by` names: one column (`--by site`, a string, as before) or several
 * (`--by site,therapist`, `by: [site, therapist]`). Several columns are nested: each cell is
 * one combination of their values that occurs in the data (site S1 and therapist T02), with
 * the suppression rule applied to each cell (docs/report.md, "Several grouping columns").
 */
export type By = string | readonly string[];

/** The columns a `by` names, in order (none for undefined, null or an empty list). */
export function byColumns(by: By | null | undefined): string[] {
  if (by === undefined || by === null) return [];
  return typeof by === 'string' ? (by === '' ? [] : [by]) : [...by];
}

/** The separator between the columns of a nested `by` and between the values of a cell. */
export const CELL_SEPARATOR = ' / ';

/**
 * A group table without its `by`, for the JSON documents: the grouping is options.by there,
 * in every command (docs/report.md, "by in JSON").
 */
export function withoutBy<T extends { by: By }>(groups: T): Omit<T, 'by'> {
  const { by: _by, ...rest } = groups;
  return rest;
}

/** A `by` as people read it: 'site', or 'site / therapist'. */
export function byLabel(by: By | null | undefined): string {
  return byColumns(by).join(CELL_SEPARATOR);
}

/** A list of one column is that column: the single-column output stays as it was. */
export function normalizeBy(list: readonly string[] | undefined): By | undefined {
  if (list === undefined || list.length === 0) return undefined;
  return list.length === 1 ? list[0] : [...list];
}

/**
 * A cell in words, for chart labels and sentences: 'therapist T01' for one column,
 * 'site S1, therapist T02' for several (the label split at CELL_SEPARATOR).
 */
export function cellWords(by: By | null | undefined, cell: string): string {
  const columns = byColumns(by);
  const values = cell.split(CELL_SEPARATOR);
  if (columns.length <= 1 || values.length !== columns.length) return `${byLabel(by)} ${cell}`;
  return columns.map((c, i) => `${c} ${values[i]}`).join(', ');
}

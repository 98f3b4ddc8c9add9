/**
 * The cells of a `--by` (one column, or several nested) during a scan, for correlate, trend
 * and ruptures. The names of a `by` (byColumns, byLabel) are in names.ts.
 */
import type { Dataset, SessionRow } from '../dataset/types.js';
import { UserError } from '../errors.js';
import { byColumns, CELL_SEPARATOR, type By } from '../names.js';

/** Which mapped column a `--by` names: a group column (by index) or the therapist column. */
export interface ByColumn {
  kind: 'therapist' | 'group' | null;
  /** Index into `ds.mapping.groups` when kind is 'group'; -1 otherwise. */
  groupIndex: number;
}

/**
 * Resolves `--by NAME` against the dataset's mapping (a group column first, then the therapist
 * column by its name or the word "therapist"; case does not matter); undefined gives no
 * grouping. A name that is neither is a UserError listing the columns that can be used.
 */
export function resolveByColumn(ds: Dataset, by: string | undefined): ByColumn {
  if (by === undefined) return { kind: null, groupIndex: -1 };
  const norm = (s: string) => s.trim().toLowerCase();
  const gi = ds.mapping.groups.findIndex((g) => g.name === by);
  const loose = gi >= 0 ? gi : ds.mapping.groups.findIndex((g) => norm(g.name) === norm(by));
  if (loose >= 0) return { kind: 'group', groupIndex: loose };
  const t = ds.mapping.therapist;
  if (t && (norm(by) === norm(t.name) || norm(by) === 'therapist')) {
    return { kind: 'therapist', groupIndex: -1 };
  }
  const known = [t?.name, ...ds.mapping.groups.map((g) => g.name)].filter(Boolean);
  throw new UserError(`--by ${by}: no such therapist or group column`, {
    hint: known.length > 0 ? `use one of: ${known.join(', ')}` : 'map it with --therapist COL or --group COL first',
  });
}

/**
 * The cells of a `by` during a scan: `read` gives a row's cell index (-1 when a row has no
 * value in one of the columns), `levels` the cells' labels by index ('S1', or 'S1 / T02'),
 * `values` a cell's value per column. With one column the cell index is the column's own
 * level index (the therapist or group level), as before.
 */
export interface GroupKey {
  /** The mapped names of the columns (as in the header). */
  columns: string[];
  /** The `by` as results carry it: a string for one column, the list for several. */
  by: By;
  read(row: SessionRow): number;
  levels(): string[];
  values(cell: number): string[];
}

/** The GroupKey of a `by` (null when there is none). */
export function groupKey(ds: Dataset, by: By | null | undefined): GroupKey | null {
  const names = byColumns(by);
  if (names.length === 0) return null;
  const parts = names.map((n) => {
    const c = resolveByColumn(ds, n);
    return c.kind === 'therapist'
      ? { name: ds.mapping.therapist!.name, read: (row: SessionRow) => row.therapist, levels: () => ds.therapists }
      : { name: ds.mapping.groups[c.groupIndex].name, read: (row: SessionRow) => row.groups[c.groupIndex], levels: () => ds.groupLevels[c.groupIndex] };
  });
  const columns = parts.map((p) => p.name);
  if (parts.length === 1) {
    const p = parts[0];
    return { columns, by: columns[0], read: p.read, levels: p.levels, values: (cell) => [p.levels()[cell] ?? String(cell)] };
  }
  // Several columns: a cell is a combination of level indices, interned in the order met.
  const cellOf = new Map<string, number>();
  const combos: number[][] = [];
  const labels: string[] = [];
  const values = (cell: number): string[] => combos[cell].map((li, j) => parts[j].levels()[li] ?? String(li));
  return {
    columns,
    by: columns,
    read: (row) => {
      const idx: number[] = [];
      for (const p of parts) {
        const li = p.read(row);
        if (li < 0) return -1;
        idx.push(li);
      }
      const key = idx.join(',');
      let cell = cellOf.get(key);
      if (cell === undefined) {
        cell = combos.length;
        combos.push(idx);
        cellOf.set(key, cell);
      }
      return cell;
    },
    levels: () => {
      // Labels of the cells met so far (cached: a scan may ask for them row by row).
      while (labels.length < combos.length) labels.push(values(labels.length).join(CELL_SEPARATOR));
      return labels;
    },
    values,
  };
}

/**
 * The cell a client's client-level figures count in (trend's change, ruptures' class and
 * episodes): the level of the client's first session, in session order, that has one
 * (`cells[k] >= 0`, k < n); -1 when none has. A client who changes group mid-treatment
 * counts there once; their sessions count in their own groups (docs/report.md, "Clients
 * who change group").
 */
export function clientCell(cells: ArrayLike<number>, n: number): number {
  for (let k = 0; k < n; k++) if (cells[k] >= 0) return cells[k];
  return -1;
}

/** Orders cells by their values column by column (the first column, then the second, ...). */
export function compareCells(a: readonly string[], b: readonly string[]): number {
  for (let j = 0; j < Math.min(a.length, b.length); j++) {
    if (a[j] !== b[j]) return a[j] < b[j] ? -1 : 1;
  }
  return a.length - b.length;
}

/**
 * Reads a fixture CSV into an in-memory Dataset (test/helpers/memory-dataset.ts), so the
 * trend analysis can be checked without the CSV layer.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { memoryDataset, type MemoryMeasure, type MemoryRow } from '../helpers/memory-dataset.js';
import type { Dataset } from '../../src/dataset/types.js';

export interface FixtureSpec {
  file: string;
  client: string;
  session: string;
  date?: string;
  therapist?: string;
  measures: (MemoryMeasure & { column: string })[];
  groups?: string[];
  /** Reorder rows (for order-invariance tests). */
  permute?: (rows: MemoryRow[]) => MemoryRow[];
}

export function fixtureDataset(spec: FixtureSpec): Dataset {
  const recs = parse<Record<string, string>>(readFileSync(spec.file, 'utf8'), { columns: true, skip_empty_lines: true });
  const num = (s: string | undefined): number | undefined => {
    if (s === undefined || s === '' || s === 'NA') return undefined;
    const v = Number(s);
    return Number.isFinite(v) ? v : undefined;
  };
  let rows: MemoryRow[] = recs.map((r) => ({
    client: r[spec.client],
    session: Number(r[spec.session]),
    date: spec.date ? r[spec.date] || undefined : undefined,
    therapist: spec.therapist ? r[spec.therapist] : undefined,
    groups: (spec.groups ?? []).map((g) => r[g] || undefined),
    values: spec.measures.map((m) => num(r[m.column])),
  }));
  if (spec.permute) rows = spec.permute(rows);
  const ds = memoryDataset(
    spec.measures.map((m) => ({ name: m.name, role: m.role, instrument: m.instrument })),
    rows,
    spec.groups ?? [],
  );
  if (spec.therapist) ds.mapping.therapist = { name: spec.therapist, index: 99, how: 'flag' };
  if (spec.date) ds.mapping.date = { name: spec.date, index: 98, how: 'flag' };
  return ds;
}

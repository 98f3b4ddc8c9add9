/**
 * What people call a measure column in the report's cards: the config's `labels` entry
 * (`labels: {srs_total: "Alliance (SRS)"}`), else its role and instrument ("Alliance (SRS)",
 * "Outcome (PHQ-9)"), else the column's name. Tables keep the column names (they are what
 * the export calls them, and what the flags take).
 */
import type { Mapping } from '../dataset/types.js';

export type NameOf = (column: string) => string;

export function measureNames(mapping: Pick<Mapping, 'measures'>, labels: Record<string, string> = {}): NameOf {
  const byLower = new Map(Object.entries(labels).map(([k, v]) => [k.toLowerCase(), v]));
  return (column) => {
    const given = labels[column] ?? byLower.get(column.toLowerCase());
    if (given !== undefined) return given;
    const m = mapping.measures.find((x) => x.name === column);
    if (m?.instrument) return `${m.role === 'alliance' ? 'Alliance' : 'Outcome'} (${m.instrument.id})`;
    return column;
  };
}

/**
 * One result model, several renderers (csvkit's rule: compute once, render many ways, so
 * formats cannot drift apart). A command builds a ResultDocument from its analysis result;
 * src/report/render.ts turns it into a terminal table, CSV, JSON or Markdown.
 *
 * Numbers stay at full precision in the model. Rounding happens only when a table is
 * rendered for people (terminal, Markdown), as declared by each column's `format`.
 */
import type { Sequence } from '../sequence.js';

/** How a number is shown in human-facing tables. JSON and CSV always carry full precision. */
export type Format =
  | { kind: 'text' }
  | { kind: 'int' }
  /** Fixed decimals, rounded as R's sprintf/formatC does (exact binary value, ties to even). */
  | { kind: 'fixed'; digits: number }
  /** p-values: `<0.001` below 0.001, else 3 decimals (digits configurable). */
  | { kind: 'p'; digits?: number }
  /** Percent of a proportion (0.25 -> 25.0%). */
  | { kind: 'percent'; digits: number }
  /** Interval [low, high] with fixed decimals; `percent`: of a proportion, as [25.0%, 40.2%]. */
  | { kind: 'interval'; digits: number; percent?: boolean };

export type Cell = string | number | boolean | null | readonly [number, number];

export interface Column {
  key: string;
  header: string;
  format?: Format;
  /** Per-row format for columns that mix kinds (e.g. a metric/value overview); wins over `format`. */
  formatFor?: (row: Record<string, Cell>) => Format | undefined;
  align?: 'left' | 'right';
}

export type Row = Record<string, Cell>;
export type TableRows = Row[] | Sequence<Row>;

export interface TableModel {
  /** Stable id, used for CSV file names in reports (e.g. "correlations"). */
  id: string;
  title: string;
  columns: Column[];
  /**
   * The rows: an array, or a Sequence (src/sequence.ts) made one row at a time while it is
   * written (a per-client table of a million clients); read them with `for ... of` and
   * `.length`, or `toArray` for small tables.
   */
  rows: TableRows;
  /** Lines shown under the table (methods, suppression, warnings). */
  notes?: string[];
}

/**
 * A warning about the results, shown apart from the method notes (src/report/warnings.ts).
 * `group` names the --by group it is about; warnings with the same code and summary for
 * several groups are shown as one line listing the groups.
 */
export interface DocWarning {
  /** Stable code (the analysis's warning code, e.g. 'simpson'). */
  code: string;
  /** The full sentence. */
  message: string;
  group?: { column: string; value: string; summary: string };
}

export interface ResultDocument {
  /** Heading for people (terminal, Markdown). */
  title: string;
  /** Lines shown before the tables (e.g. which column was mapped to what). */
  preface?: string[];
  tables: TableModel[];
  /** Lines shown after all tables. */
  notes?: string[];
  /** Warnings about the results, shown after the notes and never dimmed. */
  warnings?: DocWarning[];
  /** The id of the table `--format csv` writes (default: the first). */
  csvTable?: string;
  /** The stable, documented JSON payload of the command (full precision). */
  json: unknown;
}

export const F = {
  text: { kind: 'text' } as Format,
  int: { kind: 'int' } as Format,
  fixed: (digits: number): Format => ({ kind: 'fixed', digits }),
  p: { kind: 'p' } as Format,
  percent: (digits = 1): Format => ({ kind: 'percent', digits }),
  interval: (digits: number): Format => ({ kind: 'interval', digits }),
  /** The interval of a proportion in percent, beside a `percent` column with the same digits. */
  percentInterval: (digits = 1): Format => ({ kind: 'interval', digits, percent: true }),
};

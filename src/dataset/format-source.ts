/**
 * What the input formats and layouts add to a TableSource (./source.ts), all optional, and
 * the two places the dataset layer uses it:
 *
 * - `mapInput` maps a source's header (./mapping.ts) and then lets the source know the
 *   roles (a workbook turns Excel serial numbers in the date column into dates; an SPSS
 *   file applies value labels to columns that are not measures), puts the source's notes
 *   (sheet chosen, title rows skipped, labels, wide reshaping, REDCap recognition) into the
 *   mapping notes, and takes the client column a layout names (REDCap: record_id).
 * - `fileFacts` gives Dataset.files what was read and how (`describe` and `validate` say it),
 *   and where a cell is in the format's own terms (findings' `cell`).
 *
 * Binary formats are read by src/io (./formats.ts's sniffed format): their TableInput is
 * adapted here by `fromTableInput`.
 */
import type { Location } from '../errors.js';
import type { RangeCsvInput } from '../io/csv.js';
import type { ColumnRoles, TableInput } from '../io/table.js';
import { mapFile, type FileMapping, type HeaderAt } from './mapping.js';
import type { TableSource } from './source.js';
import type { ColumnRef, ReadOptions } from './types.js';

export interface FormatSource extends TableSource {
  /** How the output names what was read: 'CSV', "Excel workbook (sheet 'Sessions')", 'SPSS .sav', ... */
  description?: string;
  /** How a wide file or REDCap export was reshaped (absent: long, one row per session). */
  layout?: string;
  /** Lines for the mapping notes. */
  notes?: string[];
  /** Column labels (SPSS variable labels), by field. */
  labels?: (string | null)[];
  /** Columns the layout names (REDCap: record_id is the client). */
  roles?: { client?: string };
  /** Told the mapped roles once, before any read. */
  configure?(roles: ColumnRoles): void;
  /** The input's own line (row, case) of a record number, when a layout renumbers records. */
  sourceLine?(line: number): number;
}

/**
 * The TableSource every reader's input gives: its names, size, header, dialect and reads;
 * `locate` places a cell (lineColumn for delimited text).
 */
export function sourceOf(input: RangeCsvInput, format: string, locate: TableSource['locate']): TableSource {
  const readRanges = input.readRanges;
  return {
    format,
    path: input.path,
    display: input.display,
    bytes: input.bytes,
    header: input.header,
    headerLine: input.headerLine,
    encoding: input.dialect.encoding,
    delimiter: input.dialect.delimiter,
    decimal: input.dialect.decimal,
    digest: () => input.digest(),
    read: (onRecord, options) => input.read(onRecord, options),
    readRanges: readRanges ? (onRecord, options) => readRanges(onRecord, options) : null,
    locate,
  };
}

/** FILE:LINE:COLUMN of a field (the column by its header name, else its 1-based number); the line alone for field < 0. */
export function lineColumn(display: string, header: readonly string[]): TableSource['locate'] {
  return (line: number, field: number): Location => {
    if (field < 0) return { file: display, line };
    const h = header[field];
    return { file: display, line, column: h !== undefined && h.trim() !== '' ? h : field + 1 };
  };
}

/** A src/io TableInput (workbook, SPSS, Parquet, compressed CSV) as a TableSource. */
export function fromTableInput(input: TableInput, format: string): FormatSource {
  const own = input.locate?.bind(input);
  const locate = own ? (line: number, field: number): Location => ({ file: input.display, cell: own(line, field) }) : lineColumn(input.display, input.header);
  return {
    ...sourceOf(input, format, locate),
    description: input.format,
    notes: input.notes,
    ...(input.labels ? { labels: input.labels } : {}),
    ...(input.configure ? { configure: input.configure.bind(input) } : {}),
  };
}

/** mapFile for a source: with the layout's client column, telling the source the roles, and with its notes. */
export function mapInput(source: TableSource, options: ReadOptions, at: HeaderAt): FileMapping {
  const inp = source as FormatSource;
  const client = inp.roles?.client;
  const opts = client !== undefined && options.client === undefined ? { ...options, client } : options;
  const fm = mapFile(inp.header, opts, at);
  if (opts !== options) {
    // The layout (a REDCap export) named the client column, not the user.
    const was = `client <- '${fm.client.name}' (--client)`;
    fm.client.how = 'detected';
    fm.notes = fm.notes.map((n) => (n === was ? `client <- '${fm.client.name}' (record_id of a REDCap export)` : n));
  }
  inp.configure?.({ client: fm.client.index, dates: fm.date ? [fm.date.index] : [], measures: fm.measures.map((m) => m.index) });
  const labelled = [fm.client, fm.session, fm.date, fm.therapist, ...fm.measures, ...fm.groups]
    .filter((r): r is ColumnRef => r !== undefined && (inp.labels?.[r.index] ?? null) !== null)
    .map((r) => `'${r.name}' (${inp.labels![r.index]})`);
  if (inp.description !== undefined && inp.format !== 'csv') fm.notes.unshift(`read as ${inp.description}`);
  if (labelled.length > 0) fm.notes.push(`variable labels: ${labelled.join(', ')}`);
  fm.notes.push(...(inp.notes ?? []));
  return fm;
}

/** What Dataset.files says about a source beyond the CSV dialect. */
export function fileFacts(source: TableSource): {
  format: string;
  layout: string;
  locate?: (line: number, field: number) => string | undefined;
  sourceLine?: (line: number) => number;
} {
  const inp = source as FormatSource;
  const plain = inp.format === 'csv' && inp.layout === undefined;
  return {
    format: inp.description ?? (inp.format === 'csv' ? 'CSV' : inp.format),
    layout: inp.layout ?? 'long',
    ...(plain ? {} : { locate: (line: number, field: number) => inp.locate(line, field).cell }),
    ...(inp.sourceLine ? { sourceLine: inp.sourceLine.bind(inp) } : {}),
  };
}

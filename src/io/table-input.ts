/**
 * The contract of src/io's readers for inputs that are not plain CSV (./table.ts opens them):
 * the CSV layer's CsvInput plus what the dataset layer needs, and the cell-text helpers the
 * readers share (so each hands over the text the CSV path would have read).
 */
import type { RangeCsvInput } from './csv.js';
import { checkHeap } from './heap.js';
import type { Source } from './source.js';
import type { DialectOptions } from './types.js';

/** What the dataset layer tells a reader once the header is mapped. */
export interface ColumnRoles {
  /** Field index of the client column (-1 none). */
  client: number;
  /** Field indexes read as dates (a workbook turns Excel serial numbers there into dates). */
  dates: number[];
  /** Field indexes read as measures (SPSS value labels are not applied there). */
  measures: number[];
}

export interface TableInput extends RangeCsvInput {
  /** Short name: 'csv', 'csv.gz', 'zip', 'xlsx', 'sav', 'zsav', 'parquet'. */
  kind: string;
  /** What was read, for the output: 'CSV', 'gzip-compressed CSV', 'Excel workbook (sheet Sessions)', ... */
  format: string;
  /** How the table was laid out when not one row per session (said in the output). */
  layout?: string;
  /** Notes for the mapping section (sheet choice, labels applied, ...). */
  notes: string[];
  /** A cell's place in the format's own terms; absent for CSV (FILE:LINE:COLUMN is its own term). */
  locate?(line: number, field: number): string;
  /** The file's own line of a record number, when a layout renumbers records (wide: one record per session). */
  sourceLine?(line: number): number;
  /** A column's label (SPSS variable label), shown beside the column in the mapping. */
  labels?: (string | null)[];
  /** Column names the layout decided (REDCap: record_id is the client). */
  roles?: { client?: string; session?: string; groups?: string[] };
  /** Called once after mapping and before any read. */
  configure?(roles: ColumnRoles): void;
}

export interface TableOptions extends DialectOptions {
  /** --sheet NAME or 1-based number, for workbooks. */
  sheet?: string;
  /** Header recogniser for choosing a workbook sheet and skipping title rows. */
  looksLikeHeader?: (cells: string[]) => boolean;
}

/** A1-style column letters of a 0-based column index. */
export function columnLetters(col: number): string {
  let s = '';
  let n = col + 1;
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/**
 * Shortest text that parses back to the same double (as the CSV path would read it); NaN
 * (how pandas and others write a missing float) as missing. An infinity reads as the text
 * `Infinity`, which the CSV path takes for a value that is not a number, so it is reported
 * (validate) and counted unusable, never taken for a missing cell.
 */
export function numberText(v: number): string {
  return v === v ? String(v) : '';
}

const DAY_MS = 86_400_000;
const dayText = new Map<number, string>();

/** The largest time a Date holds (ECMA-262 21.4.1.1: 100,000,000 days either side of 1970). */
const MAX_TIME_MS = 8.64e15;

/**
 * yyyy-mm-dd of a UTC millisecond time ('' when invalid, also past the times a Date holds,
 * where toISOString would throw); with a time of day when there is one.
 */
export function isoDate(ms: number): string {
  if (!(Math.abs(ms) <= MAX_TIME_MS)) return '';
  if (ms % DAY_MS === 0) {
    // Whole days (most dates): the text of each day is made once.
    let s = dayText.get(ms);
    if (s === undefined) {
      s = new Date(ms).toISOString().slice(0, 10);
      if (dayText.size < 1 << 16) dayText.set(ms, s);
    }
    return s;
  }
  const d = new Date(ms);
  const iso = d.toISOString();
  return d.getUTCHours() === 0 && d.getUTCMinutes() === 0 && d.getUTCSeconds() === 0 && d.getUTCMilliseconds() === 0 ? iso.slice(0, 10) : iso.slice(0, 19);
}

/**
 * A binary reader's TableInput (workbook, SPSS, Parquet): the source's names, size and
 * digest (settled when the reader read the file whole: a snapshot or a workbook load), no
 * text dialect and no byte-range path, plus what the reader gives.
 */
export function binaryInput(source: Source, input: Omit<TableInput, 'path' | 'display' | 'bytes' | 'dialect' | 'readRanges' | 'digest'>): TableInput {
  return {
    path: source.path,
    display: source.display,
    bytes: source.bytes,
    digest: () => source.digest.get(),
    dialect: { delimiter: '', encoding: 'utf8', bom: false, decimal: '.', lineEnding: '\n' },
    readRanges: null,
    ...input,
    // The heap guard (./heap.ts) every 16,384 records: these readers have no chunk loop of ours.
    read: (onRecord, options) => {
      let n = 0;
      return input.read((fields, line) => {
        if ((++n & 16383) === 0) checkHeap(() => ({ file: source.display }));
        onRecord(fields, line);
      }, options);
    },
  };
}

/**
 * TableSource: the one seam between an input format and the dataset layer.
 *
 * Every input format (a CSV export today; workbooks, SPSS files, Parquet, wide and REDCap
 * layouts next) is read through this interface, and everything above it is shared:
 * column mapping (./mapping.ts), planning (./plan.ts: which file is what, how files are
 * concatenated or joined, where session numbers come from), date detection (./dates.ts),
 * the one cell-interpretation core (./cells.ts: missing markers, decimal marks, instrument
 * ranges, missing codes), session numbering (./numbering.ts), joins (./join.ts) and the scan
 * (./open.ts). A format supplies a header, its records as cells, and where each cell is.
 *
 * How a new format plugs in:
 *
 * 1. Write `open<Format>(path, options, io): Promise<TableSource>` (in src/io/ or here).
 *    `header` is the column names as the user sees them (for a wide file: the LONG header
 *    the reshaping produces, e.g. client, session, srs, ors; the source reshapes while
 *    streaming). Opening reads only what it needs for the header; failures are UserErrors
 *    with a location in the format's own terms (see `locate`).
 * 2. `read` streams the data records once per call, in order, any number of times (the
 *    dataset layer reads a file more than once: date detection, numbering pre-pass, scans).
 *    Each record is handed as `fields` (the text of every cell: what a message shows, what
 *    missing-marker tokens such as "NA" or "-99" are compared with; '' for an empty cell)
 *    and, for formats that store types, `typed` (a number or a date per cell, NaN where the
 *    cell holds no value of that type). A typed number is used as it is (no parsing, no
 *    decimal mark); a typed date is used as it is (no day/month detection). Everything else
 *    is interpreted from the text exactly as for a CSV cell, so missing codes, instrument
 *    ranges and integer checks are the same in every format.
 * 3. `line` is the record's number as messages show it: the physical line for a CSV, the
 *    sheet row for a workbook, the case number for SPSS. It must increase through the file.
 *    `locate(line, field)` turns it and a 0-based field index into a Location in the
 *    format's own terms: `{ file, line, column }` for a CSV (data.csv:12:3), or a `cell`
 *    label that replaces line and column (data.xlsx:Sessions!C12, data.sav:case 12, age).
 * 4. Add the format to FORMATS in ./formats.ts (recognised by content or name; CSV is the
 *    fallback). Nothing else changes: every command, `validate` and `alliance report` read
 *    the new format.
 *
 * `readRanges` is an optional fast path (the CSV reader's, for UTF-8 input): records as byte
 * ranges, so numbers are parsed without making strings. Other formats leave it null.
 */
import type { Location } from '../errors.js';
import type { ReadDigest } from '../io/digest.js';
import type { RangeHandler } from '../io/scanner.js';
import type { RangeReadOptions } from '../io/csv.js';

/** Typed cell values of one record, by field index (only for formats that store types). */
export interface TypedCells {
  /** The cell's number when it is stored as a number (not a date), else NaN. */
  numbers: Float64Array;
  /** The cell's date as days since 1970-01-01 (UTC) when it is stored as a date, else NaN. */
  dates: Float64Array;
}

/**
 * One record. `fields` (and `typed`) are reused between calls: copy what you keep. When
 * `TableReadOptions.fields` was given only those indexes need to be filled (others are '').
 * Records with a different field count than the header are still delivered (validate reports
 * them as ragged); `fields.length` is the actual count.
 */
export type TableRecordHandler = (fields: string[], line: number, typed?: TypedCells) => void;

export interface TableReadOptions {
  /** Only these field indexes are read (a projection; a format may still fill all). */
  fields?: number[];
  /** Progress: bytes (or an equivalent measure of the input) consumed so far. */
  onProgress?: (bytesRead: number) => void;
}

export interface TableReadStats {
  /** Data records delivered (ragged ones included). */
  records: number;
}

export interface TableSource {
  /** The format's name as the output says it ('csv', 'xlsx', 'sav', ...). */
  format: string;
  /** As given by the user ("-" for standard input). */
  path: string;
  /** How findings and errors name this input. */
  display: string;
  /** Size of the input in bytes (decides which side of a join is held in memory). */
  bytes: number;
  /** Column names, as the user sees them. */
  header: string[];
  /** The header's `line` (for a CSV the physical line, normally 1). */
  headerLine: number;
  /** For the file summary: the text encoding ('utf8', ...; a binary format names itself). */
  encoding: string;
  /** For the file summary: the field delimiter ('' for formats without one). */
  delimiter: string;
  /** The decimal mark of numbers held as text ('.' unless the input says otherwise). */
  decimal: '.' | ',';
  /**
   * Size and SHA-256 of the input's bytes as its reads read them (src/io/digest.ts): null
   * until it has been read whole (a binary input is, when opened); a later whole read that
   * finds other bytes throws a UserError.
   */
  digest(): ReadDigest | null;
  /** Streams the data records (see TableRecordHandler); throws UserError on malformed input. */
  read(onRecord: TableRecordHandler, options?: TableReadOptions): Promise<TableReadStats>;
  /** Optional fast path: the records as byte ranges (UTF-8 text formats only), else null. */
  readRanges: ((onRecord: RangeHandler, options?: RangeReadOptions) => Promise<TableReadStats>) | null;
  /** Where field `field` (0-based; -1: the whole record) of the record at `line` is, for messages. */
  locate(line: number, field: number): Location;
}

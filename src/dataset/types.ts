/**
 * The contract between reading and analysis.
 *
 * Reading (src/io + src/dataset) turns one or more CSV exports into a stream of
 * SessionRow values with every cell already interpreted (numbers, dates, missing
 * markers) and every client id interned to a dense integer. Analyses consume rows
 * through `Dataset.scan` and keep only the per-client state they need, so memory does
 * not grow with the number of rows.
 */
import type { Instrument } from '../instruments/types.js';
import type { ReadDigest } from '../io/digest.js';
import type { RangeRecord } from '../io/scanner.js';
import type { StartPiece } from '../io/parallel/reduce.js';

export type DateFormat = 'iso' | 'dmy' | 'mdy' | 'dmy.';

/** Everything the command-line flags (or a config file) say about the input. */
export interface ReadOptions {
  client?: string;
  session?: string;
  date?: string;
  therapist?: string;
  /** Measure columns by role. */
  alliance?: string[];
  outcome?: string[];
  /** Grouping columns (site, modality, ...). */
  groups?: string[];
  /**
   * The columns among `groups` that are there only because a --by asked for them: one that
   * turns out to be the therapist column (named or detected) stays the therapist, not a group.
   */
  byGroups?: string[];
  /** Column name -> instrument id (from `--instrument COL=ID`). */
  instruments?: Record<string, string>;
  /** Instrument field overrides from a config file, by instrument id. */
  instrumentOverrides?: Record<string, Partial<Record<string, unknown>>>;
  delimiter?: string;
  encoding?: 'utf8' | 'utf16le' | 'utf16be' | 'latin1';
  decimal?: '.' | ',';
  dateFormat?: DateFormat;
  /** Extra missing-value tokens (added to the defaults). */
  missing?: string[];
  /** How to join exports with different columns: on client+session (default) or client+date. */
  joinOn?: 'session' | 'date';
  /** Workbook sheet to read (name, or 1-based number as text). */
  sheet?: string;
  /** Read as wide: true (detect the column pattern) or a pattern such as '{measure}_t{session}'. */
  wide?: boolean | string;
  /** Show identifier-like client, therapist and group values as they are, not as pseudonyms (./pseudonyms.ts). */
  showIdentifiers?: boolean;
  /** Reference date for "future date" checks (ISO); defaults to today. */
  today?: string;
  /** Threads that read a large UTF-8 CSV (src/io/parallel/); default 1. */
  threads?: number;
  /**
   * Where each option came from (added): 'config' when it was read from --config, else the
   * command line. Only used to word Mapping.notes ("(flag)" vs "(config)").
   */
  origin?: Partial<Record<string, 'flag' | 'config'>>;
}

export interface ColumnRef {
  /** Header text as in the file. */
  name: string;
  /** 0-based field index in the file. */
  index: number;
  /** How the column was chosen, shown to the user. */
  how: 'flag' | 'config' | 'detected';
}

export interface MeasureBinding extends ColumnRef {
  role: 'alliance' | 'outcome';
  /** null: a plain numeric column, no range checks (said so in the output). */
  instrument: Instrument | null;
  instrumentHow: 'flag' | 'config' | 'detected' | 'none';
}

/** Where session numbers come from. */
export type SessionSource = 'column' | 'date' | 'column+date' | 'file-order';

export interface FileInfo {
  /** As given by the user ("-" for stdin). */
  path: string;
  /** Display name used in findings (path as given). */
  display: string;
  bytes: number;
  /** Data records in the file (ragged ones included); 0 until the first scan has read it. */
  rows: number;
  /**
   * Size and SHA-256 of the bytes the reads read (src/io/digest.ts; what a report's manifest
   * records); null until the input has been read whole.
   */
  digest: ReadDigest | null;
  encoding: string;
  delimiter: string;
  decimal: '.' | ',';
  header: string[];
  /**
   * The header's line: a CSV's physical line (normally 1; 2 after a `sep=` line), a
   * workbook's sheet row; 0 for SPSS and Parquet, whose header is no line.
   */
  headerLine: number;
  /** What was read: 'CSV', 'gzip-compressed CSV', 'Excel workbook (sheet ...)', 'SPSS .sav', 'Parquet (...)'. */
  format?: string;
  /** 'long', or how a wide file or a REDCap export was reshaped (absent: 'long'). */
  layout?: string;
  /** A cell's place in the format's own terms (sheet and cell, case and variable); absent for CSV. */
  locate?: (line: number, field: number) => string | undefined;
  /** The file's line (sheet row, case) of a record number when the layout renumbered records (wide). */
  sourceLine?: (line: number) => number;
}

export interface Mapping {
  client: ColumnRef;
  session?: ColumnRef;
  date?: ColumnRef;
  therapist?: ColumnRef;
  /** Alliance measures first, then outcome measures; SessionRow.values follows this order. */
  measures: MeasureBinding[];
  groups: ColumnRef[];
  sessionSource: SessionSource;
  /** Human-readable lines: which column was taken for what, and why. */
  notes: string[];
}

/**
 * One session, fully interpreted. The scanner reuses one object per call: copy what you
 * keep. Missing values are NaN.
 */
export interface SessionRow {
  /** Index into Dataset.files. */
  file: number;
  /** 1-based physical line where the record starts. */
  line: number;
  /** Dense client index into Dataset.clients (interned id). */
  client: number;
  /** Session number (from the column, the date order, or file order). */
  session: number;
  /** Days since 1970-01-01 (UTC), NaN when there is no date. */
  date: number;
  /** Index into Dataset.therapists, -1 when absent. */
  therapist: number;
  /** One level index per Mapping.groups entry (into Dataset.groupLevels[g]), -1 when empty. */
  groups: Int32Array;
  /** One value per Mapping.measures entry; NaN when missing or unusable. */
  values: Float64Array;
}

/** A cell that could not be used as given (reported by validate, counted by analyses). */
export interface CellIssue {
  code: string;
  file: number;
  line: number;
  /** 0-based field index. */
  field: number;
  value: string;
}

export interface ScanStats {
  rows: number;
  /** Rows dropped because the client id was missing. */
  rowsWithoutClient: number;
  /** Per measure: cells treated as missing because they were unusable (not numeric, out of range, missing code). */
  unusable: number[];
  /** Per measure: of the unusable cells, those out of the instrument's range and those that were a missing code (the rest were not numeric). */
  outOfRange: number[];
  missingCode: number[];
  /** Per measure: cells that were missing markers. */
  missing: number[];
  /** Rows of a joined input that found no partner, per side. */
  unmatched?: { left: number; right: number };
  /** Records whose field count differs from the header (not delivered; added). */
  ragged?: number;
  /**
   * Rows with a blank session number (sessions from a column, dates in every file): how
   * many were numbered or placed by date and how many left out, by reason. Absent when
   * every row has a session number.
   */
  blankSessions?: BlankSessions;
}

/** What a scan delivers besides the rows (Dataset.scan's options; all optional). */
export interface ScanOptions {
  /** Every cell that could not be used as given (validate reports them). */
  onIssue?: (issue: CellIssue) => void;
  /**
   * Every raw record (all fields materialised, before interpretation), for checks that need
   * unmapped columns (privacy, ragged rows, covariates). Slower: omit when not needed.
   */
  onRaw?: (fields: string[], line: number, file: number) => void;
  /**
   * The same hook on a record as byte ranges, given with onRaw: where the input has a byte
   * path (UTF-8 CSV), the scan keeps it and calls this instead of onRaw (the fields' text is
   * `fieldText(rec, k)`; `rec` is reused, nothing in it may be kept). Without it onRaw makes
   * the scan take the string path.
   */
  onRawRange?: (rec: RangeRecord, line: number, file: number) => void;
  /**
   * Which parts of a row the caller reads; everything when absent. A part that is not
   * needed is not parsed (`row.date` is NaN, `row.therapist` and `row.groups` are -1), no
   * issues are reported for it (e.g. date.invalid, or a date contradicting the detected
   * format), and therapists / group levels seen only in such a scan are not interned. Dates
   * are read anyway when the session numbers or a join come from them. `measures` lists the
   * measures read (indices into mapping.measures; all when absent): the others are NaN in
   * every row, and their cells are neither parsed nor counted in the stats or issues.
   */
  need?: { date?: boolean; therapist?: boolean; groups?: boolean; measures?: readonly number[] };
  /** Progress of this scan (wins over the one the dataset was opened with). */
  progress?: ScanProgress;
  /**
   * Client runs reduced in the read's worker threads (./range-runs.ts): used only when the
   * input is read on several threads and the scan allows it (one UTF-8 CSV part or parts
   * concatenated, session numbers from the column (with or without dates), no onIssue, onRaw or onRawRange, no numeric
   * --missing token); the runs it reduces reach `onRun` instead of `onRow`, in their place.
   */
  reduce?: RowReduction;
}

/** A command's reduction of client runs in the read's workers (ScanOptions.reduce). */
export interface RowReduction {
  /** The URL of the compiled module that exports `reducePiece` (made with range-runs.ts's pieceReducer). */
  module: string;
  /** The command's settings for its RunReducer (structured-cloneable). */
  command: unknown;
  /** The module's `startPiece` as this thread has it (so the main thread can reduce pieces too), or absent. */
  start?: StartPiece;
  /** One reduced run, in its place among the rows: the client, its row count, and the floats its reducer wrote from `at`. */
  onRun(client: number, rows: number, floats: Float64Array, at: number): void;
  /**
   * The row kernel can take this reduction's pieces (./range-kernel.ts, KernelReduction):
   * a read on one thread then reduces its pieces itself when the layout has no date and no
   * label field, which is faster than interpreting the rows one by one.
   */
  oneThread?: boolean;
}

/**
 * Progress of long scans (given when the dataset is opened, or to one scan; see
 * cli/input.ts): rows delivered, and bytes of the inputs read.
 */
export interface ScanProgress {
  /** Called every 262,144 rows with the rows delivered so far. */
  rows(n: number): void;
  /**
   * Called as the inputs are read (every few MB, and at the end of each file) with the
   * bytes read so far in this scan, over all inputs, and the total of their sizes.
   */
  bytes?(read: number, total: number): void;
  /** Called once when a scan that reported rows ends (also on failure). */
  end(): void;
}

export interface Dataset {
  files: FileInfo[];
  mapping: Mapping;
  /** Interned ids; grows while scanning. */
  clients: string[];
  therapists: string[];
  groupLevels: string[][];
  /**
   * Stream every row once, in file order (files in the order given). May be called more
   * than once for file inputs; stdin is spooled so it can be re-read.
   */
  scan(onRow: (row: SessionRow) => void, options?: ScanOptions): Promise<ScanStats>;
  /**
   * A reader for a column the mapping does not bind (e.g. a model covariate), by header
   * name: its cells go through the same interpretation as a measure's (missing markers,
   * --missing, decimal mark, the instrument's range when the column names or is bound to
   * one). Optional for datasets that wrap another (they pass the inner one's through).
   */
  columnCells?(name: string): ColumnCells;
}

/** Why a row with a blank session number was left out (no number could be given). */
export const BLANK_REASONS = {
  noDate: 'no date',
  tie: 'same date as another session of the client',
  disordered: "the client's numbered sessions are not in date order",
  ambiguous: 'no unambiguous free session number at that date',
} as const;
export type BlankReason = keyof typeof BLANK_REASONS;

/**
 * What happened to rows with a blank session number when the sessions come from a column
 * and every file has dates (ScanStats.blankSessions).
 */
export interface BlankSessions {
  /** Clients whose session numbers were all blank, numbered 1..n by date, and their rows. */
  byDateClients: number;
  byDateRows: number;
  /** Clients with some numbered and some blank rows, and their blank rows placed by date. */
  mixedClients: number;
  mixedRows: number;
  placed: number;
  /** Per client with some numbered and some blank rows: its blank rows and how many were placed. */
  mixed: { client: number; blank: number; placed: number }[];
  /** Blank rows left out (session NaN), by reason. */
  excluded: Partial<Record<BlankReason, number>>;
}

/** What the last cell read by a ColumnCells was. */
export type CellKind = 'value' | 'missing' | 'unusable';

/** Reads the cells of one unmapped column (Dataset.columnCells; implemented in ./cells.ts). */
export interface ColumnCells {
  /** The instrument whose range applies (bound with --instrument or named by the header), or null. */
  readonly instrument: Instrument | null;
  /** What the last cell read was. */
  readonly last: CellKind;
  /** The cell's value (NaN when missing or unusable); `file` picks the decimal mark. */
  read(text: string, file: number, typed?: number): number;
}

/**
 * The contract of the CSV layer (src/io): bytes in, records out.
 *
 * `openCsv` opens one input (a path, or "-" for stdin, which is spooled to a temporary
 * file so it can be read more than once), decodes it (BOM-detected UTF-8/UTF-16, or the
 * --encoding given; invalid UTF-8 is a UserError naming --encoding latin1), sniffs the
 * dialect, reads the header, and returns a reader. `read` streams the records once per
 * call in file order.
 */
import type { DigestKind, ReadDigest } from './digest.js';

export interface DialectOptions {
  /** Forced delimiter; sniffed from , ; \t | when absent. */
  delimiter?: string;
  encoding?: 'utf8' | 'utf16le' | 'utf16be' | 'latin1';
  /** Forced decimal mark; detected for ;-separated files when absent. */
  decimal?: '.' | ',';
  /**
   * How errors name this input (CsvInput.display). Defaults to the path as given ("<stdin>"
   * for "-"). Callers that resolve a relative path against --cwd pass the user's spelling
   * here, so messages never show an absolute path the user did not type.
   */
  display?: string;
  /** What the input's reads hash (./digest.ts): CRC-32 unless SHA-256 is to be recorded (a report's manifest). */
  digest?: DigestKind;
  /**
   * Threads that read a large UTF-8 input (./parallel/: the main thread and N - 1 workers):
   * by default more than one only for describe and correlate on a large input with a core
   * free (see defaultThreads);
   * inputs under 8 MiB and other encodings are read on one thread whatever it says.
   */
  threads?: number;
}

export interface Dialect {
  delimiter: string;
  encoding: 'utf8' | 'utf16le' | 'utf16be' | 'latin1';
  bom: boolean;
  /** Decimal mark detected from the first rows ('.' unless `;`-separated with comma decimals). */
  decimal: '.' | ',';
  lineEnding: '\n' | '\r\n' | '\r';
}

/**
 * Called once per data record (not for the header). `fields` is reused between calls
 * (copy what you keep); `line` is the 1-based physical line on which the record starts.
 * When `ReadOptions.fields` was given, only those indexes are filled; others are ''.
 * Records with a different field count than the header are still delivered (validate
 * reports them as ragged); `fields.length` is the actual count.
 */
export type RecordHandler = (fields: string[], line: number) => void;

export interface ReadOptions {
  /** Only materialise these field indexes (projection for the hot path). */
  fields?: number[];
  /** Progress callback: bytes consumed so far (called at most every few MB). */
  onProgress?: (bytesRead: number) => void;
}

export interface ReadStats {
  records: number;
  bytes: number;
  /** Last physical line number of the file. */
  lines: number;
}

export interface CsvInput {
  /** As given on the command line ("-" for stdin). */
  path: string;
  /** How findings and errors name this input ("<stdin>" for "-"). */
  display: string;
  /** Size in bytes of the (spooled) input. */
  bytes: number;
  dialect: Dialect;
  /** Header fields, unquoted, BOM removed. */
  header: string[];
  /** Line number of the header (normally 1). */
  headerLine: number;
  /**
   * The size and SHA-256 of the bytes the reads read (src/io/digest.ts): null until a read
   * has read the input whole; every later whole read is checked against it.
   */
  digest(): ReadDigest | null;
  /** Stream the data records. Throws UserError (exit 2) for unclosed quotes, naming the line where the quoted field began. */
  read(onRecord: RecordHandler, options?: ReadOptions): Promise<ReadStats>;
}

export type OpenCsv = (path: string, options: DialectOptions, stdin?: NodeJS.ReadableStream) => Promise<CsvInput>;

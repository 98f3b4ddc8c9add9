/**
 * Errors the user can act on. Every failure that reaches the CLI boundary is one of
 * these and becomes one line on stderr:
 *
 *   alliance: FILE:LINE:COLUMN: what went wrong. How to fix it.
 *
 * Anything else is a bug and is reported as an internal error (exit 70, as BSD's
 * EX_SOFTWARE); its stack is shown only with --debug.
 *
 * Code that reacts to a particular error matches its `code` (and `key` / `column`), never
 * its message, so the wording can improve without breaking a caller.
 */
export interface Location {
  file?: string;
  /** 1-based physical line in the file. */
  line?: number;
  /** 1-based column (field) number, or a column name. */
  column?: number | string;
  /**
   * A cell named in its format's own terms ('Sessions!C12' in a workbook, 'case 12, age' in
   * an SPSS file); when set it is shown after the file instead of line and column.
   */
  cell?: string;
}

export const EXIT = {
  ok: 0,
  findings: 1,
  usage: 2,
  internal: 70,
  /** The data outgrew Node.js's heap (as BSD's EX_OSERR): src/io/heap.ts. */
  memory: 71,
} as const;

/**
 * Stable identifiers of the errors some caller reacts to (the rest are 'usage'). Add one
 * when code must tell an error apart; never match a message.
 */
export type ErrorCode =
  /** The default: bad usage, an unreadable or malformed input. */
  | 'usage'
  /** A column named by an option (`key`: the flag, e.g. '--group') is in no file's header (`column`). */
  | 'unknown-column'
  /** No client id column could be detected or was named. */
  | 'no-client-column'
  /** A config key that its section does not know (`key`: 'section.key'). */
  | 'unknown-key'
  /** The data outgrew the heap Node.js allows (src/io/heap.ts). */
  | 'out-of-memory';

export interface UserErrorOptions {
  location?: Location;
  hint?: string;
  exitCode?: number;
  /** What kind of error this is (default 'usage'). */
  code?: ErrorCode;
  /** The flag ('--group') or config key ('correlate.by') the error is about, when there is one. */
  key?: string;
  /** The column the error is about, when there is one. */
  column?: string;
}

export class UserError extends Error {
  readonly exitCode: number;
  readonly location: Location;
  readonly hint: string | undefined;
  readonly code: ErrorCode;
  readonly key: string | undefined;
  readonly column: string | undefined;
  constructor(message: string, opts: UserErrorOptions = {}) {
    super(message);
    this.name = 'UserError';
    this.location = opts.location ?? {};
    this.hint = opts.hint;
    this.exitCode = opts.exitCode ?? EXIT.usage;
    this.code = opts.code ?? 'usage';
    this.key = opts.key;
    this.column = opts.column;
  }

  /**
   * The one line shown to the user (without the "alliance: " prefix). Values it echoes (a
   * header, a flag value, a file name) may hold newlines or escape sequences: the CLI writes
   * it through `printable` (src/io/text-safety.ts), so it stays one line on the terminal.
   */
  format(): string {
    const { file, line, column, cell } = this.location;
    let where = '';
    if (file !== undefined) {
      where = file;
      if (cell !== undefined) where += `:${cell}`;
      else {
        // Line 0: an input with no header line (SPSS, Parquet); only the file is named.
        if (line !== undefined && line > 0) where += `:${line}`;
        if (column !== undefined) where += `:${column}`;
      }
      where += ': ';
    }
    const msg = this.message.replace(/\.?$/, '.');
    return `${where}${msg}${this.hint ? ' ' + this.hint.replace(/\.?$/, '.') : ''}`;
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}

/**
 * Where a file's header is, for an error about its columns (one the file lacks, none or
 * several that fit a role): the file and the header's line (a CSV's line, a workbook's
 * sheet row), or the file alone for SPSS and Parquet, whose header is no line (headerLine 0).
 * Here, not in the dataset layer: sections and commands that load no reader at start-up use it.
 */
export function headerLocation(file: { display: string; headerLine: number } | undefined): Location {
  if (file === undefined) return {};
  return file.headerLine > 0 ? { file: file.display, line: file.headerLine } : { file: file.display };
}

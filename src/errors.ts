/**
 * Errors the user can act on. Every failure that reaches the CLI boundary is one of
 * these and becomes one line on stderr:
 *
 *   alliance: FILE:LINE:COLUMN: what went wrong. How to fix it.
 *
 * Anything else is a bug and is reported as an internal error (exit 70); its stack is
 * shown only with --debug.
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
} as const;

export class UserError extends Error {
  readonly exitCode: number;
  readonly location: Location;
  readonly hint: string | undefined;
  constructor(message: string, opts: { location?: Location; hint?: string; exitCode?: number } = {}) {
    super(message);
    this.name = 'UserError';
    this.location = opts.location ?? {};
    this.hint = opts.hint;
    this.exitCode = opts.exitCode ?? EXIT.usage;
  }

  /** The one line shown to the user (without the "alliance: " prefix). */
  format(): string {
    const { file, line, column, cell } = this.location;
    let where = '';
    if (file !== undefined) {
      where = file;
      if (cell !== undefined) where += `:${cell}`;
      else {
        if (line !== undefined) where += `:${line}`;
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

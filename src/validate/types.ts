/**
 * A validation finding: stable code, severity, where, the offending value, and a
 * one-line message that says how to fix it. The JSON shape of `alliance validate
 * --format json` is `{ summary, findings: Finding[] }` (documented in docs/validate.md).
 */
/**
 * `fatal`: the file could not be read at all (missing, a directory, empty, binary, not in
 * its encoding, malformed); its other checks did not run. `alliance validate` exits 2.
 */
export type Severity = 'fatal' | 'error' | 'warning';

export interface Finding {
  /** Stable code, e.g. "value.out-of-range". Never renamed once shipped. */
  code: string;
  severity: Severity;
  file: string;
  /** 1-based line, null for file- or column-level findings. */
  line: number | null;
  /** Header name of the column (or 1-based field number when there is no header), null for row-level findings. */
  column: string | null;
  /** 1-based field position of `column` in its file (added; used for GitHub `col=`), null for row-level findings. */
  field: number | null;
  value: string | null;
  message: string;
  /**
   * Where the cell is in the input's own terms (added; only for inputs that are not a long
   * CSV): `Sessions!H5` in a workbook, `case 12, variable srs` in an SPSS file, `line 12,
   * column srs_3` in a wide file. `line` is then the sheet row, case or line of the file.
   */
  cell?: string;
  /**
   * Every code of the finding, when two rules stated the same fact about one cell (a schema
   * maximum and the instrument's range): `code` is the first of them. Absent otherwise.
   */
  codes?: string[];
}

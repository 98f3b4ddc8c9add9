/**
 * What every rule needs: the files (display name and header), the finding collector, and a
 * helper that words a finding's location.
 */
import { FindingCollector } from './findings.js';

export interface FileRef {
  display: string;
  header: string[];
  /** The input's own words for a cell (FileInfo.locate), for inputs that are not a long CSV. */
  locate?: (line: number, field: number) => string | undefined;
  /** The file's line (row, case) of a record number, when the layout renumbered records (FileInfo.sourceLine). */
  sourceLine?: (line: number) => number;
}

export class RuleContext {
  constructor(
    readonly files: FileRef[],
    readonly out: FindingCollector,
  ) {}

  /** Column name of a field: its header, or its 1-based number when past the header / unnamed. */
  columnName(file: number, field: number): string | null {
    if (field < 0) return null;
    const h = this.files[file]?.header[field];
    return h !== undefined && h.trim() !== '' ? h : String(field + 1);
  }

  /** Adds a finding at (file, line, field); field -1 for row-level, line null for column/file-level. */
  add(code: string, file: number, line: number | null, field: number, value: string | null, message: string | (() => string)): void {
    const f = this.files[file];
    const cell = f?.locate && line !== null ? f.locate(line, field) : undefined;
    if (f?.sourceLine && line !== null) line = f.sourceLine(line);
    this.out.add(
      code,
      {
        file: f?.display ?? '',
        fileIndex: file,
        line,
        column: this.columnName(file, field),
        colIndex: field,
        cell,
      },
      value,
      message,
    );
  }
}

/** Quotes a cell for a message, shortened to 40 characters. */
export function q(value: string): string {
  const t = value.length > 40 ? value.slice(0, 40) + '...' : value;
  return `'${t.replace(/[\r\n]+/g, ' ')}'`;
}

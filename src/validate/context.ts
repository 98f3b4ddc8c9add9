/**
 * What every rule needs: the files (display name and header), the finding collector, and a
 * helper that words a finding's location.
 */
import { FindingCollector } from './findings.js';

export interface FileRef {
  display: string;
  header: string[];
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
    this.out.add(
      code,
      {
        file: this.files[file]?.display ?? '',
        fileIndex: file,
        line,
        column: this.columnName(file, field),
        colIndex: field,
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

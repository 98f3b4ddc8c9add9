/**
 * Collects findings while a file streams: exact counts per code always, and the findings
 * themselves up to a cap (FINDINGS_CAP) so that a file with millions of bad cells cannot
 * exhaust memory. Row-level findings past the cap are counted but not kept (the summary
 * says `truncated`); file- and column-level findings (line null) have a cap of their own
 * of the same size (a header of millions of duplicate names), so every format stays bounded.
 *
 * Order is deterministic: file (in the order given), line (file- and column-level findings
 * first), column (position in the header), code.
 */
import { CODES, codeInfo } from './codes.js';
import type { Finding, Severity } from './types.js';
import { classifyValue, maskValue } from './privacy.js';

/**
 * Row-level findings kept in memory (about 40 MB at most, so that a 10M-row file full of
 * bad cells stays under 300 MB peak RSS); beyond it they are only counted (exact counts per
 * code stay in the summary, which says `truncated`).
 */
export const FINDINGS_CAP = 100_000;

/**
 * A flat copy of a string. Cells are slices of the reader's megabyte-sized text chunks, and
 * V8 keeps the whole chunk alive for a slice of 13 characters or more: a kept finding must
 * not pin its chunk.
 */
function own(s: string): string {
  return s.length < 13 ? s : Buffer.from(s, 'utf8').toString('utf8');
}

interface Stored {
  f: Finding;
  fileIndex: number;
  colIndex: number;
}

export interface CodeCount {
  code: string;
  severity: Severity;
  count: number;
}

export class FindingCollector {
  private readonly stored: Stored[] = [];
  private readonly counts = new Map<string, number>();
  private rowLevelKept = 0;
  private otherKept = 0;
  /** Row-level findings counted but not kept. */
  dropped = 0;

  /** True once row-level findings are only counted (callers may skip building messages). */
  get full(): boolean {
    return this.rowLevelKept >= this.cap;
  }

  constructor(private readonly cap: number = FINDINGS_CAP) {}

  /**
   * Adds a finding. `fileIndex` orders files; `colIndex` is the 0-based header position
   * (-1 for row-level findings).
   */
  add(
    code: string,
    where: { file: string; fileIndex: number; line: number | null; column: string | null; colIndex: number; cell?: string },
    value: string | null,
    message: string | (() => string),
  ): void {
    const info = codeInfo(code);
    this.counts.set(code, (this.counts.get(code) ?? 0) + 1);
    if (where.line !== null) {
      if (this.rowLevelKept >= this.cap) {
        this.dropped++;
        return;
      }
      this.rowLevelKept++;
    } else {
      // File- and column-level findings are few in a real export, but a header of 2M
      // duplicate names gives 2M of them: they have their own cap of the same size.
      if (this.otherKept >= this.cap) {
        this.dropped++;
        return;
      }
      this.otherKept++;
    }
    message = own(maskQuoted(typeof message === 'function' ? message() : message));
    if (value !== null) value = own(clipValue(maskIdentifier(value)));
    this.stored.push({
      f: {
        code,
        severity: info.severity,
        file: where.file,
        line: where.line,
        column: where.column,
        field: where.colIndex >= 0 ? where.colIndex + 1 : null,
        value,
        message,
        ...(where.cell !== undefined ? { cell: where.cell } : {}),
      },
      fileIndex: where.fileIndex,
      colIndex: where.colIndex,
    });
  }

  count(code: string): number {
    return this.counts.get(code) ?? 0;
  }

  /** Counts per code, in catalogue order, only codes that occurred. */
  byCode(): CodeCount[] {
    return CODES.filter((c) => this.counts.has(c.code)).map((c) => ({ code: c.code, severity: c.severity, count: this.counts.get(c.code)! }));
  }

  totals(): { errors: number; warnings: number } {
    let errors = 0;
    let warnings = 0;
    for (const c of this.byCode()) {
      if (c.severity === 'error') errors += c.count;
      else warnings += c.count;
    }
    return { errors, warnings };
  }

  /** The kept findings in deterministic order. */
  sorted(): Finding[] {
    const s = this.stored.slice();
    s.sort((a, b) => {
      if (a.fileIndex !== b.fileIndex) return a.fileIndex - b.fileIndex;
      const la = a.f.line ?? 0;
      const lb = b.f.line ?? 0;
      if (la !== lb) return la - lb;
      if (a.colIndex !== b.colIndex) return a.colIndex - b.colIndex;
      if (a.f.code !== b.f.code) return a.f.code < b.f.code ? -1 : 1;
      // Same place and code (e.g. two gaps): keep insertion order (Array.prototype.sort is stable).
      return 0;
    });
    return s.map((x) => x.f);
  }
}

/** The most characters of a cell a finding's value carries (docs/validate.md). */
export const MAX_VALUE_CHARS = 200;

/**
 * A finding's value, shortened when longer than MAX_VALUE_CHARS: findings echo cells, and a
 * 1 MB cell repeated by several findings made a 1 MB file into a 231 MB JSON (issue 16).
 */
export function clipValue(value: string): string {
  return value.length <= MAX_VALUE_CHARS ? value : `${value.slice(0, MAX_VALUE_CHARS)}... (${value.length.toLocaleString('en')} characters)`;
}

/** Identifier kinds masked wherever a finding echoes a value (an id column holding emails). */
const ECHO_MASKED = new Set(['email', 'phone', 'address', 'national-id']);

/**
 * A value a finding echoes, masked when the privacy rules take it for an identifier: a
 * client id that is an email or phone number, a site that is a street address
 * (session.duplicate printed them in full in every format; issue 16).
 */
export function maskIdentifier(value: string): string {
  const kind = classifyValue(value);
  return kind !== null && ECHO_MASKED.has(kind) ? maskValue(value, kind) : value;
}

/** A message with every quoted value ('...') that looks like an identifier masked. */
export function maskQuoted(message: string): string {
  return message.includes("'") ? message.replace(/'([^']{6,})'/g, (all, v: string) => {
    const m = maskIdentifier(v);
    return m === v ? all : `'${m}'`;
  }) : message;
}

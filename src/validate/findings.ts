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

/** Exact counts of one file's findings by severity. */
export interface SeverityCounts {
  fatal: number;
  errors: number;
  warnings: number;
}

export const noCounts = (): SeverityCounts => ({ fatal: 0, errors: 0, warnings: 0 });

/** Adds one finding of `severity` to `c`. */
export function countSeverity(c: SeverityCounts, severity: Severity, n = 1): void {
  if (severity === 'fatal') c.fatal += n;
  else if (severity === 'error') c.errors += n;
  else c.warnings += n;
}

/**
 * Two codes about the same cell that state the same fact (issue 14: "20 errors" for 12
 * problems): a schema constraint and the domain rule that says the same. On one cell they
 * are one finding: the domain rule's code first, both in `codes`, both messages. Keys: the
 * schema code; values: the domain codes it repeats.
 */
export const SAME_FACT: Readonly<Record<string, readonly string[]>> = {
  'schema.minimum': ['value.out-of-range', 'value.invalid-session'],
  'schema.maximum': ['value.out-of-range'],
  'schema.type': ['value.non-numeric', 'value.invalid-date', 'value.invalid-session', 'value.fraction'],
  'schema.required': ['value.missing-client'],
};

/** Merges the findings of one cell that state the same fact (SAME_FACT); `merged` hears of each one merged away. */
function mergeSameFact(cell: Stored[], merged: (s: Stored) => void): Stored[] {
  if (cell.length < 2) return cell;
  const out = cell.slice();
  for (let i = 0; i < out.length; i++) {
    const same = SAME_FACT[out[i].f.code];
    if (!same) continue;
    const k = out.findIndex((x) => same.includes(x.f.code));
    if (k < 0) continue;
    const main = out[k].f;
    const other = out[i].f;
    out[k] = {
      ...out[k],
      f: { ...main, codes: [...(main.codes ?? [main.code]), other.code], message: `${main.message} (also ${other.code}: ${other.message})` },
    };
    merged(out[i]);
    out.splice(i, 1);
    i--;
  }
  return out;
}

export class FindingCollector {
  /** Findings merged into another of the same cell (SAME_FACT), by file index; set by sorted(). */
  private merged: SeverityCounts[] = [];
  private mergedTotal = noCounts();
  private readonly stored: Stored[] = [];
  private readonly counts = new Map<string, number>();
  /** Exact counts per file index (also past the cap). */
  readonly perFile: SeverityCounts[] = [];
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
    countSeverity((this.perFile[where.fileIndex] ??= noCounts()), info.severity);
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

  /**
   * Problems by severity: findings of every code, less those merged into another finding
   * of the same cell (after sorted()). `byCode` still counts each code that fired.
   */
  totals(): SeverityCounts {
    const t = noCounts();
    for (const c of this.byCode()) countSeverity(t, c.severity, c.count);
    return minus(t, this.mergedTotal);
  }

  /** Exact counts of file `fileIndex` (problems, as totals()). */
  fileCounts(fileIndex: number): SeverityCounts {
    return minus(this.perFile[fileIndex] ?? noCounts(), this.merged[fileIndex] ?? noCounts());
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
    // Findings of one cell are neighbours now: merge those that state the same fact.
    this.merged = [];
    this.mergedTotal = noCounts();
    const out: Finding[] = [];
    for (let i = 0; i < s.length;) {
      let j = i + 1;
      const a = s[i];
      if (a.f.line !== null && a.colIndex >= 0) {
        while (j < s.length && s[j].fileIndex === a.fileIndex && s[j].f.line === a.f.line && s[j].colIndex === a.colIndex) j++;
      }
      for (const x of mergeSameFact(s.slice(i, j), (gone) => {
        countSeverity((this.merged[gone.fileIndex] ??= noCounts()), gone.f.severity);
        countSeverity(this.mergedTotal, gone.f.severity);
      })) {
        out.push(x.f);
      }
      i = j;
    }
    return out;
  }
}

function minus(a: SeverityCounts, b: SeverityCounts): SeverityCounts {
  return { fatal: a.fatal - b.fatal, errors: a.errors - b.errors, warnings: a.warnings - b.warnings };
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
  return message.includes("'")
    ? message.replace(/'([^']{6,})'/g, (all, v: string) => {
        const m = maskIdentifier(v);
        return m === v ? all : `'${m}'`;
      })
    : message;
}

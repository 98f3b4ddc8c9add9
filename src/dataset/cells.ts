/**
 * The cell-interpretation core: what a cell's text (or typed value) means, decided once for
 * every input format and both read paths (./rows.ts: the string path and the UTF-8 byte
 * path), and for model covariates.
 *
 * - A cell is missing when its text is a missing marker (MissingTokens: '', NA, ..., and the
 *   --missing tokens; compared trimmed and case-insensitively).
 * - A measure cell is a number (decimal mark of its file, or a typed number), else missing
 *   (a marker) or unusable ('value.not-numeric'). A declared numeric missing code
 *   (--missing -99) is missing, not a score. For an instrument column a number outside the
 *   instrument's range is unusable ('value.missing-code' when it is a conventional missing
 *   code outside the range, else 'value.out-of-range'); for a plain column -9, -99 and -999
 *   are unusable missing codes. A non-integer on an integer instrument is kept and reported
 *   ('value.not-integer').
 * - A session cell is a number ('.' decimals), else missing (a marker) or 'session.invalid'.
 * - A date cell is a date in the file's format, else missing (a marker) or invalid (./dates.ts
 *   decides whether the text contradicts a detected day/month order).
 * - A client, therapist or group cell is a label; a missing marker means "none".
 *
 * The byte path settles a plain valid number in place only when `accepts` says the full rule
 * would keep it without a report; anything else goes through `measure` with the cell's text,
 * so a rule changed here changes both paths.
 */
import type { Instrument } from '../instruments/types.js';
import type { CellKind, ColumnCells, MeasureBinding } from './types.js';
import { MISSING_CODES, MissingTokens, PLAIN_MISSING_CODES, parseDate, parseNumber } from './values.js';
import type { DateFormat } from './types.js';

/** Where interpreted measure cells go: the row's values and the scan's counters. */
export interface CellSink {
  values: Float64Array;
  /** Per measure: missing markers (and declared missing codes). */
  missing: number[];
  /** Per measure: unusable cells (reported through issue). */
  unusable: number[];
  /** Per measure: the unusable cells that were out of the instrument's range / a missing code. */
  outOfRange: number[];
  missingCode: number[];
  issue(code: string, line: number, field: number, value: string): void;
}

/** The value rules of one column: an instrument's range, or none (a plain numeric column). */
export interface ColumnRule {
  plain: boolean;
  lo: number;
  hi: number;
  integer: boolean;
  /** Conventional missing codes outside the range (reported as 'value.missing-code'). */
  codes: number[];
}

export function columnRule(instrument: Instrument | null): ColumnRule {
  if (!instrument) return { plain: true, lo: -Infinity, hi: Infinity, integer: false, codes: PLAIN_MISSING_CODES };
  const [lo, hi] = instrument.range.value;
  return { plain: false, lo, hi, integer: instrument.integer, codes: MISSING_CODES.filter((c) => c < lo || c > hi) };
}

/** The outcome of interpreting one number against a column rule. */
export type NumberVerdict = 'ok' | 'not-integer' | 'missing-code' | 'out-of-range';

export class CellRules {
  readonly rules: ColumnRule[];
  /** Flat copies for the hot loop. */
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly integer: Uint8Array;
  readonly plain: Uint8Array;
  /** True when --missing named numeric tokens (then a number may still be a missing code). */
  readonly numericMissing: boolean;

  constructor(
    readonly missing: MissingTokens,
    rules: ColumnRule[],
  ) {
    this.rules = rules;
    this.lo = Float64Array.from(rules, (c) => c.lo);
    this.hi = Float64Array.from(rules, (c) => c.hi);
    this.integer = Uint8Array.from(rules, (c) => (c.integer ? 1 : 0));
    this.plain = Uint8Array.from(rules, (c) => (c.plain ? 1 : 0));
    this.numericMissing = missing.numericTokens;
  }

  static forMeasures(missing: MissingTokens, measures: MeasureBinding[]): CellRules {
    return new CellRules(
      missing,
      measures.map((m) => columnRule(m.instrument)),
    );
  }

  /** True when the text is a missing marker. */
  isMissing(s: string): boolean {
    return this.missing.has(s);
  }

  /**
   * True when number `v` of measure `g` is kept as it is with nothing to report (the byte
   * path's shortcut; only valid when !numericMissing, since a missing code is decided on text).
   */
  accepts(g: number, v: number): boolean {
    return (this.plain[g] === 1 ? v !== -9 && v !== -99 && v !== -999 : v >= this.lo[g] && v <= this.hi[g]) && (this.integer[g] === 0 || v === Math.floor(v));
  }

  /** What the rule of measure `g` says about the number `v`. */
  judge(g: number, v: number): NumberVerdict {
    if (this.plain[g] === 1) {
      if (v === -9 || v === -99 || v === -999) return 'missing-code';
    } else if (v < this.lo[g] || v > this.hi[g]) {
      return this.rules[g].codes.includes(v) ? 'missing-code' : 'out-of-range';
    }
    return this.integer[g] === 1 && v !== Math.floor(v) ? 'not-integer' : 'ok';
  }

  /**
   * One measure cell from its text (and typed number, NaN or undefined when none): the
   * number into sink.values[g], or NaN with the cell counted as missing or unusable (and
   * reported at line / field).
   */
  measure(sink: CellSink, g: number, field: number, s: string, line: number, decimal: '.' | ',', typed?: number): void {
    const v = typed !== undefined && typed === typed ? typed : parseNumber(s, decimal);
    if (this.numericMissing && v === v && this.missing.has(s)) {
      // A declared numeric missing code (--missing -99) is missing, not a score.
      sink.values[g] = NaN;
      sink.missing[g]++;
      return;
    }
    if (v !== v) {
      sink.values[g] = NaN;
      if (this.missing.has(s)) sink.missing[g]++;
      else {
        sink.unusable[g]++;
        sink.issue('value.not-numeric', line, field, s);
      }
      return;
    }
    const verdict = this.judge(g, v);
    if (verdict === 'missing-code' || verdict === 'out-of-range') {
      sink.values[g] = NaN;
      sink.unusable[g]++;
      if (verdict === 'missing-code') sink.missingCode[g]++;
      else sink.outOfRange[g]++;
      sink.issue(verdict === 'missing-code' ? 'value.missing-code' : 'value.out-of-range', line, field, s);
      return;
    }
    if (verdict === 'not-integer') sink.issue('value.not-integer', line, field, s);
    sink.values[g] = v;
  }

  /** A session cell: its number, or NaN ('session.invalid' reported unless a missing marker). */
  session(s: string, line: number, field: number, issue: CellSink['issue'], typed?: number): number {
    const v = typed !== undefined && typed === typed ? typed : parseNumber(s, '.');
    if (v === v) return v;
    if (!this.missing.has(s)) issue('session.invalid', line, field, s);
    return NaN;
  }

  /**
   * A date cell: days since 1970-01-01, or NaN; `bad` is called for text that is neither a
   * date nor a missing marker.
   */
  date(s: string, format: DateFormat, line: number, field: number, bad: (s: string, line: number, field: number) => void, typed?: number): number {
    const d = typed !== undefined && typed === typed ? typed : parseDate(s, format);
    if (d !== d && !this.missing.has(s)) bad(s, line, field);
    return d;
  }
}

/**
 * The cells of a column the mapping does not bind (a model covariate), read with the same
 * rules as a measure: missing markers and --missing tokens, the file's decimal mark, and
 * the instrument's range and missing codes when the column is bound to or named after an
 * instrument (else the plain-column rule: -9, -99 and -999 are missing codes).
 */
export class ColumnCellReader implements ColumnCells {
  /** Cells that were missing markers, and unusable cells (not numeric, out of range, a missing code). */
  missing = 0;
  unusable = 0;
  last: CellKind = 'value';
  private readonly rules: CellRules;
  private readonly sink: CellSink;

  constructor(
    missing: MissingTokens,
    readonly instrument: Instrument | null,
    private readonly decimals: readonly ('.' | ',')[],
  ) {
    this.rules = new CellRules(missing, [columnRule(instrument)]);
    this.sink = { values: new Float64Array(1), missing: [0], unusable: [0], outOfRange: [0], missingCode: [0], issue: () => undefined };
  }

  /** The cell's value (NaN when missing or unusable); `file` picks the decimal mark. */
  read(text: string, file: number, typed?: number): number {
    const { sink } = this;
    const m = sink.missing[0];
    const u = sink.unusable[0];
    this.rules.measure(sink, 0, -1, text, 0, this.decimals[file] ?? '.', typed);
    this.last = sink.unusable[0] > u ? 'unusable' : sink.missing[0] > m ? 'missing' : 'value';
    this.missing = sink.missing[0];
    this.unusable = sink.unusable[0];
    return sink.values[0];
  }
}

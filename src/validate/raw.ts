/**
 * Rules that look at raw records (every field, before interpretation): header problems,
 * ragged rows, per-column missingness and direct identifiers. They run from
 * Dataset.scan's onRaw hook (`record`) or its byte-range form onRawRange (`recordRange`, the
 * same checks on the bytes of UTF-8 CSV), or straight from the CSV reader when the file
 * cannot be mapped (no client column), so they work on any readable CSV.
 */
import { MissingTokens } from '../dataset/values.js';
import { q, type RuleContext } from './context.js';
import {
  NHS_COLUMN_SHARE,
  bareTenDigits,
  classifyValue,
  identifierColumn,
  isNhsNumber,
  kindText,
  maskValue,
  mayIdentifyBytes,
  type PrivacyKind,
} from './privacy.js';
import { decodeUtf8, type RangeRecord } from '../io/scanner.js';
import { KIND_WORDS } from '../privacy/words.js';

/** Missing-value test with a first-character prefilter (most cells are numbers or ids). */
export class MissingCheck {
  private readonly tokens: MissingTokens;
  private readonly first = new Uint8Array(128);
  /** By first byte: 1 when the cell may be a marker (a marker start, a space or tab, a byte above 127). */
  private readonly lead = new Uint8Array(256);
  constructor(extra: readonly string[] = []) {
    this.tokens = new MissingTokens(extra);
    for (const t of ['NA', 'N/A', 'NaN', 'null', '.', '-', ...extra]) {
      const s = t.trim().toLowerCase();
      if (s.length === 0) continue;
      const c = s.charCodeAt(0);
      if (c < 128) {
        this.first[c] = 1;
        this.first[s[0].toUpperCase().charCodeAt(0) & 127] = 1;
      }
    }
    this.lead.set(this.first);
    this.lead.fill(1, 128);
    this.lead[32] = 1;
    this.lead[9] = 1;
  }
  has(s: string): boolean {
    const n = s.length;
    let i = 0;
    while (i < n && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
    if (i === n) return true;
    const c = s.charCodeAt(i);
    if (c < 128 && this.first[c] === 0) return false;
    return this.tokens.has(s);
  }
  /**
   * `has` on a cell's UTF-8 bytes [start, end): one table look-up settles most cells (a
   * first byte that is no space, tab, marker start or part of a non-ASCII character);
   * decoded only when the first character after spaces could start a marker.
   */
  hasBytes(b: Buffer, start: number, end: number): boolean {
    if (start === end) return true;
    if (this.lead[b[start]] === 0) return false;
    let i = start;
    while (i < end && (b[i] === 32 || b[i] === 9)) i++;
    if (i === end) return true;
    const c = b[i];
    if (c < 128 && this.first[c] === 0) return false;
    return this.tokens.has(decodeUtf8(b, start, end));
  }
}

const PRIVACY_CODE: Record<PrivacyKind, string> = {
  email: 'privacy.email',
  phone: 'privacy.phone',
  address: 'privacy.address',
  'national-id': 'privacy.national-id',
  'date-of-birth': 'privacy.date-of-birth',
  'free-text': 'privacy.free-text',
};

/** Identifier-looking values of one kind in one column (summary.privacy). */
export interface PrivacyColumn {
  file: string;
  column: string;
  code: string;
  count: number;
  firstLine: number;
}

/** Per-file state of the raw rules. */
export interface RawFileState {
  ncols: number;
  records: number;
  /** Missing cells per header column (short rows count their absent fields as missing). */
  missing: Float64Array;
  /** Columns whose values get the identifier checks. */
  privacyCols: Int32Array;
  /** Per column: its name suggests a date of birth. */
  dob: Uint8Array;
  /** Per column: bare 10-digit values, how many have a valid NHS check digit, and the first of those. */
  ten: Float64Array;
  nhs: Float64Array;
  nhsFirst: { line: number; value: string }[];
}

export class RawRules {
  readonly state: RawFileState[];
  private readonly missing: MissingCheck;

  /**
   * `skip[f]` lists the fields of file f that are not text (measures, session, date): they
   * get no identifier value checks.
   */
  constructor(
    private readonly ctx: RuleContext,
    missingTokens: readonly string[],
    skip: (file: number) => Set<number>,
  ) {
    this.missing = new MissingCheck(missingTokens);
    this.state = ctx.files.map((f, fi) => {
      const ncols = f.header.length;
      const dob = new Uint8Array(ncols);
      const cols: number[] = [];
      const s = skip(fi);
      for (let j = 0; j < ncols; j++) {
        const hit = identifierColumn(f.header[j]);
        if (hit?.dob) dob[j] = 1;
        if (!s.has(j)) cols.push(j);
      }
      return {
        ncols,
        records: 0,
        missing: new Float64Array(ncols),
        privacyCols: Int32Array.from(cols),
        dob,
        ten: new Float64Array(ncols),
        nhs: new Float64Array(ncols),
        nhsFirst: new Array(ncols),
      };
    });
  }

  /** File-level checks on the header: empty and duplicate names, identifier columns. */
  checkHeaders(): void {
    const { ctx } = this;
    ctx.files.forEach((f, fi) => {
      const seen = new Map<string, number>();
      f.header.forEach((h, j) => {
        const name = h.trim();
        if (name === '') {
          ctx.add('structure.empty-header', fi, null, j, null, `column ${j + 1} has no name in the header; give it a name (or delete the column)`);
          return;
        }
        const key = name.toLowerCase();
        const prev = seen.get(key);
        if (prev !== undefined) {
          ctx.add(
            'structure.duplicate-header',
            fi,
            null,
            j,
            h,
            `column ${j + 1} has the same name as column ${prev + 1} (${q(f.header[prev])}); rename one so every header is unique`,
          );
        } else seen.set(key, j);
        const hit = identifierColumn(h);
        if (hit) {
          ctx.add(
            'privacy.identifier-column',
            fi,
            null,
            j,
            h,
            `column name suggests it holds ${KIND_WORDS[hit.kind].many} (direct identifiers); drop it before export, inputs must be de-identified`,
          );
        }
      });
    });
  }

  private readonly byColumn = new Map<string, PrivacyColumn & { fileIndex: number; field: number }>();

  private tally(file: number, field: number, code: string, line: number, n: number): void {
    const key = `${file}\u0000${field}\u0000${code}`;
    const e = this.byColumn.get(key);
    if (e) e.count += n;
    else
      this.byColumn.set(key, {
        file: this.ctx.files[file].display,
        column: this.ctx.columnName(file, field) ?? '',
        code,
        count: n,
        firstLine: line,
        fileIndex: file,
        field,
      });
  }

  /** Identifier-looking values per column and kind (all of them, also past the findings cap). */
  privacyByColumn(): PrivacyColumn[] {
    return [...this.byColumn.values()]
      .sort((a, b) => a.fileIndex - b.fileIndex || a.field - b.field || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
      .map(({ file, column, code, count, firstLine }) => ({ file, column, code, count, firstLine }));
  }

  /** Column-level conclusions once every record has been seen. */
  finish(): void {
    this.state.forEach((st, fi) => {
      for (let j = 0; j < st.ncols; j++) {
        const nhs = st.nhs[j];
        if (nhs === 0 || nhs < NHS_COLUMN_SHARE * st.ten[j]) continue;
        const first = st.nhsFirst[j];
        const ten = st.ten[j];
        this.tally(fi, j, 'privacy.national-id', first.line, nhs);
        this.ctx.add(
          'privacy.national-id',
          fi,
          first.line,
          j,
          maskValue(first.value, 'national-id'),
          `${nhs} of ${ten} ten-digit values in this column have a valid NHS number check digit (random ids pass 1 in 11); remove direct identifiers before export (replace with a study id or drop the column)`,
        );
      }
    });
  }

  /** One raw record. `fields` is reused by the reader: nothing is kept. */
  record(fields: string[], line: number, file: number): void {
    const st = this.begin(fields.length, line, file);
    const n = fields.length;
    const ncols = st.ncols;
    const miss = st.missing;
    const m = n < ncols ? n : ncols;
    for (let j = 0; j < m; j++) if (this.missing.has(fields[j])) miss[j]++;
    for (let j = m; j < ncols; j++) miss[j]++;
    const cols = st.privacyCols;
    for (let k = 0; k < cols.length; k++) {
      const j = cols[k];
      if (j >= n) break;
      this.privacyCell(st, file, j, fields[j], line);
    }
  }

  /**
   * `record` on a record as byte ranges (the dataset's byte path): the same checks, with a
   * cell made a string only when its bytes do not settle it (a possible missing marker, a
   * possible identifier; quoted cells come decoded). `rec` is reused: nothing is kept.
   */
  recordRange(rec: RangeRecord, line: number, file: number): void {
    const n = rec.count;
    const st = this.begin(n, line, file);
    const ncols = st.ncols;
    const b = rec.bytes;
    const starts = rec.start;
    const ends = rec.end;
    const miss = st.missing;
    const m = n < ncols ? n : ncols;
    for (let j = 0; j < m; j++) {
      const a = starts[j];
      if (a >= 0 ? this.missing.hasBytes(b, a, ends[j]) : this.missing.has(rec.quoted[j])) miss[j]++;
    }
    for (let j = m; j < ncols; j++) miss[j]++;
    const cols = st.privacyCols;
    for (let k = 0; k < cols.length; k++) {
      const j = cols[k];
      if (j >= n) break;
      const a = starts[j];
      if (a < 0) {
        this.privacyCell(st, file, j, rec.quoted[j], line);
        continue;
      }
      const e = ends[j];
      // Fewer than 6 bytes are fewer than 6 characters: nothing to check (as in privacyCell).
      if (e - a < 6) continue;
      // Cells whose bytes rule out every identifier rule (bare ten digits pass the prefilter).
      if (!mayIdentifyBytes(b, a, e, st.dob[j] === 1)) continue;
      this.privacyCell(st, file, j, decodeUtf8(b, a, e), line);
    }
  }

  /** Counts a record of n fields and reports it when ragged. */
  private begin(n: number, line: number, file: number): RawFileState {
    const st = this.state[file];
    st.records++;
    const ncols = st.ncols;
    if (n !== ncols) {
      this.ctx.add(
        'structure.ragged-row',
        file,
        line,
        -1,
        `${n} fields`,
        () =>
          `row has ${n} fields but the header has ${ncols}; quote values that contain the delimiter, or remove the ${n > ncols ? 'extra' : 'missing'} field${Math.abs(n - ncols) === 1 ? '' : 's'}`,
      );
    }
    return st;
  }

  /** The identifier checks of cell `s` in column j. */
  private privacyCell(st: RawFileState, file: number, j: number, s: string, line: number): void {
    if (s.length < 6) return;
    if (s.length === 10 && bareTenDigits(s)) {
      st.ten[j]++;
      if (isNhsNumber(s)) {
        if (st.nhs[j]++ === 0) st.nhsFirst[j] = { line, value: s };
      }
      return;
    }
    const kind = classifyValue(s, st.dob[j] === 1);
    if (kind !== null) {
      this.tally(file, j, PRIVACY_CODE[kind], line, 1);
      this.ctx.add(
        PRIVACY_CODE[kind],
        file,
        line,
        j,
        maskValue(s, kind),
        () => `value looks like ${kindText(kind)}; remove direct identifiers before export (replace with a study id or drop the column)`,
      );
    }
  }
}

/**
 * The record scanner: decoded text in (one chunk at a time), records out.
 *
 * Dialect (RFC 4180 plus the usual leniencies, matching csv-parse 6 with
 * `relax_quotes`, `relax_column_count` and `skip_empty_lines`):
 * - a record ends at LF, CRLF or CR (all three accepted in the same file);
 * - a field that starts with `"` is quoted: it may contain the delimiter, line breaks and
 *   doubled quotes (`""` -> `"`); it ends at the next lone `"`;
 * - text after the closing quote (`"ab"c`) is kept literally, quotes included
 *   (`"ab"c`), as csv-parse's relax_quotes does;
 * - a `"` inside an unquoted field is an ordinary character;
 * - completely empty lines are skipped (a line holding `""` is a record with one empty field).
 *
 * Line numbers are physical: every LF, CRLF or CR counts, inside quoted fields too, and a
 * record's line is the line on which it starts.
 *
 * Speed: the caller feeds chunks of about a megabyte. Records that are complete in the
 * current text are delivered; the unfinished tail is kept and re-scanned when the next
 * chunk arrives (records are short, so the re-scan costs nothing measurable). Unquoted
 * fields are cut with `substring` and only the projected fields are materialised, so the
 * only per-record allocations are the field strings that were asked for.
 */
import { UserError } from '../errors.js';

const LF = 10;
const CR = 13;
const QUOTE = 34;

/** A quoted field longer than this is treated as an unclosed quote (it would otherwise swallow the file). */
export const MAX_FIELD_CHARS = 32 * 1024 * 1024;

export type ScanHandler = (fields: string[], line: number) => void;

/**
 * A record as byte ranges (range mode, for the hot path over UTF-8 input): field k is
 * `bytes.toString('utf8', start[k], end[k])` when `start[k] >= 0`; a quoted field has
 * `start[k] === -1` and its (unquoted, decoded) value in `quoted[k]`. Nothing is
 * materialised per field, so numbers can be parsed straight from the bytes. The object is
 * reused between calls; `bytes` is the caller's buffer and changes from chunk to chunk.
 */
export interface RangeRecord {
  bytes: Buffer;
  start: Int32Array;
  end: Int32Array;
  quoted: string[];
  /** Number of fields of this record. */
  count: number;
  /** The record's first byte and the byte after its line break, in `bytes` (-1 when not known). */
  at: number;
  next: number;
}

export type RangeHandler = (rec: RangeRecord, line: number) => void;

/** Doubles a range record's field offset arrays (a record with more fields than they hold). */
export function growFields(rec: RangeRecord): void {
  const a = new Int32Array(rec.start.length * 2);
  a.set(rec.start);
  const b = new Int32Array(rec.end.length * 2);
  b.set(rec.end);
  rec.start = a;
  rec.end = b;
}

/** Field k of a range record as a string (the text the string path gives for it). */
export function fieldText(rec: RangeRecord, k: number): string {
  const a = rec.start[k];
  return a < 0 ? rec.quoted[k] : decodeUtf8(rec.bytes, a, rec.end[k]);
}

/** Buffer's native latin1 decoder without the toString wrapper (stable in Node's Buffer, not in its types). */
type Latin1Slice = (this: Buffer, start: number, end: number) => string;
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: Latin1Slice }).latin1Slice;

/**
 * bytes[start..end) (valid UTF-8) as a string. Short ASCII text (client ids and the like)
 * takes the native latin1 decoder directly, which is the same text and about half the
 * cost of toString's argument handling; anything else goes through toString('utf8').
 */
export function decodeUtf8(bytes: Buffer, start: number, end: number): string {
  if (latin1Slice === undefined || end - start > 64) return bytes.toString('utf8', start, end);
  for (let i = start; i < end; i++) if (bytes[i] >= 128) return bytes.toString('utf8', start, end);
  return latin1Slice.call(bytes, start, end);
}

export interface ScannerOptions {
  delimiter: string;
  /** Field indexes to materialise; all when absent. */
  fields?: number[];
  /** Display name used in errors. */
  display: string;
  /** Records to pass over before delivering any (e.g. the header). */
  skip?: number;
  /** Stop after delivering this many records. */
  limit?: number;
}

export class RecordScanner {
  /** Physical line at the current scan position (1-based). */
  line = 1;
  /** Number of records scanned so far (skipped ones included). */
  records = 0;
  /** Number of records delivered to the handler. */
  delivered = 0;
  /** Set once `limit` records were delivered. */
  stopped = false;

  private readonly delim: number;
  private readonly all: boolean;
  private readonly mask: Uint8Array;
  private readonly fields: string[] = [];
  private readonly display: string;
  private readonly onRecord: ScanHandler;
  private pending = '';
  private skip: number;
  private readonly limit: number;
  private lastCode = -1;
  private readonly onRange: RangeHandler | null;
  private readonly rec: RangeRecord = { bytes: Buffer.alloc(0), start: new Int32Array(16), end: new Int32Array(16), quoted: [], count: 0, at: -1, next: -1 };

  /** With `onRange`, `scanBytes` delivers records as byte ranges to it (range mode); `onRecord` is then unused. */
  constructor(opts: ScannerOptions, onRecord: ScanHandler, onRange?: RangeHandler) {
    this.onRange = onRange ?? null;
    if (opts.delimiter.length !== 1) throw new Error(`delimiter must be one character, got ${JSON.stringify(opts.delimiter)}`);
    this.delim = opts.delimiter.charCodeAt(0);
    this.display = opts.display;
    this.onRecord = onRecord;
    this.skip = opts.skip ?? 0;
    this.limit = opts.limit ?? Infinity;
    if (opts.fields === undefined) {
      this.all = true;
      this.mask = new Uint8Array(0);
    } else {
      this.all = false;
      let max = 0;
      for (const f of opts.fields) {
        if (!Number.isInteger(f) || f < 0 || f >= 1 << 20) throw new RangeError(`field index out of range: ${f}`);
        if (f + 1 > max) max = f + 1;
      }
      this.mask = new Uint8Array(max);
      for (const f of opts.fields) this.mask[f] = 1;
    }
  }

  /**
   * Scans the complete records at the start of `text` and returns how many characters
   * were used; the caller keeps the rest and passes it again, followed by more text
   * (the stream reader does this at the byte level, so `text` is always a flat string,
   * which scans markedly faster than a concatenation). With `final`, all text is used.
   */
  scanChunk(text: string, final: boolean): number {
    if (this.stopped) return text.length;
    if (text.length > 0) this.lastCode = text.charCodeAt(text.length - 1);
    return this.scan(text, final);
  }

  /** Feeds the next piece of decoded text (keeps the unfinished tail as a string). */
  push(text: string): void {
    if (this.stopped || text.length === 0) return;
    const s = this.pending.length === 0 ? text : this.pending + text;
    this.lastCode = s.charCodeAt(s.length - 1);
    const used = this.scan(s, false);
    this.pending = used === s.length ? '' : s.substring(used);
  }

  /** Ends the input given with `push`: delivers the last record (which may lack a line break). */
  end(): void {
    if (this.stopped) return;
    const s = this.pending;
    this.pending = '';
    if (s.length > 0) this.scan(s, true);
  }

  /** Last physical line number of the input seen so far (after `end`: of the file). */
  lastLine(): number {
    if (this.lastCode === LF || this.lastCode === CR) return this.line - 1;
    return this.line;
  }

  /**
   * Scans complete records in `s`; returns the index where the first unfinished record
   * starts (`s.length` when everything was used). With `final`, everything is used.
   */
  private scan(s: string, final: boolean): number {
    const len = s.length;
    const delim = this.delim;
    const all = this.all;
    const mask = this.mask;
    const maskLen = mask.length;
    const fields = this.fields;
    const onRecord = this.onRecord;
    let records = this.records;
    let line = this.line;
    let i = 0;

    nextRecord: while (i < len) {
      const recStart = i;
      const recLine = line;
      let c = s.charCodeAt(i);
      // Blank line: skip.
      if (c === LF) {
        line++;
        i++;
        continue;
      }
      if (c === CR) {
        if (i + 1 >= len && !final) break;
        line++;
        i += s.charCodeAt(i + 1) === LF ? 2 : 1;
        continue;
      }
      let nf = 0;
      for (;;) {
        const want = all || (nf < maskLen && mask[nf] === 1);
        if (i < len && s.charCodeAt(i) === QUOTE) {
          // Quoted field.
          const qLine = line;
          let j = i + 1;
          let seg = j;
          let val = '';
          let closed = false;
          while (j < len) {
            c = s.charCodeAt(j);
            if (c === QUOTE) {
              if (j + 1 >= len && !final) break;
              if (s.charCodeAt(j + 1) === QUOTE) {
                if (want) val += s.substring(seg, j + 1);
                j += 2;
                seg = j;
                continue;
              }
              if (want) val += s.substring(seg, j);
              j++;
              closed = true;
              break;
            } else if (c === LF) {
              line++;
            } else if (c === CR) {
              if (j + 1 >= len) {
                if (!final) break;
                line++;
              } else if (s.charCodeAt(j + 1) !== LF) {
                line++;
              }
            }
            j++;
          }
          if (!closed) {
            if (!final) {
              if (j - i > MAX_FIELD_CHARS) this.unclosed(qLine, nf + 1, true);
              line = recLine;
              i = recStart;
              break nextRecord;
            }
            this.unclosed(qLine, nf + 1, false);
          }
          // Text after the closing quote, kept literally (csv-parse relax_quotes).
          let k = j;
          while (k < len) {
            c = s.charCodeAt(k);
            if (c === delim || c === LF || c === CR) break;
            k++;
          }
          if (k > j) {
            if (want) val = '"' + val + '"' + s.substring(j, k);
          }
          i = k;
          if (want) {
            if (nf >= fields.length) grow(fields, nf);
            fields[nf] = val;
          }
        } else {
          // Unquoted field: the fast path.
          let j = i;
          while (j < len) {
            c = s.charCodeAt(j);
            if (c === delim || c === LF || c === CR) break;
            j++;
          }
          if (want) {
            if (nf >= fields.length) grow(fields, nf);
            fields[nf] = s.substring(i, j);
          }
          i = j;
        }
        nf++;
        if (i >= len) {
          if (!final) {
            line = recLine;
            i = recStart;
            break nextRecord;
          }
          // Last record without a line break.
        } else {
          // c holds s[i], the character that ended the field (set by the loops above).
          if (c === delim) {
            i++;
            continue;
          }
          if (c === CR) {
            if (i + 1 >= len && !final) {
              line = recLine;
              i = recStart;
              break nextRecord;
            }
            i += s.charCodeAt(i + 1) === LF ? 2 : 1;
          } else {
            i++;
          }
          line++;
        }
        // Deliver the record.
        if (fields.length !== nf) {
          if (fields.length > nf) fields.length = nf;
          else grow(fields, nf - 1);
        }
        records++;
        if (this.skip > 0) {
          this.skip--;
          continue nextRecord;
        }
        onRecord(fields, recLine);
        if (++this.delivered >= this.limit) {
          this.records = records;
          this.stopped = true;
          this.line = line;
          return len;
        }
        continue nextRecord;
      }
    }
    this.line = line;
    this.records = records;
    return i;
  }

  /**
   * Range mode over UTF-8 bytes `s[0..len)` (already validated by the caller): the same
   * dialect and line counting as `scan`, but unquoted fields are recorded as (start, end)
   * byte offsets instead of strings (every field; the projection does not matter here).
   * Quoted fields are decoded into `rec.quoted` (their pieces are cut at ASCII quotes, so
   * every piece is whole characters). Returns the bytes used, like `scanChunk`.
   * (The delimiter, quote and line breaks are ASCII, and in UTF-8 an ASCII byte is never
   * part of another character, so scanning bytes finds the same boundaries as scanning text.)
   */
  scanBytes(s: Buffer, len: number, final: boolean): number {
    if (this.stopped) return len;
    const onRange = this.onRange;
    if (onRange === null) throw new Error('scanBytes needs a range handler');
    if (len > 0) this.lastCode = s[len - 1];
    const delim = this.delim;
    /** Highest special character code: anything above it ends no field. */
    const top = delim > CR ? delim : CR;
    const rec = this.rec;
    rec.bytes = s;
    let starts = rec.start;
    let ends = rec.end;
    let records = this.records;
    let line = this.line;
    let i = 0;

    nextRecord: while (i < len) {
      const recStart = i;
      const recLine = line;
      let c = s[i];
      if (c === LF) {
        line++;
        i++;
        continue;
      }
      if (c === CR) {
        if (i + 1 >= len && !final) break;
        line++;
        i += i + 1 < len && s[i + 1] === LF ? 2 : 1;
        continue;
      }
      let nf = 0;
      for (;;) {
        if (nf >= starts.length) {
          growFields(rec);
          starts = rec.start;
          ends = rec.end;
        }
        if (i < len && s[i] === QUOTE) {
          const qLine = line;
          let j = i + 1;
          let seg = j;
          let val = '';
          let closed = false;
          while (j < len) {
            c = s[j];
            if (c === QUOTE) {
              if (j + 1 >= len && !final) break;
              if (j + 1 < len && s[j + 1] === QUOTE) {
                val += s.toString('utf8', seg, j + 1);
                j += 2;
                seg = j;
                continue;
              }
              val += s.toString('utf8', seg, j);
              j++;
              closed = true;
              break;
            } else if (c === LF) {
              line++;
            } else if (c === CR) {
              if (j + 1 >= len) {
                if (!final) break;
                line++;
              } else if (s[j + 1] !== LF) {
                line++;
              }
            }
            j++;
          }
          if (!closed) {
            if (!final) {
              if (j - i > MAX_FIELD_CHARS) this.unclosed(qLine, nf + 1, true);
              line = recLine;
              i = recStart;
              break nextRecord;
            }
            this.unclosed(qLine, nf + 1, false);
          }
          let k = j;
          while (k < len) {
            c = s[k];
            if (c === delim || c === LF || c === CR) break;
            k++;
          }
          if (k > j) val = '"' + val + '"' + s.toString('utf8', j, k);
          i = k;
          const q = rec.quoted;
          while (q.length <= nf) q.push('');
          q[nf] = val;
          starts[nf] = -1;
          ends[nf] = -1;
        } else {
          let j = i;
          while (j < len) {
            c = s[j];
            // One comparison for the common character (above every special one).
            if (c > top) {
              j++;
              continue;
            }
            if (c === delim || c === LF || c === CR) break;
            j++;
          }
          starts[nf] = i;
          ends[nf] = j;
          i = j;
        }
        nf++;
        if (i >= len) {
          if (!final) {
            line = recLine;
            i = recStart;
            break nextRecord;
          }
        } else {
          if (c === delim) {
            i++;
            continue;
          }
          if (c === CR) {
            if (i + 1 >= len && !final) {
              line = recLine;
              i = recStart;
              break nextRecord;
            }
            i += i + 1 < len && s[i + 1] === LF ? 2 : 1;
          } else {
            i++;
          }
          line++;
        }
        records++;
        if (this.skip > 0) {
          this.skip--;
          continue nextRecord;
        }
        rec.count = nf;
        rec.at = recStart;
        rec.next = i;
        onRange(rec, recLine);
        if (++this.delivered >= this.limit) {
          this.records = records;
          this.stopped = true;
          this.line = line;
          return len;
        }
        continue nextRecord;
      }
    }
    this.line = line;
    this.records = records;
    return i;
  }

  private unclosed(line: number, field: number, tooLong: boolean): never {
    throw new UserError(
      tooLong
        ? `unclosed quote: the quoted field that starts here runs on for more than ${MAX_FIELD_CHARS / 1024 / 1024} M characters`
        : 'unclosed quote: the quoted field that starts here never ends',
      {
        location: { file: this.display, line, column: field },
        hint: 'Close the quote or escape quotes inside a field by doubling them',
      },
    );
  }
}

function grow(fields: string[], upTo: number): void {
  while (fields.length <= upTo) fields.push('');
}

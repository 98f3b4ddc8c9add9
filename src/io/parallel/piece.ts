/**
 * One piece of a CSV file scanned on its own (by a worker thread, or inline): the records
 * RecordScanner finds in it, as byte ranges relative to the piece and lines relative to its
 * first line, in a form that crosses a thread boundary (typed arrays and strings).
 *
 * The scan is the scanner's range mode (../scanner.ts), unchanged: the piece is exactly what
 * the one-thread reader would scan if the piece began at a record boundary. Whether it does
 * is settled by the reader (./stream.ts), which checks every piece's start against the
 * previous piece's result before it uses any record of it.
 */
import { UserError } from '../../errors.js';
import { RecordScanner, type RangeRecord } from '../scanner.js';
import { scanPlain, type PlainScan } from './plain.js';

const QUOTE = 34;

/** A reduced piece (./reduce.ts): the reducer's own layout, in typed arrays (transferred from the worker). */
export interface ReducedPiece {
  ints: Int32Array<ArrayBuffer>;
  floats: Float64Array<ArrayBuffer>;
}

/** A reducer's sink for one piece (./reduce.ts): sees each record as it is scanned; `end` after the last (not after a scan error). */
export interface PieceSink {
  record(rec: RangeRecord, line: number): void;
  end(): ReducedPiece | null;
  /**
   * Takes a whole piece that holds no quote byte in one call instead of record by record
   * (the row kernel: ../../dataset/range-kernel.ts), with the plain scan's result: the bytes
   * of complete records (the line after them in `state.line`), or -1 when it does not, and
   * then has seen nothing: the records go to `record`.
   */
  plain?(bytes: Buffer, len: number, final: boolean, delim: number, state: PlainScan): number;
}

/** A UserError of the scan, with its line relative to the piece. */
export interface PieceError {
  message: string;
  line: number;
  column: number | string | undefined;
  hint: string | undefined;
}

export interface PieceResult {
  /** Bytes of complete records at the start of the piece (the whole piece when `final`). */
  used: number;
  /** The scanner's line after the scan, relative (1 = the piece's first line): the next piece's first line. */
  line: number;
  /** Records found (before an error, if any). */
  records: number;
  /** Per record: line, field count, then start and end of each field (-1, -1 for a quoted field); the array may be longer. */
  meta: Int32Array<ArrayBuffer>;
  /** The values of the quoted fields, in the order they appear in `meta`. */
  quoted: string[];
  /** The UserError the scan stopped with (after `records` records), or null. */
  error: PieceError | null;
  /**
   * A reducer's scan (./reduce.ts) lists no records: what it made of them, or null when it
   * made nothing (or the scan stopped with an error): the reader then scans the piece itself.
   */
  reduced?: ReducedPiece | null;
}

/** Scans bytes[0..len) (valid UTF-8 that starts at a record boundary, unless the reader finds otherwise). */
export function scanPiece(bytes: Uint8Array, len: number, final: boolean, delimiter: string, display: string, scratch?: ArrayBuffer): PieceResult {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, len);
  /** The offsets, in `scratch` (a buffer of an earlier piece, handed back) while they fit. */
  let meta = new Int32Array(scratch ?? new ArrayBuffer(65536 * 4));
  let at = 0;
  let records = 0;
  const quoted: string[] = [];
  const sc = new RecordScanner({ delimiter, display }, noRecord, (rec, line) => {
    const n = rec.count;
    if (at + 2 + 2 * n > meta.length) {
      const bigger = new Int32Array(new ArrayBuffer(4 * Math.max(2 * meta.length, at + 2 + 2 * n)));
      bigger.set(meta.subarray(0, at));
      meta = bigger;
    }
    meta[at++] = line;
    meta[at++] = n;
    const st = rec.start;
    const en = rec.end;
    for (let k = 0; k < n; k++) {
      meta[at++] = st[k];
      meta[at++] = en[k];
      if (st[k] < 0) quoted.push(rec.quoted[k]);
    }
    records++;
  });
  let used = 0;
  let error: PieceError | null = null;
  try {
    used = sc.scanBytes(buf, len, final);
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    error = { message: e.message, line: e.location.line ?? 1, column: e.location.column, hint: e.hint };
  }
  return { used, line: sc.line, records, meta, quoted, error };
}

/** A reducer's scan of bytes[0..len): every record goes to `sink`, none is listed. */
export function scanPieceInto(bytes: Uint8Array, len: number, final: boolean, delimiter: string, display: string, sink: PieceSink): PieceResult {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, len);
  if (buf.indexOf(QUOTE) < 0) {
    // No quoted field in the piece: the plain splitter (./plain.ts), same records and lines.
    const rec: RangeRecord = { bytes: buf, start: new Int32Array(16), end: new Int32Array(16), quoted: [], count: 0, at: -1, next: -1 };
    const state: PlainScan = { line: 1 };
    const delim = delimiter.charCodeAt(0);
    const whole = sink.plain ? sink.plain(buf, len, final, delim, state) : -1;
    const used = whole >= 0 ? whole : scanPlain(buf, len, final, delim, rec, sink, state);
    return { used, line: state.line, records: 0, meta: new Int32Array(new ArrayBuffer(0)), quoted: [], error: null, reduced: sink.end() };
  }
  const sc = new RecordScanner({ delimiter, display }, noRecord, (rec, line) => sink.record(rec, line));
  let used = 0;
  let failed = false;
  try {
    used = sc.scanBytes(buf, len, final);
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    failed = true;
  }
  const reduced = failed ? null : sink.end();
  return { used, line: sc.line, records: 0, meta: new Int32Array(new ArrayBuffer(0)), quoted: [], error: null, reduced };
}

function noRecord(): void {}

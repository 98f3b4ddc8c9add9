/**
 * The CSV byte-range reader on more than one thread (issue 15: both cores).
 *
 * The main thread reads the file (so reading stays in file order, in one place) and cuts it
 * into pieces that end just after a line break (LF or CR); worker threads scan the pieces
 * (./piece.ts: the scanner's range mode, unchanged) while the main thread hands the records
 * of earlier pieces, in file order, to the caller (row interpretation, interning, numbering
 * and the analyses' accumulators run there, exactly as on one thread). So every result is
 * the one-thread result by construction: the same records, in the same order, with the same
 * lines, delivered to the same code; nothing is summed in another order.
 *
 * Split points are quote-aware by checking, not by guessing: a line break inside a quoted
 * field (a note over two lines) also ends a piece, so a piece may start inside a record.
 * Each piece is scanned as if it started at a record boundary, and its records are used
 * only once the previous piece's scan (itself checked) ends exactly at the piece's first
 * byte. When it does not (the previous piece ended inside a record), the unfinished tail
 * and the piece are scanned again together on the main thread and the worker's result is
 * dropped, errors included: a worker's "unclosed quote" for a piece that started inside a
 * quoted field is never shown. A scanner at the end of a non-final piece also stops before
 * a CR that might be the first half of a CRLF, so a CRLF cut in two is joined the same way.
 *
 * Lines: a piece's lines count from 1; the reader adds the line its first byte is on (the
 * previous pieces' lines), known by the time the piece's records are delivered.
 *
 * With a range reduction (./reduce.ts) the workers also reduce their pieces' records (and
 * the caller's `scan` may reduce a piece on this thread, the same way: ../csv.ts), and a
 * reduced piece goes to the reduction's onPiece, in file order, which has the ranges of
 * records the reducer left scanned again and delivered here and counts the ones it took. A
 * piece scanned again here is scanned without the reducer and delivered whole.
 *
 * test/io/parallel.test.ts checks, for random files (quoted fields with line breaks and
 * doubled quotes, CRLF, CR, blank lines, invalid UTF-8, unclosed quotes) and random piece
 * sizes, that the records, lines, counts and errors equal the one-thread reader's.
 */
import { isUtf8 } from 'node:buffer';
import { readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { UserError } from '../../errors.js';
import { ChunkDecoder, InvalidUtf8 } from '../decode.js';
import { checkHeap } from '../heap.js';
import { RecordScanner, type RangeHandler, type RangeRecord } from '../scanner.js';
import { scanPiece, type PieceResult } from './piece.js';
import type { PieceRecords, RangeReduction } from './reduce.js';

/** Scans one piece: a worker pool's `scan`, or scanPiece inline (tests). */
export type PieceScan = (bytes: Uint8Array, len: number, final: boolean) => Promise<PieceResult>;

export interface ParallelReadOptions {
  /** The open file (closed by the caller). */
  fh: FileHandle;
  /** File size when it was opened, and the offset of the first byte to scan (after a BOM). */
  bytes: number;
  start: number;
  delimiter: string;
  display: string;
  /** Bytes per read (a piece is at most a read plus the unfinished line before it). */
  chunkSize: number;
  maxRecord: number;
  /** Records to pass over before delivering any (the header). */
  skip: number;
  /** Pieces read ahead of the one being delivered (bounds memory: about (ahead + 2) x chunkSize). */
  ahead: number;
  scan: PieceScan;
  /** A result's buffers may be reused once its records were delivered. */
  recycle?: (r: PieceResult) => void;
  onProgress?: (bytes: number) => void;
  /** The bytes read, in file order (for a checksum of the file as read). */
  onBytes?: (bytes: Uint8Array) => void;
  /** The range reduction the workers run (./reduce.ts): its pieces go to its onPiece. */
  reduce?: RangeReduction;
  /** The file's size changed while it was read: the reader's UserError. */
  changed: (got: number) => UserError;
  /** Invalid UTF-8 at `offset` bytes after `start`: the reader's UserError. */
  encodingError: (offset: number) => Promise<UserError>;
}

interface Piece {
  bytes: Uint8Array;
  len: number;
  final: boolean;
  /** Offset of bytes[0] after `start`. */
  offset: number;
  utf8: boolean;
  result: Promise<PieceResult>;
}

const PROGRESS_EVERY = 4 * 1024 * 1024;
/**
 * Pieces delivered between two turns of the event loop at least. The reads are synchronous
 * and a piece this thread reduced is delivered without waiting: without these turns a read
 * on which no worker result is awaited (no worker started yet, or none at all) would hold
 * off signal handlers (Ctrl-C's clean-up) and the workers' messages until it ends.
 */
const YIELD_EVERY = 16;
/** An unfinished record longer than this is scanned again only once its bytes have doubled (as the one-thread reader does). */
const RESCAN_AFTER = 65536;

/** Streams the file's records as byte ranges to `onRange`; returns what the one-thread reader's scanner would count. */
export async function streamRangesParallel(o: ParallelReadOptions, onRange: RangeHandler): Promise<{ delivered: number; lastLine: number }> {
  const { fh, chunkSize, maxRecord } = o;
  // ---- reading: pieces that end just after the last line break of what was read ----
  let pos = o.start;
  let carry: Uint8Array = new Uint8Array(0);
  let eof = false;
  let lastByte = -1;
  let offset = 0;
  const queue: Piece[] = [];
  /** The unfinished record had no line break for more than maxRecord bytes: stop reading. */
  let overlong = false;
  /** The size read when it is not the size at opening. */
  let changedAt = -1;

  const dispatch = (bytes: Uint8Array, len: number, final: boolean): void => {
    const piece: Piece = { bytes, len, final, offset, utf8: isUtf8(bytes.subarray(0, len)), result: null as unknown as Promise<PieceResult> };
    // A piece that is not valid UTF-8 is not scanned (the reader stops at it).
    piece.result = piece.utf8 ? o.scan(bytes, len, final) : Promise.resolve(emptyResult());
    // Unhandled until delivered: a later piece's failure must not surface before an earlier piece's error.
    piece.result.catch(() => undefined);
    offset += len;
    queue.push(piece);
  };

  /** Piece buffers (2 x chunkSize, shared with the workers) whose records were delivered: reused. */
  const spare: Uint8Array[] = [];
  const readPiece = async (): Promise<void> => {
    const size = carry.length + chunkSize;
    const bytes = size <= 2 * chunkSize && spare.length > 0 ? spare.pop()! : new Uint8Array(new SharedArrayBuffer(Math.max(size, 2 * chunkSize)));
    bytes.set(carry);
    let have = carry.length;
    // Synchronous: from the page cache a read of 1 MiB takes about 0.1 ms here, and about
    // 0.5 ms through the thread pool, where the reading thread waits (about 0.15 s in all at
    // 10M rows). The workers' progress is seen in shared memory meanwhile (./pool.ts).
    const bytesRead = readSync(fh.fd, bytes, have, chunkSize, pos);
    if (bytesRead > 0) {
      o.onBytes?.(bytes.subarray(have, have + bytesRead));
      lastByte = bytes[have + bytesRead - 1];
    }
    pos += bytesRead;
    have += bytesRead;
    const last = bytesRead < chunkSize || pos >= o.bytes;
    if (last) {
      // As the one-thread reader: a file that shrank or grew since it was opened is an error
      // (after the last piece's records).
      if (pos !== o.bytes) changedAt = pos;
      eof = true;
      carry = new Uint8Array(0);
      dispatch(bytes, have, true);
      return;
    }
    let cut = have;
    while (cut > 0 && bytes[cut - 1] !== 10 && bytes[cut - 1] !== 13) cut--;
    if (cut <= 0) {
      // No line break yet: read on (the record is refused once it is longer than maxRecord).
      carry = bytes.subarray(0, have);
      if (have > maxRecord) overlong = true;
      return;
    }
    carry = bytes.slice(cut, have);
    dispatch(bytes, cut, false);
  };

  // ---- delivering, in file order ----
  const rec: RangeRecord = { bytes: Buffer.alloc(0), start: new Int32Array(16), end: new Int32Array(16), quoted: [], count: 0, at: -1, next: -1 };
  let skip = o.skip;
  let delivered = 0;
  /** The line of the next byte to deliver. */
  let base = 1;
  /** Bytes of an unfinished record at the end of the last piece delivered (with the piece's offset). */
  let pending: Uint8Array | null = null;
  let reported = 0;

  /** Delivers the listed records of a scanned piece, then its error if the scan stopped at one. */
  const deliver = (bytes: Uint8Array, r: PieceResult): void => {
    rec.bytes = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    const meta = r.meta;
    let q = 0;
    let at = 0;
    for (let i = 0; i < r.records; i++) {
      const line = meta[at++];
      const n = meta[at++];
      if (n > rec.start.length) {
        rec.start = new Int32Array(2 * n);
        rec.end = new Int32Array(2 * n);
      }
      const st = rec.start;
      const en = rec.end;
      for (let k = 0; k < n; k++) {
        const a = meta[at++];
        st[k] = a;
        en[k] = meta[at++];
        if (a < 0) {
          while (rec.quoted.length <= k) rec.quoted.push('');
          rec.quoted[k] = r.quoted[q++];
        }
      }
      if (skip > 0) {
        skip--;
        continue;
      }
      rec.count = n;
      delivered++;
      onRange(rec, base + line - 1);
    }
    if (r.error) {
      const e = r.error;
      throw new UserError(e.message, { location: { file: o.display, line: base + e.line - 1, column: e.column }, hint: e.hint });
    }
  };

  /** The records of a reduced piece: ranges the reducer left are scanned here (they scanned without error in the worker). */
  const records = (bytes: Uint8Array): PieceRecords => ({
    raw: (a, b, line) => {
      const sc = new RecordScanner({ delimiter: o.delimiter, display: o.display }, noRecord, (r, l) => {
        if (skip > 0) {
          skip--;
          return;
        }
        delivered++;
        onRange(r, base + line + l - 2);
      });
      sc.scanBytes(Buffer.from(bytes.buffer, bytes.byteOffset + a, b - a), b - a, true);
    },
    pass: (n) => {
      delivered += n;
    },
  });

  const tooLong = (): UserError =>
    new UserError(`a record starting here runs on for more than ${(maxRecord / 1048576).toFixed(maxRecord < 1048576 ? 3 : 0)} MB`, {
      location: { file: o.display, line: base },
      hint: 'Check that the file is a CSV export with line breaks between rows',
    });

  let sinceYield = 0;
  for (;;) {
    while (!eof && !overlong && queue.length <= o.ahead) await readPiece();
    if (++sinceYield >= YIELD_EVERY) {
      sinceYield = 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const piece = queue.shift();
    if (piece === undefined) {
      if (overlong) throw tooLong();
      break;
    }
    let bytes: Uint8Array = piece.bytes.subarray(0, piece.len);
    let from = piece.offset;
    let r: PieceResult;
    const scannedHere = pending !== null;
    if (pending === null) {
      if (!piece.utf8) throw await o.encodingError(from + firstInvalid(bytes));
      r = await piece.result;
    } else {
      // The previous piece ended inside a record: scan its tail with this piece, here.
      const joined: Uint8Array = new Uint8Array(pending.length + piece.len);
      joined.set(pending);
      joined.set(bytes, pending.length);
      from -= pending.length;
      if (!piece.final && pending.length > RESCAN_AFTER && joined.length < 2 * pending.length && joined.length <= maxRecord) {
        pending = joined;
        continue;
      }
      bytes = joined;
      if (!isUtf8(bytes)) throw await o.encodingError(from + firstInvalid(bytes));
      r = scanPiece(bytes, bytes.length, piece.final, o.delimiter, o.display);
    }
    if (r.reduced && o.reduce) o.reduce.onPiece(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), r.reduced, records(bytes));
    else {
      // A reducer's scan that made nothing (or failed) listed no records: scanned again here.
      if (r.reduced === null) r = scanPiece(bytes, bytes.length, piece.final, o.delimiter, o.display);
      deliver(bytes, r);
    }
    base += r.line - 1;
    pending = r.used < bytes.length ? bytes.slice(r.used) : null;
    // Nothing refers to the piece's buffer or the result any more (an unfinished tail was
    // copied): both are reused. A piece scanned again here may still be in a worker: not reused.
    o.recycle?.(r);
    if (!scannedHere && piece.bytes.length === 2 * chunkSize) spare.push(piece.bytes);
    if (pending !== null && pending.length > maxRecord) throw tooLong();
    checkHeap(() => ({ file: o.display, line: base }));
    const done = from + r.used;
    if (o.onProgress && done - reported >= PROGRESS_EVERY) {
      reported = done;
      o.onProgress(o.start + done);
    }
  }
  if (changedAt >= 0) throw o.changed(changedAt);
  if (o.onProgress) o.onProgress(pos);
  const lastLine = lastByte === 10 || lastByte === 13 ? base - 1 : base;
  return { delivered, lastLine };
}

function noRecord(): void {}

function emptyResult(): PieceResult {
  return { used: 0, line: 1, records: 0, meta: new Int32Array(new ArrayBuffer(0)), quoted: [], error: null, reduced: null };
}

/** Offset of the first byte of `bytes` that is not valid UTF-8 (a character cut at the end counts). */
function firstInvalid(bytes: Uint8Array): number {
  try {
    new ChunkDecoder('utf8').decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), bytes.length, true);
  } catch (e) {
    if (e instanceof InvalidUtf8) return e.offset;
    throw e;
  }
  return bytes.length;
}

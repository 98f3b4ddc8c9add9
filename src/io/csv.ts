/**
 * openCsv: the CSV layer's entry point (contract in ./types.ts).
 *
 * open:  check the input (./source.ts) -> read the first block -> BOM / encoding ->
 *        binary check -> sniff delimiter, decimal mark, line ending (./sniff.ts) ->
 *        read the header record.
 * read:  stream the file in large chunks -> decode (./decode.ts) -> scan records
 *        (./scanner.ts) -> handler. Nothing is kept per record, so memory stays flat.
 *
 * Measured (test/io/perf: 10M rows, 432 MB, 7 columns, Node 20, shared 2-CPU box):
 * projection of 4 fields 2.2-2.4 s CPU (best wall 2.7 s, 3.7 M rows/s), all fields
 * 2.4-2.6 s CPU (best wall 2.9 s), peak RSS 134-145 MB whatever the file size;
 * csv-parse 6 on the same file: 25 s CPU. `readRanges` (UTF-8 only: byte ranges, no
 * decoding, no strings) on a 10M-row, 346 MB file: about 0.95 CPU-s (string projection 1.7-1.9).
 */
import { isUtf8 } from 'node:buffer';
import { UserError } from '../errors.js';
import { ChunkDecoder, InvalidUtf8, checkNotBinary, checkTextSample, detectBom, encodedLength, type Encoding } from './decode.js';
import type { PassHash } from './digest.js';
import { checkHeap } from './heap.js';
import { RecordScanner, type RangeHandler } from './scanner.js';
import { PARALLEL_MIN_BYTES, defaultThreads, scanPool, type Machine } from './parallel/pool.js';
import { scanReduced, scanReducedHere, type RangeReducer, type RangeReduction } from './parallel/reduce.js';
import { streamRangesParallel, type PieceScan } from './parallel/stream.js';
import { sampleRecords, sniffDecimal, sniffDelimiter, sniffLineEnding } from './sniff.js';
import { changedError, checkWhole, fsError, openAgain, openSource, type Source } from './source.js';
import type { CsvInput, Dialect, DialectOptions, OpenCsv, ReadOptions, ReadStats, RecordHandler } from './types.js';

/** Internal knobs (tests use tiny chunks to exercise every split point). */
export interface Tuning {
  /** Bytes per read (default 1 MiB). */
  chunkSize?: number;
  /** Bytes of the first block used for sniffing (default 64 KiB). */
  sampleSize?: number;
  /** Longest record accepted, in bytes (default 16 MiB). */
  maxRecordBytes?: number;
  /** Threads for readRanges (default: DialectOptions.threads, else defaultThreads). */
  threads?: number;
  /** Inputs at least this large are read on several threads (default PARALLEL_MIN_BYTES). */
  parallelMinBytes?: number;
  /** Inputs at least this large are read by two workers when no thread count is asked for and the read reduces (default AUTO_THREADS_BYTES). */
  autoThreadsBytes?: number;
  /** The cores and load the default thread count sees (default: this machine's, machineNow). */
  machine?: Machine;
  /** Pieces every worker has in hand before the main thread reduces one itself (default 2; 0: it reduces every piece). */
  helpAfter?: number;
  /** Scan the pieces on the main thread instead of in workers (the same split and checks, for tests). */
  inlineScan?: boolean;
  /** Called after each chunk of a pass is read and hashed, with the bytes read so far (tests inject faults here). */
  afterRead?: (bytes: number) => void;
}

/** Pieces every worker has in hand before the main thread reduces one itself (streamParallel). */
const HELP_AFTER = 2;
const DEFAULT_CHUNK = 1024 * 1024;
/** The header's read takes chunks of at most this size (it needs the first record only). */
const HEADER_CHUNK = 64 * 1024;
const DEFAULT_SAMPLE = 64 * 1024;
const PROGRESS_EVERY = 4 * 1024 * 1024;
/**
 * One record longer than this is an error (no line breaks: not a CSV export). A session row,
 * even of a wide export with thousands of columns, is far below it; the reader holds at most
 * about the limit (plus the chunks) before refusing (docs/safety.md).
 */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;
const SEP_LINE = /^sep=([^\r\n])(\r\n|\r|\n|$)/;

/**
 * A CsvInput that can also deliver records as byte ranges (RecordScanner's range mode):
 * `readRanges` streams the data records like `read`, but hands each one as offsets into
 * the (validated, undecoded) UTF-8 bytes, so the hot path parses numbers without decoding
 * the text or making a string per field. Only for UTF-8 input with an ASCII delimiter
 * (null otherwise).
 */
/** Options of readRanges: progress, and a range reduction the workers run when the input is read on several threads. */
export interface RangeReadOptions extends Pick<ReadOptions, 'onProgress'> {
  /** Used only when the read is parallel (./parallel/reduce.ts); otherwise every record is delivered. */
  reduce?: RangeReduction;
  /** Read on this thread alone, whatever threads were asked for (a pass that stops after its first records). */
  serial?: boolean;
}

export interface RangeCsvInput extends CsvInput {
  readRanges: ((onRecord: RangeHandler, options?: RangeReadOptions) => Promise<ReadStats>) | null;
}

/** The knobs every openCsv takes: none, unless a test sets them (setReadTuning). */
let readTuning: Tuning = {};

/** Sets the knobs of every later openCsv (tests: tiny pieces and no size threshold, so small files take the parallel path); {} restores. */
export function setReadTuning(tuning: Tuning): void {
  readTuning = { ...tuning };
}

export const openCsv: (...args: Parameters<OpenCsv>) => Promise<RangeCsvInput> = (path, options, stdin) => openCsvTuned(path, options, stdin, readTuning);

export async function openCsvTuned(path: string, options: DialectOptions, stdin: NodeJS.ReadableStream | undefined, tuning: Tuning): Promise<RangeCsvInput> {
  const src = await openSource(path, stdin, options.display, options.digest);
  const chunkSize = Math.max(1, Math.floor(tuning.chunkSize ?? DEFAULT_CHUNK));
  const sampleSize = Math.max(16, Math.floor(tuning.sampleSize ?? DEFAULT_SAMPLE));
  const maxRecord = tuning.maxRecordBytes ?? MAX_RECORD_BYTES;
  const afterRead = tuning.afterRead;

  const head = await readHead(src, Math.min(src.bytes, sampleSize));
  const bom = detectBom(head);
  const encoding: Encoding = bom.encoding ?? options.encoding ?? 'utf8';
  const body = head.subarray(bom.length);
  checkNotBinary(body, encoding, src.display);

  const complete = head.length >= src.bytes;
  let sample: string;
  try {
    sample = new ChunkDecoder(encoding).decode(body, body.length, complete).text;
  } catch (e) {
    if (e instanceof InvalidUtf8) throw await encodingError(src, bom.length, e.offset);
    throw e;
  }
  checkTextSample(sample, src.display);

  // Excel's "sep=;" first line names the delimiter; the header follows it.
  const sep = SEP_LINE.exec(sample);
  const skip = sep ? 1 : 0;
  if (sep) sample = sample.slice(sep[0].length);
  const delimiter =
    options.delimiter !== undefined ? normaliseDelimiter(options.delimiter) : sep ? sepDelimiter(sep[1], src.display) : sniffDelimiter(sample, complete);
  const records = sampleRecords(sample, delimiter, complete);
  const dialect: Dialect = {
    delimiter,
    encoding,
    bom: bom.length > 0,
    decimal: options.decimal ?? sniffDecimal(records, delimiter),
    lineEnding: sniffLineEnding(sample),
  };

  const ranges = dialect.encoding === 'utf8' && dialect.delimiter.charCodeAt(0) < 128;
  const asked = tuning.threads ?? options.threads;
  const size = src.bytes - bom.length;
  const minBytes = tuning.parallelMinBytes ?? PARALLEL_MIN_BYTES;
  /** Threads of a read (with a range reduction or not): as asked, else the default for this size. */
  const threadsFor = (reduces: boolean): number => Math.max(1, Math.floor(asked ?? defaultThreads(size, reduces, tuning.machine, tuning.autoThreadsBytes)));
  // Asked for: the workers start now, so their start-up overlaps the header read and the
  // command's set-up (a default is settled by the read: it depends on the reduction).
  if (ranges && asked !== undefined && threadsFor(false) > 1 && size >= minBytes && tuning.inlineScan !== true) scanPool(threadsFor(false) - 1).warm();

  // The header: the first non-blank record (read with the real reader, so a header
  // longer than the sample still works).
  let header: string[] | null = null;
  let headerLine = 1;
  // (In chunks of at most HEADER_CHUNK: the text reader decodes each chunk whole, and a
  // header longer than a chunk takes more of them.)
  const headerChunk = Math.min(chunkSize, HEADER_CHUNK);
  await stream(src, bom.length, dialect, { chunkSize: headerChunk, maxRecord, skip, limit: 1, afterRead }, undefined, undefined, (fields, line) => {
    header = fields.slice();
    headerLine = line;
  });
  if (header === null)
    throw new UserError('has no header line (the file holds only blank lines)', {
      location: { file: src.display, line: 1 },
      hint: 'Export the data again with column names on the first line',
    });
  const names: string[] = header;
  checkHeaderNames(names, headerLine, src.display);
  if (names.every((h) => h.trim() === ''))
    throw new UserError('the header line is empty (no column names)', {
      location: { file: src.display, line: headerLine },
      hint: 'Put the column names (client, session, measures) on the first line',
    });

  const input: RangeCsvInput = {
    path: src.path,
    display: src.display,
    bytes: src.bytes,
    dialect,
    header: names,
    headerLine,
    digest: () => src.digest.get(),
    read: async (onRecord: RecordHandler, opts?: ReadOptions): Promise<ReadStats> => {
      const sc = await stream(src, bom.length, dialect, { chunkSize, maxRecord, skip: skip + 1, afterRead }, opts?.fields, opts?.onProgress, onRecord);
      return { records: sc.delivered, bytes: src.bytes, lines: sc.lastLine() };
    },
    readRanges: ranges
      ? async (onRange: RangeHandler, opts?: RangeReadOptions): Promise<ReadStats> => {
          // The default counts a reduction only when this thread shares it (a reducer it has itself).
          const threads = opts?.serial === true ? 1 : threadsFor(opts?.reduce?.start !== undefined);
          // One thread reduces its own pieces when the row kernel reads them (RangeReduction.oneThread).
          const inlineReduce = threads === 1 && opts?.serial !== true && opts?.reduce?.oneThread === true && opts.reduce.start !== undefined;
          if ((threads > 1 || inlineReduce) && size >= minBytes) {
            const r = await streamParallel(
              src,
              bom.length,
              dialect,
              { chunkSize, maxRecord, skip: skip + 1 },
              threads,
              tuning.helpAfter ?? HELP_AFTER,
              tuning.inlineScan === true,
              opts?.onProgress,
              onRange,
              opts?.reduce,
            );
            return { records: r.delivered, bytes: src.bytes, lines: r.lastLine };
          }
          const sc = await stream(
            src,
            bom.length,
            dialect,
            { chunkSize, maxRecord, skip: skip + 1, afterRead },
            undefined,
            opts?.onProgress,
            noRecord,
            onRange,
          );
          return { records: sc.delivered, bytes: src.bytes, lines: sc.lastLine() };
        }
      : null,
  };
  return input;
}

function noRecord(): void {}

/**
 * readRanges on `threads` threads (./parallel/stream.ts): this thread reads, hashes and
 * delivers in order; threads - 1 workers scan the pieces (and, with a range reduction,
 * interpret the rows and reduce the client runs: describe and correlate; this thread then
 * merges, and reduces a piece itself when the workers have enough in hand). The same
 * records, lines and errors as `stream` in range mode. On one thread (a reduction the row
 * kernel reads: RangeReduction.oneThread) this thread reduces every piece itself.
 */
async function streamParallel(
  src: Source,
  start: number,
  dialect: Dialect,
  { chunkSize, maxRecord, skip }: { chunkSize: number; maxRecord: number; skip: number },
  threads: number,
  helpAfter: number,
  inline: boolean,
  onProgress: ((bytes: number) => void) | undefined,
  onRange: RangeHandler,
  reduce: RangeReduction | undefined,
): Promise<{ delivered: number; lastLine: number }> {
  const { delimiter } = dialect;
  const display = src.display;
  const pool = inline || threads < 2 ? null : scanPool(threads - 1);
  const reducer: RangeReducer | null = reduce ? { module: reduce.module, spec: reduce.spec } : null;
  // With a reduction this thread also reduces a piece itself (with the reducer as it has
  // it: the same code) whenever every worker has `helpAfter` pieces in hand; otherwise it
  // only reads, hashes and merges. Which thread reduced a piece changes nothing in it.
  const startHere = reduce?.start;
  const help: PieceScan | null =
    reducer !== null && startHere !== undefined
      ? (bytes, len, final) => Promise.resolve(scanReducedHere(bytes, len, final, delimiter, display, startHere, reducer.spec))
      : null;
  const scan: PieceScan = pool
    ? (bytes, len, final) => (help !== null && pool.inHand() >= helpAfter ? help(bytes, len, final) : pool.scan(bytes, len, final, delimiter, display, reducer))
    : threads < 2 && help !== null
      ? help
      : (bytes, len, final) => scanReduced(bytes, len, final, delimiter, display, undefined, reducer);
  const fh = await openAgain(src);
  const release = pool?.use();
  // This thread hashes every byte the pass reads (./digest.ts): the BOM here, then each
  // piece as it is read, before any worker scans it.
  const hash = src.digest.pass();
  try {
    if (start > 0) {
      const bom = Buffer.alloc(start);
      const { bytesRead } = await fh.read(bom, 0, start, 0);
      hash.update(bom.subarray(0, bytesRead));
    }
    const read = await streamRangesParallel(
      {
        fh,
        bytes: src.bytes,
        start,
        delimiter,
        display,
        chunkSize,
        maxRecord,
        skip,
        ahead: 2 * threads,
        scan,
        recycle: pool ? (r) => pool.recycle(r) : undefined,
        onProgress,
        onBytes: (bytes) => hash.update(bytes),
        ...(reduce ? { reduce } : {}),
        changed: (got) => changedError(src, got),
        encodingError: (offset) => encodingError(src, start, offset),
      },
      onRange,
    );
    // It returns only after reading the file whole, as large as when it was opened.
    hash.finish();
    return read;
  } finally {
    release?.();
    await fh.close();
  }
}

async function readHead(src: Source, n: number): Promise<Buffer> {
  const fh = await openAgain(src);
  try {
    const buf = Buffer.alloc(n);
    let got = 0;
    while (got < n) {
      const { bytesRead } = await fh.read(buf, got, n - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got);
  } finally {
    await fh.close();
  }
}

/** The end of a pass that read the file whole: its size is checked and its digest settled (or compared). */
function wholePass(src: Source, got: number, hash: PassHash, onProgress: ((bytes: number) => void) | undefined): void {
  onProgress?.(got);
  checkWhole(src, got);
  hash.finish();
}

/** Streams the whole file through a scanner; stops early when the handler returns true. */
async function stream(
  src: Source,
  start: number,
  dialect: Dialect,
  {
    chunkSize,
    maxRecord,
    skip,
    limit,
    afterRead,
  }: { chunkSize: number; maxRecord: number; skip?: number; limit?: number; afterRead?: (bytes: number) => void },
  fields: number[] | undefined,
  onProgress: ((bytes: number) => void) | undefined,
  handler: (fields: string[], line: number) => void,
  onRange?: RangeHandler,
): Promise<RecordScanner> {
  const sc = new RecordScanner({ delimiter: dialect.delimiter, fields, display: src.display, skip, limit }, handler, onRange);
  const dec = new ChunkDecoder(dialect.encoding);
  const fh = await openAgain(src);
  // The next chunk is read (in libuv's thread pool) while the current one is scanned:
  // two landing buffers alternate, and each chunk is appended to `buf`, which starts
  // with the bytes of the unfinished record (re-decoded with the new chunk, so the
  // scanner always gets one flat string) and any incomplete character.
  // The file is read from its first byte (the BOM, skipped below, included) so that a whole
  // pass hashes every byte it read (./digest.ts); a pass that stops early hashes in vain.
  const landing = [Buffer.allocUnsafe(chunkSize), Buffer.allocUnsafe(chunkSize)];
  let flip = 0;
  let pos = 0;
  const readNext = (): Promise<{ bytesRead: number; buffer: Buffer }> => {
    const target = landing[flip];
    flip ^= 1;
    const at = pos;
    pos += chunkSize;
    return fh.read(target, 0, chunkSize, at).catch((e: unknown) => {
      throw fsError(e, src.display);
    });
  };
  const hash = src.digest.pass();
  let inFlight: Promise<{ bytesRead: number; buffer: Buffer }> | null = null;
  try {
    let buf = Buffer.allocUnsafe(2 * chunkSize + 8);
    let have = 0;
    /** Bytes of the unfinished record at the last scan. */
    let scanned = 0;
    /** File offset of buf[0]. */
    let base = start;
    let got = 0;
    let reported = 0;
    inFlight = readNext();
    for (;;) {
      const { bytesRead, buffer } = await (inFlight as Promise<{ bytesRead: number; buffer: Buffer }>);
      inFlight = null;
      // Bytes of this chunk before `start` (the BOM) are hashed but not scanned.
      const from = Math.min(bytesRead, Math.max(0, start - got));
      got += bytesRead;
      const last = bytesRead < chunkSize || got >= src.bytes;
      if (!last) inFlight = readNext();
      hash.update(buffer.subarray(0, bytesRead));
      afterRead?.(got);
      const n = bytesRead - from;
      if (buf.length < have + n) {
        const bigger = Buffer.allocUnsafe(Math.max(have + n, Math.min(2 * buf.length, maxRecord + 2 * chunkSize + 8)));
        buf.copy(bigger, 0, 0, have);
        buf = bigger;
      }
      buffer.copy(buf, have, from, bytesRead);
      const end = have + n;
      // A record longer than 64 KiB: scan again only once the bytes have doubled, so
      // re-scanning its start stays linear overall - but never hold more than the record
      // limit unscanned: a file without line breaks is refused at about the limit, not at
      // twice it (issue 16: a 1 GB line took 460-720 MB before the refusal).
      if (!last && scanned > 65536 && end < 2 * scanned && end <= maxRecord) {
        have = end;
        continue;
      }
      let keep: number;
      if (onRange) {
        // Range mode: scan the UTF-8 bytes themselves. They are validated first, as the
        // decoder would (it is only asked when isUtf8 fails, to throw the same error, or to
        // confirm that the failure is just a character cut at the end of the chunk).
        if (!isUtf8(buf.subarray(0, end))) {
          try {
            dec.decode(buf, end, last);
          } catch (e) {
            if (e instanceof InvalidUtf8) throw await encodingError(src, start, base - start + e.offset);
            throw e;
          }
        }
        const used = sc.scanBytes(buf, end, last);
        if (sc.stopped || last) {
          if (!sc.stopped) wholePass(src, got, hash, onProgress);
          break;
        }
        keep = end - used;
      } else {
        let text: string;
        let carry: number;
        try {
          ({ text, carry } = dec.decode(buf, end, last));
        } catch (e) {
          if (e instanceof InvalidUtf8) throw await encodingError(src, start, base - start + e.offset);
          throw e;
        }
        const used = sc.scanChunk(text, last);
        if (sc.stopped || last) {
          if (!sc.stopped) wholePass(src, got, hash, onProgress);
          break;
        }
        keep = encodedLength(text, used, dialect.encoding) + carry;
      }
      if (keep > maxRecord)
        throw new UserError(`a record starting here runs on for more than ${(maxRecord / 1048576).toFixed(maxRecord < 1048576 ? 3 : 0)} MB`, {
          location: { file: src.display, line: sc.line },
          hint: 'Check that the file is a CSV export with line breaks between rows',
        });
      checkHeap(() => ({ file: src.display, line: sc.line }));
      if (keep > 0) buf.copy(buf, 0, end - keep, end);
      base += end - keep;
      have = keep;
      scanned = keep;
      if (onProgress && got - reported >= PROGRESS_EVERY) {
        reported = got;
        onProgress(got);
      }
    }
  } finally {
    // Let a read still in flight finish before closing the file.
    if (inFlight) await (inFlight as Promise<unknown>).catch(() => undefined);
    await fh.close();
  }
  return sc;
}

/** The UserError for invalid UTF-8 at byte `offset` (counted after the BOM). */
async function encodingError(src: Source, start: number, offset: number): Promise<UserError> {
  // openAgain: a file removed since the pass began is a one-line error, not a raw ENOENT.
  const fh = await openAgain(src);
  let line = 1;
  let byte = -1;
  try {
    const buf = Buffer.allocUnsafe(1024 * 1024);
    let pos = start;
    let prevCR = false;
    const stop = start + offset;
    while (pos < stop) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, stop - pos), pos);
      if (bytesRead === 0) break;
      for (let i = 0; i < bytesRead; i++) {
        const b = buf[i];
        if (b === 10) {
          if (!prevCR) line++;
          prevCR = false;
        } else if (b === 13) {
          line++;
          prevCR = true;
        } else prevCR = false;
      }
      pos += bytesRead;
    }
    const one = Buffer.alloc(1);
    const { bytesRead } = await fh.read(one, 0, 1, stop);
    if (bytesRead === 1) byte = one[0];
  } finally {
    await fh.close();
  }
  const what = byte >= 0 ? ` (byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')})` : ' (the file ends inside a character)';
  return new UserError(`is not valid UTF-8${what}`, {
    location: { file: src.display, line },
    hint: 'Re-run with --encoding latin1 (Windows/Excel exports), or save the file as UTF-8',
  });
}

/** The delimiter a "sep=" first line names; one that cannot be a delimiter (`sep="`) is an error at that line, not about a flag. */
function sepDelimiter(c: string, display: string): string {
  if (c === '"') {
    throw new UserError(`the first line 'sep=${c}' names a quote as the delimiter`, {
      location: { file: display, line: 1 },
      hint: 'Delete that line (the delimiter is then detected), or give --delimiter',
    });
  }
  return normaliseDelimiter(c);
}

/** Accepts one character, or "tab" / "\t" spelled out. */
export function normaliseDelimiter(d: string): string {
  const named: Record<string, string> = { tab: '\t', '\\t': '\t', TAB: '\t', comma: ',', semicolon: ';', pipe: '|' };
  const out = named[d] ?? d;
  if (out.length !== 1 || out === '"' || out === '\n' || out === '\r')
    throw new UserError(`--delimiter must be one character (got ${JSON.stringify(d)})`, {
      hint: 'Use --delimiter ",", ";", "|" or tab',
    });
  return out;
}

/** The longest text a column name may have, and the most physical lines a name over 80 characters may span. */
const MAX_HEADER_NAME = 1000;
const MAX_HEADER_NAME_LINES = 2;

/**
 * A header cell that spans many lines or is very long is a stray quote: the quoted field it
 * opens swallowed data rows (names, emails) into the header. Stop with one line that says
 * where, without echoing the swallowed text (issue 16); the user fixes the quote.
 */
function checkHeaderNames(names: string[], headerLine: number, display: string): void {
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    if (name.length <= 80 && !/[\r\n]/.test(name)) continue;
    const lines = (name.match(/\r\n|\r|\n/g)?.length ?? 0) + 1;
    if ((lines > MAX_HEADER_NAME_LINES && name.length > 80) || name.length > MAX_HEADER_NAME) {
      throw new UserError(
        `column ${i + 1} of the header is a quoted field of ${name.length.toLocaleString('en')} characters over ${lines} lines: probably a stray quote, which swallowed data rows into the header (not shown)`,
        { location: { file: display, line: headerLine }, hint: 'Remove the stray " in the header line, or double it ("") if it belongs to a column name' },
      );
    }
  }
}

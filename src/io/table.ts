/**
 * Tables that are not plain CSV text, read as if they were: one entry point, `openTable`,
 * sniffs the input's first bytes (a path, or "-" for standard input, spooled first) and
 * returns a `TableInput` - the CSV layer's `CsvInput` contract (header, string records in
 * order, a line number per record) plus what the dataset layer needs to say where a cell
 * is in the format's own terms.
 *
 *   1f 8b            gzip     -> inflated (streamed) to a temporary file, then read as CSV
 *   PK 03 04         zip      -> an Excel workbook (xl/workbook.xml inside): ./xlsx.ts;
 *                                else the one CSV inside, inflated (streamed) to a temporary file
 *   $FL2 / $FL3      SPSS     -> ./sav.ts (.sav, bytecode-compressed or not; .zsav)
 *   PAR1             Parquet  -> ./parquet.ts (read by row group)
 *   anything else             -> the CSV reader (./csv.ts), unchanged, with its byte fast path
 *
 * Non-CSV readers hand over cells as text the CSV path would have read: numbers in their
 * shortest round-trip form (String(x) parses back to the same double), dates as ISO
 * yyyy-mm-dd, missing cells as ''. So mapping, validation and every analysis are the
 * ones the long CSV gets. `line` is the format's row coordinate (the sheet row for a
 * workbook, the case number for SPSS and Parquet) and `locate(line, field)` words a cell
 * (`Sessions!C5`, `case 12, variable srs`). Layout readers (./wide.ts, ./redcap.ts) wrap
 * any TableInput in the same contract.
 */
import * as fs from 'node:fs';
import { createGunzip } from 'node:zlib';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UserError } from '../errors.js';
import { openCsv } from './csv.js';
import { MAGIC_BYTES, sniffMagic } from './magic.js';
import { MAX_SPOOL_BYTES, openSource, readWhole, snapshot, spoolToTemp, type Source, type TooLarge } from './source.js';
import type { DialectOptions } from './types.js';
import type { TableInput, TableOptions } from './table-input.js';

export { sniffMagic, type Sniffed } from './magic.js';
export { columnLetters, isoDate, numberText, type ColumnRoles, type TableInput, type TableOptions } from './table-input.js';

/** Internal knob (tests): the most a gzip file or a zip's CSV may inflate to (default MAX_SPOOL_BYTES). */
export const inflateTuning: { maxBytes?: number } = {};

/**
 * A gzip file, or a zip whose CSV (`zipped`: its name in the archive), that inflates past
 * the limit of its temporary copy: said as such, not as standard input or a pipe (whose
 * copy has the same limit), with what to do instead.
 */
function inflatedTooLarge(source: Source, zipped?: string): TooLarge {
  const rest = 'which has no such limit, or split the export into smaller files';
  return (limit) =>
    zipped === undefined
      ? new UserError(`its decompressed content is larger than ${limit}, the most a compressed input may inflate to`, {
          location: { file: source.display },
          hint: `Decompress it first (gunzip -k) and give the path of the .csv, ${rest}`,
        })
      : new UserError(`the CSV inside the zip archive (${zipped}) is larger than ${limit} decompressed, the most a compressed input may inflate to`, {
          location: { file: source.display },
          hint: `Unzip it first and give the path of ${zipped}, ${rest}`,
        });
}

function readMagic(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(MAGIC_BYTES);
    const n = fs.readSync(fd, b, 0, MAGIC_BYTES, 0);
    return b.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** Opens any supported input as a TableInput. */
export async function openSniffed(input: string, options: TableOptions, stdin?: NodeJS.ReadableStream): Promise<TableInput> {
  const source = await openSource(input, stdin, options.display, options.digest);
  const kind = sniffMagic(readMagic(source.file));
  switch (kind) {
    case 'gzip':
      return csvFrom(await gunzipToTemp(source), source, options, 'gzip-compressed CSV', 'csv.gz');
    case 'zip': {
      if (isWorkbook(source.file)) {
        const { openXlsx } = await import('./xlsx.js');
        return openXlsx(await snapshot(source), options);
      }
      const { file, name } = await unzipOneCsv(source);
      return csvFrom(file, source, options, `CSV inside a zip archive (${name})`, 'zip');
    }
    case 'sav': {
      const { openSav } = await import('./sav.js');
      return openSav(await snapshot(source));
    }
    case 'parquet': {
      const { openParquet } = await import('./parquet.js');
      return openParquet(await snapshot(source));
    }
    default: {
      const csv = await openCsv(source.file, { ...options, display: source.display });
      return Object.assign(csv, { path: input, format: 'CSV', kind: 'csv', notes: [] as string[] });
    }
  }
}

/** The CSV inflated from `source` into `file`: its size and digest are the compressed file's (hashed while it was inflated). */
async function csvFrom(file: string, source: Source, options: DialectOptions, format: string, kind: string): Promise<TableInput> {
  const csv = await openCsv(file, { ...options, display: source.display });
  return Object.assign(csv, { path: source.path, bytes: source.bytes, digest: () => source.digest.get(), format, kind, notes: [] as string[] });
}

/** Inflates a gzip file to a temporary file, hashing the compressed bytes as they are read. */
async function gunzipToTemp(source: Source): Promise<string> {
  const gunzip = createGunzip();
  let inflateError: NodeJS.ErrnoException | null = null;
  gunzip.once('error', (e) => (inflateError ??= e));
  const [spooled, fed] = await Promise.allSettled([
    spoolToTemp(gunzip, source.display, inflateTuning.maxBytes ?? MAX_SPOOL_BYTES, undefined, inflatedTooLarge(source)),
    pipeline(readWhole(source), gunzip),
  ]);
  if (spooled.status === 'fulfilled' && fed.status === 'fulfilled') return spooled.value;
  // The reader's errors (the file changed or went away) say what happened first; then the
  // decompressor's own (a damaged file), then the spool's (too large, binary data). A spool
  // that refused the data stops the decompressor (an abort, a premature close): not its error.
  if (fed.status === 'rejected' && fed.reason instanceof UserError) throw fed.reason;
  const z = inflateError as NodeJS.ErrnoException | null;
  if (z !== null && !(z instanceof UserError) && z.code !== 'ERR_STREAM_PREMATURE_CLOSE' && z.code !== 'ABORT_ERR')
    throw new UserError(`cannot decompress the gzip file (${z.message})`, {
      location: { file: source.display },
      hint: 'The file is damaged or truncated; compress the export again (gzip FILE.csv)',
    });
  throw spooled.status === 'rejected' ? spooled.reason : (fed as PromiseRejectedResult).reason;
}

/** True when the zip's central directory (at its end) names xl/workbook.xml: an Excel workbook. */
function isWorkbook(file: string): boolean {
  const size = fs.statSync(file).size;
  const n = Math.min(size, 1 << 20);
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(n);
    fs.readSync(fd, b, 0, n, size - n);
    return b.includes('xl/workbook.xml') || b.includes('xl/workbook.bin');
  } finally {
    fs.closeSync(fd);
  }
}

const TABLE_ENTRY = /\.(csv|tsv|txt)$/i;

/**
 * Compressed bytes given to fflate at a time. fflate inflates all it is given at once (up to
 * about 1000 times as much: a 1 MiB read of a crafted entry is a GiB), so the archive is
 * fed in 16 KiB pieces and the feeding waits whenever the temporary copy falls behind.
 */
const UNZIP_PIECE = 16 * 1024;

/** Resolves at once, or when a copy that has more buffered than it wants has written it (or was stopped). */
function drained(out: PassThrough | null): Promise<void> | undefined {
  if (out === null || !out.writableNeedDrain || out.destroyed) return undefined;
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}

/** Inflates the one CSV of a zip archive to a temporary file (streamed; never the whole file in memory). */
async function unzipOneCsv(source: Source): Promise<{ file: string; name: string }> {
  const { Unzip, UnzipInflate } = await import('fflate');
  const names: string[] = [];
  let spooled: Promise<string> | null = null;
  let failure: Error | null = null;
  let refused: Error | null = null;
  let pass: PassThrough | null = null;
  const unzip = new Unzip((entry) => {
    if (entry.name.endsWith('/') || entry.name.startsWith('__MACOSX/') || !TABLE_ENTRY.test(entry.name)) return;
    names.push(entry.name);
    if (names.length > 1) return;
    const out = new PassThrough();
    pass = out;
    spooled = spoolToTemp(out, source.display, inflateTuning.maxBytes ?? MAX_SPOOL_BYTES, undefined, inflatedTooLarge(source, entry.name));
    // The spool can refuse the entry (binary data, too large) while the archive is still
    // being read: that refusal is the answer (awaited below), not an unhandled rejection.
    spooled.catch((e: unknown) => (refused ??= e instanceof Error ? e : new Error(String(e))));
    entry.ondata = (err, data, final) => {
      if (err) {
        failure = err;
        out.end();
        return;
      }
      if (data.length > 0) out.write(data);
      if (final) out.end();
    };
    entry.start();
  });
  unzip.register(UnzipInflate);
  try {
    // The archive's bytes are hashed as they are read (the input's digest).
    for await (const chunk of readWhole(source)) {
      for (let at = 0; at < chunk.length && refused === null; at += UNZIP_PIECE) {
        unzip.push(chunk.subarray(at, at + UNZIP_PIECE));
        await drained(pass);
      }
      if (refused !== null) break;
    }
    if (refused === null) unzip.push(new Uint8Array(0), true);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot read the zip archive (${(e as Error).message})`, {
      location: { file: source.display },
      hint: 'The archive is damaged or uses an unsupported compression; unzip it and give the CSV',
    });
  }
  const file = spooled ? await (spooled as Promise<string>) : '';
  if (failure) {
    throw new UserError(`cannot decompress the zip archive (${(failure as Error).message})`, {
      location: { file: source.display },
      hint: 'The archive is damaged; unzip it and give the CSV',
    });
  }
  if (names.length === 0) {
    throw new UserError('the zip archive holds no .csv, .tsv or .txt file', {
      location: { file: source.display },
      hint: 'Give the CSV export itself, or a zip holding exactly one CSV',
    });
  }
  if (names.length > 1) {
    throw new UserError(`the zip archive holds ${names.length} tables (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''}); one is expected`, {
      location: { file: source.display },
      hint: 'Unzip it and give the CSV files as separate arguments',
    });
  }
  if (fs.statSync(file).size === 0) {
    throw new UserError(`the CSV inside the zip archive (${names[0]}) is empty`, { location: { file: source.display }, hint: 'Export the data again' });
  }
  return { file, name: names[0] };
}

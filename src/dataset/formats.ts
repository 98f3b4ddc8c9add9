/**
 * The input formats: each opens a path as a TableSource (contract in ./source.ts).
 *
 * `openTable` asks each entry of FORMATS in turn whether it reads the input (by its name or
 * its first bytes) and opens it with the first that does; CSV (also TSV, semicolon and
 * other delimited text) is the fallback. A new format is one entry here plus its reader.
 */
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors.js';
import { normalizeName } from '../instruments/registry.js';
import { openCsv, type RangeCsvInput } from '../io/csv.js';
import type { DigestKind } from '../io/digest.js';
import type { Io } from '../io/process.js';
import { openSniffed, sniffMagic } from '../io/table.js';
import { fromTableInput, lineColumn, sourceOf, type FormatSource } from './format-source.js';
import { CLIENT_NAMES } from './mapping.js';
import { maybeRedcap } from './redcap.js';
import type { ReadOptions } from './types.js';
import type { TableSource } from './source.js';
import { maybeWide } from './wide.js';

export interface TableFormat {
  /** As the output names it ('csv'). */
  name: string;
  /**
   * True when this format reads the input. `file` is the path (or '-' for standard input);
   * `head` is the input's first bytes (up to 4 KiB; empty when they are not available).
   */
  matches(file: string, head: Buffer): boolean;
  /** Opens the input; `display` is how messages name it, `digest` what its reads hash. */
  open(file: string, display: string | undefined, options: ReadOptions, io: Io, digest?: DigestKind): Promise<TableSource>;
}

/** CSV and other delimited text: the fallback, so it matches everything. */
export const csvFormat: TableFormat = {
  name: 'csv',
  matches: () => true,
  async open(file, display, options, io, digest) {
    const input = await openCsv(
      file,
      { delimiter: options.delimiter, encoding: options.encoding, decimal: options.decimal, display, threads: options.threads, digest },
      io.stdin,
    );
    return csvSource(input);
  },
};

/** A CSV input as a TableSource: fields are the text of each cell, no typed cells; locations are file:line:column. */
export function csvSource(input: RangeCsvInput): TableSource {
  return sourceOf(input, 'csv', lineColumn(input.display, input.header));
}

/**
 * Inputs recognised by their first bytes (src/io/table.ts: gzip, zip, Excel .xlsx, SPSS
 * .sav/.zsav, Parquet), and standard input, which is spooled and then sniffed the same way
 * (plain text from stdin goes on to the CSV reader with its byte fast path).
 */
export const sniffedFormat: TableFormat = {
  name: 'sniffed',
  matches: (file, head) => file === '-' || sniffMagic(head) !== 'text',
  async open(file, display, options, io, digest) {
    const clientName = options.client?.trim().toLowerCase();
    const looksLikeHeader = (cells: string[]) =>
      cells.some((c) =>
        clientName !== undefined
          ? c.trim().toLowerCase() === clientName
          : CLIENT_NAMES.some((tier) => tier.includes(normalizeName(c))) || c.trim().toLowerCase() === 'record_id',
      );
    const input = await openSniffed(
      file,
      { delimiter: options.delimiter, encoding: options.encoding, decimal: options.decimal, display, sheet: options.sheet, looksLikeHeader, digest },
      io.stdin,
    );
    return fromTableInput(input, input.kind);
  },
};

/**
 * The formats in the order they are tried; the last must match everything. Formats that
 * recognise their input by content come first.
 */
export const FORMATS: TableFormat[] = [sniffedFormat, csvFormat];

/** Relative paths are taken from io.cwd (the --cwd a test or the report gives). */
export function resolveInputPath(p: string, io: Io): string {
  if (p === '-' || path.isAbsolute(p) || io.cwd === process.cwd()) return p;
  return path.resolve(io.cwd, p);
}

/**
 * Opens one input with the first format that reads it, then applies the layouts: a REDCap
 * export (./redcap.ts) and a wide file (./wide.ts) are reshaped to one row per session.
 * `digest`: what its reads hash (src/io/digest.ts).
 */
export async function openTable(file: string, options: ReadOptions, io: Io, digest?: DigestKind): Promise<TableSource> {
  const resolved = resolveInputPath(file, io);
  const display = file === '-' ? undefined : file;
  // Only a regular file is peeked at: reading the head of a pipe (<(...), /dev/stdin) would
  // consume it. Anything else (stdin, pipes, and paths that are missing or directories, whose
  // errors openSource words) goes to the sniffed format, which spools a pipe and sniffs the copy.
  const regular = file !== '-' && isRegularFile(resolved);
  const head = regular ? await readHead(resolved) : Buffer.alloc(0);
  const format = regular
    ? (FORMATS.find((f) => f.matches(file, head)) ?? csvFormat)
    : (FORMATS.find((f) => f !== sniffedFormat && f !== csvFormat && f.matches(file, head)) ?? sniffedFormat);
  const source: FormatSource = await format.open(resolved, display, options, io, digest);
  if (options.sheet !== undefined && source.format !== 'xlsx') {
    throw new UserError('--sheet applies to Excel workbooks only', {
      location: { file: source.display },
      hint: 'Leave out --sheet for this input',
    });
  }
  return maybeWide(maybeRedcap(source), options);
}

function isRegularFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

async function readHead(file: string): Promise<Buffer> {
  const { open } = await import('node:fs/promises');
  let fh;
  try {
    fh = await open(file, 'r');
  } catch {
    return Buffer.alloc(0); // the format's reader reports the unreadable file
  }
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } catch {
    return Buffer.alloc(0); // a directory or device: the CSV reader reports it
  } finally {
    await fh.close();
  }
}

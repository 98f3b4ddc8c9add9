/**
 * Where the bytes come from: a path, or "-" for standard input. Standard input is spooled
 * to a temporary file (removed when the process exits) so it can be read more than once.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { UserError } from '../errors.js';
import { track, untrack } from './cleanup.js';
import { InputDigest, type DigestKind, type PassHash } from './digest.js';
import { MAGIC_BYTES, sniffMagic } from './magic.js';
import { looksLikeUtf16 } from './decode.js';

export interface Source {
  /** As given ("-" for stdin). */
  path: string;
  /** Name used in messages. */
  display: string;
  /** The file actually read (the spool file for stdin). */
  file: string;
  bytes: number;
  /** The digest of the bytes read (./digest.ts): settled by the first whole pass, checked by the others. */
  digest: InputDigest;
  /** True when `file` is a private copy (spooled stdin or pipe, snapshot): nothing else writes it. */
  copy?: boolean;
}

export const STDIN_DISPLAY = '<stdin>';

const spooled = new Set<string>();
let exitHookInstalled = false;

function removeSpooled(): void {
  for (const dir of spooled) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort at exit
    }
  }
  spooled.clear();
}

/**
 * The most standard input (or a named pipe) may hold: it is copied to a temporary file so
 * it can be read more than once, and an endless stream must not fill the disk. A file on
 * disk has no such limit (give its path). The CSV inflated from a gzip file or a zip
 * (./table.ts) is copied the same way, within the same bound. Documented in docs/safety.md.
 */
export const MAX_SPOOL_BYTES = 4 * 1024 ** 3;
/** The most a config or schema file may hold (they are small text files). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Removes one spooled copy now (a failed or interrupted spool leaves nothing behind). */
function removeSpoolDir(dir: string): void {
  spooled.delete(dir);
  untrack(dir);
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch {
    // best effort
  }
}

/** The spool folders still present (for the signal handler, src/io/signals.ts). */
export function spooledDirs(): string[] {
  return [...spooled];
}

/** A new private temporary folder, removed at exit (or by removeSpoolDir). */
function spoolDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alliance-stdin-'));
  spooled.add(dir);
  track(dir);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', removeSpooled);
  }
  return dir;
}

/** The error for a copy that passed its limit (`limit` as "4 GiB"), naming what was copied. */
export type TooLarge = (limit: string) => UserError;

/** Standard input or a named pipe that passed its limit. */
function streamTooLarge(display: string): TooLarge {
  return (limit) =>
    new UserError(`is larger than ${limit}, the most standard input or a pipe may hold`, {
      location: { file: display },
      hint: 'Save the data to a file and give its path (files have no such limit)',
    });
}

/**
 * Copies a stream into a temporary file; returns the file's path. Stops with a UserError
 * (and removes the copy) when the stream passes `maxBytes` (`tooLarge` words it; by default
 * as standard input or a pipe), or when its first 64 KiB hold NUL bytes (binary data such
 * as /dev/urandom: no CSV export has them) - unless it starts with the signature of a
 * container format we read (gzip, zip/xlsx, SPSS, Parquet: ./magic.ts), or its first chunk
 * has them as UTF-16 text does (./decode.ts, looksLikeUtf16).
 */
export async function spoolToTemp(
  stream: NodeJS.ReadableStream | AsyncIterable<Buffer>,
  display = STDIN_DISPLAY,
  maxBytes = MAX_SPOOL_BYTES,
  hash?: PassHash,
  tooLarge: TooLarge = streamTooLarge(display),
): Promise<string> {
  const dir = spoolDir();
  const file = path.join(dir, 'stdin.csv');
  let seen = 0;
  let head = Buffer.alloc(0);
  let container: boolean | undefined; // decided once the first MAGIC_BYTES have arrived
  let utf16 = false;
  const guard = async function* (source: AsyncIterable<Buffer | string>) {
    for await (const chunk of source) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (container === undefined) {
        head = Buffer.concat([head, buf.subarray(0, MAGIC_BYTES)]).subarray(0, MAGIC_BYTES);
        if (head.length >= MAGIC_BYTES) container = sniffMagic(head) !== 'text';
      }
      // UTF-16 text has a NUL in every other byte of its ASCII: text for the CSV reader (which
      // reads it, or asks for --encoding), judged on the first chunk, which starts the input.
      if (seen === 0 && looksLikeUtf16(buf)) utf16 = true;
      if (container === false && !utf16 && seen < 64 * 1024 && buf.subarray(0, 64 * 1024 - seen).includes(0)) {
        throw new UserError('does not look like a CSV text file (it contains binary data)', {
          location: { file: display },
          hint: 'Give a CSV export (plain text, one row per session)',
        });
      }
      seen += buf.length;
      hash?.update(buf);
      if (seen > maxBytes) throw tooLarge(formatBytes(maxBytes));
      yield buf;
    }
  };
  try {
    await pipeline(stream, guard, fs.createWriteStream(file));
    hash?.finish();
  } catch (e) {
    removeSpoolDir(dir);
    if (e instanceof UserError) throw e;
    throw copyError(e, display) ?? fsError(e, display);
  }
  return file;
}

/**
 * A private copy (of standard input, a pipe, a workbook) that the temporary folder has no
 * room for: said as such, not as a file that cannot be read ("check the permissions").
 */
function copyError(e: unknown, display: string): UserError | undefined {
  const code = (e as NodeJS.ErrnoException).code;
  if (code !== 'ENOSPC' && code !== 'EDQUOT' && code !== 'EFBIG') return undefined;
  return new UserError(`no room for a temporary copy of the input in ${os.tmpdir()} (${code})`, {
    location: { file: display },
    hint: 'Free some space there, point TMPDIR to a folder with room, or give the path of a file (not standard input or a pipe)',
  });
}

function formatBytes(n: number): string {
  if (n >= 1024 ** 3 && n % 1024 ** 3 === 0) return `${n / 1024 ** 3} GiB`;
  if (n >= 1024 ** 2 && n % 1024 ** 2 === 0) return `${n / 1024 ** 2} MiB`;
  return `${n} bytes`;
}

/** A device (/dev/zero, /dev/urandom, a terminal) is never an input: it has no end or is not data. */
function deviceError(display: string): UserError {
  return new UserError('is a device, not a file', { location: { file: display }, hint: 'Give the path of a CSV file, or pipe the data into "-"' });
}

/**
 * Reads a small text file (a config, a schema) whole, refusing devices and anything past
 * `maxBytes` without holding more than that. A named pipe (<(...)) is read up to the limit.
 * `what` names the file in messages ("config file", "schema").
 */
export async function readSmallText(file: string, display: string, what: string, maxBytes = MAX_CONFIG_BYTES): Promise<string> {
  let fd: fs.promises.FileHandle | undefined;
  try {
    const st = fs.statSync(file);
    if (st.isDirectory()) throw new UserError(`the ${what} is a directory`, { location: { file: display }, hint: `Give the path of the ${what}` });
    if (st.isCharacterDevice() || st.isBlockDevice()) throw deviceError(display);
    if (st.isFile() && st.size > maxBytes) throw tooBig(display, what, maxBytes);
    fd = await fs.promises.open(file, 'r');
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.alloc(Math.min(64 * 1024, maxBytes + 1 - total));
      const { bytesRead } = await fd.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      chunks.push(buf.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) throw tooBig(display, what, maxBytes);
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch (e) {
    if (e instanceof UserError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `${what} not found` : `cannot read the ${what} (${code ?? String(e)})`, {
      location: { file: display },
      hint: `Check the path of the ${what}`,
    });
  } finally {
    await fd?.close();
  }
}

function tooBig(display: string, what: string, maxBytes: number): UserError {
  return new UserError(`the ${what} is larger than ${formatBytes(maxBytes)}`, {
    location: { file: display },
    hint: `A ${what} is a short text file; check the path`,
  });
}

/** Removes all spooled stdin copies now (for tests; otherwise done at exit). */
export function cleanupSpooled(): void {
  removeSpooled();
}

let activeRuns = 0;

/**
 * Runs a command so that the private copies it made (spooled standard input, snapshots of
 * binary inputs) are removed when it ends, not only when the process exits: a program that
 * runs commands in-process (the test suite, the build's code-cache warm-up) must not leave
 * copies of the data in the temporary folder. Copies are only read while a command runs;
 * with several commands running at once, they are removed when the last one ends.
 */
export async function withPrivateCopies<T>(fn: () => Promise<T>): Promise<T> {
  activeRuns++;
  try {
    return await fn();
  } finally {
    if (--activeRuns === 0) removeSpooled();
  }
}

/**
 * Resolves and checks an input; throws UserError for missing, unreadable, directory or empty
 * inputs. `kind`: what its reads hash (./digest.ts).
 */
export async function openSource(input: string, stdin?: NodeJS.ReadableStream, displayAs?: string, kind: DigestKind = 'crc32'): Promise<Source> {
  if (input === '-') {
    const stream = stdin ?? process.stdin;
    if ((stream as { isTTY?: boolean }).isTTY === true)
      throw new UserError('standard input is a terminal, not a file', {
        location: { file: displayAs ?? STDIN_DISPLAY },
        hint: 'Pipe a CSV export into the command (alliance ... - < data.csv), or give its path instead of "-"',
      });
    const display = displayAs ?? STDIN_DISPLAY;
    const digest = new InputDigest(display, kind);
    const file = await spoolToTemp(stream, display, MAX_SPOOL_BYTES, digest.pass());
    const bytes = fs.statSync(file).size;
    if (bytes === 0)
      throw new UserError('standard input is empty', {
        location: { file: display },
        hint: 'Pipe a CSV export into the command, or give its path instead of "-"',
      });
    return { path: input, display, file, bytes, digest, copy: true };
  }
  const display = displayAs ?? input;
  let st: fs.Stats;
  try {
    st = fs.statSync(input);
  } catch (e) {
    throw fsError(e, display);
  }
  if (st.isDirectory())
    throw new UserError('is a directory, not a CSV file', {
      location: { file: display },
      hint: 'Give the path of a .csv file inside it',
    });
  if (st.isCharacterDevice() || st.isBlockDevice()) throw deviceError(display);
  if (!st.isFile() && !st.isFIFO()) throw new UserError('is not a regular file', { location: { file: display }, hint: 'Give the path of a CSV file' });
  if (!st.isFile()) {
    // A named pipe (e.g. /dev/stdin from a pipe, <(...)): spool it like stdin, within the limit.
    const digest = new InputDigest(display, kind);
    const file = await spoolToTemp(fs.createReadStream(input), display, MAX_SPOOL_BYTES, digest.pass());
    const bytes = fs.statSync(file).size;
    if (bytes === 0) throw emptyFile(display);
    return { path: input, display, file, bytes, digest, copy: true };
  }
  try {
    fs.accessSync(input, fs.constants.R_OK);
  } catch (e) {
    throw fsError(e, display);
  }
  if (st.size === 0) throw emptyFile(display);
  return { path: input, display, file: input, bytes: st.size, digest: new InputDigest(display, kind) };
}

/**
 * Opens the input for another pass. A file removed or renamed since it was first opened is
 * a one-line error (exit 2), not an internal error (issue 16).
 */
export async function openAgain(src: Source): Promise<fsp.FileHandle> {
  try {
    return await fsp.open(src.file, 'r');
  } catch (e) {
    throw goneError(e, src);
  }
}

/** The error for a file that could not be opened again: removed or renamed (ENOENT), or as fsError says. */
function goneError(e: unknown, src: Source): UserError {
  if ((e as NodeJS.ErrnoException).code === 'ENOENT')
    return new UserError('the file was removed or renamed while it was being read', {
      location: { file: src.display },
      hint: 'Run again once nothing else is changing the file',
    });
  return fsError(e, src.display);
}

/**
 * A whole pass must read exactly the bytes the file had when it was opened: a file that was
 * truncated or appended to while it was read would give results (and a manifest's row
 * count and checksum) that describe no one version of it.
 */
export function checkWhole(src: Source, got: number): void {
  if (got !== src.bytes) throw changedError(src, got);
}

/** The error for a pass that read `got` bytes of a file that had `src.bytes` when opened. */
export function changedError(src: Source, got: number): UserError {
  return new UserError(`the file changed while it was being read (${src.bytes.toLocaleString('en')} bytes when opened, ${got.toLocaleString('en')} read)`, {
    location: { file: src.display },
    hint: 'Run again once nothing else is writing the file (or copy it first)',
  });
}

/**
 * The input's bytes in order, in chunks of `chunkSize`, hashed as they are read (a whole
 * pass: ./digest.ts); a file that shrinks, grows or goes away meanwhile is a UserError.
 */
export async function* readWhole(src: Source, chunkSize = 1024 * 1024): AsyncGenerator<Buffer> {
  const hash = src.digest.pass();
  const fh = await openAgain(src);
  try {
    let pos = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(chunkSize);
      let bytesRead: number;
      try {
        ({ bytesRead } = await fh.read(buf, 0, chunkSize, pos));
      } catch (e) {
        throw fsError(e, src.display);
      }
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      hash.update(chunk);
      pos += bytesRead;
      yield chunk;
    }
    checkWhole(src, pos);
    hash.finish();
  } finally {
    await fh.close();
  }
}

/**
 * The input as a private copy, and the copy hashed: for readers that read a file by its
 * path on their own, at their own offsets and as often as they like (workbooks, SPSS,
 * Parquet), so that what they read is exactly what was hashed, whatever happens to the
 * original afterwards. The kernel copies (copyFile: a reflink where the file system has
 * them, else copy_file_range, never through this process), then one pass reads the copy
 * and hashes it: a copy of another size than the file had when opened (it changed during
 * the copy) is the same one-line error as any pass. At 1M sessions (a 53 MB .sav) that is
 * ~75 ms of CPU against ~90-210 ms for reading, hashing and writing the bytes ourselves.
 * An input that already is a private copy (spooled stdin) is returned as it is.
 */
export async function snapshot(src: Source): Promise<Source> {
  if (src.copy === true) return src;
  const dir = spoolDir();
  const copy: Source = { ...src, file: path.join(dir, 'snapshot'), copy: true };
  try {
    try {
      await fsp.copyFile(src.file, copy.file, fs.constants.COPYFILE_FICLONE);
    } catch (e) {
      throw copyError(e, src.display) ?? goneError(e, src);
    }
    for await (const chunk of readWhole(copy)) void chunk; // hashed as it is read
    return copy;
  } catch (e) {
    removeSpoolDir(dir);
    throw e;
  }
}

function emptyFile(display: string): UserError {
  return new UserError('file is empty (0 bytes)', {
    location: { file: display },
    hint: 'Export the data again; a CSV export has at least a header line',
  });
}

export function fsError(e: unknown, display: string): UserError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT')
    return new UserError('no such file', {
      location: { file: display },
      hint: 'Check the spelling of the path and the current directory',
    });
  if (code === 'EACCES' || code === 'EPERM')
    return new UserError('permission denied', { location: { file: display }, hint: 'Make the file readable or copy it somewhere you can read' });
  if (code === 'ENOTDIR') return new UserError('no such file (a part of the path is not a directory)', { location: { file: display }, hint: 'Check the path' });
  if (code === 'EISDIR')
    return new UserError('is a directory, not a CSV file', { location: { file: display }, hint: 'Give the path of a .csv file inside it' });
  return new UserError(`cannot read the file (${code ?? String(e)})`, { location: { file: display }, hint: 'Check the path and permissions' });
}

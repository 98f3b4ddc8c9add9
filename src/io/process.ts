/**
 * The streams and environment a command runs against. Commands never touch `process`
 * directly: tests run them in-process with captured streams (see test/helpers/cli.ts).
 * Lives in src/io so that every layer (dataset, report) can name it without importing the CLI.
 */
import * as fs from 'node:fs';
import type { Readable } from 'node:stream';
import { UserError } from '../errors.js';

export interface TextSink {
  write(chunk: string): boolean | void;
}

export interface Io {
  stdout: TextSink;
  stderr: TextSink;
  stdin: Readable;
  env: Record<string, string | undefined>;
  cwd: string;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** The terminal's width in characters when stdout is a terminal (else undefined). */
  stdoutColumns?: () => number | undefined;
  /** Resolves when everything written to stdout has been flushed (or stdout closed). */
  drain?: () => Promise<void>;
  /** True once the reader of stdout has gone away (`| head`): long writers stop early. */
  closed?: () => boolean;
  /** The error that stopped writing to stdout (a full disk, /dev/full, EIO), if any; never EPIPE. */
  writeError?: () => NodeJS.ErrnoException | null;
}

/**
 * Writes all of `buf` to `fd`, looping over short writes: a disk that fills up gives a short
 * write first and ENOSPC on the next call, which is thrown (never a silent truncation).
 */
export function writeAllSync(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
}

/** True when fd 1 is a regular file or a device (not a terminal, not a pipe or socket). */
function stdoutIsFile(): boolean {
  if (process.stdout.isTTY) return false;
  try {
    const st = fs.fstatSync(1);
    return st.isFile() || st.isCharacterDevice() || st.isBlockDevice();
  } catch {
    return false;
  }
}

/**
 * The real process streams. A closed stdout (`| head`) ends the run quietly; any other
 * write error (a full disk, `> /dev/full`) stops writing and is reported by runCli as one
 * line with exit 2. When stdout is a file or device, writes are synchronous and checked
 * byte for byte (Node's own file stream ignores short writes).
 */
export function processIo(): Io {
  let stdoutClosed = false;
  let failure: NodeJS.ErrnoException | null = null;
  const onError = (err: NodeJS.ErrnoException) => {
    stdoutClosed = true;
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') return;
    failure ??= err;
  };
  process.stdout.on('error', onError);
  const direct = stdoutIsFile();
  return {
    stdout: {
      write: (s: string) => {
        if (stdoutClosed) return false;
        try {
          if (direct) {
            writeAllSync(1, Buffer.from(s));
            return true;
          }
          return process.stdout.write(s);
        } catch (e) {
          onError(e as NodeJS.ErrnoException);
          return false;
        }
      },
    },
    writeError: () => failure,
    stderr: { write: (s: string) => process.stderr.write(s) },
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    stdoutColumns: () => (process.stdout.isTTY ? process.stdout.columns : undefined),
    closed: () => stdoutClosed,
    drain: () =>
      new Promise<void>((resolve) => {
        if (stdoutClosed || process.stdout.writableLength === 0) return resolve();
        // Whichever comes first removes both listeners: a long output waits for many
        // drains, and listeners left behind would pile up (Node warns past ten).
        const done = () => {
          process.stdout.off('drain', done);
          process.stdout.off('error', done);
          resolve();
        };
        process.stdout.on('drain', done);
        process.stdout.on('error', done);
      }),
  };
}

/**
 * Lets the event loop run once. When stdout is a file every write is synchronous
 * (processIo), so a loop of writes never yields: a Ctrl-C or kill that arrives meanwhile
 * waits for the loop to end, and if the program then has nothing left to wait for, it exits
 * 0 without ever running the signal handler (src/io/cleanup.ts). Long write loops call
 * `yieldEvery` between writes, and the binary calls this before it exits.
 */
export function yieldToEventLoop(): Promise<void> {
  // Two turns: a turn begun inside the poll phase runs its immediates before polling again.
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/** A yield to the event loop at most every `ms` milliseconds of synchronous work (see yieldToEventLoop). */
export function yieldEvery(ms: number): () => Promise<void> | undefined {
  let last = performance.now();
  return () => {
    const now = performance.now();
    if (now - last < ms) return undefined;
    last = now;
    return yieldToEventLoop();
  };
}

/** True once stdout has been closed by the reader; long loops may stop early. */
export function isBrokenPipe(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}

/**
 * The day of SOURCE_DATE_EPOCH (whole seconds since 1970-01-01 UTC; reproducible-builds.org's
 * specification) as days since 1970-01-01, or undefined when it is unset or empty. The
 * specification asks tools to fail on a malformed value rather than fall back to the clock:
 * a UserError (exit 2), never a silent run with today's date.
 */
export function sourceDateEpochDay(env: Record<string, string | undefined>): number | undefined {
  const raw = env.SOURCE_DATE_EPOCH;
  if (raw === undefined || raw.trim() === '') return undefined;
  const text = raw.trim();
  if (!/^\d{1,15}$/.test(text)) {
    throw new UserError(`SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01 UTC (got '${raw}')`, {
      hint: 'For example SOURCE_DATE_EPOCH=1735689600 (2025-01-01), or unset it',
    });
  }
  return Math.floor(Number(text) / 86_400);
}

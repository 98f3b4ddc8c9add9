/**
 * The streams and environment a command runs against. Commands never touch `process`
 * directly: tests run them in-process with captured streams (see test/helpers/cli.ts).
 * Lives in src/io so that every layer (dataset, report) can name it without importing the CLI.
 */
import type { Readable } from 'node:stream';

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
  /** Resolves when everything written to stdout has been flushed (or stdout closed). */
  drain?: () => Promise<void>;
  /** True once the reader of stdout has gone away (`| head`): long writers stop early. */
  closed?: () => boolean;
}

/** The real process streams. A closed stdout (`| head`) ends the run quietly. */
export function processIo(): Io {
  let stdoutClosed = false;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') {
      stdoutClosed = true;
      return;
    }
    throw err;
  });
  return {
    stdout: {
      write: (s: string) => (stdoutClosed ? false : process.stdout.write(s)),
    },
    stderr: { write: (s: string) => process.stderr.write(s) },
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    closed: () => stdoutClosed,
    drain: () =>
      new Promise<void>((resolve) => {
        if (stdoutClosed || process.stdout.writableLength === 0) return resolve();
        process.stdout.once('drain', () => resolve());
        process.stdout.once('error', () => resolve());
      }),
  };
}

/** True once stdout has been closed by the reader; long loops may stop early. */
export function isBrokenPipe(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}

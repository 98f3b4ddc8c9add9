/**
 * Runs the CLI in-process with captured streams, so command tests need no child process.
 */
import { Readable } from 'node:stream';
import { runCli } from '../../src/cli/main.js';
import type { Io } from '../../src/io/process.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  stdin?: string | Buffer;
  env?: Record<string, string | undefined>;
  cwd?: string;
  tty?: boolean;
}

export async function runInProcess(argv: string[], opts: RunOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: { write: (s: string) => ((stdout += s), true) },
    stderr: { write: (s: string) => ((stderr += s), true) },
    stdin: Readable.from(opts.stdin === undefined ? [] : [typeof opts.stdin === 'string' ? Buffer.from(opts.stdin) : opts.stdin]),
    env: opts.env ?? {},
    cwd: opts.cwd ?? process.cwd(),
    stdoutIsTTY: opts.tty ?? false,
    stderrIsTTY: opts.tty ?? false,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

/** An Io that discards what a command writes (for tests that read its files), rooted at `cwd`. */
export const silentIo = (cwd: string): Io => ({
  stdout: { write: () => true },
  stderr: { write: () => true },
  stdin: process.stdin,
  env: {},
  cwd,
  stdoutIsTTY: false,
  stderrIsTTY: false,
});

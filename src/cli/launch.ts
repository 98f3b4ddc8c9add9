/**
 * The program as the binary runs it: signal cleanup first, then the CLI (loaded on
 * demand, so that the handlers are in place before the rest of the program loads).
 * `npm run build` bundles this module and everything it reaches into dist/alliance.cjs
 * (scripts/bundle.mjs), which bin/alliance.js runs.
 */
import { installSignalHandlers } from '../io/cleanup.js';
import type { Io } from '../io/process.js';

/** Runs the CLI on `argv` against the process streams; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  // Ctrl-C, kill and a closed terminal remove temporary files and exit 130 / 143 / 129.
  installSignalHandlers();
  const { runCli } = await import('./main.js');
  const { processIo, yieldToEventLoop } = await import('../io/process.js');
  const code = await runCli(argv, processIo());
  // A signal that came during the run's last synchronous stretch (a fit, writes into a
  // file) is still pending: let its handler run (exit 128 + N) rather than exit 0 without it.
  await yieldToEventLoop();
  return code;
}

/** Runs the CLI against given streams (the build runs commands this way to warm the code cache). */
export async function run(argv: string[], io: Io): Promise<number> {
  const { runCli } = await import('./main.js');
  return runCli(argv, io);
}

/** A worker thread's work (bin/worker.js runs the bundle there): ./worker.ts. */
export async function worker(): Promise<void> {
  const { runWorker } = await import('./worker.js');
  runWorker();
}

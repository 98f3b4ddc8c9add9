/**
 * What an interrupted run must not leave behind. Temporary files and folders (a report's
 * `.<out>.tmp-*`, a spooled copy of standard input) are registered here while they exist;
 * on SIGINT, SIGTERM or SIGHUP the handler removes them, puts back an output folder that
 * was moved aside mid-swap, and exits with 128 + the signal number (130, 143, 129), as a
 * shell does. Commands never call process.exit: only this handler, installed by the binary
 * (bin/alliance.js), does, because a signal ends the run anyway.
 */
import * as fs from 'node:fs';

const temps = new Set<string>();
/** An output folder renamed aside while its replacement is renamed in. */
let swapping: { old: string; target: string } | null = null;

/** Registers a temporary path to remove if the run is interrupted. */
export function track(p: string): void {
  temps.add(p);
}

/** The path is gone (renamed into place or removed): nothing to clean up. */
export function untrack(p: string): void {
  temps.delete(p);
}

/** Marks (or, with null, clears) the window in which `target` is moved aside as `old`. */
export function markSwap(s: { old: string; target: string } | null): void {
  swapping = s;
}

/** Undoes a half-done swap and removes every tracked temporary path, synchronously. */
export function cleanupNow(): void {
  if (swapping) {
    const { old, target } = swapping;
    swapping = null;
    try {
      if (!fs.existsSync(target)) fs.renameSync(old, target);
    } catch {
      // best effort: the next run restores it (see recoverLeftovers in atomic.ts)
    }
  }
  for (const p of temps) {
    try {
      fs.rmSync(p, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }
  temps.clear();
}

const SIGNALS: [NodeJS.Signals, number][] = [
  ['SIGINT', 2],
  ['SIGTERM', 15],
  ['SIGHUP', 1],
];

let installed = false;

/** Installs the handlers (once per process). */
export function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  for (const [sig, num] of SIGNALS) {
    process.on(sig, () => {
      cleanupNow();
      process.exit(128 + num);
    });
  }
}

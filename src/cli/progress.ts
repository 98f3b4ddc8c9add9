/**
 * A progress bar on stderr for long runs, only on a terminal (and not in CI logs; --progress
 * and --no-progress force it on or off, see `progressWanted`): label,
 * bar, percent and the time left, estimated from the time so far. Redrawn at most every
 * 100 ms; `end` clears the line, so nothing of it stays in the terminal's scrollback.
 */
import type { Io } from '../io/process.js';

export interface ProgressBar {
  /** Done so far, 0..1. */
  update(fraction: number): void;
  end(): void;
}

const WIDTH = 24;

/** m:ss or h:mm:ss. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** The line drawn for `fraction` done after `elapsed` seconds. */
export function barLine(label: string, fraction: number, elapsed: number): string {
  const f = Math.min(1, Math.max(0, fraction));
  const full = Math.round(f * WIDTH);
  const left = f > 0.01 && elapsed > 0.5 ? ` ${clock((elapsed * (1 - f)) / f)} left` : '';
  return `${label} [${'#'.repeat(full)}${'-'.repeat(WIDTH - full)}] ${String(Math.floor(f * 100)).padStart(3)}%${left}`;
}

/**
 * Whether progress is shown: as --progress / --no-progress say (`forced`), else only when
 * stderr is a terminal and the run is not in CI (CI set), so logs and pipes never get it.
 */
export function progressWanted(io: Io, forced?: boolean): boolean {
  return forced ?? (io.stderrIsTTY && !io.env.CI);
}

/** A bar when progress is wanted (progressWanted), else null (nothing is written). */
export function progressBar(io: Io, label: string, now: () => number = Date.now, forced?: boolean): ProgressBar | null {
  if (!progressWanted(io, forced)) return null;
  const start = now();
  let last = -Infinity;
  let shown = false;
  return {
    update(fraction) {
      const t = now();
      if (t - last < 100 && fraction < 1) return;
      last = t;
      shown = true;
      io.stderr.write(`\r\x1b[K${barLine(label, fraction, (t - start) / 1000)}`);
    },
    end() {
      if (shown) io.stderr.write('\r\x1b[K');
    },
  };
}

/**
 * A report's sections on two threads (issue 15: a report in at most 1.5x the time of its
 * slowest section alone). The main thread reads the input once for the sections it keeps
 * (src/dataset/shared-scan.ts); a worker thread (./split-job.ts) opens the inputs as the
 * main thread did (the same config text, folder, environment and time: ./run.ts prepare)
 * and reads them once for the sections it is given, which run there as they would here:
 * the gate (validate) on every row, the others on the report's filtered data. The main
 * thread makes every section's document and the files from the results, so the files are
 * those of a one-thread run byte for byte (test/report/split-threads.test.ts).
 *
 * Used when nothing can stop the report after validation (failOn neither error nor
 * warning: then no section waits for another), for long CSV inputs of at least
 * PARALLEL_MIN_BYTES in all (other formats would be decoded twice, and below that size a
 * worker's start costs more than it saves), on two cores or more not all busy
 * (`spareCore`), unless the config says `threads: 1` (`threads: 2` or more: whatever the
 * load). A section may move when it says it may (Section.readCost.portable: its
 * result is plain data); the sections are split to balance the two threads' estimated
 * work (`splitSections`). Both reads hash what they read (src/io/digest.ts): an input
 * whose bytes differ between them changed while it was being read, and the report stops.
 */
import { statSync } from 'node:fs';
import * as path from 'node:path';
import type { Io } from '../../io/process.js';
import { InputDigest, type ReadDigest } from '../../io/digest.js';
import { PARALLEL_MIN_BYTES, machineNow, runTask, spareCore, type Machine, type TaskRun } from '../../io/parallel/pool.js';
import type { Dataset } from '../../dataset/types.js';
import type { Section } from '../../sections/section.js';
import { UserError, type UserErrorOptions } from '../../errors.js';
import type { PeriodFlags } from './period.js';
import type { SectionCheck } from './config.js';

/** What the worker needs to open the inputs and run its sections as the main thread would. */
export interface SplitJob {
  /** The config: its text, its name as given and the folder it resolves against. */
  text: string;
  display: string;
  dir: string;
  cwd: string;
  env: Record<string, string | undefined>;
  /** The time of the run (ISO). */
  now: string;
  failOn?: 'error' | 'warning' | 'none';
  period?: PeriodFlags;
  /** The sections the worker runs (names). */
  sections: string[];
}

/** The worker's answer: its sections' results (in the job's order) and the digests of the inputs as it read them, or its error. */
export type SplitReply =
  { ok: true; results: unknown[]; digests: (ReadDigest | null)[] } | { ok: false; user?: { message: string } & UserErrorOptions; internal?: string };

/** Sections running on the worker. */
export interface Elsewhere {
  /** Each section's result, by name. */
  results: Map<string, Promise<unknown>>;
  /** The digests of the inputs as the worker read them (file order). */
  digests: Promise<(ReadDigest | null)[]>;
  /** Stops the worker (a report that failed does not wait for it). */
  stop: () => void;
}

/**
 * Seconds the worker takes to start (the bundle from its code cache, opening the inputs):
 * its sections' reads begin that much later than the main thread's. (The documents and
 * files come after both threads, on the main thread: they do not weigh on the split.)
 */
const WORKER_START = 0.05;

/** The bench file's bytes per row (39 MB for 1M rows: README Performance), to estimate rows from bytes. */
const BYTES_PER_ROW = 39;

/**
 * The sections to run on the worker: the subset of the movable ones that makes the longer
 * of the two threads shortest, with the main thread keeping at least one section (none
 * when no split is shorter than one thread). `seconds`: per million rows.
 */
export function splitSections(list: { name: string; seconds: number; portable: boolean }[], rows: number): string[] {
  const movable = list.filter((s) => s.portable);
  const total = list.reduce((n, s) => n + s.seconds, 0);
  const m = rows / 1e6;
  let best: string[] = [];
  let bestTime = total * m;
  // Subsets of the movable sections (a report has six sections at most), fewest moves first on ties.
  for (let mask = 1; mask < 1 << movable.length; mask++) {
    const away = movable.filter((_, i) => mask & (1 << i));
    if (away.length === list.length) continue;
    const there = away.reduce((n, s) => n + s.seconds, 0);
    const time = Math.max((total - there) * m, WORKER_START + there * m);
    if (time < bestTime - 1e-12 || (Math.abs(time - bestTime) <= 1e-12 && away.length < best.length)) {
      best = away.map((s) => s.name);
      bestTime = time;
    }
  }
  return best;
}

/** The sections run on a worker thread, or null when all run on this thread (see the top of the file). */
export function splitElsewhere(
  ctx: SectionCheck,
  io: Io,
  opts: { now: Date; failOn?: SplitJob['failOn']; period?: PeriodFlags; splitMinBytes?: number; splitRows?: number; machine?: Machine },
  prepared: {
    planned: { section: Pick<Section, 'name' | 'readCost'> }[];
    failOn: string;
    dataset: Dataset;
    read: { threads?: number };
    inputs: { abs: string[] };
  },
): Elsewhere | null {
  const { planned, failOn, dataset, read, inputs } = prepared;
  if (planned.length < 2 || failOn === 'error' || failOn === 'warning') return null;
  // threads: 1 keeps every section here; threads: 2 or more asks for the split whatever the
  // load. On a busy machine the worker's read is CPU the others need: the report on 1M rows
  // took 2.0 s split against 1.2 s on one thread at load 5 on 2 cores.
  if (read.threads === 1 || (read.threads === undefined && !spareCore(opts.machine ?? machineNow()))) return null;
  const files = dataset.files;
  if (files.some((f) => f.path === '-' || (f.format ?? 'CSV') !== 'CSV' || (f.layout ?? 'long') !== 'long')) return null;
  // Regular files only: a named pipe was read (copied) once, and cannot be read again.
  if (!inputs.abs.every((p) => statSync(p, { throwIfNoEntry: false })?.isFile() === true)) return null;
  const bytes = files.reduce((n, f) => n + f.bytes, 0);
  if (bytes < (opts.splitMinBytes ?? PARALLEL_MIN_BYTES)) return null;
  const config = ctx.config;
  if (config.text === undefined) return null;
  const list = planned.map(({ section: s }) => ({ name: s.name, seconds: s.readCost?.seconds ?? 0, portable: s.readCost?.portable === true }));
  const sections = splitSections(list, opts.splitRows ?? bytes / BYTES_PER_ROW);
  if (sections.length === 0) return null;
  const job: SplitJob = {
    text: config.text,
    display: config.path,
    dir: path.dirname(path.resolve(io.cwd, config.path)),
    cwd: io.cwd,
    env: io.env,
    now: opts.now.toISOString(),
    ...(opts.failOn !== undefined ? { failOn: opts.failOn } : {}),
    ...(opts.period !== undefined ? { period: opts.period } : {}),
    sections,
  };
  const task: TaskRun<SplitReply> = runTask<SplitReply>('report-sections', job);
  const reply = task.reply.then((r) => {
    if (r.ok) return r;
    if (r.user) {
      const { message, ...o } = r.user;
      throw new UserError(message, o);
    }
    throw new Error(r.internal ?? 'the worker thread failed');
  });
  // Awaited later (or never, when the report fails first): not an unhandled rejection.
  const handled = <T>(p: Promise<T>): Promise<T> => {
    p.catch(() => undefined);
    return p;
  };
  const results = new Map(sections.map((name, i) => [name, handled(reply.then((r) => r.results[i]))]));
  return { results, digests: handled(reply.then((r) => r.digests)), stop: task.stop };
}

/** Stops the report when an input's bytes as the worker read them differ from this thread's reading. */
export function checkSameBytes(dataset: Dataset, theirs: (ReadDigest | null)[]): void {
  dataset.files.forEach((f, i) => {
    const other = theirs[i];
    if (f.digest === null || other === null || other === undefined) return;
    const d = new InputDigest(f.display);
    d.settle(f.digest);
    d.settle(other);
  });
}

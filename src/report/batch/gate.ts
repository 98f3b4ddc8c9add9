/**
 * The report's gate on a thread of its own (issue 15: a report in at most 1.5x the time
 * of its slowest section). When nothing can stop the report after validation (failOn is
 * not error or warning), the gate (validate) does not need the other sections' results
 * nor they its: it then reads the input on a worker thread (./gate-job.ts) while this
 * thread reads it once for the other sections (src/dataset/shared-scan.ts). Its result is
 * what it would be on this thread: the worker opens the inputs as this thread did (the
 * same config, folder, environment and time) and runs the same Section. Both reads hash
 * what they read (src/io/digest.ts); a file whose bytes differ between them changed while
 * it was being read, and the report stops as it would between two reads of one thread.
 *
 * Only for long CSV files of at least PARALLEL_MIN_BYTES in all, on a machine with two
 * cores or more, unless the config says `threads: 1`: below that the worker's start costs
 * more than it saves, and other formats would be decoded twice.
 */
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import type { Io } from '../../io/process.js';
import { InputDigest, type ReadDigest } from '../../io/digest.js';
import { PARALLEL_MIN_BYTES, runTask, type TaskRun } from '../../io/parallel/pool.js';
import type { Dataset } from '../../dataset/types.js';
import { UserError, type UserErrorOptions } from '../../errors.js';
import type { PeriodFlags } from './period.js';
import type { SectionCheck } from './config.js';

/** What the gate's worker needs to open the inputs and run the gate as this thread would. */
export interface GateJob {
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
}

/** The worker's answer: the gate's result and the digests of the inputs as it read them, or its error. */
export type GateReply =
  { ok: true; result: unknown; digests: (ReadDigest | null)[] } | { ok: false; user?: { message: string } & UserErrorOptions; internal?: string };

/** A gate running on a worker. */
export interface Elsewhere {
  /** The section it runs. */
  section: string;
  result: Promise<unknown>;
  /** The digests of the inputs as the worker read them (file order). */
  digests: Promise<(ReadDigest | null)[]>;
  /** Stops the worker (a report that failed does not wait for it). */
  stop: () => void;
}

/** The gate's run on a worker thread, or null when it runs on this thread (see the top of the file). */
export function gateElsewhere(
  ctx: SectionCheck,
  io: Io,
  opts: { now: Date; failOn?: GateJob['failOn']; period?: PeriodFlags; gateWorkerMinBytes?: number },
  prepared: { planned: { section: { name: string; gate?: unknown } }[]; failOn: string; dataset: Dataset; read: { threads?: number } },
): Elsewhere | null {
  const { planned, failOn, dataset, read } = prepared;
  const gates = planned.filter((p) => p.section.gate !== undefined);
  if (gates.length !== 1 || planned.length < 2 || failOn === 'error' || failOn === 'warning') return null;
  if (read.threads === 1 || availableParallelism() < 2) return null;
  const files = dataset.files;
  if (files.some((f) => f.path === '-' || (f.format ?? 'CSV') !== 'CSV' || (f.layout ?? 'long') !== 'long')) return null;
  if (files.reduce((n, f) => n + f.bytes, 0) < (opts.gateWorkerMinBytes ?? PARALLEL_MIN_BYTES)) return null;
  const config = ctx.config;
  if (config.text === undefined) return null;
  const job: GateJob = {
    text: config.text,
    display: config.path,
    dir: path.dirname(path.resolve(io.cwd, config.path)),
    cwd: io.cwd,
    env: io.env,
    now: opts.now.toISOString(),
    ...(opts.failOn !== undefined ? { failOn: opts.failOn } : {}),
    ...(opts.period !== undefined ? { period: opts.period } : {}),
  };
  const task: TaskRun<GateReply> = runTask<GateReply>('report-gate', job);
  const reply = task.reply.then((r) => {
    if (r.ok) return r;
    if (r.user) {
      const { message, ...o } = r.user;
      throw new UserError(message, o);
    }
    throw new Error(r.internal ?? 'the validation worker failed');
  });
  const result = reply.then((r) => r.result);
  const digests = reply.then((r) => r.digests);
  // Awaited later (or never, when the report fails first): not an unhandled rejection.
  result.catch(() => undefined);
  digests.catch(() => undefined);
  return { section: gates[0].section.name, result, digests, stop: task.stop };
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

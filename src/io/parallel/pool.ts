/**
 * The scan workers (node:worker_threads), started on first use and kept for the run: a
 * command scans its input more than once (numbering, then the analysis), and a worker
 * takes tens of milliseconds to start. Idle workers do not keep the process alive.
 */
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PieceResult } from './piece.js';
import type { RangeReducer } from './reduce.js';
import type { PieceTask } from './worker.js';

/** Inputs smaller than this are read on one thread: starting a worker costs more than it saves. */
export const PARALLEL_MIN_BYTES = 8 * 1024 * 1024;

/**
 * Inputs at least this large are read on two threads by default when the read has a range
 * reduction the main thread shares (describe, correlate) and a core is to spare: measured on
 * the 2-core machine with a core free (issue 15; README Performance, "Both cores"), two
 * threads took 15-27 % less time at 379 MiB, between 12 % less and 4 % more at 150 MiB.
 */
export const AUTO_THREADS_BYTES = 256 * 1024 * 1024;

/** The cores and the 1-minute load average (the default thread count looks at both). */
export interface Machine {
  cores: number;
  load: number;
}

export function machineNow(): Machine {
  return { cores: availableParallelism(), load: loadavg()[0] };
}

/**
 * A core to spare: two cores or more, not all of them busy over the last minute (the
 * 1-minute load average below the cores). The load average counts what ran before this
 * command too (in a batch of commands run one after another, about 1 on its own), so a
 * stricter bar (a whole core free: cores minus load at least 1) left the bench's 10M-row
 * reads on one thread at load 1.0-1.3 on 2 cores, 20-25 % slower than on two.
 */
export function spareCore(m: Machine): boolean {
  return m.cores >= 2 && m.load < m.cores;
}

/**
 * Threads when none is asked for (`--threads N`, config `threads:`), for an input of
 * `bytes` bytes: two (the main thread and a worker) for a read whose client runs both
 * threads reduce (./reduce.ts, RangeReduction.start) on a machine with a core to spare
 * (`spareCore`), else one. The threads together spend more CPU than one thread (measured:
 * 25-40 % more, 70 % at 1M rows), so on cores busy with other work the run takes longer;
 * without a reduction the main thread interprets every row and a worker's scan does not
 * make the run shorter. Three threads were no faster than two on the 2-core machine and
 * took 50 MB more: more are used only when asked for. The output is the same either way.
 */
export function defaultThreads(bytes: number, reduces: boolean, machine: Machine = machineNow(), from = AUTO_THREADS_BYTES): number {
  return reduces && bytes >= from && spareCore(machine) ? 2 : 1;
}

/**
 * The worker script: bin/worker.js, which runs the bundled program with its code cache
 * (under the test runner too: the tests' setup keeps the bundle current).
 */
function workerUrl(): URL {
  return new URL('../../../bin/worker.js', import.meta.url);
}

interface Waiter {
  resolve: (r: PieceResult) => void;
  reject: (e: unknown) => void;
}

export class ScanPool {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, Waiter>();
  private nextId = 0;
  private turn = 0;
  /**
   * Per worker, in memory shared with it: [started, pieces in hand]. The worker sets the
   * first when it starts and takes one off the second as soon as it has reduced a piece
   * (./worker.ts), so this thread sees both while it is busy, before the worker's messages
   * are handled (its reads are synchronous: ./stream.ts).
   */
  private state: Int32Array = new Int32Array(new SharedArrayBuffer(0));
  private users = 0;
  private failure: Error | null = null;
  /** Offset buffers of delivered results, handed to the next tasks (no new allocation per piece). */
  private readonly spare: ArrayBuffer[] = [];

  constructor(readonly size: number) {}

  /** Starts the workers ahead of the first read (they do not keep the process alive). */
  warm(): void {
    if (this.workers.length === 0) this.start();
  }

  /** Marks a read in progress (the workers keep the process alive while it lasts); returns its end. */
  use(): () => void {
    if (this.workers.length === 0) this.start();
    if (this.users++ === 0) for (const w of this.workers) w.ref();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--this.users === 0) for (const w of this.workers) w.unref();
    };
  }

  scan(bytes: Uint8Array, len: number, final: boolean, delimiter: string, display: string, reducer: RangeReducer | null = null): Promise<PieceResult> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const id = this.nextId++;
    const scratch = this.spare.pop() ?? null;
    const task: PieceTask = { id, bytes, len, final, delimiter, display, scratch, reducer };
    // The started worker with the fewest tasks in hand (in turn among equals; a worker still
    // starting only when none has started): a worker the system leaves waiting for a core is
    // not handed more.
    const st = this.state;
    let k = this.turn;
    for (let i = 1; i < this.workers.length; i++) {
      const j = (this.turn + i) % this.workers.length;
      const rj = Atomics.load(st, 2 * j);
      const rk = Atomics.load(st, 2 * k);
      if (rj !== rk ? rj === 1 : Atomics.load(st, 2 * j + 1) < Atomics.load(st, 2 * k + 1)) k = j;
    }
    this.turn = (k + 1) % this.workers.length;
    Atomics.add(st, 2 * k + 1, 1);
    const w = this.workers[k];
    return new Promise<PieceResult>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      w.postMessage(task, scratch ? [scratch] : []);
    });
  }

  /**
   * The fewest pieces any started worker has in hand (posted, not answered); Infinity while
   * none has started (a worker takes 50-100 ms to start: the caller that can reduce a piece
   * itself does so meanwhile instead of waiting for the first result).
   */
  inHand(): number {
    let n = Infinity;
    const st = this.state;
    for (let k = 0; k < this.workers.length; k++) if (Atomics.load(st, 2 * k) === 1) n = Math.min(n, Atomics.load(st, 2 * k + 1));
    return n;
  }

  /** Hands back a delivered result's offsets buffer for reuse. */
  recycle(r: PieceResult): void {
    if (this.spare.length < 16) this.spare.push(r.meta.buffer);
  }

  private start(): void {
    this.state = new Int32Array(new SharedArrayBuffer(8 * this.size));
    for (let i = 0; i < this.size; i++) {
      const w = new Worker(workerUrl(), { workerData: { kind: 'scan', state: this.state, index: i } });
      w.on('message', (m: { id: number; result: PieceResult }) => {
        const waiter = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        waiter?.resolve(m.result);
      });
      w.on('error', (e: Error) => this.fail(e));
      w.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`a scan worker stopped (exit code ${code})`));
      });
      w.unref();
      this.workers.push(w);
    }
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }
}

const pools = new Map<number, ScanPool>();

/** The pool of `workers` scan workers (one per size, kept for the run). */
export function scanPool(workers: number): ScanPool {
  let p = pools.get(workers);
  if (!p) {
    p = new ScanPool(workers);
    pools.set(workers, p);
  }
  return p;
}

/** A task running on a worker of its own: its reply, and a way to stop it. */
export interface TaskRun<T> {
  reply: Promise<T>;
  /** Stops the worker (nothing happens once it has replied and ended). */
  stop: () => void;
}

/**
 * Runs one task on a worker thread of its own (bin/worker.js; src/cli/worker.ts names the
 * kinds): `reply` resolves with the first message the worker posts and rejects when the
 * worker fails before posting. The worker ends by itself when its task is done.
 */
export function runTask<T>(kind: string, data: unknown): TaskRun<T> {
  const w = new Worker(workerUrl(), { workerData: { kind, data } });
  const reply = new Promise<T>((resolve, reject) => {
    let settled = false;
    w.once('message', (m: T) => {
      settled = true;
      resolve(m);
    });
    w.once('error', (e: Error) => {
      if (!settled) reject(e);
      settled = true;
    });
    w.once('exit', (code) => {
      if (!settled) reject(new Error(`a worker stopped before its task was done (exit code ${code})`));
      settled = true;
    });
  });
  return { reply, stop: () => void w.terminate() };
}

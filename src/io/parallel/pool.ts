/**
 * The scan workers (node:worker_threads), started on first use and kept for the run: a
 * command scans its input more than once (numbering, then the analysis), and a worker
 * takes tens of milliseconds to start. Idle workers do not keep the process alive.
 */
import { Worker } from 'node:worker_threads';
import type { PieceResult } from './piece.js';
import type { RangeReducer } from './reduce.js';
import type { PieceTask } from './worker.js';

/** Inputs smaller than this are read on one thread: starting a worker costs more than it saves. */
export const PARALLEL_MIN_BYTES = 8 * 1024 * 1024;

/**
 * Threads when none is asked for: one. Measured on the 2-core machine (issue 15; README
 * Performance), the workers can now interpret the rows and reduce the client runs of
 * describe and correlate (./reduce.ts), which halves the main thread's CPU, but a worker
 * spends about what the one-thread path spends on the same rows, so on two shared cores
 * the run is not shorter and takes 50-100 MB more. `--threads N` (config `threads:`) asks
 * for it.
 */
export function defaultThreads(): number {
  return 1;
}

/** The worker script: the compiled file beside this one (from the sources under the test runner: dist/, kept current by its setup). */
function workerUrl(): URL {
  const here = import.meta.url;
  if (here.endsWith('.ts')) return new URL(here.replace(/\/src\/io\/parallel\/pool\.ts$/, '/dist/io/parallel/worker.js'));
  return new URL('./worker.js', here);
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
  private users = 0;
  private failure: Error | null = null;
  /** Offset buffers of delivered results, handed to the next tasks (no new allocation per piece). */
  private readonly spare: ArrayBuffer[] = [];

  constructor(readonly size: number) {}

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
    const w = this.workers[this.turn];
    this.turn = (this.turn + 1) % this.workers.length;
    return new Promise<PieceResult>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      w.postMessage(task, scratch ? [scratch] : []);
    });
  }

  /** Hands back a delivered result's offsets buffer for reuse. */
  recycle(r: PieceResult): void {
    if (this.spare.length < 16) this.spare.push(r.meta.buffer);
  }

  private start(): void {
    for (let i = 0; i < this.size; i++) {
      const w = new Worker(workerUrl());
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

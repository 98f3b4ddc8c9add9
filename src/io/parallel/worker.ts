/**
 * The scan worker: scans the pieces the main thread posts (./piece.ts), runs the task's
 * range reducer over the records when there is one (./reduce.ts), and posts the results
 * back (the pieces are in shared memory; the results' typed arrays are transferred). A
 * reducer that throws fails the worker, and with it the read (./pool.ts). The worker
 * thread runs the bundled program (bin/worker.js), which calls `serveScans` on its port
 * (src/cli/worker.ts).
 */
import type { MessagePort } from 'node:worker_threads';
import { scanReduced, type RangeReducer } from './reduce.js';

export interface PieceTask {
  id: number;
  bytes: Uint8Array;
  len: number;
  final: boolean;
  delimiter: string;
  display: string;
  /** A buffer for the offsets (an earlier result's, handed back), or null. */
  scratch: ArrayBuffer | null;
  /** The range reducer to run over the scanned records (./reduce.ts), or null. */
  reducer: RangeReducer | null;
}

/**
 * Handles the pieces posted to `port`, in order (a reducer's module is loaded on first use).
 * `state` (shared with the pool, ./pool.ts): [started, pieces in hand] of worker `index`.
 */
export function serveScans(port: MessagePort, state: Int32Array, index: number): void {
  // Started: until then the main thread reduces the pieces itself rather than wait for a
  // worker that is still starting (./pool.ts, inHand).
  Atomics.store(state, 2 * index, 1);
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (t: PieceTask) => {
    queue = queue.then(async () => {
      const result = await scanReduced(t.bytes, t.len, t.final, t.delimiter, t.display, t.scratch ?? undefined, t.reducer);
      Atomics.sub(state, 2 * index + 1, 1);
      const transfer: ArrayBuffer[] = [result.meta.buffer];
      if (result.reduced) transfer.push(result.reduced.ints.buffer, result.reduced.floats.buffer);
      port.postMessage({ id: t.id, result }, transfer);
    });
  });
}

/**
 * The scan worker: scans the pieces the main thread posts (./piece.ts) and posts the
 * results back (the pieces are in shared memory; the results' offsets are transferred).
 */
import { parentPort } from 'node:worker_threads';
import { scanPiece } from './piece.js';

export interface PieceTask {
  id: number;
  bytes: Uint8Array;
  len: number;
  final: boolean;
  delimiter: string;
  display: string;
  /** A buffer for the offsets (an earlier result's, handed back), or null. */
  scratch: ArrayBuffer | null;
}

const port = parentPort;
if (port) {
  port.on('message', (t: PieceTask) => {
    const result = scanPiece(t.bytes, t.len, t.final, t.delimiter, t.display, t.scratch ?? undefined);
    port.postMessage({ id: t.id, result }, [result.meta.buffer]);
  });
}

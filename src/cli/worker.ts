/**
 * What a worker thread of the program does (bin/worker.js runs the bundle with its code
 * cache and calls `runWorker`): `workerData.kind` names it. A scan worker
 * (src/io/parallel/pool.ts) scans and reduces pieces of the input; the commands' range
 * reducers are registered from the bundle, so the worker compiles nothing it can take
 * from the code cache. A report-sections worker runs some of a report's sections
 * (src/report/batch/split.ts) and posts their results.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startPiece as correlatePiece } from '../analysis/correlate/range.js';
import { startPiece as describePiece } from '../analysis/describe-range.js';
import { startPiece as trendPiece } from '../analysis/trend/range.js';
import { distPath, registerReducers } from '../io/parallel/reduce.js';
import { serveScans } from '../io/parallel/worker.js';
import type { SplitJob } from '../report/batch/split.js';
import { runSplitJob } from '../report/batch/split-job.js';

/** The reducers by their path under dist/ (the module each names in its RangeReducer). */
const REDUCERS = {
  [distPath(new URL('../analysis/correlate/range.js', import.meta.url).href)]: correlatePiece,
  [distPath(new URL('../analysis/describe-range.js', import.meta.url).href)]: describePiece,
  [distPath(new URL('../analysis/trend/range.js', import.meta.url).href)]: trendPiece,
};

export function runWorker(): void {
  const kind = (workerData as { kind?: unknown } | null)?.kind;
  if (parentPort === null) throw new Error('internal: runWorker outside a worker thread');
  if (kind === 'scan') {
    registerReducers(REDUCERS);
    const { state, index } = workerData as { state: Int32Array; index: number };
    serveScans(parentPort, state, index);
    return;
  }
  if (kind === 'report-sections') {
    const port = parentPort;
    void runSplitJob((workerData as { data: SplitJob }).data).then((reply) => {
      try {
        port.postMessage(reply);
      } catch (e) {
        // A result that is not plain data (a section marked portable that is not).
        port.postMessage({ ok: false, internal: `a section's result could not be copied between threads (${e instanceof Error ? e.message : String(e)})` });
      }
    });
    return;
  }
  throw new Error(`internal: unknown worker kind ${String(kind)}`);
}

// A worker thread of the program (src/io/parallel/pool.ts): runs the built bundle with its
// code cache, as bin/alliance.js does (bin/load.js), and hands over to its worker entry
// (src/cli/worker.ts). Compiling the program's modules from dist/ instead cost each worker
// about 0.3 CPU-s (issue 15).
import { loadProgram } from './load.js';

loadProgram()
  .exports.worker()
  .catch((err) => {
    // The thread's failure reaches the main thread as the worker's 'error' event.
    throw err;
  });

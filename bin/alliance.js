#!/usr/bin/env node
// Entry point: runs the built CLI and sets the exit code; never calls process.exit
// so that pending stdout is flushed.
import { runCli } from '../dist/cli/main.js';
import { processIo } from '../dist/io/process.js';

runCli(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    // runCli maps every known failure to an exit code; this is the last resort.
    process.stderr.write(`alliance: internal error: ${err && err.message ? err.message : String(err)}\n`);
    process.exitCode = 70;
  },
);

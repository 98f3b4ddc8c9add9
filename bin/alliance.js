#!/usr/bin/env node
// Entry point: runs the built CLI and sets the exit code; never calls process.exit
// so that pending stdout is flushed.
import { installSignalHandlers } from '../dist/io/cleanup.js';

// Ctrl-C, kill and a closed terminal remove temporary files and exit 130 / 143 / 129.
// Installed before the rest of the program loads.
installSignalHandlers();
const { runCli } = await import('../dist/cli/main.js');
const { processIo } = await import('../dist/io/process.js');

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

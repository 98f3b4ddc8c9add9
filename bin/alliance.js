#!/usr/bin/env node
// Entry point: runs the built CLI (dist/alliance.cjs, through bin/load.js) and sets the
// exit code; never calls process.exit so that pending stdout is flushed. The program
// installs its signal handlers (temporary files removed on Ctrl-C) before loading the rest.
import { loadProgram } from './load.js';

let program;
try {
  // The command's own code cache when it has one (bin/load.js cachePath).
  program = loadProgram({ command: process.argv[2] }).exports;
} catch (err) {
  if (!err || err.code !== 'ENOENT') throw err;
  process.stderr.write('alliance: the program is not built (dist/alliance.cjs is missing). Run npm run build.\n');
  process.exitCode = 70;
}

program?.main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    // runCli maps every known failure to an exit code; this is the last resort.
    process.stderr.write(`alliance: internal error: ${err && err.message ? err.message : String(err)}\n`);
    process.exitCode = 70;
  },
);

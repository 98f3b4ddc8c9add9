#!/usr/bin/env node
// The second step of `npm run build` (after tsc): bundles the compiled program (dist/,
// from dist/cli/launch.js) into one CommonJS file, dist/alliance.cjs, and makes V8's code
// cache for it, dist/alliance.cjs.cache, by running a few commands on fixtures/demo.csv and
// the report of fixtures/report.yaml in this process (the cache then holds the functions
// those commands compiled). bin/alliance.js runs the bundle with the cache (bin/load.js).
// Why: start-up counts when a command reads 1M rows in half a second (issue 15), and
// Node.js 20 spends about 0.1 CPU-s resolving, reading and compiling some 150 ES modules;
// one file compiled from its cache skips most of that (README, Performance). Modules the program loads only on demand stay so in the
// bundle (esbuild runs a module's top level when it is first imported); the packages
// listed in EXTERNAL are not bundled: they are required from node_modules when used.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { BUNDLE, buildId, CODE_CACHE, COMMAND_CACHES, cacheFile, cachePath, loadProgram } from '../bin/load.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = path.join(root, 'dist');

// Large, CommonJS, and used by some inputs or outputs only (docx, xlsx, zip, schemas,
// tables): required when used. ES-module-only packages (chalk, hyparquet) must be bundled:
// Node.js 20 cannot require them. yaml is bundled too (every --config and every report
// parses YAML; from node_modules its 70 files cost about 30 CPU-ms to load, from the code
// cache a few), and still runs only on demand: `createRequire(import.meta.url)('yaml')`
// (src/config/load.ts, src/validate/schema.ts) becomes a require esbuild follows, which
// runs yaml's top level when it is first called.
const EXTERNAL = ['docx', 'fflate', 'yauzl', 'saxes', 're2js', 'cli-table3'];
const LAZY_YAML = "createRequire(import.meta.url)('yaml')";

// Each module keeps its own import.meta.url (the URL of its file in dist/), so that paths
// relative to it (../package.json, the scan worker, createRequire) mean what they meant.
const ownUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, (args) => {
      const read = readFileSync(args.path, 'utf8');
      const text = read.replaceAll(LAZY_YAML, "require('yaml')");
      if (!text.includes('import.meta.url')) return text === read ? undefined : { contents: text, loader: 'js' };
      const rel = path.relative(dist, args.path).split(path.sep).join('/');
      return { contents: text.replaceAll('import.meta.url', `__distUrl(${JSON.stringify(rel)})`), loader: 'js' };
    });
  },
};

// commander requires node:child_process at its top, for subcommands run as programs of
// their own, which alliance has none of; with what it pulls in (net, dgram, ...) that cost
// every start about 2 ms. In the bundle it is required when any of its members is first
// used. The build stops if commander's line is not there to replace (a new commander
// version to look at).
const COMMANDER_SPAWN = "const childProcess = require('node:child_process');";
const lazySpawn = {
  name: 'commander-lazy-child-process',
  setup(b) {
    b.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes(COMMANDER_SPAWN)) throw new Error(`bundle: ${args.path} no longer has ${COMMANDER_SPAWN}`);
      const lazy = "const childProcess = new Proxy({}, { get: (_, key) => require('node:child_process')[key] });";
      return { contents: text.replace(COMMANDER_SPAWN, lazy), loader: 'js' };
    });
  },
};

const sink = { write: () => true };
const io = { stdout: sink, stderr: sink, stdin: Readable.from([]), env: {}, cwd: root, stdoutIsTTY: false, stderrIsTTY: false };
const demo = path.join(root, 'fixtures/demo.csv');

/** Runs `alliance argv` in this process, output discarded (the build stops if it fails). */
async function warm(exports, argv) {
  const status = await exports.run(argv, io);
  if (status !== 0 && status !== 1) throw new Error(`bundle: alliance ${argv.join(' ')} exited ${status} while warming the code cache`);
}

// `bundle.mjs --cache-for COMMAND` (run by the build below, in a process of its own): the
// code cache of one command, holding only what it compiled (bin/load.js COMMAND_CACHES).
if (process.argv[2] === '--cache-for') {
  const command = process.argv[3];
  if (!COMMAND_CACHES.includes(command)) throw new Error(`bundle: no code cache is made for ${command}`);
  const { exports, script } = loadProgram({ useCache: false });
  for (const format of ['json', 'table']) await warm(exports, [command, demo, '--format', format]);
  writeFileSync(cachePath(BUNDLE, command), cacheFile(buildId(readFileSync(BUNDLE, 'utf8')), script.createCachedData()));
  process.exit(0);
}

rmSync(CODE_CACHE, { force: true });
for (const command of COMMAND_CACHES) rmSync(cachePath(BUNDLE, command), { force: true });
const out = await build({
  entryPoints: [path.join(dist, 'cli/launch.js')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: EXTERNAL,
  // import() becomes require(): vm.Script runs the bundle, and a script compiled from a
  // code cache has no dynamic-import callback in Node.js 20.
  supported: { 'dynamic-import': false },
  banner: { js: "const __distUrl = (rel) => new URL(rel, require('node:url').pathToFileURL(__filename)).href;" },
  plugins: [lazySpawn, ownUrl],
  write: false,
  logLevel: 'warning',
});
// A warning (an import.meta other than .url, a require esbuild cannot follow) would be a
// program that runs differently from dist/: the build stops instead.
if (out.warnings.length > 0) throw new Error(`bundle: esbuild warned (${out.warnings.length}); see above`);
const code = out.outputFiles[0].text;
// A guard: no import() may be left (comments aside).
const left = /(?<![\w$.])import\s*\(/.exec(code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, ''));
if (left) throw new Error('bundle: a dynamic import() is left in dist/alliance.cjs (it cannot run there)');
// The build id (first line) ties the code cache to this bundle.
const id = createHash('sha256').update(code).digest('hex').slice(0, 32);
writeFileSync(BUNDLE, `// alliance build ${id}\n${code}`);

// Warm the code cache: run commands in this process, output discarded.
const { exports, script } = loadProgram({ useCache: false });
const warmOut = mkdtempSync(path.join(tmpdir(), 'alliance-bundle-'));
for (const argv of [
  ['--version'],
  ['trend', demo, '--format', 'json'],
  ['describe', demo, '--format', 'json'],
  ['correlate', demo, '--format', 'json'],
  ['validate', demo, '--format', 'json'],
  // The report (its config, sections, HTML and the other formats), into a folder removed after.
  ['report', '--config', path.join(root, 'fixtures/report.yaml'), '--out', path.join(warmOut, 'report'), '--force'],
])
  await warm(exports, argv);
rmSync(warmOut, { recursive: true, force: true });
const cache = script.createCachedData();
writeFileSync(CODE_CACHE, cacheFile(`// alliance build ${id}`, cache));
// The commands' own caches, each made in a fresh process.
for (const command of COMMAND_CACHES) {
  const res = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--cache-for', command], { stdio: 'inherit' });
  if (res.status !== 0) throw new Error(`bundle: the code cache of ${command} was not made (exit ${res.status})`);
}

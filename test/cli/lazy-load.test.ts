/**
 * Startup loads only what the invoked command needs (issue 15: startup counts at 1M rows):
 * `--version` and `--help` load no analysis, reader or renderer, and a command loads its
 * own section but not the others' analyses, nor yaml, re2js, fflate or the format readers
 * when no config, schema, zip or workbook is given. Behavioural, not timed: the child
 * records every module it loads (ES modules through a loader hook, CommonJS through
 * require.cache) and prints the list at exit. The binary runs the bundle of dist/
 * (dist/alliance.cjs, scripts/bundle.mjs), in which a module's top level runs when it is
 * first imported, as in dist/: the module graph is checked on dist/ itself (through
 * dist/cli/launch.js, the bundle's entry), the binary for the packages it requires.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, runBinary } from '../helpers/spawn.js';
import { SECTIONS } from '../../src/sections/registry.js';

// Registered with --import before the program: ES module URLs come from a loader hook
// over a MessagePort; CommonJS files from require.cache at exit.
const RECORDER = `
import { register, createRequire } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
const { port1, port2 } = new MessageChannel();
const urls = [];
port1.on('message', (u) => urls.push(u));
port1.unref();
const hook = 'let p; export function initialize(d) { p = d.port; } export async function load(url, c, next) { if (url.startsWith("file:")) p.postMessage(url); return next(url, c); }';
register('data:text/javascript,' + encodeURIComponent(hook), { data: { port: port2 }, transferList: [port2] });
process.on('exit', () => {
  const cjs = Object.keys(createRequire(import.meta.url).cache);
  // Node.js's own modules as node:NAME (internal ones included).
  const builtin = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => 'node:' + m.slice(13));
  process.stderr.write('\\n__MODULES__' + JSON.stringify([...urls.map((u) => decodeURIComponent(new URL(u).pathname)), ...cjs, ...builtin]) + '\\n');
});
`;

const dir = mkdtempSync(path.join(tmpdir(), 'alliance-lazy-'));
const recorder = path.join(dir, 'recorder.mjs');
writeFileSync(recorder, RECORDER);
// The program as modules of dist/ (what the bundle is made from).
const modular = path.join(dir, 'modular.mjs');
writeFileSync(
  modular,
  `import { main } from ${JSON.stringify(pathToFileURL(path.join(ROOT, 'dist/cli/launch.js')).href)};\nprocess.exitCode = await main(process.argv.slice(2));\n`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The files a run loads: of the module graph of dist/ (default) or of the binary. */
function loaded(args: string[], entry = modular): { code: number | null; modules: string[] } {
  const res = spawnSync(process.execPath, ['--import', recorder, entry, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const m = /__MODULES__(.*)\n/.exec(res.stderr);
  expect(m, res.stderr).not.toBeNull();
  const modules = (JSON.parse(m![1]) as string[]).map((f) => f.replace(ROOT, '').replace(/\\/g, '/'));
  return { code: res.status, modules };
}

const pkg = (modules: string[], name: string) => modules.some((f) => f.includes(`node_modules/${name}/`));
// Option tables read defaults and names from constants-only modules (types.js, output-limits.js).
const dist = (modules: string[], prefix: string) => modules.some((f) => f.startsWith(`dist/${prefix}`) && !/\/(types|[a-z-]+-limits)\.js$/.test(f));

describe('startup loads what the command needs', () => {
  it('the recorder sees the program and its dependencies (it is not blind)', () => {
    const r = loaded(['instruments', 'SRS', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(dist(r.modules, 'cli/main.js')).toBe(true);
    expect(dist(r.modules, 'report/render.js')).toBe(true);
    expect(pkg(r.modules, 'commander')).toBe(true);
    expect(pkg(r.modules, 'chalk')).toBe(true);
  });

  it('--version and --help load no analysis, reader, renderer or heavy package', () => {
    for (const args of [['--version'], ['--help'], ['trend', '--help']]) {
      const r = loaded(args);
      expect(r.code).toBe(0);
      for (const area of [
        'analysis/',
        'stats/lmm/',
        'stats/distributions',
        'dataset/',
        'validate/',
        'report/render',
        // The sections' ResultDocument builders and validate's CI formats.
        ...SECTIONS.map((x) => `sections/${x.name}/document.js`),
        'sections/validate/github.js',
        'sections/validate/junit.js',
        'sections/validate/sarif.js',
        'report/html/',
        'report/batch/',
        'io/csv',
        'io/scanner',
      ]) {
        expect(dist(r.modules, area), `${args.join(' ')} loads dist/${area}`).toBe(false);
      }
      for (const p of ['yaml', 're2js', 'fflate', 'yauzl', 'saxes', 'hyparquet', 'cli-table3', 'csv-stringify', 'chalk']) {
        expect(pkg(r.modules, p), `${args.join(' ')} loads ${p}`).toBe(false);
      }
    }
  });

  it('a command loads its own analysis, not the other sections or unused packages', () => {
    const r = loaded(['describe', 'fixtures/demo.csv', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(dist(r.modules, 'analysis/describe.js')).toBe(true);
    for (const other of ['analysis/correlate/', 'analysis/trend/', 'analysis/model.js', 'analysis/ruptures.js', 'validate/', 'report/batch/', 'stats/lmm/']) {
      expect(dist(r.modules, other), `describe loads dist/${other}`).toBe(false);
    }
    for (const p of ['yaml', 're2js', 'fflate', 'yauzl', 'saxes', 'hyparquet', 'cli-table3', 'csv-stringify']) {
      expect(pkg(r.modules, p), `describe --format json loads ${p}`).toBe(false);
    }
  });

  it('validate without a schema loads neither re2js nor yaml; an ASCII table needs no cli-table3', () => {
    const r = loaded(['validate', 'fixtures/demo.csv']);
    expect(dist(r.modules, 'validate/validate.js')).toBe(true);
    expect(pkg(r.modules, 're2js')).toBe(false);
    expect(pkg(r.modules, 'yaml')).toBe(false);
    // The boxed table is drawn by src/report/box.ts; string-width (through cli-table3) measures only non-ASCII text.
    expect(dist(r.modules, 'report/box.js')).toBe(true);
    expect(pkg(r.modules, 'cli-table3')).toBe(false);
  });

  it('the binary runs the bundle: no module file of dist/, and no package a run does not need', () => {
    const bundle = loaded(['describe', 'fixtures/demo.csv', '--format', 'json'], BIN);
    expect(bundle.code).toBe(0);
    expect(bundle.modules.filter((f) => f.startsWith('dist/'))).toEqual([]);
    // The recorder sees the binary's own files and the packages it requires (it is not blind).
    expect(bundle.modules).toContain('bin/load.js');
    // (A table of non-ASCII text, trend's sparklines, is measured with cli-table3's string-width.)
    expect(loaded(['trend', 'fixtures/demo.csv', '--clients'], BIN).modules.some((f) => f.includes('node_modules/cli-table3/'))).toBe(true);
    for (const args of [['--version'], ['describe', 'fixtures/demo.csv', '--format', 'json'], ['trend', 'fixtures/demo.csv', '--format', 'json']]) {
      const r = args[0] === 'describe' ? bundle : loaded(args, BIN);
      expect(r.code).toBe(0);
      for (const p of ['yaml', 're2js', 'fflate', 'yauzl', 'saxes', 'docx', 'cli-table3', 'csv-stringify']) {
        expect(pkg(r.modules, p), `${args.join(' ')} loads ${p}`).toBe(false);
      }
      // Nor node:crypto (src/io/lazy-crypto.ts, bin/load.js's CRC-32) or commander's
      // node:child_process (required when used in the bundle: scripts/bundle.mjs).
      for (const m of ['node:crypto', 'node:child_process']) expect(r.modules, `${args.join(' ')} loads ${m}`).not.toContain(m);
    }
    // The recorder sees Node.js's modules (it is not blind): the report hashes its inputs
    // with SHA-256 for its manifest.
    const report = loaded(['report', '--config', 'fixtures/report.yaml', '--out', path.join(dir, 'report'), '--force'], BIN);
    expect(report.code).toBe(0);
    expect(report.modules).toContain('node:crypto');
    expect(report.modules).toContain('node:fs');
  });

  it('the binary parses a config with the yaml it bundles (compiled from the code cache), not the package', () => {
    const config = path.join(dir, 'c.yaml');
    writeFileSync(config, 'alliance: [srs]\noutcome: [ors]\n');
    const r = loaded(['describe', 'fixtures/demo.csv', '--config', config, '--format', 'json'], BIN);
    expect(r.code).toBe(0);
    expect(r.modules).toContain('bin/load.js');
    expect(pkg(r.modules, 'yaml')).toBe(false);
    // Through dist/ the same run requires the package (the recorder sees it).
    expect(pkg(loaded(['describe', 'fixtures/demo.csv', '--config', config, '--format', 'json']).modules, 'yaml')).toBe(true);
  });

  it('each section command declares --format apa and --methods exactly when its section has a manuscript', () => {
    // The command declares them without loading its section (SectionCommandSpec.manuscript).
    for (const section of SECTIONS.filter((x) => x.name !== 'validate')) {
      const help = runBinary([section.name, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout.includes('--methods'), section.name).toBe(section.manuscript !== undefined);
    }
  });
});

/**
 * The binary runs dist/alliance.cjs (the bundle of dist/, scripts/bundle.mjs) compiled from
 * V8's code cache made at build time (bin/load.js). The cache only saves compiling: it is
 * used when it was made for this bundle and this Node.js, ignored otherwise, and a run
 * gives the same bytes either way. Behavioural, not timed (README, Performance, has the
 * start-up times).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runBinary } from '../helpers/spawn.js';

// Copies of the bundle go in <tmp>/dist/ beside <tmp>/package.json, as the bundle sits in dist/.
const tmp = mkdtempSync(path.join(tmpdir(), 'alliance-bundle-'));
const dir = path.join(tmp, 'dist');
mkdirSync(dir);
copyFileSync(path.join(ROOT, 'package.json'), path.join(tmp, 'package.json'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const BUNDLE = path.join(ROOT, 'dist/alliance.cjs');
const load = pathToFileURL(path.join(ROOT, 'bin/load.js')).href;
// bin/load.js is plain JavaScript beside the binary.
const { COMMAND_CACHES, cachePath } = (await import(load)) as { COMMAND_CACHES: string[]; cachePath: (bundle: string, command?: string) => string };

/**
 * Loads a bundle in a child process (for `command`: its own code cache when it has one) and
 * runs a command; whether a cache was given, whether V8 rejected it, what the command printed.
 */
function probe(bundle: string, useCache = true, command?: string): { given: boolean; rejected: boolean | undefined; printed: string } {
  const code = `
    import { loadProgram } from ${JSON.stringify(load)};
    const { script, exports } = loadProgram({ bundle: ${JSON.stringify(bundle)}, useCache: ${useCache}, command: ${JSON.stringify(command)} });
    const out = [];
    const sink = { write: (s) => (out.push(s), true) };
    const io = { stdout: sink, stderr: sink, stdin: process.stdin, env: {}, cwd: process.cwd(), stdoutIsTTY: false, stderrIsTTY: false };
    await exports.run(['instruments', 'PHQ-9', '--format', 'json'], io);
    console.log(JSON.stringify({ given: script.cachedDataRejected !== undefined, rejected: script.cachedDataRejected, printed: JSON.parse(out.join('')).instrument.id }));
  `;
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' });
  expect(res.status, res.stderr).toBe(0);
  return JSON.parse(res.stdout.trim()) as { given: boolean; rejected: boolean | undefined; printed: string };
}

describe('the bundle and its code cache', () => {
  it('the build made a cache for this bundle and V8 accepts it', () => {
    expect(readFileSync(BUNDLE, 'utf8').split('\n', 1)[0]).toMatch(/^\/\/ alliance build [0-9a-f]{32}$/);
    expect(probe(BUNDLE)).toEqual({ given: true, rejected: false, printed: 'PHQ-9' });
    expect(probe(BUNDLE, false)).toEqual({ given: false, rejected: undefined, printed: 'PHQ-9' });
  });

  it('a cache made for another build is not used', () => {
    const other = path.join(dir, 'other.cjs');
    const text = readFileSync(BUNDLE, 'utf8');
    writeFileSync(other, text.replace(/^\/\/ alliance build [0-9a-f]{32}/, `// alliance build ${'0'.repeat(32)}`));
    copyFileSync(`${BUNDLE}.cache`, `${other}.cache`);
    expect(probe(other)).toEqual({ given: false, rejected: undefined, printed: 'PHQ-9' });
  });

  it('a damaged or cut cache is not used (V8 would crash on some), and the program runs from its source', () => {
    const copy = path.join(dir, 'copy.cjs');
    copyFileSync(BUNDLE, copy);
    const cache = readFileSync(`${BUNDLE}.cache`);
    const damaged = Buffer.from(cache);
    damaged[damaged.length >> 1] ^= 0x01;
    for (const bad of [damaged, cache.subarray(0, cache.length - 1000), cache.subarray(0, 40)]) {
      writeFileSync(`${copy}.cache`, bad);
      expect(probe(copy)).toEqual({ given: false, rejected: undefined, printed: 'PHQ-9' });
    }
    // The copy's own cache, whole, is used: the check above is not blind.
    writeFileSync(`${copy}.cache`, cache);
    expect(probe(copy)).toEqual({ given: true, rejected: false, printed: 'PHQ-9' });
  });

  it('a cache checked by CRC-32 (Node.js 20.15 and later) or by SHA-256 (before) is used; another header is not', () => {
    const copy = path.join(dir, 'sum.cjs');
    copyFileSync(BUNDLE, copy);
    const file = readFileSync(`${BUNDLE}.cache`);
    const nl = file.indexOf(10);
    const [id, cache] = [file.toString('latin1', 0, nl).replace(/ \S+ \S+$/, ''), file.subarray(nl + 1)];
    expect(id).toMatch(/^\/\/ alliance build [0-9a-f]{32}$/);
    const crc = zlib.crc32(cache).toString(16).padStart(8, '0');
    const sha = createHash('sha256').update(cache).digest('hex');
    const withHeader = (line: string) => Buffer.concat([Buffer.from(`${line}\n`, 'latin1'), cache]);
    // The build writes the CRC-32 where zlib has it (this Node.js).
    expect(file.toString('latin1', 0, nl)).toBe(`${id} crc32 ${crc}`);
    for (const [line, used] of [
      [`${id} crc32 ${crc}`, true],
      [`${id} sha256 ${sha}`, true],
      [`${id} sha256 ${sha.replace(/^./, (c) => (c === '0' ? '1' : '0'))}`, false],
      [`${id} md5 ${crc}`, false],
      [`${id} ${sha}`, false],
    ] as const) {
      writeFileSync(`${copy}.cache`, withHeader(line));
      expect(probe(copy), line).toEqual(used ? { given: true, rejected: false, printed: 'PHQ-9' } : { given: false, rejected: undefined, printed: 'PHQ-9' });
    }
  });

  it("the commands with a cache of their own use it, else the bundle's", () => {
    const copy = path.join(dir, 'own.cjs');
    copyFileSync(BUNDLE, copy);
    const general = readFileSync(`${BUNDLE}.cache`);
    for (const command of COMMAND_CACHES) {
      const own = readFileSync(cachePath(BUNDLE, command));
      // A cache of one command is smaller than the bundle's (why it is made).
      expect(own.length).toBeLessThan(general.length * 0.75);
      // Its own cache, with the bundle's damaged: given and accepted.
      writeFileSync(`${copy}.cache`, general.subarray(0, 40));
      writeFileSync(cachePath(copy, command), own);
      expect(probe(copy, true, command)).toEqual({ given: true, rejected: false, printed: 'PHQ-9' });
      // Its own damaged: the bundle's is used; both damaged: none.
      writeFileSync(cachePath(copy, command), own.subarray(0, 40));
      expect(probe(copy, true, command)).toEqual({ given: false, rejected: undefined, printed: 'PHQ-9' });
      writeFileSync(`${copy}.cache`, general);
      expect(probe(copy, true, command)).toEqual({ given: true, rejected: false, printed: 'PHQ-9' });
    }
    expect(cachePath(BUNDLE, 'report')).toBe(`${BUNDLE}.cache`);
    expect(cachePath(BUNDLE, '--version')).toBe(`${BUNDLE}.cache`);
  });

  it('the binary prints the same bytes with and without the cache', () => {
    const args = ['trend', 'fixtures/demo.csv', '--format', 'json'];
    const bin = runBinary(args);
    expect(bin.code).toBe(0);
    const code = `
      import { loadProgram } from ${JSON.stringify(load)};
      process.exitCode = await loadProgram({ useCache: false }).exports.main(${JSON.stringify(args)});
    `;
    const plain = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stdout).toBe(bin.stdout);
    expect(bin.stdout.length).toBeGreaterThan(1000);
  });
});

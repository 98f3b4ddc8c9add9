/**
 * Memory grows with clients, not rows (issue 15; README "Performance"): each streaming
 * command finishes on a file of 2,000,000 clients with its JavaScript heap capped at
 * 128 MB (--max-old-space-size), i.e. at most 67 bytes of JavaScript heap per client
 * (typed arrays are held outside that heap; README gives the resident bytes); model on
 * 1,000,000 clients with two sessions in 96 MB (about 100 bytes a client); and the
 * same run with the heap capped far below that runs out of memory (so the cap bites).
 * Behavioural, not timed: only the exit status is checked.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../helpers/spawn.js';

const CLIENTS = 2_000_000;
/** The model needs two sessions a client (a within-client alliance); fewer clients, as many rows. */
const MODEL_CLIENTS = 1_000_000;
const dir = mkdtempSync(path.join(tmpdir(), 'alliance-mem-'));
const file = path.join(dir, 'clients.csv');
const modelFile = path.join(dir, 'model-clients.csv');

/** Writes a session file of `clients` clients with `sessions` sessions each; `line(i, s)` the rest of a row. */
function writeClients(target: string, clients: number, sessions: number, line: (i: number, s: number) => string): void {
  const fd = openSync(target, 'w');
  let buf = 'client_id,therapist_id,session,date,srs,ors\n';
  for (let i = 0; i < clients; i++) {
    for (let s = 1; s <= sessions; s++) {
      buf += `C${String(i).padStart(7, '0')},T${i % 50},${s},${line(i, s)}\n`;
      if (buf.length > 1 << 20) {
        writeSync(fd, buf);
        buf = '';
      }
    }
  }
  writeSync(fd, buf);
  closeSync(fd);
}

beforeAll(() => {
  // One session per client: the most clients per byte. Scores vary so every analysis has work.
  writeClients(file, CLIENTS, 1, (i) => `2024-0${1 + (i % 9)}-1${i % 10},${30 + (i % 100) / 10},${10 + (i % 250) / 10}`);
  // Two sessions: the alliance varies within and between clients, the outcome has a client part.
  writeClients(
    modelFile,
    MODEL_CLIENTS,
    2,
    (i, s) => `2024-0${1 + (i % 9)}-${10 + s},${30 + ((i * 7 + s * 13) % 100) / 10},${(10 + (i % 200) / 10 + ((i * s * 31) % 50) / 10).toFixed(1)}`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The line breaks in a file, read in pieces (the outputs are hundreds of MB). */
function countLines(file: string): number {
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(1 << 20);
  let lines = 0;
  for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) for (let i = 0; i < n; i++) if (buf[i] === 10) lines++;
  closeSync(fd);
  return lines;
}

/** Runs the CLI with its heap capped; `stdout`: a file descriptor the output goes to ('ignore': none). */
function run(heapMb: number, args: string[], stdout: number | 'pipe' | 'ignore' = 'pipe') {
  const res = spawnSync(process.execPath, [`--max-old-space-size=${heapMb}`, BIN, ...args], {
    cwd: ROOT,
    // Only what a child needs: no NODE_OPTIONS from the test runner (its heap is the cap).
    env: { PATH: process.env.PATH ?? '', TMPDIR: process.env.TMPDIR ?? '' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', stdout, 'pipe'],
  });
  return { code: res.status, signal: res.signal, stderr: res.stderr };
}

/** The heap guard's end: exit 71, one stderr line naming the file and what to do. */
function expectOutOfMemory(r: ReturnType<typeof run>, file: string): void {
  expect([r.code, r.signal]).toEqual([71, null]);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0].startsWith(`alliance: ${path.relative(ROOT, file)}:`) || lines[0].startsWith(`alliance: ${file}:`)).toBe(true);
  expect(lines[0]).toMatch(/ran out of memory: .* the \d+ MB heap Node\.js allows\. Give Node\.js a larger heap \(NODE_OPTIONS=--max-old-space-size=\d+/);
}

/** Runs a per-client CSV output in a 128 MB heap into a file; every client has its line (and the header). */
function writesEveryClient(args: string[]): void {
  const out = path.join(dir, 'clients-out.csv');
  const fd = openSync(out, 'w');
  const r = run(128, args, fd);
  closeSync(fd);
  expect(r.stderr).not.toMatch(/heap out of memory/);
  expect([r.code, r.signal]).toEqual([0, null]);
  expect(countLines(out)).toBe(CLIENTS + 1);
  rmSync(out);
}

describe('memory grows with clients, not rows', () => {
  it.each(['describe', 'validate', 'correlate', 'trend'])(
    '%s reads 2,000,000 clients in a 128 MB heap',
    (cmd) => {
      const r = run(128, [cmd, file, '--format', 'json']);
      expect(r.stderr).not.toMatch(/heap out of memory/);
      expect([r.code, r.signal]).toEqual([0, null]);
    },
    240_000,
  );

  // The per-client rows are made and written one at a time (src/sequence.ts): the output
  // (250 MB of CSV, 2.3 GB of JSON) is never held.
  it('trend --clients --format csv writes 2,000,000 client rows in a 128 MB heap', () => {
    writesEveryClient(['trend', file, '--clients', '--format', 'csv']);
  }, 480_000);

  it('trend --clients --format json writes 2,000,000 client rows in a 128 MB heap', () => {
    const r = run(128, ['trend', file, '--clients', '--format', 'json'], 'ignore');
    expect(r.stderr).not.toMatch(/heap out of memory/);
    expect([r.code, r.signal]).toEqual([0, null]);
  }, 480_000);

  // ruptures' client rows likewise (before: an object per client, about 800 MB on 1M clients).
  it('ruptures --clients --format csv writes 2,000,000 client rows in a 128 MB heap', () => {
    // One session each: no default drop can be derived, so it is given; every client is written.
    writesEveryClient(['ruptures', file, '--clients', '--rupture-drop', '3', '--format', 'csv']);
  }, 480_000);

  // model keeps typed arrays by client slot (src/analysis/model/design.ts, src/stats/lmm/data.ts):
  // the JavaScript heap holds little more than the interned client ids. Before (a Map of
  // objects per client and a Map per accumulator) the same run ran out of a 128 MB heap.
  it('model fits 1,000,000 clients (2,000,000 rows) in a 96 MB heap', () => {
    const r = run(96, ['model', modelFile, '--alliance', 'srs', '--outcome', 'ors', '--format', 'json'], 'ignore');
    expect(r.stderr).not.toMatch(/heap out of memory/);
    expect([r.code, r.signal]).toEqual([0, null]);
  }, 240_000);

  // --level client: each client's row made from the rows sorted by client (typed arrays),
  // not a Map of row lists (which ran out of a 96 MB heap on this file).
  it('model --decompose therapist --level client reads 1,000,000 clients in a 96 MB heap', () => {
    const args = ['model', modelFile, '--alliance', 'srs', '--outcome', 'ors', '--decompose', 'therapist', '--level', 'client', '--client-alliance', 'mean'];
    const r = run(96, [...args, '--format', 'json'], 'ignore');
    expect(r.stderr).not.toMatch(/heap out of memory/);
    expect([r.code, r.signal]).toEqual([0, null]);
  }, 240_000);

  it('the cap bites for model: the same file in a 24 MB heap runs out of memory', () => {
    const r = run(24, ['model', modelFile, '--alliance', 'srs', '--outcome', 'ors', '--format', 'json'], 'ignore');
    expect(r.code === 0 && r.signal === null).toBe(false);
  }, 240_000);

  // The heap guard (src/io/heap.ts): a read that outgrows the heap ends in one line and exit
  // 71, not in V8's abort (exit 134 and a native stack). Best effort: one allocation larger
  // than the headroom left (model's at 24-32 MB here) still meets V8's abort first.
  it.each(['describe', 'validate', 'correlate', 'trend'])(
    'the cap bites: %s on the same file in a 40 MB heap ends in one line and exit 71',
    (cmd) => {
      const r = run(40, [cmd, file, '--format', 'json'], 'ignore');
      expectOutOfMemory(r, file);
    },
    240_000,
  );
});

/**
 * A command run in-process removes the private copies it made (spooled standard input,
 * snapshots of binary inputs) when it ends, not only at process exit: otherwise a program
 * that runs commands in-process (this suite, the build's code-cache warm-up) leaves copies
 * of the data in the temporary folder. Concurrent runs keep their copies until the last ends.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';
import { BIN } from '../helpers/spawn.js';

const FORMATS = path.resolve(__dirname, '../../fixtures/formats');
let dir: string;
let saved: string | undefined;

beforeEach(() => {
  saved = process.env.TMPDIR;
  dir = mkdtempSync(path.join(tmpdir(), 'copies-'));
  process.env.TMPDIR = dir;
});
afterEach(() => {
  if (saved === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = saved;
  rmSync(dir, { recursive: true, force: true });
});

const left = (): string[] => readdirSync(dir);

describe('private copies end with the command', () => {
  it('standard input: spooled while the command runs, removed when it ends', async () => {
    const csv = readFileSync(path.join(FORMATS, 'long.csv'));
    const r = await runInProcess(['describe', '-', '--format', 'json'], { stdin: csv });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).command).toBe('describe');
    expect(left()).toEqual([]);
  });

  it('binary inputs: the snapshot of an xlsx, a .sav and a Parquet file is removed', async () => {
    for (const f of ['long.xlsx', 'long.sav', 'long.parquet']) {
      const r = await runInProcess(['describe', path.join(FORMATS, f), '--format', 'json']);
      expect(r.code, `${f}: ${r.stderr}`).toBe(0);
      expect(left(), f).toEqual([]);
    }
  });

  it('a failed run removes its copy too', async () => {
    const r = await runInProcess(['correlate', '-', '--alliance', 'nope'], { stdin: 'client,session,srs,ors\na,1,30,20\n' });
    expect(r.code).toBe(2);
    expect(left()).toEqual([]);
  });

  it('runs at the same time all read their whole input; nothing is left after the last', async () => {
    const csv = readFileSync(path.join(FORMATS, 'long.csv'));
    const runs = await Promise.all([1, 2, 3].map(() => runInProcess(['describe', '-', '--format', 'json'], { stdin: csv })));
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(new Set(runs.map((r) => r.stdout)).size).toBe(1);
    expect(left()).toEqual([]);
  });
});

describe('a temporary folder without room for the copy', () => {
  it('is said as such (exit 2), not as a file that cannot be read', () => {
    // ulimit -f stands for a full TMPDIR: the copy's writes fail with EFBIG past 64 KiB.
    const csv = 'client_id,session,srs,ors\n' + Array.from({ length: 20000 }, (_, i) => `C${i >> 2},${(i & 3) + 1},30,20\n`).join('');
    const r = spawnSync('sh', ['-c', 'ulimit -f 64 && exec "$0" "$@"', process.execPath, BIN, 'describe', '-'], {
      input: csv,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', TMPDIR: dir },
    });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^alliance: <stdin>: no room for a temporary copy of the input in .* \(EFBIG\)\. .*TMPDIR/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(left()).toEqual([]);
  });
});

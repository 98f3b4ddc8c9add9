/**
 * Write errors (issue 16): stdout to a full device is one line on stderr and exit 2, never
 * an uncaught ENOSPC stack with exit 1; a stdout that is a file gets every byte.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BIN, ROOT } from '../helpers/spawn.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'alliance-write-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function runTo(args: string[], fd: number) {
  const res = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    stdio: ['ignore', fd, 'pipe'],
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
  });
  return { code: res.status, stderr: res.stderr };
}

describe('stdout to /dev/full (Linux)', () => {
  for (const args of [
    ['describe', 'fixtures/demo.csv'],
    ['simulate', '--clients', '2000', '--seed', '1'],
    ['validate', 'fixtures/demo.csv', '--format', 'json'],
  ]) {
    it(`${args[0]}: one line, exit 2`, () => {
      const fd = openSync('/dev/full', 'w');
      const r = runTo(args, fd);
      closeSync(fd);
      expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^alliance: cannot write the output to standard output \(ENOSPC\)/);
      expect(r.code).toBe(2);
    });
  }
});

describe('stdout to a file', () => {
  it('receives every byte (same as a pipe)', () => {
    const file = path.join(tmp, 'sim.csv');
    const fd = openSync(file, 'w');
    const r = runTo(['simulate', '--clients', '3000', '--seed', '3'], fd);
    closeSync(fd);
    expect(r.code).toBe(0);
    const piped = spawnSync(process.execPath, [BIN, 'simulate', '--clients', '3000', '--seed', '3'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 });
    expect(readFileSync(file, 'utf8')).toBe(piped.stdout);
  });
});

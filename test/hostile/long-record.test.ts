/**
 * A file without line breaks (issue 16): refused at the record limit (16 MiB) with one
 * line and exit 2, holding about the limit - not the whole record. Before, the limit was
 * 128 MiB and the reader held two to five times it (a 1 GB line: 460-720 MB RSS).
 * The bound is checked behaviourally: the child's peak RSS on a 40 MiB line stays within
 * 100 MB of its peak on the demo data (not a timing).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/spawn.js';

let tmp: string;
let file: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'alliance-longrec-'));
  file = path.join(tmp, 'one-line.csv');
  const fd = openSync(file, 'w');
  writeSync(fd, 'client_id,session,srs,ors\nA,1,');
  const block = Buffer.alloc(1 << 20, 'x');
  for (let i = 0; i < 40; i++) writeSync(fd, block);
  writeSync(fd, ',20\n');
  closeSync(fd);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the CLI in a child that prints its peak RSS (bytes) on fd 3 after the run. */
function peak(args: string[]): { code: number | null; stderr: string; rss: number } {
  const script = `process.on('exit', () => require('fs').writeSync(3, String(process.resourceUsage().maxRSS * 1024))); process.argv = [process.argv[0], ${JSON.stringify(BIN)}, ...${JSON.stringify(args)}]; import(${JSON.stringify('file://' + BIN)});`;
  const r = spawnSync(process.execPath, ['-e', script], {
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '' },
  });
  return { code: r.status, stderr: r.stderr, rss: Number(r.output[3]) };
}

describe('a record past the limit is refused without holding it', () => {
  for (const cmd of ['describe', 'validate']) {
    it(`${cmd}: one line, exit 2, peak memory about the limit`, () => {
      const bad = peak([cmd, file]);
      expect(bad.code, bad.stderr).toBe(2);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
      expect(bad.stderr).toMatch(/one-line\.csv:2: a record starting here runs on for more than 16 MB/);
      const base = peak([cmd, 'fixtures/demo.csv']);
      expect(base.rss).toBeGreaterThan(0);
      expect(bad.rss - base.rss).toBeLessThan(100 * 1024 * 1024);
    });
  }
});

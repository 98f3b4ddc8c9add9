/**
 * Input changed while reading (issue 16): a pass that reads more or fewer bytes than the file
 * had when opened is a one-line error, and so is a file removed between passes (exit 70
 * 'ENOENT' before); the report's manifest never describes another version than the analysed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { openCsv } from '../../src/io/csv.js';
import { failure } from '../helpers/failure.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'alliance-changed-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const CSV = 'client_id,session,srs,ors\n' + Array.from({ length: 200 }, (_, i) => `C${i % 20},${1 + Math.floor(i / 20)},30,20`).join('\n') + '\n';

describe('a file that changes between opening and reading', () => {
  it('appended to: the pass stops with one line', async () => {
    const f = path.join(tmp, 'grow.csv');
    writeFileSync(f, CSV);
    const input = await openCsv(f, {});
    appendFileSync(f, 'C99,1,30,20\n');
    expect(await failure(input.read(() => undefined))).toMatch(
      /grow\.csv: the file changed while it was being read \(\d[\d,]* bytes when opened, \d[\d,]* read\)/,
    );
  });

  it('truncated: the pass stops with one line', async () => {
    const f = path.join(tmp, 'shrink.csv');
    writeFileSync(f, CSV);
    const input = await openCsv(f, {});
    truncateSync(f, 100);
    expect(await failure(input.read(() => undefined))).toMatch(/the file changed while it was being read/);
  });

  it('removed: one line, not ENOENT', async () => {
    const f = path.join(tmp, 'gone.csv');
    writeFileSync(f, CSV);
    const input = await openCsv(f, {});
    unlinkSync(f);
    expect(await failure(input.read(() => undefined))).toMatch(/gone\.csv: the file was removed or renamed while it was being read/);
  });

  it('unchanged: every record is read', async () => {
    const f = path.join(tmp, 'same.csv');
    writeFileSync(f, CSV);
    const input = await openCsv(f, {});
    let n = 0;
    await input.read(() => void n++);
    expect(n).toBe(200);
  });
});

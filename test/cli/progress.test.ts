import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runInProcess } from '../helpers/cli.js';

let file = '';
beforeAll(async () => {
  file = path.join(mkdtempSync(path.join(tmpdir(), 'alliance-progress-')), 'big.csv');
  const r = await runInProcess(['simulate', '--rows', '300000', '--seed', '5', '--out', file]);
  expect(r.code).toBe(0);
});

describe('progress on stderr', () => {
  it('shows a live row count on a terminal and clears it at the end', async () => {
    const r = await runInProcess(['describe', file, '--format', 'json'], { tty: true, env: {} });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('\ralliance: 262,144 rows read');
    expect(r.stderr.endsWith('\r\u001b[K')).toBe(true);
    expect(JSON.parse(r.stdout).rows).toBe(300000);
  });

  it('shows nothing in CI logs or when stderr is not a terminal', async () => {
    const ci = await runInProcess(['describe', file, '--format', 'json'], { tty: true, env: { CI: 'true' } });
    expect(ci.stderr).toBe('');
    const piped = await runInProcess(['describe', file, '--format', 'json'], { tty: false, env: {} });
    expect(piped.stderr).toBe('');
  });
});

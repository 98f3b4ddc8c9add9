/**
 * Progress of the analysis commands (issue 13): on a terminal (a fake TTY stream,
 * in-process) validate, describe, correlate, trend, ruptures, model and report show a bar
 * of the inputs' bytes read on stderr, cleared at the end; standard input shows a row
 * count instead; nothing in CI logs or when stderr is not a terminal, unless --progress;
 * nothing with --no-progress; and the output on stdout (--format json) is the same bytes
 * with and without it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInProcess } from '../helpers/cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEMO = path.join(ROOT, 'fixtures/demo.csv');
const BAR = (cmd: string) => new RegExp(`\\r\\x1b\\[K${cmd} \\[[#-]{24}\\] +\\d+%`);
const FULL = (cmd: string) => `\r\x1b[K${cmd} [########################] 100%`;

let file = '';
beforeAll(async () => {
  file = path.join(mkdtempSync(path.join(tmpdir(), 'alliance-progress-')), 'big.csv');
  const r = await runInProcess(['simulate', '--rows', '300000', '--seed', '5', '--out', file]);
  expect(r.code).toBe(0);
  // Large enough for several progress calls (one every 4 MB).
  expect(statSync(file).size).toBeGreaterThan(8 * 1024 * 1024);
});

describe('progress on stderr', () => {
  it('describe on a terminal: a bar of the bytes read that fills, then is cleared; stdout unchanged', async () => {
    const r = await runInProcess(['describe', file, '--format', 'json'], { tty: true, env: {} });
    expect(r.code).toBe(0);
    const bars = r.stderr.match(new RegExp(BAR('alliance describe').source, 'g')) ?? [];
    expect(bars.length).toBeGreaterThan(1);
    const shares = bars.map((b) => Number(/(\d+)%$/.exec(b)![1]));
    expect(shares).toEqual([...shares].sort((a, b) => a - b));
    expect(r.stderr).toContain(FULL('alliance describe'));
    expect(r.stderr.endsWith('\r\x1b[K')).toBe(true);
    expect(r.stderr).not.toContain('\n');
    const plain = await runInProcess(['describe', file, '--format', 'json'], { tty: false, env: {} });
    expect(plain.stderr).toBe('');
    expect(r.stdout).toBe(plain.stdout);
    expect(JSON.parse(r.stdout).rows).toBe(300000);
  });

  it.each([
    ['validate', ['--today', '2025-07-01']],
    ['describe', []],
    ['correlate', []],
    ['trend', []],
    ['ruptures', []],
    ['model', ['--outcome', 'ors', '--alliance', 'srs']],
  ])('%s shows the bar on a terminal and the same stdout as without it', async (cmd, extra) => {
    const args = [cmd, DEMO, '--format', 'json', ...extra];
    const tty = await runInProcess(args, { tty: true, env: {} });
    expect(tty.stderr).toMatch(BAR(`alliance ${cmd}`));
    expect(tty.stderr).toContain(FULL(`alliance ${cmd}`));
    expect(tty.stderr.endsWith('\r\x1b[K')).toBe(true);
    const piped = await runInProcess(args, { tty: false, env: {} });
    expect(piped.stderr).toBe('');
    expect(tty.code).toBe(piped.code);
    expect(tty.stdout).toBe(piped.stdout);
  });

  it('report shows the bar while it reads, on a terminal only', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'alliance-progress-report-'));
    const args = ['report', '--config', path.join(ROOT, 'fixtures/report.yaml'), '--reproducible', '--force'];
    const tty = await runInProcess([...args, '--out', path.join(out, 'a')], { tty: true, env: {} });
    expect(tty.code).toBe(0);
    expect(tty.stderr).toMatch(BAR('alliance report'));
    const piped = await runInProcess([...args, '--out', path.join(out, 'b')], { tty: false, env: {} });
    expect(piped.stderr).not.toMatch(/\[[#-]{24}\]/);
    expect(readFileSync(path.join(out, 'a', 'results.json'), 'utf8')).toBe(readFileSync(path.join(out, 'b', 'results.json'), 'utf8'));
  });

  it('standard input: a live row count, not a share of bytes', async () => {
    const r = await runInProcess(['describe', '-', '--format', 'json'], { tty: true, env: {}, stdin: readFileSync(file) });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('\r\x1b[Kalliance describe: 262,144 rows read');
    expect(r.stderr).not.toMatch(/\[[#-]{24}\]/);
    expect(r.stderr.endsWith('\r\x1b[K')).toBe(true);
  });

  it('nothing in CI logs or when stderr is not a terminal; --progress forces it, --no-progress stops it', async () => {
    const ci = await runInProcess(['describe', DEMO, '--format', 'json'], { tty: true, env: { CI: 'true' } });
    expect(ci.stderr).toBe('');
    const piped = await runInProcess(['describe', DEMO, '--format', 'json'], { tty: false, env: {} });
    expect(piped.stderr).toBe('');
    const forced = await runInProcess(['describe', DEMO, '--format', 'json', '--progress'], { tty: false, env: { CI: 'true' } });
    expect(forced.stderr).toContain(FULL('alliance describe'));
    expect(forced.stdout).toBe(piped.stdout);
    const off = await runInProcess(['describe', DEMO, '--format', 'json', '--no-progress'], { tty: true, env: {} });
    expect(off.stderr).toBe('');
    const offValidate = await runInProcess(['validate', DEMO, '--format', 'json', '--no-progress', '--today', '2025-07-01'], { tty: true, env: {} });
    expect(offValidate.stderr).toBe('');
  });
});

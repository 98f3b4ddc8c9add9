/**
 * The progress bar (issue 13): on a terminal only, on stderr, with the percent done and the
 * time left; `alliance simulate` shows it while it writes.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { barLine, clock, progressBar } from '../../src/cli/progress.js';
import { runInProcess } from '../helpers/cli.js';

describe('the bar', () => {
  it('shows label, bar, percent and the time left from the time so far', () => {
    expect(barLine('x', 0.5, 10)).toBe('x [############------------]  50% 0:10 left');
    expect(barLine('x', 0.25, 90)).toBe('x [######------------------]  25% 4:30 left');
    expect(barLine('x', 0, 0)).toBe('x [------------------------]   0%');
    expect(clock(3725)).toBe('1:02:05');
  });

  it('is drawn only on a terminal outside CI, and cleared at the end', () => {
    let out = '';
    const io = { stderr: { write: (s: string) => ((out += s), true) }, stderrIsTTY: true, env: {} } as never;
    let t = 0;
    const bar = progressBar(io, 'job', () => t)!;
    bar.update(0.1);
    t = 50;
    bar.update(0.2); // within 100 ms: not redrawn
    t = 2000;
    bar.update(0.5);
    bar.end();
    expect(out).toBe(`\r\x1b[K${barLine('job', 0.1, 0)}\r\x1b[K${barLine('job', 0.5, 2)}\r\x1b[K`);
    expect(progressBar({ stderrIsTTY: false, env: {} } as never, 'job')).toBeNull();
    expect(progressBar({ stderrIsTTY: true, env: { CI: 'true' } } as never, 'job')).toBeNull();
  });
});

describe('alliance simulate', () => {
  it('shows the bar on a terminal and leaves the file as without it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alliance-bar-'));
    const tty = await runInProcess(['simulate', '--clients', '2000', '--seed', '4', '--out', path.join(dir, 'a.csv')], { tty: true });
    const plain = await runInProcess(['simulate', '--clients', '2000', '--seed', '4', '--out', path.join(dir, 'b.csv')]);
    expect(tty.code).toBe(0);
    expect(tty.stderr.startsWith('\r\x1b[Kalliance simulate [')).toBe(true);
    expect(tty.stderr).toMatch(/alliance simulate \[[#-]{24}\] +\d+%/);
    expect(tty.stderr.endsWith('\r\x1b[K')).toBe(true);
    expect(plain.stderr).toBe('');
    expect(readFileSync(path.join(dir, 'a.csv'), 'utf8')).toBe(readFileSync(path.join(dir, 'b.csv'), 'utf8'));
    const rows = await runInProcess(['simulate', '--rows', '50000', '--seed', '4'], { tty: true });
    expect(rows.stderr).toMatch(/alliance simulate \[[#-]{24}\] +\d+%/);
    expect(rows.stdout.split('\n').length).toBe(50002);
  });
});

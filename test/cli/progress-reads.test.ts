/**
 * Progress over several reads of the input, and its arithmetic against hand-computed values
 * (src/cli/progress.ts, src/cli/input.ts): a later read is labelled `, read N`; the share,
 * the row count and the time left are checked literally; `simulate` takes --progress and
 * --no-progress like the commands that read data.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { barLine, clock } from '../../src/cli/progress.js';
import { scanProgress } from '../../src/cli/input.js';
import { runInProcess } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'alliance-progress-reads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A terminal's stderr, and a clock the test moves (milliseconds). */
function terminal() {
  const t = { out: '', ms: 0 };
  const io = { stderr: { write: (s: string) => ((t.out += s), true) }, stderrIsTTY: true, env: {} } as never;
  return { t, io };
}

describe('the numbers on the bar, by hand', () => {
  it('share, bar width and percent', () => {
    // 0.4 of 24 cells = 9.6 -> 10 filled; 40%; 12 s so far for 0.4 -> 18 s left (12 x 0.6 / 0.4).
    expect(barLine('x', 0.4, 12)).toBe('x [##########--------------]  40% 0:18 left');
    // 1/3: 8 cells, 33% (floored), 30 s so far -> 60 s left.
    expect(barLine('x', 1 / 3, 30)).toBe('x [########----------------]  33% 1:00 left');
    // Done: full bar, 100%, nothing left.
    expect(barLine('x', 1, 75)).toBe('x [########################] 100% 0:00 left');
    // Beyond 1 is 1; below 0 is 0.
    expect(barLine('x', 1.5, 10)).toBe('x [########################] 100% 0:00 left');
    expect(barLine('x', -1, 10)).toBe('x [------------------------]   0%');
  });

  it('no time left before 1% or half a second (too early to say)', () => {
    expect(barLine('x', 0.01, 100)).toBe('x [------------------------]   1%');
    expect(barLine('x', 0.5, 0.5)).toBe('x [############------------]  50%');
    expect(barLine('x', 0.5, 0.6)).toBe('x [############------------]  50% 0:01 left');
  });

  it('the clock rounds to whole seconds', () => {
    expect(clock(59.4)).toBe('0:59');
    expect(clock(59.5)).toBe('1:00');
    expect(clock(3599.6)).toBe('1:00:00');
    expect(clock(-3)).toBe('0:00');
  });
});

describe('several reads of the input', () => {
  it('bytes: the first read is the label, a later one says read 2; each is cleared at its end', () => {
    const { t, io } = terminal();
    const p = scanProgress(io, 'alliance x', { now: () => t.ms })!;
    p.bytes!(25, 100); // 0 s: a quarter
    t.ms = 3000;
    p.bytes!(100, 100); // 3 s: all of it
    p.end();
    t.ms = 4000;
    p.bytes!(50, 200); // a second read starts: its own clock
    t.ms = 6000;
    p.bytes!(100, 200);
    p.end();
    expect(t.out).toBe(
      '\r\x1b[Kalliance x [######------------------]  25%' +
        '\r\x1b[Kalliance x [########################] 100% 0:00 left' +
        '\r\x1b[K' +
        '\r\x1b[Kalliance x, read 2 [######------------------]  25%' +
        '\r\x1b[Kalliance x, read 2 [############------------]  50% 0:02 left' +
        '\r\x1b[K',
    );
  });

  it('rows (standard input): the count, with the read number from the second read on', () => {
    const { t, io } = terminal();
    const p = scanProgress(io, 'alliance x', { stdin: true })!;
    expect('bytes' in p).toBe(false);
    p.rows(262_144);
    p.rows(524_288);
    p.end();
    p.rows(262_144);
    p.end();
    expect(t.out).toBe(
      '\r\x1b[Kalliance x: 262,144 rows read\r\x1b[Kalliance x: 524,288 rows read\r\x1b[K' + '\r\x1b[Kalliance x, read 2: 262,144 rows read\r\x1b[K',
    );
  });

  it('correlate with a scattered client reads twice: the second bar is labelled', async () => {
    const file = path.join(dir, 'scattered.csv');
    const rows = ['client_id,session,srs,phq9'];
    for (const [c, s] of [
      ['C1', 1],
      ['C1', 2],
      ['C2', 1],
      ['C2', 2],
      ['C3', 1],
      ['C3', 2],
      ['C1', 3],
      ['C2', 3],
      ['C3', 3],
    ] as const)
      rows.push(`${c},${s},${30 + ((s * 7 + c.charCodeAt(1)) % 9)},${10 + ((s * 5 + c.charCodeAt(1)) % 11)}`);
    writeFileSync(file, rows.join('\n') + '\n');
    const r = await runInProcess(['correlate', file, '--format', 'json', '--min-clients', '1'], { tty: true, env: {} });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).warnings.map((w: { code: string }) => w.code)).toContain('scattered');
    expect(r.stderr).toContain('\r\x1b[Kalliance correlate [########################] 100%');
    expect(r.stderr).toContain('\r\x1b[Kalliance correlate, read 2 [########################] 100%');
    expect(r.stderr).not.toContain('read 3');
  });
});

describe('alliance simulate --progress / --no-progress', () => {
  it('--no-progress on a terminal: nothing on stderr; --progress into a pipe: the bar; the data the same', async () => {
    const off = await runInProcess(['simulate', '--clients', '300', '--seed', '2', '--no-progress'], { tty: true, env: {} });
    expect(off.code).toBe(0);
    expect(off.stderr).toBe('');
    const on = await runInProcess(['simulate', '--clients', '300', '--seed', '2', '--progress'], { tty: false, env: { CI: 'true' } });
    expect(on.code).toBe(0);
    expect(on.stderr.startsWith('\r\x1b[Kalliance simulate [')).toBe(true);
    expect(on.stderr).toMatch(/alliance simulate \[[#-]{24}\] +\d+%/);
    expect(on.stdout).toBe(off.stdout);
  });
});

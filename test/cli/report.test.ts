/**
 * `alliance report` as a scheduler sees it: progress lines on stderr, exit codes of the
 * built binary, help text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runInProcess } from '../helpers/cli.js';
import { ROOT, runBinary } from '../helpers/spawn.js';

const CONFIG = path.join(ROOT, 'fixtures/report.yaml');
let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'alliance-report-cli-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('alliance report progress', () => {
  it('not a terminal: one line per section, then one summary line', async () => {
    const res = await runInProcess(['report', '--config', CONFIG, '--out', path.join(tmp, 'p1')]);
    expect(res.code).toBe(0);
    const lines = res.stderr.trimEnd().split('\n');
    expect(lines.slice(0, 4).map((l) => l.replace(/\(\d+\.\d+ s\)/, '(T s)'))).toEqual([
      'alliance report: [1/4] validate done (T s)',
      'alliance report: [2/4] describe done (T s)',
      'alliance report: [3/4] correlate done (T s)',
      'alliance report: [4/4] trend done (T s)',
    ]);
    expect(lines[4]).toMatch(/^alliance report: wrote .*p1 \(14 files\)$/);
    expect(lines).toHaveLength(5);
    expect(res.stderr).not.toContain('\r');
    expect(res.stdout).toBe('');
  });

  it('a terminal: one live line rewritten in place, cleared at the end', async () => {
    const res = await runInProcess(['report', '--config', CONFIG, '--out', path.join(tmp, 'p2')], { tty: true });
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('\r\x1b[Kalliance report: [3/4] correlate ...');
    const visible = res.stderr.split('\r').at(-1)!;
    // eslint-disable-next-line no-control-regex -- the progress line starts with ESC [K (erase line)
    expect(visible).toMatch(/^\x1b\[Kalliance report: wrote /);
  });
});

describe('alliance report binary', () => {
  it('exit 0 and the folder on success; exit 2 with the folder untouched when it exists', () => {
    const out = path.join(tmp, 'bin');
    const a = runBinary(['report', '--config', CONFIG, '--out', out, '--reproducible']);
    expect(a.code).toBe(0);
    expect(readdirSync(out)).toContain('report.html');
    const before = readdirSync(out);
    const b = runBinary(['report', '--config', CONFIG, '--out', out]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/^alliance: .*bin: already exists\. Use --force to replace it/);
    expect(readdirSync(out)).toEqual(before);
  });

  it('the documented command works from the repository root (relative --out)', () => {
    const rel = path.relative(ROOT, path.join(tmp, 'root-run'));
    const res = runBinary(['report', '--config', 'fixtures/report.yaml', '--out', rel, '--reproducible']);
    expect(res.code).toBe(0);
    expect(existsSync(path.join(tmp, 'root-run', 'report.md'))).toBe(true);
  });

  it('--help lists the options', async () => {
    const res = await runInProcess(['report', '--help']);
    expect(res.code).toBe(0);
    for (const flag of ['--config', '--out', '--force', '--reproducible', '--fail-on']) expect(res.stdout).toContain(flag);
  });
});

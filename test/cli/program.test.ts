import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { runInProcess } from '../helpers/cli.js';
import { runBinary, ROOT } from '../helpers/spawn.js';

const version = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')).version as string;

describe('program', () => {
  it('prints the package version and exits 0', async () => {
    const r = await runInProcess(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it('maps an unknown command to exit 2 with one line on stderr', async () => {
    const r = await runInProcess(['no-such-command']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')[0]).toMatch(/^alliance: /);
  });

  it("commander's suggestion stays on the line, without an escaped newline", async () => {
    const cmd = await runInProcess(['correlat']);
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toBe("alliance: unknown command 'correlat' (Did you mean correlate?)\n");
    const opt = await runInProcess(['correlate', 'fixtures/demo.csv', '--formt', 'json'], { cwd: ROOT });
    expect(opt.code).toBe(2);
    expect(opt.stderr).toBe("alliance: unknown option '--formt' (Did you mean --format?)\n");
  });

  it('no command at all is a usage error: the help on stderr, nothing on stdout, exit 2', async () => {
    const r = await runInProcess([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Usage: alliance /);
    // --help asked for: stdout, exit 0.
    const asked = await runInProcess(['--help']);
    expect(asked.code).toBe(0);
    expect(asked.stdout).toMatch(/^Usage: alliance /);
  });

  it('`help NAME` for no such command is the unknown command: one line, exit 2', async () => {
    const r = await runInProcess(['help', 'no-such-command']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^alliance: unknown command 'no-such-command'/);
    const known = await runInProcess(['help', 'correlate']);
    expect(known.code).toBe(0);
    expect(known.stdout).toMatch(/^Usage: alliance correlate/);
  });

  it('shows help with exit 0', async () => {
    const r = await runInProcess(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Exit codes');
  });

  it('runs as a built binary (shebang, ESM, exit codes)', () => {
    const ok = runBinary(['--version']);
    expect(ok.code).toBe(0);
    expect(ok.stdout.trim()).toBe(version);
    const bad = runBinary(['--no-such-flag']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});

/**
 * The early alliance is one setting given one of two ways: at session k (`--early-session`,
 * `correlate.earlySession`) or as the mean over sessions 1..k (`--early-window`,
 * `correlate.earlyWindow`). As for every option (README, "Config"), a flag on the command
 * line wins over the config: a flag for one way sets aside the config's other way for that
 * run, and the run is exactly the run with the flag alone. Both ways from the same place
 * (two flags, or two keys of the config) are still refused.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runInProcess } from '../helpers/cli.js';
import { ROOT } from '../helpers/spawn.js';

const DATA = path.join(ROOT, 'fixtures/demo.csv');
const dir = mkdtempSync(path.join(tmpdir(), 'alliance-early-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A config file holding `correlate:` with the given lines. */
function config(name: string, ...lines: string[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, ['correlate:', ...lines.map((l) => `  ${l}`), ''].join('\n'));
  return file;
}

async function json(args: string[]): Promise<any> {
  const r = await runInProcess(['correlate', DATA, ...args, '--format', 'json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

describe('an early-alliance flag on the command line wins over the other way in the config', () => {
  it('--early-window over correlate.earlySession', async () => {
    const cfg = config('session.yaml', 'earlySession: 2');
    const fromConfig = await json(['--config', cfg]);
    expect(fromConfig.options.early).toEqual({ mode: 'session', k: 2 });
    const flagAlone = await json(['--early-window', '3']);
    expect(flagAlone.options.early).toEqual({ mode: 'window', k: 3 });
    const both = await json(['--config', cfg, '--early-window', '3']);
    expect(both).toEqual(flagAlone);
    expect(both.results).not.toEqual(fromConfig.results);
  });

  it('--early-session over correlate.earlyWindow', async () => {
    const cfg = config('window.yaml', 'earlyWindow: 3');
    const fromConfig = await json(['--config', cfg]);
    expect(fromConfig.options.early).toEqual({ mode: 'window', k: 3 });
    const flagAlone = await json(['--early-session', '2']);
    expect(flagAlone.options.early).toEqual({ mode: 'session', k: 2 });
    const both = await json(['--config', cfg, '--early-session', '2']);
    expect(both).toEqual(flagAlone);
  });

  it('both ways from the same place are refused, naming both', async () => {
    const flags = await runInProcess(['correlate', DATA, '--early-session', '2', '--early-window', '3', '--format', 'json']);
    expect(flags.code).toBe(2);
    expect(flags.stdout).toBe('');
    expect(flags.stderr).toMatch(/--early-session and --early-window cannot be combined/);
    const cfg = config('both.yaml', 'earlySession: 2', 'earlyWindow: 3');
    const keys = await runInProcess(['correlate', DATA, '--config', cfg, '--format', 'json']);
    expect(keys.code).toBe(2);
    expect(keys.stderr).toMatch(/earlySession and .*earlyWindow cannot be combined/);
    expect(keys.stderr.trim().split('\n')).toHaveLength(1);
  });
});

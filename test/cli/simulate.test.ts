import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInProcess } from '../helpers/cli.js';
import { runBinary } from '../helpers/spawn.js';

describe('alliance simulate', () => {
  it('writes CSV to stdout with the documented columns', async () => {
    const r = await runInProcess(['simulate', '--clients', '5', '--outcome', 'PHQ-9,GAD-7', '--alliance', 'WAI-SR', '--sites', '2']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('client_id,therapist_id,site,session,date,waisr,phq9,gad7');
    expect(lines[1]).toMatch(/^C00001,T\d\d,S[12],1,\d{4}-\d\d-\d\d,\d+,\d+,\d+$/);
  });

  it('writes --out atomically (no temp file left) with the same bytes as stdout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alliance-sim-'));
    const args = ['simulate', '--clients', '30', '--seed', '8', '--missing', '0.05'];
    const r = await runInProcess([...args, '--out', 'x.csv'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(readdirSync(dir)).toEqual(['x.csv']);
    const s = await runInProcess(args);
    expect(readFileSync(join(dir, 'x.csv'), 'utf8')).toBe(s.stdout);
  });

  it.each([
    [['--dropout', '1.5'], /--dropout must be a number >= 0 and < 1, got '1.5'/],
    [['--clients', '2.5'], /--clients must be a whole number/],
    [['--alliance', 'PHQ-9'], /--alliance 'PHQ-9' is not an alliance instrument\. Valid: SRS, WAI-SR/],
    [['--outcome', 'XYZ'], /--outcome 'XYZ' is not an outcome instrument/],
    [['--outcome', 'ORS,ors'], /--outcome names ORS twice/],
    [['--sessions', '5-2'], /--sessions must be MIN-MAX/],
    [['--start', '2024-02-30'], /--start must be a date as YYYY-MM-DD/],
    [['--within', '0.98', '--lag', '0.5'], /--within 0.98 cannot be reached/],
    [['--seed', '-3'], /--seed must be a whole number >= 0/],
  ])('rejects %j with exit 2 and one line', async (extra, message) => {
    const r = await runInProcess(['simulate', '--clients', '3', ...extra]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^alliance: /);
    expect(lines[0]).toMatch(message);
  });

  it('rejects an unwritable --out with exit 2', async () => {
    const r = await runInProcess(['simulate', '--clients', '3', '--out', '/nonexistent-dir/x.csv']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot write '\/nonexistent-dir\/x\.csv'/);
  });

  it('documents the generative model in --help', async () => {
    const r = await runInProcess(['simulate', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/docs\/simulate\.md/);
    expect(r.stdout).toMatch(/--between/);
  });

  it('runs as the built binary with the same bytes as in-process', async () => {
    const args = ['simulate', '--clients', '20', '--seed', '3', '--outcome', 'ORS,PHQ-9'];
    const b = runBinary(args);
    expect(b.code).toBe(0);
    const r = await runInProcess(args);
    expect(b.stdout).toBe(r.stdout);
  });
});

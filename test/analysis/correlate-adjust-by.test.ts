/**
 * Holm's (and BH's) family with a `--by` column that has one level holding every row: the
 * group repeats the overall results, so it is not counted as more tests. Checked against
 * R's p.adjust over the 4 distinct tests (test/reference/adjust-by.R -> adjust-by.json),
 * which compute the p-values from the data themselves (cor.test on rows and client means).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';

interface RefTest {
  outcome: string;
  analysis: string;
  r: number;
  p: number;
  holm: number;
  bh: number;
}
const REF = JSON.parse(readFileSync(new URL('../reference/adjust-by.json', import.meta.url), 'utf8')) as { site: string; rows: number; tests: RefTest[] };

interface Result {
  group: string | null;
  analysis: string;
  outcome: string;
  r: number | null;
  p: number | null;
  p_adjusted: number | null;
}

let dir: string;
let oneLevel: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'adjust-by-'));
  const lines = readFileSync('fixtures/demo.csv', 'utf8').trimEnd().split('\n');
  const site = lines[0].split(',').indexOf('site');
  const kept = [lines[0], ...lines.slice(1).filter((l) => l.split(',')[site] === REF.site)];
  expect(kept.length - 1).toBe(REF.rows);
  oneLevel = path.join(dir, 'one-site.csv');
  writeFileSync(oneLevel, kept.join('\n') + '\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(adjust: string, by = true): Promise<{ results: Result[]; notes: string }> {
  const args = ['correlate', oneLevel, '--analyses', 'pooled,between', '--adjust', adjust, ...(by ? ['--by', 'site'] : [])];
  const json = await runInProcess([...args, '--format', 'json']);
  expect(json.code, json.stderr).toBe(0);
  const table = await runInProcess(args);
  return { results: (JSON.parse(json.stdout) as { results: Result[] }).results, notes: table.stdout };
}

describe('correlate --adjust with a --by column of one level', () => {
  for (const method of ['holm', 'bh'] as const) {
    it(`${method}: the family is the 4 distinct tests (R p.adjust), and the group takes the overall adjusted p`, async () => {
      const { results, notes } = await run(method);
      const overall = results.filter((r) => r.group === null);
      const group = results.filter((r) => r.group === REF.site);
      expect(overall).toHaveLength(4);
      expect(group).toHaveLength(4);
      for (const t of REF.tests) {
        const o = overall.find((r) => r.analysis === t.analysis && r.outcome === t.outcome)!;
        expect(Math.abs(o.r! - t.r)).toBeLessThan(1e-12);
        expect(Math.abs(o.p! - t.p) / t.p).toBeLessThan(1e-9);
        expect(Math.abs(o.p_adjusted! - t[method]) / t[method]).toBeLessThan(1e-9);
        const g = group.find((r) => r.analysis === t.analysis && r.outcome === t.outcome)!;
        expect(g.p).toBe(o.p);
        expect(g.p_adjusted).toBe(o.p_adjusted);
      }
      expect(notes).toContain(`over the 4 distinct tests in this report`);
    });
  }

  it('without --by the adjusted p are the same: the repeated group adds no test', async () => {
    const withBy = (await run('holm')).results.filter((r) => r.group === null);
    const without = (await run('holm', false)).results;
    expect(without.map((r) => r.p_adjusted)).toEqual(withBy.map((r) => r.p_adjusted));
  });

  it('a --by column with two levels counts both groups: 12 tests', async () => {
    const two = path.join(dir, 'two-sites.csv');
    const lines = readFileSync('fixtures/demo.csv', 'utf8').trimEnd().split('\n');
    const site = lines[0].split(',').indexOf('site');
    writeFileSync(two, [lines[0], ...lines.slice(1).filter((l) => ['S1', 'S2'].includes(l.split(',')[site]))].join('\n') + '\n');
    const table = await runInProcess(['correlate', two, '--analyses', 'pooled,between', '--by', 'site']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('over the 12 distinct tests in this report');
  });
});

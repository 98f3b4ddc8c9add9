/**
 * Simpson's-paradox warnings are matched to their own --by group and pair (the within
 * result of each (group, pair) is looked up in a Map since the search over every result
 * per group was quadratic in the groups). Built so the signs are known: for outcome o, in
 * T1 the alliance and o rise together within each client while the client means run in
 * opposite directions, and in T2 the other way round (so a lookup blind to the group
 * misses one of them); outcome o2 runs with the alliance at both levels everywhere.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBinary } from '../helpers/spawn.js';

const dir = mkdtempSync(path.join(tmpdir(), 'alliance-simpson-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(): string {
  const lines = ['client_id,therapist_id,session,a,o,o2'];
  for (let c = 1; c <= 10; c++) {
    for (let s = 1; s <= 4; s++) {
      const noise = ((c * 7 + s * 3) % 5) / 10;
      const a = 20 + c + 0.3 * s;
      const o = c <= 5 ? 30 - c + 0.3 * s + noise : 10 + c - 0.3 * s + noise;
      const o2 = 10 + c + 0.3 * s + noise;
      lines.push(`C${c},T${c <= 5 ? 1 : 2},${s},${a.toFixed(1)},${o.toFixed(2)},${o2.toFixed(2)}`);
    }
  }
  const f = path.join(dir, 'simpson.csv');
  writeFileSync(f, lines.join('\n') + '\n');
  return f;
}

describe("correlate --by: Simpson's paradox per group", () => {
  it('warns for each group and pair whose between and within r have opposite signs, only there', () => {
    const res = runBinary(['correlate', file(), '--alliance', 'a', '--outcome', 'o,o2', '--by', 'therapist', '--format', 'json']);
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout) as {
      results: { group: string | null; analysis: string; outcome: string; r: number | null }[];
      warnings: { code: string; group: string | null; outcome: string | null }[];
    };
    const r = (group: string, analysis: string, outcome: string): number =>
      out.results.find((x) => x.group === group && x.analysis === analysis && x.outcome === outcome)!.r!;
    // the construction holds
    expect([r('T1', 'between', 'o') < 0, r('T1', 'within', 'o') > 0]).toEqual([true, true]);
    expect([r('T2', 'between', 'o') > 0, r('T2', 'within', 'o') < 0]).toEqual([true, true]);
    for (const g of ['T1', 'T2']) expect(r(g, 'between', 'o2') * r(g, 'within', 'o2')).toBeGreaterThan(0);
    const simpson = out.warnings.filter((w) => w.code === 'simpson' && w.group !== null).map((w) => [w.group, w.outcome]);
    expect(simpson).toEqual([
      ['T1', 'o'],
      ['T2', 'o'],
    ]);
  });
});

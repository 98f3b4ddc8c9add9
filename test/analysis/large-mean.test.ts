// describe and trend on scores recorded as 1e9 + x.xxx (fixtures/describe/large-mean.csv),
// against test/reference/large-mean.R: R's two-pass sd() and exact integer arithmetic on the
// scores times 1000.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';

const ref = JSON.parse(readFileSync(new URL('../reference/large-mean.json', import.meta.url), 'utf8'));
const FILE = 'fixtures/describe/large-mean.csv';
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('scores near 1e9 (against test/reference/large-mean.R)', () => {
  it('describe keeps the SD and mean', async () => {
    const r = await runInProcess(['describe', FILE, '--alliance', 'bond', '--outcome', 'score', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const got = JSON.parse(r.stdout);
    for (const col of ['bond', 'score']) {
      const m = got.measures.find((x: { column: string }) => x.column === col);
      expect(m.n).toBe(ref[col].n);
      // An inline Welford update gave SD 3.94425697935 for R's 3.94425696679 (3e-9 relative).
      expect(rel(m.sd, ref[col].sd)).toBeLessThan(1e-13);
      expect(rel(m.mean, ref[col].mean)).toBeLessThan(1e-15);
    }
  });

  it('trend takes changes at the three decimals the scores were written with', async () => {
    const args = ['trend', FILE, '--alliance', 'bond', '--outcome', 'score', '--better', 'higher', '--rc-threshold', '5', '--clients', '--format', 'json'];
    const r = await runInProcess(args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const got = JSON.parse(r.stdout);
    const t = ref.trend;
    // Each change is the nearest double to the exact decimal difference (was rounded to one decimal).
    expect(got.clients.map((c: { change: { change: number } }) => c.change.change)).toEqual(t.changes);
    const o = got.summary.overall;
    expect(o.completed).toBe(t.completed);
    expect(rel(o.mean_change, t.mean_change)).toBeLessThan(1e-12);
    expect(rel(o.sd_change, t.sd_change)).toBeLessThan(1e-12);
    expect(rel(o.sd_pre, t.sd_pre)).toBeLessThan(1e-12);
    expect([got.summary.reliable.improved, got.summary.reliable.deteriorated]).toEqual([t.improved, t.deteriorated]);
  });
});

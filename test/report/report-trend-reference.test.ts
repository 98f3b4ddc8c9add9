/**
 * The trend section of the demo report (fixtures/report.yaml) against base R at full
 * precision (test/reference/report-trend.R): mean change, SD of pre and change, d and d_z
 * are the same doubles as R's (RunningMoments: shifted double-double sums); the t
 * interval to 1e-14 (the t quantile differs from R's in the last bits).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInProcess } from '../helpers/cli.js';
import { loadReference, Mismatches } from '../stats/reference.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ref = loadReference('report-trend.json');
const tmp = mkdtempSync(path.join(tmpdir(), 'alliance-report-trend-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('demo report, trend section vs R', () => {
  it('overall, per quarter and per site: the same doubles as R (the interval to 1e-14)', async () => {
    const out = path.join(tmp, 'out');
    const res = await runInProcess(['report', '--config', path.join(ROOT, 'fixtures/report.yaml'), '--out', out, '--reproducible'], { cwd: tmp });
    expect(res.code).toBe(0);
    const trend = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')).sections.trend;
    const m = new Mismatches();
    const compare = (label: string, got: any, want: any) => {
      expect(got.completed, label).toBe(want.completed);
      for (const k of ['mean_change', 'sd_pre', 'sd_change', 'd', 'dz'] as const) m.check(`${label} ${k}`, got[k], want[k], { rel: 0 });
      m.check(`${label} ci low`, got.mean_change_ci[0], want.mean_change_ci[0], { rel: 1e-14 });
      m.check(`${label} ci high`, got.mean_change_ci[1], want.mean_change_ci[1], { rel: 1e-14 });
    };
    compare('all', trend.summary.overall, ref.overall);
    expect(trend.periods.rows.map((p: any) => p.period)).toEqual(ref.periods.map((p: any) => p.period));
    trend.periods.rows.forEach((p: any, i: number) => compare(p.period, p, ref.periods[i]));
    expect(trend.groups.rows.map((g: any) => g.group)).toEqual(ref.groups.map((g: any) => g.group));
    trend.groups.rows.forEach((g: any, i: number) => compare(g.group, g, ref.groups[i]));
    expect(m.items).toEqual([]);
  });
});

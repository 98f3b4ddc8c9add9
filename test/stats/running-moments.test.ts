/**
 * RunningMoments (the streaming mean and SD of trend's cohorts) on data whose mean is large
 * against its spread: R mean() and sd() to 1e-9 relative, directly and through
 * `alliance trend --by` on outcomes offset by 1e9 (test/reference/running-moments.R).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RunningMoments } from '../../src/stats/descriptive.js';
import { runInProcess } from '../helpers/cli.js';
import { loadReference, Mismatches } from './reference.js';

const ref = loadReference('running-moments.json');

describe('RunningMoments vs R at large means', () => {
  for (const c of ref.cases) {
    it(c.name, () => {
      const run = new RunningMoments();
      for (const v of c.x) run.add(v);
      const m = new Mismatches();
      m.check('mean', run.mean, c.mean, { rel: 1e-15 });
      m.check('sd', run.sd(), c.sd, { rel: 1e-9 });
      // R's sd() with the mean rounded to a double is off by up to 6e-11 here; of the
      // values minus the first (exact) it is not, and the tool agrees to the last bits.
      m.check('sd of x - x[1]', run.sd(), c.sd_shifted, { rel: 1e-15 });
      expect(m.items).toEqual([]);
    });
  }

  it('before two values: mean of one value, SD NaN', () => {
    const run = new RunningMoments();
    expect(run.sd()).toBeNaN();
    run.add(1e9 + 0.25);
    expect(run.mean).toBe(1e9 + 0.25);
    expect(run.sd()).toBeNaN();
  });
});

describe('alliance trend cohorts on outcomes offset by 1e9', () => {
  it('mean change, its t interval, SD of pre and change, d and d_z match R per therapist and overall', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'running-moments-'));
    const file = path.join(dir, 'offset.csv');
    const lines = ['client,session,therapist,score', ...ref.trend.rows.map((r: any) => `${r.client},${r.session},${r.therapist},${r.score}`)];
    writeFileSync(file, lines.join('\n') + '\n');
    const r = await runInProcess(['trend', file, '--outcome', 'score', '--by', 'therapist', '--min-clients', '1', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const m = new Mismatches();
    const compare = (label: string, got: any, want: any) => {
      expect(got.completed, label).toBe(want.completed);
      for (const k of ['mean_change', 'sd_pre', 'sd_change', 'd', 'dz'] as const) m.check(`${label} ${k}`, got[k], want[k], { rel: 1e-9 });
      m.check(`${label} ci low`, got.mean_change_ci[0], want.mean_change_ci[0], { rel: 1e-9 });
      m.check(`${label} ci high`, got.mean_change_ci[1], want.mean_change_ci[1], { rel: 1e-9 });
    };
    compare('all', j.summary.overall, ref.trend.overall);
    expect(j.groups.rows.map((g: any) => g.group)).toEqual(ref.trend.groups.map((g: any) => g.group));
    j.groups.rows.forEach((g: any, i: number) => compare(g.group, g, ref.trend.groups[i]));
    expect(m.items).toEqual([]);
  });
});

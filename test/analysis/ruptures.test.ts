/**
 * `alliance ruptures` against test/reference/ruptures.R (base R from the definitions in
 * docs/ruptures.md): a seeded simulation with planted ruptures and therapist effects, and
 * hand-written boundary cases.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { runInProcess } from '../helpers/cli.js';
import { classOf, dropsBy, findEpisodes, reaches } from '../../src/analysis/ruptures.js';
import { welchTTest } from '../../src/stats/welch.js';

const ref = JSON.parse(readFileSync('test/reference/ruptures.json', 'utf8'));
const refCase = (name: string): any => ref.cases.find((c: any) => c.name === name);

function near(got: number | null, want: number | null | undefined, label: string): void {
  if (want === null || want === undefined) {
    expect(got, label).toBeNull();
    return;
  }
  expect(got, label).not.toBeNull();
  expect(Math.abs(got! - want), `${label}: got ${got}, R ${want}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)));
}

function interval(got: [number, number] | null, want: number[] | null | undefined, label: string): void {
  if (want === null || want === undefined) {
    expect(got, label).toBeNull();
    return;
  }
  near(got![0], want[0], `${label} low`);
  near(got![1], want[1], `${label} high`);
}

async function run(args: string[]): Promise<any> {
  const r = await runInProcess(['ruptures', ...args, '--clients', '--format', 'json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

function compare(got: any, want: any): void {
  near(got.method.drop, want.drop, 'drop');
  near(got.method.within_sd, want.within_sd, 'within-client SD');
  expect(got.method.within_sd_df).toBe(want.within_df);
  expect(got.method.repair_window).toBe(want.window);
  expect(got.assessed).toBe(want.assessed);
  expect(got.not_assessed).toBe(want.not_assessed);
  expect(got.episodes).toEqual(want.episodes);
  for (const w of want.classes) {
    const g = got.classes.find((c: any) => c.class === w.class);
    const label = `class ${w.class}`;
    expect(g.clients, label).toBe(w.clients);
    near(g.share, w.share, `${label} share`);
    interval(g.share_ci, w.share_ci, `${label} share CI`);
    expect(g.n, label).toBe(w.n);
    near(g.mean_change, w.mean, `${label} mean change`);
    near(g.sd_change, w.sd, `${label} SD`);
    interval(g.mean_change_ci, w.ci, `${label} CI`);
  }
  for (const w of want.comparisons) {
    const g = got.comparisons.find((c: any) => c.contrast === w.contrast);
    expect(g.n1).toBe(w.n1);
    expect(g.n2).toBe(w.n2);
    if (!w.estimable) {
      expect(g.difference).toBeNull();
      expect(typeof g.reason).toBe('string');
      continue;
    }
    near(g.difference, w.difference, `${w.contrast} difference`);
    near(g.t, w.t, `${w.contrast} t`);
    near(g.df, w.df, `${w.contrast} df`);
    near(g.p, w.p, `${w.contrast} p`);
    interval(g.ci, w.ci, `${w.contrast} CI`);
  }
  // Per client: class, change and every episode.
  expect(got.clients.length).toBe(want.clients.length);
  for (const w of want.clients) {
    const g = got.clients.find((c: any) => c.client === w.client);
    expect(g, w.client).toBeDefined();
    expect(g.class, w.client).toBe(w.class);
    near(g.change, w.change, `${w.client} change`);
    expect(g.episodes.length, `${w.client} episodes`).toBe(w.episodes.length);
    w.episodes.forEach((e: any, i: number) => {
      const ge = g.episodes[i];
      expect(ge.session, `${w.client} episode ${i} session`).toBe(e.session);
      expect(ge.pre_level, `${w.client} episode ${i} pre-level`).toBe(e.pre_level);
      near(ge.drop, e.drop, `${w.client} episode ${i} drop`);
      expect(ge.status, `${w.client} episode ${i} status`).toBe(e.status);
    });
  }
  if (want.groups) {
    expect(got.groups.suppressed).toEqual(want.suppressed);
    expect(got.groups.rows.map((x: any) => x.group)).toEqual(want.groups.map((x: any) => x.group));
    for (const w of want.groups) {
      const g = got.groups.rows.find((x: any) => x.group === w.group);
      const label = `group ${w.group}`;
      expect(g.clients, label).toBe(w.clients);
      expect(g.with_rupture, label).toBe(w.with_rupture);
      near(g.share, w.share, `${label} share`);
      interval(g.share_ci, w.share_ci, `${label} share CI`);
      expect(g.episodes, label).toBe(w.episodes);
      near(g.per100_sessions, w.per100, `${label} per 100`);
      expect([g.repaired, g.unrepaired, g.unresolved], label).toEqual([w.repaired, w.unrepaired, w.unresolved]);
      near(g.repaired_share, w.repaired_share, `${label} repaired share`);
      interval(g.repaired_ci, w.repaired_ci, `${label} repaired CI`);
    }
  }
}

describe('alliance ruptures against R (test/reference/ruptures.R)', () => {
  it('planted ruptures, default drop = 2 x pooled within-client SD, window 3', async () => {
    const got = await run(['fixtures/ruptures/planted.csv']);
    expect(got.method.drop_source).toBe('within-client-sd');
    compare(got, refCase('planted-default'));
  });

  it('planted ruptures, --rupture-drop 4 --repair-window 2 --by therapist with suppression', async () => {
    const got = await run(['fixtures/ruptures/planted.csv', '--rupture-drop', '4', '--repair-window', '2', '--by', 'therapist', '--min-clients', '19']);
    expect(got.method.drop_source).toBe('given');
    expect(got.groups.suppressed.length).toBeGreaterThan(0);
    compare(got, refCase('planted-drop4-window2-by'));
  });

  it('planted ruptures, --rupture-sd 1', async () => {
    compare(await run(['fixtures/ruptures/planted.csv', '--rupture-sd', '1']), refCase('planted-sd1'));
  });

  it('boundary cases: a decimal drop exactly on the threshold, repair exactly at the pre-level, gaps, data ending in the window', async () => {
    const got = await run(['fixtures/ruptures/edges.csv', '--rupture-drop', '2', '--by', 'therapist', '--min-clients', '1']);
    compare(got, refCase('edges-drop2'));
    const e1 = got.clients.find((c: any) => c.client === 'E1');
    expect(e1.episodes.map((e: any) => [e.session, e.status, e.repair_session])).toEqual([
      [3, 'repaired', 5],
      [6, 'unresolved', null],
    ]);
  });
});

describe('episode rules', () => {
  it('a drop equal at the data precision reaches the threshold', () => {
    expect(33.3 - 31.3 >= 2).toBe(false); // 1.9999999999999964
    expect(dropsBy(33.3, 31.3, 2)).toBe(true);
    expect(dropsBy(33.3, 31.4, 2)).toBe(false);
    expect(dropsBy(31.3, 33.3, 2, -1)).toBe(true); // lower is better: a rise is the drop
    expect(reaches(35.99999999999999, 36)).toBe(true);
    expect(reaches(35.9, 36)).toBe(false);
    // The reported drop is the decimal difference.
    expect(findEpisodes([1, 2, 3], [33.3, 31.3, 33.3], 2, 3)[0].drop).toBe(2);
  });

  it('restarts the search after the window when a rupture is not repaired', () => {
    const eps = findEpisodes([1, 2, 3, 4, 5, 6, 7], [38, 34, 33, 30, 36, 32, 38], 3, 2);
    // rupture at 2 (pre 38), window 3-4 without 38 -> unrepaired; search restarts at 5
    // (36 vs 30: no drop); 6: 32 vs 36 -> rupture, repaired at 7.
    expect(eps.map((e) => [e.session, e.status])).toEqual([
      [2, 'unrepaired'],
      [6, 'repaired'],
    ]);
    expect(classOf(eps)).toBe('unrepaired');
  });

  it('a lower-is-better alliance scale ruptures upwards', () => {
    const eps = findEpisodes([1, 2, 3], [10, 14, 10], 3, 3, -1);
    expect(eps).toHaveLength(1);
    expect(eps[0].status).toBe('repaired');
    expect(eps[0].drop).toBe(4);
  });

  it('Welch needs two values per class and some variation', () => {
    expect(typeof welchTTest([1], [1, 2])).toBe('string');
    expect(typeof welchTTest([1, 1], [1, 1])).toBe('string');
  });
});

describe('alliance ruptures, usage', () => {
  it('refuses --rupture-drop with --rupture-sd, and a zero window', async () => {
    let r = await runInProcess(['ruptures', 'fixtures/ruptures/edges.csv', '--rupture-drop', '2', '--rupture-sd', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^alliance: .*cannot be combined/);
    r = await runInProcess(['ruptures', 'fixtures/ruptures/edges.csv', '--repair-window', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--repair-window must be a whole number >= 1/);
  });

  it('says that the default drop is not the published rule', async () => {
    const r = await runInProcess(['ruptures', 'fixtures/ruptures/planted.csv', '--format', 'md']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('not the published rule of Stiles et al. (2004)');
    const given = await runInProcess(['ruptures', 'fixtures/ruptures/planted.csv', '--rupture-drop', '4', '--format', 'md']);
    expect(given.stdout).not.toContain('Stiles');
  });

  it('writes the per-client table as CSV with --clients', async () => {
    const r = await runInProcess(['ruptures', 'fixtures/ruptures/edges.csv', '--rupture-drop', '2', '--clients', '--format', 'csv']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('client,rated,class,episodes,change');
    expect(lines).toContain('E3,1,not assessed,0,1');
  });
});

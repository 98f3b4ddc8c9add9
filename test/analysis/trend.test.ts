import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { analyzeTrend, isoDay, periodKey, type CohortStats, type TrendOptions } from '../../src/analysis/trend/trend.js';
import { trendRunOptions } from '../../src/sections/trend/options.js';
import { PagedColumn, SessionStore } from '../../src/analysis/trend/store.js';
import { quantileSorted } from '../../src/stats/descriptive.js';
import { sparkline } from '../../src/analysis/trend/sparkline.js';
import { getInstrument } from '../../src/instruments/registry.js';
import { fixtureDataset } from './trend-fixture.js';
import type { MemoryRow } from '../helpers/memory-dataset.js';

const ref = JSON.parse(readFileSync('test/reference/trend.json', 'utf8'));
const TOL = 9; // decimal places (toBeCloseTo): 1e-9 for values R printed with 15 significant digits

function synthetic(permute?: (rows: MemoryRow[]) => MemoryRow[]) {
  return fixtureDataset({
    file: 'fixtures/trend/synthetic.csv',
    client: 'client_id',
    session: 'session',
    date: 'date',
    therapist: 'therapist',
    measures: [
      { name: 'srs', column: 'srs', role: 'alliance', instrument: getInstrument('SRS') },
      { name: 'phq9', column: 'phq9', role: 'outcome', instrument: getInstrument('PHQ-9') },
    ],
    permute,
  });
}

const OPTS: TrendOptions = { clients: true, period: 'month', by: 'therapist' };

function close(got: number | null, want: number | null | undefined, label: string): void {
  if (want === null || want === undefined) {
    expect(got, label).toBeNull();
    return;
  }
  expect(got, label).not.toBeNull();
  expect(got!, label).toBeCloseTo(want, TOL);
}

function deepClose(got: unknown, want: unknown, path: string): void {
  if (typeof want === 'number' && typeof got === 'number') {
    expect(Math.abs(got - want), path).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(want)));
  } else if (want && typeof want === 'object') {
    expect(typeof got, path).toBe('object');
    const keys = new Set([...Object.keys(want), ...Object.keys(got as object)]);
    for (const k of keys) deepClose((got as any)[k], (want as any)[k], `${path}.${k}`);
  } else expect(got, path).toEqual(want);
}

function checkCohort(got: CohortStats, want: any, label: string): void {
  expect(got.sessions, `${label} sessions`).toBe(want.sessions);
  expect(got.clients, `${label} clients`).toBe(want.clients);
  close(got.allianceMean, want.alliance_mean, `${label} alliance mean`);
  close(got.allianceBelowShare, want.alliance_below_share, `${label} below share`);
  close(got.outcomeMean, want.outcome_mean, `${label} outcome mean`);
  expect(got.completed, `${label} completed`).toBe(want.completed);
  close(got.meanChange, want.mean_change, `${label} mean change`);
  close(got.sdPre, want.sd_pre, `${label} sd pre`);
  close(got.sdChange, want.sd_change, `${label} sd change`);
  close(got.d, want.d, `${label} d`);
  close(got.dz, want.dz, `${label} dz`);
  if (want.mean_change_ci) {
    close(got.meanChangeCi![0], want.mean_change_ci[0], `${label} ci low`);
    close(got.meanChangeCi![1], want.mean_change_ci[1], `${label} ci high`);
  } else expect(got.meanChangeCi).toBeNull();
  for (const [k, rk] of [
    ['reliablyImproved', 'reliably_improved'],
    ['recovered', 'recovered'],
    ['deteriorated', 'deteriorated'],
  ] as const) {
    const g = got[k];
    const w = want[rk];
    expect(g.x, `${label} ${k} x`).toBe(w.x);
    expect(g.n, `${label} ${k} n`).toBe(w.n);
    if (w.ci) {
      close(g.ci![0], w.ci[0], `${label} ${k} ci low`);
      close(g.ci![1], w.ci[1], `${label} ${k} ci high`);
    }
  }
}

describe('trend against test/reference/trend.R (synthetic.csv)', async () => {
  const res = await analyzeTrend(synthetic(), trendRunOptions(OPTS));

  it('counts rows, clients and the excluded', () => {
    expect(res.rows).toBe(ref.input.rows);
    expect(res.clients).toBe(ref.input.clients);
    expect(res.summary.used).toBe(ref.summary.used);
    expect(res.summary.excluded.total).toBe(ref.summary.excluded);
    expect(res.summary.categories).toEqual(ref.summary.categories);
    expect(res.methods.change).toMatchObject({ method: 'points', threshold: 6 });
  });

  it('per-client trajectories, alerts, change and not-on-track flags', () => {
    expect([...res.clientRows!].map((r) => r.client)).toEqual(ref.clients.map((c: any) => c.client));
    [...res.clientRows!].forEach((got, i) => {
      const w = ref.clients[i];
      const l = w.client;
      expect(got.sessions, l).toBe(w.sessions);
      expect(got.firstSession, l).toBe(w.first_session);
      expect(got.lastSession, l).toBe(w.last_session);
      expect(got.firstDate, l).toBe(w.first_date);
      expect(got.lastDate, l).toBe(w.last_date);
      expect(got.alliance.n, l).toBe(w.alliance_n);
      close(got.alliance.mean, w.alliance_mean, `${l} alliance mean`);
      close(got.alliance.slope, w.alliance_slope, `${l} alliance slope`);
      expect(got.alliance.belowCutoff, l).toEqual(w.below);
      expect(got.alliance.drops, l).toEqual(w.drops);
      expect(got.outcome.n, l).toBe(w.outcome_n);
      close(got.outcome.intakeSession, w.intake_session, `${l} intake session`);
      close(got.outcome.intake, w.intake, `${l} intake`);
      close(got.outcome.lastSession, w.last_outcome_session, `${l} last session`);
      close(got.outcome.last, w.last_outcome, `${l} last`);
      close(got.outcome.slope, w.outcome_slope, `${l} outcome slope`);
      close(got.change.pre, w.pre, `${l} pre`);
      close(got.change.post, w.post, `${l} post`);
      close(got.change.change, w.change, `${l} change`);
      expect(got.change.reliable, l).toBe(w.reliable ?? null);
      expect(got.change.clinicalPre, l).toBe(w.clinical_pre ?? null);
      expect(got.change.clinicalPost, l).toBe(w.clinical_post ?? null);
      expect(got.change.category, l).toBe(w.category ?? null);
      expect(got.notOnTrack.band, l).toBe(w.band ?? null);
      expect(got.notOnTrack.assessed, l).toBe(w.ntp_assessed);
      expect(got.notOnTrack.sessions, l).toEqual(w.ntp_sessions);
      expect(got.notOnTrack.current, l).toBe(w.ntp_current);
    });
  });

  it('expected-treatment-response bands', () => {
    const m = res.methods.notOnTrack;
    expect(m.bandLimits.length).toBe(2);
    m.bandLimits.forEach((v, i) => expect(v).toBeCloseTo(ref.etr.limits[i], TOL));
    expect(m.cellsUsed).toBe(ref.etr.cells_used);
    expect(m.cellsTooSmall).toBe(ref.etr.cells_too_small);
    const flagged = ref.clients.filter((c: any) => c.ntp_sessions.length > 0).length;
    expect(res.summary.notOnTrack.clientsFlagged).toBe(flagged);
    expect(flagged).toBeGreaterThan(0);
  });

  it('overall, per month and per therapist', () => {
    checkCohort(res.summary.overall, ref.summary.overall, 'overall');
    expect(res.periods!.rows.map((r) => r.period)).toEqual(ref.periods.map((p: any) => p.period));
    res.periods!.rows.forEach((row, i) => checkCohort(row, ref.periods[i], row.period));
    expect(res.groups!.suppressed).toEqual(ref.suppressed);
    expect(res.groups!.rows.map((r) => r.group)).toEqual(ref.groups.map((g: any) => g.group));
    res.groups!.rows.forEach((row, i) => checkCohort(row, ref.groups[i], row.group));
  });

  it('gives the same flags when the expected-response cells are sorted in many small batches', async () => {
    // The sorting path (no code tables), in batches of at most 30 values, against the histograms.
    const small = await analyzeTrend(synthetic(), trendRunOptions({ ...OPTS, etrBatch: 30, codeTables: false }));
    expect([...small.clientRows!].map((r) => r.notOnTrack)).toEqual([...res.clientRows!].map((r) => r.notOnTrack));
    expect(small.methods.notOnTrack).toEqual(res.methods.notOnTrack);
  });

  it('does not depend on row order', async () => {
    // Reverse the file: client order changes, so compare by client id.
    const rev = await analyzeTrend(
      synthetic((rows) => [...rows].reverse()),
      trendRunOptions(OPTS),
    );
    const byId = new Map([...rev.clientRows!].map((r) => [r.client, r]));
    for (const r of res.clientRows!) expect(byId.get(r.client)).toEqual(r);
    // Sums over clients run in another order, so allow for the last bits.
    deepClose(rev.summary, res.summary, 'summary');
    deepClose(rev.periods, res.periods, 'periods');
    deepClose(rev.groups, res.groups, 'groups');
  });
});

describe('store and helpers', () => {
  it('isoDay is the ISO date of the day number, also when asked again (cached)', () => {
    const days = [-719528, -1, 0, 1, 11016, 19782, 19783, 2932896, 19782];
    for (const d of [...days, ...days]) expect(isoDay(d)).toBe(new Date(Date.UTC(1970, 0, 1 + d)).toISOString().slice(0, 10));
    expect(isoDay(19782)).toBe('2024-02-29');
  });

  it('PagedColumn keeps values exact, switching to Float64 when a value needs it', () => {
    const col = new PagedColumn();
    const vals = [35.7, 0.1, 12, NaN, 1e6, -3.25];
    vals.forEach((v, i) => col.set(i * 40_000, v));
    vals.forEach((v, i) => expect(Object.is(col.get(i * 40_000), v)).toBe(true));
    col.set(5, 1 / 3);
    expect(col.get(5)).toBe(1 / 3);
    vals.forEach((v, i) => expect(Object.is(col.get(i * 40_000), v)).toBe(true));
  });

  it('PagedColumn widens Int16 -> Int32 codes -> Float64 without changing stored values', () => {
    const col = new PagedColumn();
    const ints = [1, 2, NaN, -5, 32767, -32767, 0];
    ints.forEach((v, i) => col.set(i * 300_000, v));
    expect(col.bytes()).toBe(2 * (1 << 20) * 2); // two Int16 pages
    ints.forEach((v, i) => expect(Object.is(col.get(i * 300_000), v)).toBe(true));
    col.set(7, 40000); // whole number outside Int16
    col.set(8, 35.7);
    expect(col.bytes()).toBe(2 * (1 << 20) * 4);
    [...ints, 40000, 35.7].forEach((v, i) => expect(Object.is(col.get(i < ints.length ? i * 300_000 : 7 + i - ints.length), v)).toBe(true));
    col.set(9, Math.PI);
    expect(col.get(9)).toBe(Math.PI);
    expect(col.get(8)).toBe(35.7);
    expect(Number.isNaN(col.get(600_000))).toBe(true);
  });

  it('PagedColumn keeps one-decimal scores in Int16 tenths', () => {
    const col = new PagedColumn();
    const vals = [1, 35.7, NaN, 3276.7, -0.1, 40];
    vals.forEach((v, i) => col.set(i, v));
    expect(col.bytes()).toBe((1 << 20) * 2);
    vals.forEach((v, i) => expect(Object.is(col.get(i), v)).toBe(true));
    col.set(6, 0.05); // needs thousandths
    expect(col.bytes()).toBe((1 << 20) * 4);
    [...vals, 0.05].forEach((v, i) => expect(Object.is(col.get(i), v)).toBe(true));
    col.set(7, -0); // only Float64 keeps the sign of zero
    expect(Object.is(col.get(7), -0)).toBe(true);
    [...vals, 0.05].forEach((v, i) => expect(Object.is(col.get(i), v)).toBe(true));
  });

  it('SessionStore returns each client sorted by session, ties in arrival order', () => {
    const st = new SessionStore({ date: true, alliance: true, outcome: true, group: true });
    const n = 50;
    for (let k = 20; k >= 1; k--) for (let c = 0; c < n; c++) st.add(c, k, 19000 + k, k + 0.5, c, c % 3);
    st.add(3, 7, NaN, 99, NaN, -1);
    const read = st.reader();
    const s = read(3);
    expect(s.n).toBe(21);
    expect(Array.from(s.session.subarray(0, s.n))).toEqual([1, 2, 3, 4, 5, 6, 7, 7, ...Array.from({ length: 13 }, (_, i) => i + 8)]);
    expect(s.alliance[6]).toBe(7.5);
    expect(s.alliance[7]).toBe(99);
    expect(s.group[0]).toBe(0);
    expect(read(49).n).toBe(20);
  });

  it('quantile type 7 matches R', () => {
    // R: quantile(c(1, 2, 4, 8, 16), c(0, 0.25, 0.4, 1), type = 7) -> 1, 2, 3.2, 16
    const x = [1, 2, 4, 8, 16];
    expect(quantileSorted(x, 0)).toBe(1);
    expect(quantileSorted(x, 0.25)).toBe(2);
    expect(quantileSorted(x, 0.4)).toBeCloseTo(3.2, 12);
    expect(quantileSorted(x, 1)).toBe(16);
  });

  it('period keys and sparklines', () => {
    const day = Date.UTC(2024, 4, 31) / 86_400_000;
    expect(periodKey(day, 'month')).toBe('2024-05');
    expect(periodKey(day, 'quarter')).toBe('2024-Q2');
    expect(periodKey(day, 'year')).toBe('2024');
    expect(sparkline([0, 40, NaN, 20], 0, 40)).toBe('▁█ ▅');
    expect(sparkline([5, 5])).toBe('▄▄');
  });
});

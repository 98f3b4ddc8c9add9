/**
 * Scores on a threshold (issue 9.1): differences of decimal scores are compared with the
 * threshold at the scores' decimal precision, so ORS 7.2 -> 12.2 is a change of 5 and SRS
 * 16.4 -> 15.4 a drop of 1. Counts on a 306-client file against test/reference/threshold.R,
 * which counts in integer arithmetic on the scores times 10.
 */
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';
import { loadReference } from '../stats/reference.js';
import { pointsChange, isClinical } from '../../src/analysis/change.js';

const ref = loadReference('threshold.json');

const ARGS = [
  'trend',
  'fixtures/trend/threshold.csv',
  '--alliance',
  'srs',
  '--outcome',
  'ors',
  '--instrument',
  'srs=SRS',
  '--instrument',
  'ors=ORS',
  '--drop',
  '1',
  '--rc-threshold',
  '5',
];

async function trendJson(extra: string[] = []): Promise<any> {
  const r = await runInProcess([...ARGS, ...extra, '--format', 'json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

describe('thresholds at the data precision (test/reference/threshold.R)', () => {
  it('the file exercises the defect: floating-point counts differ from the exact ones', () => {
    expect(ref.drops_naive).not.toBe(ref.drops);
    expect(ref.reliable_naive).not.toEqual(ref.reliable);
    expect(ref.not_on_track_naive).not.toEqual(ref.not_on_track);
  });

  it('counts alliance drops of exactly 1 point, reliable changes of exactly 5, the categories and not-on-track flags as R', async () => {
    const d = await trendJson();
    expect(d.input.clients).toBe(ref.clients);
    expect(d.input.rows).toBe(ref.rows);
    const s = d.summary;
    expect(s.alliance_alerts.drops).toBe(ref.drops);
    expect(s.alliance_alerts.clients_with_drop).toBe(ref.clients_with_drop);
    expect(s.reliable).toEqual(ref.reliable);
    expect(s.categories).toEqual(ref.categories);
    expect(s.not_on_track).toEqual(ref.not_on_track);
  });

  it('reports the hand-written edge clients as R classifies them', async () => {
    const d = await trendJson(['--clients']);
    const byId = new Map<string, any>(d.clients.map((c: any) => [c.client, c]));
    // 7.2 -> 12.2: exactly +5, clinical at pre and post (<= 25): improved.
    expect(byId.get('C301').change.change).toBe(5);
    expect(byId.get('C301').change.reliable).toBe('improved');
    expect(byId.get('C301').alliance.drops).toEqual([2]);
    // 12.2 -> 7.2: exactly -5: deteriorated; SRS 8.2 -> 7.2 is a drop of 1.
    expect(byId.get('C302').change.reliable).toBe('deteriorated');
    expect(byId.get('C302').alliance.drops).toEqual([2]);
    // 22.2 -> 27.2: clinical pre, not post: recovered; two drops of 1.
    expect(byId.get('C303').change.category).toBe('recovered');
    expect(byId.get('C303').alliance.drops).toEqual([2, 3]);
    // 27.2 -> 22.2: not clinical pre, clinical post: harmed.
    expect(byId.get('C304').change.category).toBe('harmed');
  });
});

describe('change.ts comparisons at the scores precision', () => {
  it('points change is inclusive at exactly the threshold in both directions', () => {
    // Hand-computed: the decimal differences are exactly +-5 and +-1.
    expect(12.2 - 7.2).toBeLessThan(5); // the binary difference falls short
    expect(pointsChange(7.2, 12.2, 5, true)).toBe('improved');
    expect(pointsChange(12.2, 7.2, 5, true)).toBe('deteriorated');
    expect(pointsChange(12.2, 7.2, 5, false)).toBe('improved');
    expect(pointsChange(7.2, 12.1, 5, true)).toBe('unchanged');
    expect(pointsChange(16.4, 15.4, 1, false)).toBe('improved');
  });

  it('a score on the cut-off is on it', () => {
    expect(isClinical(0.1 + 0.2, { value: 0.3, clinicalIf: '<' })).toBe(false);
    expect(isClinical(0.1 + 0.2, { value: 0.3, clinicalIf: '<=' })).toBe(true);
    expect(isClinical(25, { value: 25, clinicalIf: '<=' })).toBe(true);
    expect(isClinical(25.1, { value: 25, clinicalIf: '<=' })).toBe(false);
  });
});

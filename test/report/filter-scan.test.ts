/**
 * The report's filtered dataset passes a scan's options through (it used to drop `need`):
 * the filter still reads the parts it needs, and the caller sees what `need` promises.
 */
import { describe, expect, test } from 'vitest';
import { openDataset } from '../../src/dataset/open.js';
import { filteredDataset } from '../../src/report/batch/filter.js';
import { testIo, writeFixtures } from '../dataset/helpers.js';

const csv =
  ['client,therapist,session,date,srs,ors', 'a,T1,1,2024-01-01,30,20', 'a,T1,2,x,31,21', 'b,T2,1,2024-01-02,32,22', 'c,T1,1,2024-01-03,33,23'].join('\n') +
  '\n';

describe('filteredDataset scan options', () => {
  test('need, onIssue and onRaw reach the data; the filter still sees the therapist', async () => {
    const [p] = writeFixtures({ 'd.csv': csv });
    const ds = await openDataset([p], {}, testIo());
    const { dataset } = await filteredDataset(ds, { filters: { from: null, to: null, column: 'therapist', values: ['T1'] } });
    const seen: [string, number, number][] = [];
    const issues: string[] = [];
    let raw = 0;
    const stats = await dataset.scan((r) => seen.push([dataset.clients[r.client], r.therapist, r.date]), {
      need: { date: false, therapist: false, groups: false },
      onIssue: (i) => issues.push(i.code),
      onRaw: () => raw++,
    });
    expect(seen).toEqual([
      ['a', -1, NaN],
      ['a', -1, NaN],
      ['c', -1, NaN],
    ]);
    expect(stats.rows).toBe(3);
    expect(raw).toBe(4);
    // Dates were not read, so the bad date is not reported.
    expect(issues).toEqual([]);
    const all: string[] = [];
    await dataset.scan((r) => all.push(`${dataset.clients[r.client]}:${dataset.therapists[r.therapist]}`), { onIssue: (i) => issues.push(i.code) });
    expect(all).toEqual(['a:T1', 'a:T1', 'c:T1']);
    expect(issues).toEqual(['date.invalid']);
  });

  test('need.measures reaches the data: measures not listed stay unparsed (NaN)', async () => {
    const [p] = writeFixtures({ 'm.csv': csv });
    const ds = await openDataset([p], { alliance: ['srs'], outcome: ['ors'] }, testIo());
    const { dataset } = await filteredDataset(ds, { filters: { from: null, to: null, column: 'therapist', values: ['T1'] } });
    const vals: number[][] = [];
    await dataset.scan((r) => vals.push([...r.values]), { need: { date: false, therapist: false, groups: false, measures: [0] } });
    expect(vals.map((v) => v[0])).toEqual([30, 31, 33]);
    expect(vals.every((v) => Number.isNaN(v[1]))).toBe(true);
  });
});

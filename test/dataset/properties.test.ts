/**
 * Properties of reading: splitting a file in two and concatenating gives the same rows;
 * splitting its measures into two exports and joining them gives the same sessions; the
 * date numbering equals a stable sort by date.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { load } from './helpers.js';

interface Rec {
  client: string;
  session: number;
  srs: number | null;
  ors: number | null;
}

const recs = fc.uniqueArray(
  fc.record({
    client: fc.constantFrom('a', 'b', 'c', 'client 4', 'E'),
    session: fc.integer({ min: 1, max: 12 }),
    srs: fc.option(
      fc.integer({ min: 0, max: 400 }).map((x) => x / 10),
      { nil: null },
    ),
    ors: fc.option(fc.integer({ min: 0, max: 40 }), { nil: null }),
  }),
  { selector: (r) => `${r.client}|${r.session}`, minLength: 1, maxLength: 30 },
);

const cell = (v: number | null) => (v === null ? 'NA' : String(v));
const csv = (rows: Rec[], cols: ('srs' | 'ors')[]) =>
  ['client,session,' + cols.join(','), ...rows.map((r) => [r.client, r.session, ...cols.map((c) => cell(r[c]))].join(','))].join('\n') + '\n';
const val = (v: number | null) => (v === null ? NaN : v);

describe('reading properties', () => {
  test('concatenating two halves equals reading the whole', async () => {
    await fc.assert(
      fc.asyncProperty(recs, fc.nat(), async (rows, cut) => {
        const k = cut % (rows.length + 1);
        const whole = await load(csv(rows, ['srs', 'ors']));
        const halves = await load({ 'a.csv': csv(rows.slice(0, k), ['srs', 'ors']), 'b.csv': csv(rows.slice(k), ['srs', 'ors']) });
        const strip = (r: { client: string; session: number; values: number[] }) => [r.client, r.session, r.values];
        expect(halves.rows.map(strip)).toEqual(whole.rows.map(strip));
      }),
      { numRuns: 40 },
    );
  });

  test('joining an alliance and an outcome export gives every session once, with both values', async () => {
    await fc.assert(
      fc.asyncProperty(recs, fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }), async (rows, keep) => {
        // Some sessions exist only in one export.
        const left = rows.filter((_, i) => keep[i] || i % 3 !== 0);
        const right = rows.filter((_, i) => !keep[i] || i % 3 !== 1);
        const { rows: got, stats } = await load({ 'alliance.csv': csv(left, ['srs']), 'outcome.csv': csv(right, ['ors']) });
        const key = (c: string, s: number) => `${c}|${s}`;
        const inL = new Set(left.map((r) => key(r.client, r.session)));
        const inR = new Set(right.map((r) => key(r.client, r.session)));
        const expected = rows
          .filter((r) => inL.has(key(r.client, r.session)) || inR.has(key(r.client, r.session)))
          .map((r) => [key(r.client, r.session), inL.has(key(r.client, r.session)) ? val(r.srs) : NaN, inR.has(key(r.client, r.session)) ? val(r.ors) : NaN])
          .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
        const actual = got.map((r) => [key(r.client, r.session), r.values[0], r.values[1]]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
        expect(actual).toEqual(expected);
        expect(stats.unmatched).toEqual({
          left: left.filter((r) => !inR.has(key(r.client, r.session))).length,
          right: right.filter((r) => !inL.has(key(r.client, r.session))).length,
        });
      }),
      { numRuns: 40 },
    );
  });

  test('sessions numbered by date equal a stable sort by date within client', async () => {
    const row = fc.record({ client: fc.constantFrom('a', 'b', 'c'), day: fc.integer({ min: 1, max: 9 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 25 }), async (rows) => {
        const text = 'client,date,n\n' + rows.map((r, i) => `${r.client},2024-01-0${r.day},${i}`).join('\n') + '\n';
        const { rows: got } = await load(text, { outcome: ['n'] });
        const expected = new Map<number, number>();
        for (const c of ['a', 'b', 'c']) {
          rows
            .map((r, i) => ({ ...r, i }))
            .filter((r) => r.client === c)
            .sort((x, y) => x.day - y.day || x.i - y.i)
            .forEach((r, k) => expected.set(r.i, k + 1));
        }
        expect(got.map((r) => r.session)).toEqual(rows.map((_, i) => expected.get(i)));
      }),
      { numRuns: 60 },
    );
  });
});

/**
 * The dataset's hot path (records as field ranges, used when no onRaw is given) against
 * its string path (every field materialised, used with onRaw): on messy generated exports
 * (quoted cells, spaces, missing markers, missing codes, out-of-range and non-integer
 * scores, invalid dates, ragged rows, missing clients, decimal commas, declared numeric
 * missing codes) both must give the same rows, issues, stats and interned ids. And the
 * ScanOptions.need projection only blanks the parts it was told to skip.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { openDataset } from '../../src/dataset/open.js';
import type { CellIssue, Dataset, ReadOptions, ScanOptions } from '../../src/dataset/types.js';
import { collect as collectScan, testIo, writeFixtures } from './helpers.js';

const CLIENTS = [
  'a',
  'b',
  'C1',
  ' a',
  'a ',
  '"a"',
  '"b,1"',
  '',
  'NA',
  'client 4',
  'é',
  'Ã©',
  '"é"',
  'x'.repeat(64),
  'x'.repeat(65),
  '"' + 'x'.repeat(65) + '"',
];
const SESSIONS = ['1', '2', '3', '10', '', 'NA', 'x', ' 4', '"5"', '2.5', '-1'];
const DATES = ['2024-01-05', '2024-02-29', '2023-02-29', '2024-13-01', '', 'NA', '"2024-03-01"', ' 2024-03-02', '2024/03/04', 'soon', '2024-03-05T10:00'];
const THERAPISTS = ['T1', 'T2', '', 'NA', '"T1"', ' T2'];
const SITES = ['S1', 'S2', '', 'n/a', '"S,3"'];
const SCORES = [
  '40',
  '36.5',
  '0',
  '-9',
  '-99',
  '999',
  '41',
  '',
  'NA',
  '.',
  'x',
  ' 12 ',
  '"7"',
  '1e1',
  '12.5',
  '3,5',
  '-0',
  '1234567890123456',
  '22.000000000000001',
  '-',
  '+3',
];

interface Variant {
  semicolon: boolean;
  extraMissing: boolean;
  quoteAll: boolean;
}

const rowArb = fc.record({
  client: fc.constantFrom(...CLIENTS),
  session: fc.constantFrom(...SESSIONS),
  date: fc.constantFrom(...DATES),
  therapist: fc.constantFrom(...THERAPISTS),
  site: fc.constantFrom(...SITES),
  srs: fc.constantFrom(...SCORES),
  ors: fc.constantFrom(...SCORES),
  plain: fc.constantFrom(...SCORES),
  phq: fc.constantFrom(...SCORES, '5', '27', '28', '3.5', '2.0'),
  ragged: fc.constantFrom(0, 0, 0, 0, 0, 0, 1, -1),
});

type Row = typeof rowArb extends fc.Arbitrary<infer T> ? T : never;

function csv(rows: Row[], v: Variant, withSession = true): string {
  const d = v.semicolon ? ';' : ',';
  const q = (s: string) => {
    if (s.startsWith('"')) return v.semicolon ? s.replace(',', ';') : s;
    return v.quoteAll ? `"${s}"` : s.includes(d) ? `"${s}"` : s;
  };
  const lines = [
    (withSession ? 'client_id,session,date,therapist,site,srs,ors,score,phq' : 'client_id,date,therapist,site,srs,ors,score,phq').replaceAll(',', d),
  ];
  for (const r of rows) {
    const raw = withSession
      ? [r.client, r.session, r.date, r.therapist, r.site, r.srs, r.ors, r.plain, r.phq]
      : [r.client, r.date, r.therapist, r.site, r.srs, r.ors, r.plain, r.phq];
    const cells = raw.map((s) => q(v.semicolon ? s.replace('.', ',') : s));
    if (r.ragged > 0) cells.push('extra');
    if (r.ragged < 0) cells.pop();
    lines.push(cells.join(d));
  }
  return lines.join('\n') + '\n';
}

async function collect(ds: Dataset, raw: boolean, options?: ScanOptions) {
  const { rows, issues, stats } = await collectScan(ds, raw, options);
  return { rows, issues, stats, clients: ds.clients.slice(), therapists: ds.therapists.slice(), levels: ds.groupLevels.map((l) => l.slice()) };
}

async function open(text: string, v: Variant, extra: ReadOptions = {}): Promise<Dataset> {
  const [p] = writeFixtures({ 'd.csv': text });
  const opts: ReadOptions = {
    alliance: ['srs'],
    outcome: ['ors', 'score', 'phq'],
    instruments: { phq: 'PHQ-9' },
    groups: ['site'],
    dateFormat: 'iso',
    ...(v.extraMissing ? { missing: ['-99', 'x'] } : {}),
    ...(v.semicolon ? { delimiter: ';', decimal: ',' as const } : {}),
    ...extra,
  };
  return openDataset([p], opts, testIo());
}

const variantArb = fc.record({ semicolon: fc.boolean(), extraMissing: fc.boolean(), quoteAll: fc.constantFrom(false, false, false, true) });

describe('dataset hot path (ranges) = string path', () => {
  test('same rows, issues, stats and ids on messy exports', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rowArb, { minLength: 1, maxLength: 40 }), variantArb, async (rows, v) => {
        const text = csv(rows, v);
        // Fresh datasets, so the interned ids start from nothing on both sides.
        const fast = await collect(await open(text, v), false);
        const slow = await collect(await open(text, v), true);
        expect(fast).toEqual(slow);
      }),
      { numRuns: 300 },
    );
  });

  test('sessions numbered by date (no session column): same rows both ways, and with need.date false', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rowArb, { minLength: 1, maxLength: 40 }), variantArb, async (rows, v) => {
        const text = csv(rows, v, false);
        const ds = await open(text, v);
        expect(ds.mapping.sessionSource).toBe('date');
        const fast = await collect(ds, false);
        const slow = await collect(await open(text, v), true);
        expect(fast).toEqual(slow);
        const skip = await collect(await open(text, v), false, { need: { date: false } });
        expect(skip).toEqual(fast);
      }),
      { numRuns: 50 },
    );
  });
});

describe('ScanOptions.need', () => {
  const v: Variant = { semicolon: false, extraMissing: false, quoteAll: false };
  test('skipping date, therapist and groups blanks exactly those and nothing else', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rowArb, { minLength: 1, maxLength: 40 }), async (rows) => {
        const text = csv(rows, v);
        const all = await collect(await open(text, v), false);
        const some = await collect(await open(text, v), false, { need: { date: false, therapist: false, groups: false } });
        type R = { date: number; therapist: string | null; groups: (string | null)[] };
        expect(some.rows).toEqual(all.rows.map((r) => ({ ...(r as R), date: NaN, therapist: null, groups: [null] })));
        const kept = (i: CellIssue) => !i.code.startsWith('date.');
        expect(some.issues).toEqual(all.issues.filter(kept));
        expect(some.stats).toEqual(all.stats);
        expect(some.clients).toEqual(all.clients);
        expect(some.therapists).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  test('dates are still read when sessions are numbered by date', async () => {
    const [p] = writeFixtures({ 'd.csv': 'client,date,srs,ors\na,2024-01-09,40,30\na,2024-01-02,38,28\nb,2024-01-01,30,20\n' });
    const ds = await openDataset([p], {}, testIo());
    expect(ds.mapping.sessionSource).toBe('date');
    const got = await collect(ds, false, { need: { date: false, therapist: false, groups: false } });
    expect(got.rows.map((r) => (r as { session: number }).session)).toEqual([2, 1, 1]);
    expect(got.rows.map((r) => (r as { date: number }).date)).toEqual([19731, 19724, 19723]);
  });

  test('the default (no options) reads everything', async () => {
    const text = 'client_id,session,date,therapist,site,srs,ors,score,phq\na,1,2024-01-05,T1,S1,40,30,3,4\n';
    const got = await collect(await open(text, v), false);
    expect(got.rows).toEqual([{ file: 0, line: 2, client: 'a', session: 1, date: 19727, therapist: 'T1', groups: ['S1'], values: [40, 30, 3, 4] }]);
  });
});

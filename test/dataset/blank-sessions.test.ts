/**
 * Blank session cells when sessions come from a column and every file has dates (issue 9.2):
 * a client whose session numbers are all blank is numbered by date; a client with some
 * blank rows gets them placed by date where that is unambiguous, else they are left out and
 * counted by reason. Nothing depends on the order of the rows.
 */
import { describe, expect, test } from 'vitest';
import { openDataset } from '../../src/dataset/open.js';
import { collect, testIo, writeFixtures } from './helpers.js';

const HEADER = 'client,session,date,srs,ors';

async function rowsOf(lines: string[]) {
  const [p] = writeFixtures({ 'd.csv': [HEADER, ...lines].join('\n') + '\n' });
  const ds = await openDataset([p], {}, testIo());
  const got = await collect(ds);
  const bySession = got.rows.map((r) => `${r.client}|${r.date}|${r.values.join(',')}=>${r.session}`).sort();
  return { ...got, bySession, notes: ds.mapping.notes };
}

const ALL_BLANK = ['a,1,2024-01-01,30,20', 'a,2,2024-01-08,31,21', 'b,,2024-02-15,32,22', 'b,,2024-02-01,33,23', 'b,,2024-02-08,34,24', 'b,,,35,25'];

describe('blank session numbers', () => {
  test('a client with no session numbers is numbered by date; the output says so', async () => {
    const { rows, notes, stats } = await rowsOf(ALL_BLANK);
    const b = rows.filter((r) => r.client === 'b').map((r) => [r.values[0], r.session]);
    expect(b).toEqual(
      expect.arrayContaining([
        [33, 1],
        [34, 2],
        [32, 3],
        [35, NaN],
      ]),
    );
    expect(stats.blankSessions).toEqual({ byDateClients: 1, byDateRows: 4, mixedClients: 0, mixedRows: 0, placed: 0, mixed: [], excluded: { noDate: 1 } });
    expect(notes).toContain('1 client(s) had no session numbers (4 row(s)): their sessions were numbered 1..n by date');
    expect(notes).toContain('1 row(s) with a blank session number left out: 1 no date');
    expect(stats.rows).toBe(6);
  });

  test('blank rows among numbered ones are placed by date only where unambiguous', async () => {
    const { rows, stats, ds } = await rowsOf([
      'a,1,2024-01-01,30,1',
      'a,,2024-01-08,30,2', // between 1 and 3: the one free number, 2
      'a,3,2024-01-15,30,3',
      'a,,2024-01-22,30,4', // after the last: 4
      'a,,2024-01-29,30,5', // and 5
      'c,2,2024-01-01,30,6',
      'c,,2023-12-01,30,7', // before 2: the one free number, 1
      'd,1,2024-01-01,30,8',
      'd,,2024-01-08,30,9', // between 1 and 5: 2, 3 or 4
      'd,5,2024-01-29,30,10',
      'e,1,2024-01-01,30,11',
      'e,,2024-01-01,30,12', // same date as session 1
      'f,2,2024-01-01,30,13',
      'f,1,2024-01-08,30,14', // numbered sessions against the date order
      'f,,2024-01-15,30,15',
    ]);
    const session = Object.fromEntries(rows.map((r) => [r.values[1], r.session]));
    expect(session).toEqual({ 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 2, 7: 1, 8: 1, 9: NaN, 10: 5, 11: 1, 12: NaN, 13: 2, 14: 1, 15: NaN });
    expect(stats.blankSessions).toEqual({
      byDateClients: 0,
      byDateRows: 0,
      mixedClients: 5,
      mixedRows: 7,
      placed: 4,
      mixed: expect.any(Array),
      excluded: { ambiguous: 1, tie: 1, disordered: 1 },
    });
    const mixed = stats.blankSessions!.mixed.map((m) => [ds.clients[m.client], m.blank, m.placed]).sort();
    expect(mixed).toEqual([
      ['a', 3, 3],
      ['c', 1, 1],
      ['d', 1, 0],
      ['e', 1, 0],
      ['f', 1, 0],
    ]);
  });

  test('two blank rows of a client on the same date are left out; later rows keep their place', async () => {
    const { rows } = await rowsOf(['b,,2024-02-01,30,1', 'b,,2024-02-08,30,2', 'b,,2024-02-08,30,3', 'b,,2024-02-15,30,4']);
    expect(Object.fromEntries(rows.map((r) => [r.values[1], r.session]))).toEqual({ 1: 1, 2: NaN, 3: NaN, 4: 4 });
  });

  test('the same rows in another order get the same session numbers', async () => {
    const lines = [...ALL_BLANK, 'c,1,2024-01-01,30,1', 'c,,2024-01-08,30,2', 'c,3,2024-01-15,30,3', 'c,,2024-01-22,30,4'];
    const a = await rowsOf(lines);
    const b = await rowsOf([...lines].reverse());
    expect(b.bySession).toEqual(a.bySession);
    const named = (x: typeof a) => ({
      ...x.stats.blankSessions,
      mixed: x.stats.blankSessions!.mixed.map((m) => [x.ds.clients[m.client], m.blank, m.placed]).sort(),
    });
    expect(named(b)).toEqual(named(a));
    expect(b.notes).toEqual(a.notes);
  });

  test('a file where every row has a session number is read as before (no note, no held rows)', async () => {
    const { stats, notes, rows } = await rowsOf(['a,1,2024-01-01,30,20', 'a,2,2024-01-08,31,21']);
    expect(stats.blankSessions).toBeUndefined();
    expect(notes.some((n) => n.includes('blank session'))).toBe(false);
    expect(rows.map((r) => r.session)).toEqual([1, 2]);
  });
});

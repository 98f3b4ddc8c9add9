/**
 * The TableSource seam: a format that stores typed cells (as a workbook or an SPSS file
 * does) plugs into FORMATS and goes through the same interpretation as a CSV cell; the CSV
 * source names cells as file:line:column, a typed format in its own terms.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { UserError } from '../../src/errors.js';
import { FORMATS, csvFormat, type TableFormat } from '../../src/dataset/formats.js';
import { openDataset } from '../../src/dataset/open.js';
import type { TableSource, TypedCells } from '../../src/dataset/source.js';
import { collect, testIo, writeFixtures } from './helpers.js';

const day = (iso: string) => Date.parse(iso + 'T00:00:00Z') / 86_400_000;

/** An in-memory "workbook": rows of cells that are numbers, dates ({ date: iso }) or text. */
function memoryFormat(rows: (number | string | { date: string } | null)[][]): TableFormat {
  const [header, ...data] = rows as string[][];
  const source: TableSource = {
    format: 'memory',
    path: 'book.mem',
    display: 'book.mem',
    bytes: 100,
    header,
    headerLine: 1,
    encoding: 'binary',
    delimiter: '',
    decimal: '.',
    readRanges: null,
    digest: () => null,
    async read(onRecord) {
      const n = header.length;
      const typed: TypedCells = { numbers: new Float64Array(n), dates: new Float64Array(n) };
      const fields = new Array<string>(n);
      data.forEach((cells, r) => {
        for (let k = 0; k < n; k++) {
          const c = cells[k] as number | string | { date: string } | null;
          typed.numbers[k] = typeof c === 'number' ? c : NaN;
          typed.dates[k] = c !== null && typeof c === 'object' ? day(c.date) : NaN;
          fields[k] = c === null ? '' : typeof c === 'object' ? c.date : String(c);
        }
        onRecord(fields, r + 2, typed);
      });
      return { records: data.length };
    },
    locate: (line, field) => ({ file: 'book.mem', cell: `Sheet1!${String.fromCharCode(65 + field)}${line}` }),
  };
  return { name: 'memory', matches: (file) => file.endsWith('.mem'), open: async () => source };
}

afterEach(() => {
  FORMATS.splice(0, FORMATS.length, csvFormat);
});

describe('TableSource', () => {
  test('typed numbers and dates go through the same cell rules as CSV text', async () => {
    FORMATS.unshift(
      memoryFormat([
        ['client', 'session', 'date', 'srs', 'phq9'],
        ['a', 1, { date: '2024-03-01' }, 38.5, 12],
        ['a', 2, { date: '2024-03-08' }, 41, -99],
        ['a', 3, { date: '2024-03-15' }, 'NA', 9.5],
        ['b', 1, 'not a date', -99, 28],
      ]),
    );
    const ds = await openDataset(['book.mem'], { missing: ['-99'] }, testIo());
    const { rows, issues, stats } = await collect(ds);
    expect(ds.files[0].encoding).toBe('binary');
    expect(rows.map((r) => [r.client, r.session, r.date, ...r.values])).toEqual([
      ['a', 1, day('2024-03-01'), 38.5, 12],
      ['a', 2, day('2024-03-08'), NaN, NaN],
      ['a', 3, day('2024-03-15'), NaN, 9.5],
      ['b', 1, NaN, NaN, NaN],
    ]);
    // Same codes as for the CSV text of these cells.
    expect(issues.map((i) => [i.code, i.line, i.field, i.value])).toEqual([
      ['value.out-of-range', 3, 3, '41'],
      ['value.not-integer', 4, 4, '9.5'],
      ['date.invalid', 5, 2, 'not a date'],
      ['value.out-of-range', 5, 4, '28'],
    ]);
    expect(stats.missing).toEqual([2, 1]);
  });

  test('the same cells as CSV text give the same rows and issues', async () => {
    const [p] = writeFixtures({
      'book.csv': 'client,session,date,srs,phq9\na,1,2024-03-01,38.5,12\na,2,2024-03-08,41,-99\na,3,2024-03-15,NA,9.5\nb,1,not a date,-99,28\n',
    });
    const { rows, issues } = await collect(await openDataset([p], { missing: ['-99'] }, testIo()));
    expect(rows.map((r) => [r.client, r.session, r.date, ...r.values])).toEqual([
      ['a', 1, day('2024-03-01'), 38.5, 12],
      ['a', 2, day('2024-03-08'), NaN, NaN],
      ['a', 3, day('2024-03-15'), NaN, 9.5],
      ['b', 1, NaN, NaN, NaN],
    ]);
    expect(issues.map((i) => i.code)).toEqual(['value.out-of-range', 'value.not-integer', 'date.invalid', 'value.out-of-range']);
  });

  test("locations: file:line:column for CSV, the format's own terms otherwise", async () => {
    const [p] = writeFixtures({ 'x.csv': 'client,session,srs\na,1,30\n' });
    const csv = await csvFormat.open(p, 'x.csv', {}, testIo());
    expect(new UserError('bad', { location: csv.locate(2, 2) }).format()).toBe('x.csv:2:srs: bad.');
    expect(new UserError('bad', { location: csv.locate(2, -1) }).format()).toBe('x.csv:2: bad.');
    const mem = await memoryFormat([['client'], ['a']]).open('book.mem', undefined, {}, testIo());
    expect(new UserError('bad', { location: mem.locate(12, 2) }).format()).toBe('book.mem:Sheet1!C12: bad.');
  });
});

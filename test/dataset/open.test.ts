import { describe, expect, test } from 'vitest';
import { openDataset } from '../../src/dataset/open.js';
import { collect, errorOf, load, testIo, writeFixtures } from './helpers.js';

const day = (iso: string) => Date.parse(iso + 'T00:00:00Z') / 86_400_000;

describe('values', () => {
  test('numbers, missing markers and unusable cells', async () => {
    const { rows, issues, stats } = await load(
      ['client,session,srs,phq9', 'a,1,38,12', 'a,2,NA,11', 'a,3,41,9.5', 'a,4,x,-99', 'a,5,-9,27', 'a,6,36.5,'].join('\n') + '\n',
    );
    expect(rows.map((r) => r.values)).toEqual([
      [38, 12],
      [NaN, 11],
      [NaN, 9.5],
      [NaN, NaN],
      [NaN, 27],
      [36.5, NaN],
    ]);
    expect(issues.map((i) => [i.code, i.line, i.field, i.value])).toEqual([
      ['value.out-of-range', 4, 2, '41'],
      ['value.not-integer', 4, 3, '9.5'],
      ['value.not-numeric', 5, 2, 'x'],
      ['value.missing-code', 5, 3, '-99'],
      ['value.missing-code', 6, 2, '-9'],
    ]);
    expect(stats.unusable).toEqual([3, 1]);
    expect(stats.missing).toEqual([1, 1]);
    expect(stats.rows).toBe(6);
  });
  test('every default missing token, case-insensitive and trimmed, plus --missing', async () => {
    const tokens = ['', 'NA', 'na', 'N/A', 'NaN', 'null', 'NULL', '.', '-', ' NA ', 'unknown'];
    const csv = 'client,session,srs\n' + tokens.map((t, i) => `a,${i + 1},${t}`).join('\n') + '\n';
    const { rows, issues, stats } = await load(csv, { missing: ['Unknown'] });
    expect(rows.every((r) => Number.isNaN(r.values[0]))).toBe(true);
    expect(issues).toEqual([]);
    expect(stats.missing).toEqual([tokens.length]);
    const without = await load(csv);
    expect(without.issues.map((i) => [i.code, i.value])).toEqual([['value.not-numeric', 'unknown']]);
  });
  test('plain measures: -9/-99/-999 are missing codes, 999 is a value', async () => {
    const { rows, issues } = await load('client,session,score\na,1,-999\na,2,999\na,3,-99\na,4,-5\n', { outcome: ['score'] });
    expect(rows.map((r) => r.values[0])).toEqual([NaN, 999, NaN, -5]);
    expect(issues.map((i) => i.code)).toEqual(['value.missing-code', 'value.missing-code']);
  });
  test('a declared numeric missing code (--missing -99) is missing, not unusable, and raises no finding', async () => {
    const { rows, issues, stats } = await load('client,session,phq9\na,1,-99\na,2,12\na,3,-9\n', { missing: ['-99'] });
    expect(rows.map((r) => r.values[0])).toEqual([NaN, 12, NaN]);
    expect(issues.map((i) => [i.code, i.value])).toEqual([['value.missing-code', '-9']]);
    expect(stats.missing).toEqual([1]);
    expect(stats.unusable).toEqual([1]);
  });
  test('instrument sentinels inside the range are values, outside are missing codes', async () => {
    // OQ-45 range 0-180: 999 and -9 are codes
    const { rows, issues } = await load('client,session,oq45\na,1,999\na,2,-9\na,3,181\n');
    expect(rows.map((r) => r.values[0])).toEqual([NaN, NaN, NaN]);
    expect(issues.map((i) => i.code)).toEqual(['value.missing-code', 'value.missing-code', 'value.out-of-range']);
  });
  test('decimal comma (forced, and detected for ;-separated files)', async () => {
    const csv = 'client;session;srs;phq9\na;1;36,5;12\na;2;38,25;7\n';
    const detected = await load(csv);
    expect(detected.ds.files[0].decimal).toBe(',');
    expect(detected.rows.map((r) => r.values)).toEqual([
      [36.5, 12],
      [38.25, 7],
    ]);
    const forced = await load('client\tsession\tsrs\na\t1\t36,5\n', { decimal: ',' });
    expect(forced.rows[0].values).toEqual([36.5]);
  });
});

describe('dates', () => {
  test('ISO dates (with time part) become days since epoch', async () => {
    const { rows } = await load('client,session,date\na,1,2024-01-02\na,2,2024-01-09T10:00:00\na,3,\n');
    expect(rows.map((r) => r.date)).toEqual([day('2024-01-02'), day('2024-01-09'), NaN]);
  });
  test('DD/MM/YYYY decided from the data', async () => {
    const { rows, ds } = await load('client,session,date\na,1,01/02/2024\na,2,13/02/2024\n');
    expect(rows.map((r) => r.date)).toEqual([day('2024-02-01'), day('2024-02-13')]);
    expect(ds.mapping.notes.some((n) => n.includes('DD/MM/YYYY') && n.includes('line 3'))).toBe(true);
  });
  test('MM/DD/YYYY decided from the data', async () => {
    const { rows } = await load('client,session,date\na,1,01/02/2024\na,2,02/13/2024\n');
    expect(rows.map((r) => r.date)).toEqual([day('2024-01-02'), day('2024-02-13')]);
  });
  test('DD.MM.YYYY', async () => {
    const { rows } = await load('client,session,date\na,1,01.02.2024\na,2,13.02.2024\n');
    expect(rows.map((r) => r.date)).toEqual([day('2024-02-01'), day('2024-02-13')]);
  });
  test('ambiguous slash dates: UserError naming --date-format', async () => {
    const [p] = writeFixtures({ 'amb.csv': 'client,session,date\na,1,01/02/2024\na,2,03/04/2024\n' });
    const msg = await errorOf(() => openDataset([p], {}, testIo()));
    expect(msg).toContain('ambiguous dates');
    expect(msg).toContain('--date-format dmy (day first) or mdy (month first)');
    expect(msg).toMatch(/amb\.csv:1:date: /);
  });
  test('--date-format forces the reading', async () => {
    const { rows } = await load('client,session,date\na,1,01/02/2024\na,2,03/04/2024\n', { dateFormat: 'mdy' });
    expect(rows.map((r) => r.date)).toEqual([day('2024-01-02'), day('2024-03-04')]);
    const dmy = await load('client,session,date\na,1,01/02/2024\na,2,02/13/2024\n', { dateFormat: 'dmy' });
    expect(dmy.rows[1].date).toBeNaN();
    expect(dmy.issues.map((i) => [i.code, i.line, i.value])).toEqual([['date.invalid', 3, '02/13/2024']]);
  });
  test('a later contradiction of the decided format is a UserError with the line', async () => {
    const ds = (await load('client,session,date\na,1,13/01/2024\na,2,01/01/2024\n')).ds;
    expect(ds.mapping.notes.some((n) => n.includes('DD/MM/YYYY'))).toBe(true);
    const [p] = writeFixtures({ 'c.csv': 'client,session,date\na,1,13/01/2024\na,2,01/01/2024\na,3,01/14/2024\n' });
    const opened = await openDataset([p], {}, testIo());
    const msg = await errorOf(() => opened.scan(() => {}));
    expect(msg).toMatch(/c\.csv:4:date: /);
    expect(msg).toContain("'01/14/2024'");
    expect(msg).toContain('line 2');
  });
  test('invalid dates are reported and NaN', async () => {
    const { rows, issues } = await load('client,session,date\na,1,2024-02-30\na,2,soon\n');
    expect(rows.map((r) => r.date)).toEqual([NaN, NaN]);
    expect(issues.map((i) => [i.code, i.line, i.field])).toEqual([
      ['date.invalid', 2, 2],
      ['date.invalid', 3, 2],
    ]);
  });
});

describe('sessions', () => {
  test('column: numbers as given; non-numeric reported', async () => {
    const { ds, rows, issues } = await load('client,session\na,1\na,2\na,x\na,\n');
    expect(ds.mapping.sessionSource).toBe('column');
    expect(rows.map((r) => r.session)).toEqual([1, 2, NaN, NaN]);
    expect(issues.map((i) => [i.code, i.line, i.value])).toEqual([['session.invalid', 4, 'x']]);
  });
  test('column+date', async () => {
    const { ds, rows } = await load('client,session,date\na,2,2024-01-01\na,1,2024-01-08\n');
    expect(ds.mapping.sessionSource).toBe('column+date');
    expect(rows.map((r) => r.session)).toEqual([2, 1]);
  });
  test('dates only, in order: numbered 1..n per client', async () => {
    const { ds, rows } = await load('client,date\na,2024-01-01\nb,2024-01-03\na,2024-01-08\na,2024-01-08\nb,2024-02-01\n');
    expect(ds.mapping.sessionSource).toBe('date');
    expect(ds.mapping.notes.some((n) => n.includes('by date'))).toBe(true);
    expect(rows.map((r) => `${r.client}${r.session}`)).toEqual(['a1', 'b1', 'a2', 'a3', 'b2']);
  });
  test('dates only, unsorted: numbered by date order, ties keep file order, missing dates get none', async () => {
    const csv = ['client,date,srs', 'a,2024-03-01,1', 'b,2024-01-03,2', 'a,2024-01-01,3', 'a,2024-02-01,4', 'a,2024-01-01,5', 'a,,6', 'b,2024-01-02,7'].join(
      '\n',
    );
    const { rows } = await load(csv + '\n');
    expect(rows.map((r) => [r.client, r.values[0], r.session])).toEqual([
      ['a', 1, 4],
      ['b', 2, 2],
      ['a', 3, 1],
      ['a', 4, 3],
      ['a', 5, 2],
      ['a', 6, NaN],
      ['b', 7, 1],
    ]);
  });
  test('neither: file order within client, said in the notes', async () => {
    const { ds, rows } = await load('client,srs\na,1\nb,2\na,3\n');
    expect(ds.mapping.sessionSource).toBe('file-order');
    expect(ds.mapping.notes.some((n) => n.includes('file order'))).toBe(true);
    expect(rows.map((r) => r.session)).toEqual([1, 1, 2]);
  });
  test('numbering is the same on a second scan', async () => {
    const { ds, rows } = await load('client,date\na,2024-03-01\na,2024-01-01\n');
    const again = await collect(ds);
    expect(again.rows).toEqual(rows);
  });
});

describe('clients, therapists, groups', () => {
  test('interned to dense indexes in order of appearance, trimmed; missing client rows dropped', async () => {
    const { ds, rows, issues, stats } = await load('client,session,therapist,site\nb,1,T1,north\na,1,T2,south\n b ,2,T1,north\n,3,T1,north\nNA,4,,\na,2,,\n', {
      groups: ['site'],
    });
    expect(ds.clients).toEqual(['b', 'a']);
    expect(rows.map((r) => r.client)).toEqual(['b', 'a', 'b', 'a']);
    expect(ds.therapists).toEqual(['T1', 'T2']);
    expect(rows.map((r) => r.therapist)).toEqual(['T1', 'T2', 'T1', null]);
    expect(ds.groupLevels).toEqual([['north', 'south']]);
    expect(rows.map((r) => r.groups[0])).toEqual(['north', 'south', 'north', null]);
    expect(stats.rowsWithoutClient).toBe(2);
    expect(issues.map((i) => [i.code, i.line, i.field])).toEqual([
      ['client.missing', 5, 0],
      ['client.missing', 6, 0],
    ]);
  });
  test('interned ids do not keep the parser chunk alive (a copy is stored)', async () => {
    const long = 'client-with-a-rather-long-identifier-0001';
    const { ds } = await load(`client,session\n${long},1\n`);
    expect(ds.clients).toEqual([long]);
  });
});

describe('ragged records', () => {
  test('not delivered, reported and counted', async () => {
    const { rows, issues, stats } = await load('client,session,srs\na,1,30\na,2\na,3,31,extra\na,4,32\n');
    expect(rows.map((r) => r.session)).toEqual([1, 4]);
    expect(issues).toEqual([
      { code: 'structure.ragged', file: 0, line: 3, field: -1, value: '2 fields, expected 3' },
      { code: 'structure.ragged', file: 0, line: 4, field: -1, value: '4 fields, expected 3' },
    ]);
    expect(stats.ragged).toBe(2);
  });
});

describe('onRaw', () => {
  test('every raw record with all fields, before interpretation', async () => {
    const [p] = writeFixtures({ 'r.csv': 'client,session,note,srs\na,1,hello,30\n,2,x,31\na,3\n' });
    const ds = await openDataset([p], {}, testIo());
    const raw: [string[], number, number][] = [];
    let n = 0;
    await ds.scan(() => n++, { onRaw: (f, line, file) => raw.push([f.slice(), line, file]) });
    expect(n).toBe(1);
    expect(raw).toEqual([
      [['a', '1', 'hello', '30'], 2, 0],
      [['', '2', 'x', '31'], 3, 0],
      [['a', '3'], 4, 0],
    ]);
  });
});

describe('several files', () => {
  test('same measure columns (different order): concatenated, mapped per file', async () => {
    const { ds, rows } = await load({
      'a.csv': 'client,session,srs,phq9\nc1,1,30,10\n',
      'b.csv': 'PHQ-9,Session,Client ID,SRS\n12,1,c2,35\n',
    });
    expect(ds.mapping.measures.map((m) => m.name)).toEqual(['srs', 'phq9']);
    expect(rows.map((r) => [r.file, r.client, r.values])).toEqual([
      [0, 'c1', [30, 10]],
      [1, 'c2', [35, 12]],
    ]);
    expect(ds.files.map((f) => f.rows)).toEqual([1, 1]);
  });
  test('the same instrument under different headers is the same measure (concatenated)', async () => {
    const { ds, rows } = await load({
      'a.csv': 'client,session,SRS\nc1,1,30\n',
      'b.csv': 'client,session,srs_total\nc2,1,35\n',
    });
    expect(ds.mapping.measures.map((m) => m.name)).toEqual(['SRS']);
    expect(rows.map((r) => r.values[0])).toEqual([30, 35]);
  });
  test('different measure columns: outer join on client + session with unmatched counts', async () => {
    const { ds, rows, stats } = await load({
      'alliance.csv': 'client,session,srs\nc1,1,30\nc1,2,32\nc2,1,38\nc3,5,20\n',
      'outcome.csv': 'client,session,ors\nc1,2,22\nc1,1,20\nc2,1,25\nc9,1,11\nc2,2,26\n',
    });
    expect(ds.mapping.measures.map((m) => [m.name, m.role])).toEqual([
      ['srs', 'alliance'],
      ['ors', 'outcome'],
    ]);
    const got = rows.map((r) => `${r.client}/${r.session}: ${r.values.join(' ')}`).sort();
    expect(got).toEqual(['c1/1: 30 20', 'c1/2: 32 22', 'c2/1: 38 25', 'c3/5: 20 NaN', 'c9/1: NaN 11', 'c2/2: NaN 26'].sort());
    expect(stats.unmatched).toEqual({ left: 1, right: 2 });
    expect(ds.mapping.notes.at(-1)).toMatch(/^joined on client \+ session: 1 row\(s\) of .*alliance\.csv and 2 row\(s\) of .*outcome\.csv had no partner/);
  });
  test('duplicate keys pair up in file order; the rest are unmatched', async () => {
    const { rows, stats } = await load({
      'a.csv': 'client,session,srs\nc1,1,30\nc1,1,31\nc1,1,32\n',
      'o.csv': 'client,session,ors\nc1,1,20\nc1,1,21\n',
    });
    expect(rows.map((r) => r.values).sort()).toEqual(
      [
        [30, 20],
        [31, 21],
        [32, NaN],
      ].sort(),
    );
    expect(stats.unmatched).toEqual({ left: 1, right: 0 });
  });
  test('join on date', async () => {
    const { rows, stats } = await load(
      {
        'a.csv': 'client,date,srs\nc1,2024-01-01,30\nc1,2024-01-08,31\n',
        'o.csv': 'client,date,ors\nc1,2024-01-08,21\nc1,2024-01-15,22\n',
      },
      { joinOn: 'date' },
    );
    expect(rows.map((r) => [r.session, r.date - day('2024-01-01'), r.values])).toEqual([
      [1, 0, [30, NaN]],
      [2, 7, [31, 21]],
      [3, 14, [NaN, 22]],
    ]);
    expect(stats.unmatched).toEqual({ left: 1, right: 1 });
  });
  test('join on session without a session column is an error naming --join-on date', async () => {
    const paths = writeFixtures({ 'a.csv': 'client,date,srs\nc1,2024-01-01,30\n', 'o.csv': 'client,date,ors\nc1,2024-01-01,20\n' });
    const msg = await errorOf(() => openDataset(paths, {}, testIo()));
    expect(msg).toContain('--join-on date');
  });
  test('a flag column found in no file is an error', async () => {
    const paths = writeFixtures({ 'a.csv': 'client,session,srs\nc1,1,30\n' });
    const msg = await errorOf(() => openDataset(paths, { outcome: ['ors_total'] }, testIo()));
    expect(msg).toContain("column 'ors_total' (from --outcome) is not in the header");
  });
  test('three kinds of export are refused', async () => {
    const paths = writeFixtures({
      'a.csv': 'client,session,srs\nc1,1,30\n',
      'b.csv': 'client,session,ors\nc1,1,30\n',
      'c.csv': 'client,session,phq9\nc1,1,3\n',
    });
    expect(await errorOf(() => openDataset(paths, {}, testIo()))).toContain('3 different sets of measure columns');
  });
});

test('no input file', async () => {
  expect(await errorOf(() => openDataset([], {}, testIo()))).toContain('no input file');
});

test('standard input (-) can be scanned twice', async () => {
  const { Readable } = await import('node:stream');
  const io = { ...testIo(), stdin: Readable.from([Buffer.from('client,session,srs\na,1,30\nb,1,31\n')]) };
  const ds = await openDataset(['-'], {}, io);
  expect(ds.files[0].display).toBe('<stdin>');
  const first = await collect(ds);
  const second = await collect(ds);
  expect(first.rows.map((r) => r.client)).toEqual(['a', 'b']);
  expect(second.rows).toEqual(first.rows);
});

test('relative paths resolve against io.cwd', async () => {
  const [p] = writeFixtures({ 'rel.csv': 'client,session\na,1\n' });
  const nodePath = await import('node:path');
  const ds = await openDataset([nodePath.basename(p)], {}, { ...testIo(), cwd: nodePath.dirname(p) });
  expect(ds.files[0].display).toBe('rel.csv');
  expect((await collect(ds)).rows).toHaveLength(1);
});

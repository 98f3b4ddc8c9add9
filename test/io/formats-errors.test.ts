/**
 * Each format's errors and locations in its own terms: one line, exit 2 for input that
 * cannot be read, findings located as sheet!cell, case and variable, or the wide column.
 */
import { findingsOf } from '../validate/helpers.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { parquetWriteFile } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';
import { splitIndexed } from '../../src/dataset/wide.js';
import { sniffMagic, columnLetters } from '../../src/io/table.js';

const DIR = path.resolve('fixtures/formats');
const tmp = (name: string, data: string | Buffer) => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'alliance-formats-'));
  const f = path.join(d, name);
  writeFileSync(f, data);
  return f;
};

async function fails(argv: string[], re: RegExp) {
  const r = await runInProcess(argv, { cwd: DIR });
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^alliance: /);
  expect(lines[0]).toMatch(re);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('input format errors: one line, exit 2', () => {
  it('merged header cells in a workbook name the range and the row', () =>
    fails(['describe', 'merged_header.xlsx'], /^alliance: merged_header\.xlsx:1: header cells C1:D1 are merged.*Unmerge C1:D1 on sheet 'Sessions'/));
  it('a hidden sheet is never read silently: the error names it and --sheet', () =>
    fails(['describe', 'hidden_only.xlsx'], /the only sheet that looks like session data, 'Data', is hidden\. Pass --sheet 'Data'/));
  it('--sheet names a sheet that is not there: the sheets are listed', () =>
    fails(['describe', 'long.xlsx', '--sheet', 'Visits'], /no sheet 'Visits'\. Its sheets: 'Lookup' \(hidden\), 'Sessions', 'Notes'/));
  it('--sheet on a CSV is a usage error', () => fails(['describe', 'long.csv', '--sheet', '2'], /--sheet applies to Excel workbooks only/));
  it('a wide file with a client on two rows cannot be reshaped, and says so', () =>
    fails(
      ['describe', 'wide_bad.csv'],
      /^alliance: wide_bad\.csv:4: the file looks wide but cannot be reshaped: client 'A' has two rows \(line 2 and this one\)/,
    ));
  it('--wide on a file whose columns follow no pattern asks for the pattern', () =>
    fails(['describe', 'wide_forced.csv', '--wide'], /no measure has columns for two or more sessions.*--wide 'T\{session\}-\{measure\}'/));
  it('--wide with a pattern that matches nothing', () =>
    fails(['describe', 'wide_forced.csv', '--wide', '{measure}_t{session}'], /--wide '\{measure\}_t\{session\}' matches no column/));
  it('--wide pattern without {session}', () => fails(['describe', 'wide_forced.csv', '--wide', '{measure}'], /needs both \{measure\} and \{session\}/));
  it('two columns for the same measure and session', () =>
    fails(['describe', tmp('dup.csv', 'client_id,srs_1,SRS_s1,srs_2\nA,30,30,31\n')], /columns 'srs_1' and 'SRS_s1' both give srs at session 1/i));
  it('a zip holding two tables', () =>
    fails(['describe', 'two_tables.zip'], /the zip archive holds 2 tables \(alliance\.csv, outcome\.csv\); one is expected/));
  it('a truncated gzip file', () => {
    const gz = readFileSync(path.join(DIR, 'long.csv.gz'));
    return fails(['describe', tmp('cut.csv.gz', gz.subarray(0, gz.length >> 1))], /cannot decompress the gzip file/);
  });
  it('a damaged SPSS file', () => {
    const sav = readFileSync(path.join(DIR, 'long.sav'));
    return fails(['describe', tmp('cut.sav', sav.subarray(0, 300))], /^alliance: .*cut\.sav: cannot read the SPSS file/);
  });
  it('a damaged Parquet file', () => fails(['describe', tmp('bad.parquet', Buffer.from('PAR1 this is not parquet PAR1'))], /cannot read the Parquet file/));
  it('a REDCap export whose record comes back after another record', () =>
    fails(
      ['describe', tmp('rc.csv', 'record_id,redcap_event_name,srs\n1,session_1_arm_1,30\n2,session_1_arm_1,31\n1,session_2_arm_1,32\n')],
      /rc\.csv:4: record '1' appears again after other records/,
    ));
});

describe("locations in each format's own terms", () => {
  const findings = async (file: string, extra: string[] = []) => {
    // --today before the last sessions: their dates are findings (session.future-date) to locate.
    const r = await runInProcess(['validate', file, '--today', '2024-12-01', '--format', 'json', ...extra], { cwd: DIR });
    return findingsOf(JSON.parse(r.stdout));
  };
  it('a workbook: sheet!cell, and line is the sheet row', async () => {
    const f = await findings('hidden_only.xlsx', ['--sheet', 'Data']);
    const bad = f.find((x) => x.code === 'value.non-numeric')!;
    expect(bad).toMatchObject({ line: 3, column: 'srs', value: 'thirty', cell: 'Data!C3' });
  });
  it('a hidden sheet named by --sheet is read, and the output says it was hidden', async () => {
    const r = await runInProcess(['describe', 'hidden_only.xlsx', '--sheet', '2'], { cwd: DIR });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/sheet 'Data' is hidden in the workbook; read because --sheet names it/);
  });
  it('an SPSS file: case and variable; the -99 declared missing is not a finding', async () => {
    const f = await findings('long.sav');
    const csv = await findings('long.csv');
    expect(f.length).toBeGreaterThan(0);
    expect(f.map((x) => [x.code, x.column, x.value])).toEqual(csv.map((x) => [x.code, x.column, x.value]));
    const first = f[0];
    expect(first.cell).toBe(`case ${first.line}, variable ${first.column}`);
    expect(first.line).toBe(csv[0].line! - 1); // the CSV's line 2 is case 1
    expect(f.some((x) => x.value === '-99')).toBe(false);
  });
  it('a wide file: the line of the client and the wide column', async () => {
    const f = await findings('wide_srs_1.csv');
    const first = f.find((x) => x.column === 'date')!;
    expect(first).toBeDefined();
    expect(first.cell).toMatch(new RegExp(`^line ${first.line}, column date_\\d+$`));
  });
  it('an SPSS file: value labels for the site, variable labels beside the mapping', async () => {
    const r = await runInProcess(['describe', 'long.sav', '--group', 'site', '--format', 'json'], { cwd: DIR });
    const notes = (JSON.parse(r.stdout) as { mapping: { notes: string[] } }).mapping.notes.join('\n');
    expect(notes).toMatch(/'srs' \(Session Rating Scale total \(0-40\)\)/);
    expect(notes).toMatch(/user-missing values declared in the file read as missing: srs \(-99\)/);
    expect(notes).toMatch(/value labels applied: site/);
    const t = await runInProcess(['trend', 'long.sav', '--outcome', 'ors', '--by', 'site', '--format', 'json'], { cwd: DIR });
    expect(t.stdout).toMatch(/"North"/);
    expect(t.stdout).not.toMatch(/"group": "1"/);
  });
});

describe('helpers', () => {
  it('splits wide column names into stem and session', () => {
    expect(splitIndexed('srs_1')).toEqual({ stem: 'srs', session: 1 });
    expect(splitIndexed('SRS_s1')).toEqual({ stem: 'SRS', session: 1 });
    expect(splitIndexed('ors.t2')).toEqual({ stem: 'ors', session: 2 });
    expect(splitIndexed('phq9_w3')).toEqual({ stem: 'phq9', session: 3 });
    expect(splitIndexed('bdi_t4')).toEqual({ stem: 'bdi', session: 4 });
    expect(splitIndexed('SRS Session 1')).toEqual({ stem: 'SRS', session: 1 });
    expect(splitIndexed('date_s1')).toEqual({ stem: 'date', session: 1 });
    expect(splitIndexed('srs')).toBeNull();
    expect(splitIndexed('12')).toBeNull();
  });
  it('sniffs magic bytes', () => {
    expect(sniffMagic(Buffer.from([0x1f, 0x8b, 8]))).toBe('gzip');
    expect(sniffMagic(Buffer.from('PK\x03\x04', 'latin1'))).toBe('zip');
    expect(sniffMagic(Buffer.from('$FL2@(#)'))).toBe('sav');
    expect(sniffMagic(Buffer.from('$FL3@(#)'))).toBe('sav');
    expect(sniffMagic(Buffer.from('PAR1'))).toBe('parquet');
    expect(sniffMagic(Buffer.from('client_id,session'))).toBe('text');
  });
  it('A1 column letters', () => {
    expect([0, 25, 26, 27, 701, 702].map(columnLetters)).toEqual(['A', 'Z', 'AA', 'AB', 'ZZ', 'AAA']);
  });
});

describe('a date that contradicts the decided day/month order, in a workbook', () => {
  it('names the sheet and cell of both dates (it gave line and column)', async () => {
    const { default: ExcelJS } = await import('exceljs');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Sessions');
    ws.addRow(['client_id', 'session', 'date', 'srs', 'ors']);
    ws.addRow(['A', 1, '13/02/2024', 30, 20]);
    ws.addRow(['A', 2, '02/14/2024', 31, 22]);
    const f = tmp('contra.xlsx', Buffer.from(await wb.xlsx.writeBuffer()));
    await fails(
      ['describe', f],
      /contra\.xlsx:Sessions!C3: date '02\/14\/2024' contradicts the date format DD\/MM\/YYYY decided by '13\/02\/2024' on Sessions!C2\./,
    );
  });
  it('in a CSV it still names the line', () =>
    fails(
      ['describe', tmp('contra.csv', 'client_id,session,date,srs,ors\nA,1,13/02/2024,30,20\nA,2,02/14/2024,31,22\n')],
      /contra\.csv:3:date: date '02\/14\/2024' contradicts .* decided by '13\/02\/2024' on line 2\./,
    ));
});

describe('compressed and piped text: binary refused with its own name, UTF-16 read', () => {
  const long = readFileSync(path.join(DIR, 'long.csv'), 'utf8');
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(long, 'utf16le')]);
  const binary = Buffer.from(long.replace('\n', '\n\0\0\0\n'));
  const zipOf = async (name: string, data: Buffer) => {
    const { zipSync } = await import('fflate');
    return Buffer.from(zipSync({ [name]: new Uint8Array(data) }));
  };

  it('a zip holding binary data in its CSV: one line naming the zip (it was an uncaught exception)', async () =>
    fails(
      ['describe', tmp('bin.zip', await zipOf('data.csv', binary))],
      /^alliance: .*bin\.zip: does not look like a CSV text file \(it contains binary data\)/,
    ));
  it('a gzip file holding binary data says so (it said "cannot decompress ... The operation was aborted")', () =>
    fails(['describe', tmp('bin.csv.gz', gzipSync(binary))], /^alliance: .*bin\.csv\.gz: does not look like a CSV text file \(it contains binary data\)/));

  async function json(argv: string[], stdin?: Buffer): Promise<unknown> {
    const r = await runInProcess([...argv, '--format', 'json'], { cwd: DIR, stdin });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    // Everything but what names the input and its format.
    for (const k of ['files', 'format', 'mapping', 'inputs']) delete out[k];
    return out;
  }
  it('UTF-16 text with a byte-order mark reads as the file does, also on standard input, in a gzip file and in a zip', async () => {
    const want = await json(['describe', tmp('u16.csv', utf16)]);
    expect(want).toEqual(await json(['describe', 'long.csv']));
    expect(await json(['describe', '-'], utf16)).toEqual(want);
    expect(await json(['describe', tmp('u16.csv.gz', gzipSync(utf16))])).toEqual(want);
    expect(await json(['describe', tmp('u16.zip', await zipOf('u16.csv', utf16))])).toEqual(want);
  });
  it('UTF-16 without a byte-order mark on standard input asks for --encoding, as a file does', async () => {
    const bare = Buffer.from(long, 'utf16le');
    const r = await runInProcess(['describe', '-'], { cwd: DIR, stdin: bare });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^alliance: <stdin>: looks like UTF-16 text without a byte-order mark\. Re-run with --encoding utf16le\.$/);
    expect(await json(['describe', '-', '--encoding', 'utf16le'], bare)).toEqual(await json(['describe', 'long.csv']));
  });
});

describe('an infinity in a typed file is reported, not read as a missing cell', () => {
  const findingsOf2 = async (f: string) => {
    const r = await runInProcess(['validate', f, '--format', 'json']);
    expect(r.code, r.stderr).toBe(1);
    const doc = JSON.parse(r.stdout) as {
      files: { findings: { code: string; cell: string; value: string }[] }[];
      summary: { missingness: { column: string; missing: number }[] };
    };
    return { findings: doc.files[0].findings, missing: Object.fromEntries(doc.summary.missingness.map((m) => [m.column, m.missing])) };
  };
  it('Parquet: a DOUBLE Infinity is a value that is not a number; NaN stays missing (as pandas writes a missing float)', async () => {
    const { parquetWriteFile } = await import('hyparquet-writer');
    const f = path.join(mkdtempSync(path.join(os.tmpdir(), 'alliance-formats-')), 'inf.parquet');
    parquetWriteFile({
      filename: f,
      columnData: [
        { name: 'client_id', data: ['A', 'A', 'A', 'B', 'B', 'B'] },
        { name: 'session', data: [1, 2, 3, 1, 2, 3] },
        { name: 'srs', data: [30, NaN, Infinity, 31, -Infinity, 33] },
      ],
      schema: [
        { name: 'root', num_children: 3 },
        { name: 'client_id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
        { name: 'session', type: 'INT32', repetition_type: 'REQUIRED' },
        { name: 'srs', type: 'DOUBLE', repetition_type: 'REQUIRED' },
      ],
    });
    const { findings, missing } = await findingsOf2(f);
    expect(findings.filter((x) => x.code === 'value.non-numeric').map((x) => [x.cell, x.value])).toEqual([
      ['row 3, column srs', 'Infinity'],
      ['row 5, column srs', '-Infinity'],
    ]);
    expect(missing.srs).toBe(1);
  });
  it('SPSS: an infinite score and an infinite date are reported', async () => {
    const b = Buffer.from(readFileSync(path.join(DIR, 'long_uncompressed.sav')));
    const { readDictionary } = await import('../../src/io/sav/dictionary.js');
    const dict = readDictionary({ read: (at, n) => b.subarray(at, at + n) });
    expect(dict.compression).toBe(0); // cases lie one after another, caseElements x 8 bytes each
    const at = (name: string, kase: number) =>
      dict.dataOffset + (kase - 1) * dict.caseElements * 8 + dict.variables.find((v) => v.name === name)!.segments[0][0];
    b.writeDoubleLE(Infinity, at('srs', 2));
    b.writeDoubleLE(Infinity, at('date', 3));
    const { findings } = await findingsOf2(tmp('inf.sav', b));
    const got = findings.filter((x) => x.code === 'value.non-numeric' || x.code === 'value.invalid-date').map((x) => [x.code, x.cell, x.value]);
    expect(got).toEqual([
      ['value.non-numeric', 'case 2, variable srs', 'Infinity'],
      ['value.invalid-date', 'case 3, variable date', 'Infinity'],
    ]);
  });
});

describe('an error about the header names the file, and a line only where the header has one', () => {
  // SPSS and Parquet have no header line: the file alone (they said FILE:1:). A workbook's
  // header is its sheet row (long.xlsx: row 2, under a title row), as every other error
  // about it says; a CSV's header is its line (1, or 2 after a sep= line).
  const parquet = (name: string, cols: [string, 'text' | 'int' | 'double', (string | number)[]][]) => {
    const f = path.join(mkdtempSync(path.join(os.tmpdir(), 'alliance-formats-')), name);
    const types = {
      text: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
      int: { type: 'INT32' },
      double: { type: 'DOUBLE' },
    } as const;
    parquetWriteFile({
      filename: f,
      columnData: cols.map(([n, , data]) => ({ name: n, data })),
      schema: [{ name: 'root', num_children: cols.length }, ...cols.map(([n, t]) => ({ name: n, ...types[t], repetition_type: 'REQUIRED' as const }))],
    });
    return f;
  };
  const noClient = parquet('noclient.parquet', [
    ['who', 'text', ['A', 'A', 'B']],
    ['session', 'int', [1, 2, 1]],
    ['srs', 'double', [30, 31, 32]],
  ]);
  const noDate = parquet('nodate.parquet', [
    ['client_id', 'text', ['A', 'A', 'B']],
    ['session', 'int', [1, 2, 1]],
    ['srs', 'double', [30, 31, 32]],
    ['ors', 'double', [20, 21, 22]],
  ]);
  const noMeasure = parquet('nomeasure.parquet', [
    ['client_id', 'text', ['A', 'A', 'B']],
    ['session', 'int', [1, 2, 1]],
    ['note', 'text', ['x', 'y', 'z']],
  ]);
  const sepNoClient = tmp('sep.csv', 'sep=;\nwho;session;srs\nA;1;30\n');
  const sepLong = tmp('sepl.csv', 'sep=;\nclient_id;session;srs;ors\nA;1;30;20\nA;2;31;22\nB;1;33;25\n');
  const covariate = ['--outcome', 'ors', '--covariate', 'nope'];

  const cases: [string, string[], RegExp][] = [
    // validate of a file without a client column (validated raw): the named columns are checked there
    [
      'validate: --alliance names no column of a Parquet file',
      ['validate', noClient, '--alliance', 'nope'],
      /\/noclient\.parquet: column 'nope' \(from --alliance\) is not in the header\./,
    ],
    [
      'validate: --session names no column of a Parquet file',
      ['validate', noClient, '--session', 'nope'],
      /\/noclient\.parquet: column 'nope' \(from --session\) is not in the header\./,
    ],
    ['model --covariate: .sav', ['model', 'long.sav', ...covariate], /^alliance: long\.sav: covariate column "nope" is not in the header\./],
    ['model --covariate: .zsav', ['model', 'long.zsav', ...covariate], /^alliance: long\.zsav: covariate column "nope" is not in the header\./],
    ['model --covariate: Parquet', ['model', 'long.parquet', ...covariate], /^alliance: long\.parquet: covariate column "nope" is not in the header\./],
    ['model: several outcome columns', ['model', 'long.sav'], /^alliance: long\.sav: several outcome columns \(ors, phq9\)\./],
    [
      'model: a covariate that is the outcome',
      ['model', 'long.sav', '--outcome', 'ors', '--covariate', 'ors'],
      /^alliance: long\.sav: covariate "ors" is the outcome\./,
    ],
    [
      'model --group therapist without one',
      ['model', noDate, '--group', 'therapist'],
      /\/nodate\.parquet: --group therapist needs a therapist column, and none was found\./,
    ],
    ['trend without measures', ['trend', noMeasure], /\/nomeasure\.parquet: no alliance or outcome column found\./],
    ['trend --period without dates', ['trend', noDate, '--period', 'month'], /\/nodate\.parquet: --period needs session dates, and no date column was found\./],
    ['ruptures without an alliance column', ['ruptures', noMeasure], /\/nomeasure\.parquet: no alliance column found\./],
    // The workbook's header row, as the column mapping already said it
    [
      'describe --alliance: workbook (already row 2)',
      ['describe', 'long.xlsx', '--alliance', 'nope'],
      /^alliance: long\.xlsx:2: column 'nope' \(from --alliance\)/,
    ],
    ['model --covariate: workbook', ['model', 'long.xlsx', ...covariate], /^alliance: long\.xlsx:2: covariate column "nope" is not in the header\./],
    // CSV keeps FILE:LINE:, the header's line
    ['model --covariate: CSV (unchanged)', ['model', 'long.csv', ...covariate], /^alliance: long\.csv:1: covariate column "nope" is not in the header\./],
    ['model --covariate: CSV after a sep= line', ['model', sepLong, ...covariate], /\/sepl\.csv:2: covariate column "nope" is not in the header\./],
    [
      'validate --alliance: CSV after a sep= line',
      ['validate', sepNoClient, '--alliance', 'nope'],
      /\/sep\.csv:2: column 'nope' \(from --alliance\) is not in the header\./,
    ],
  ];
  for (const [name, argv, re] of cases) it(name, () => fails(argv, re));
});

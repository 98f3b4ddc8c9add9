/**
 * The streamed workbook reader cell by cell: a workbook written by openpyxl (the 1904 date
 * system, inline strings with XML escapes and non-ASCII text, date and date-time cells,
 * booleans, a cell past the header) against the values openpyxl reads back
 * (test/reference/xlsx-cells.py writes both), and one written by exceljs (shared strings
 * with rich text, a shared formula's cached values, an error value) against what was written.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { xlsxBook } from '../helpers/xlsx-book.js';
import { openSniffed, type TableInput } from '../../src/io/table.js';

const looksLikeHeader = (cells: string[]) => cells.includes('client_id');

async function records(input: TableInput): Promise<{ line: number; fields: string[] }[]> {
  const out: { line: number; fields: string[] }[] = [];
  await input.read((fields, line) => out.push({ line, fields: fields.slice() }));
  return out;
}

describe('xlsx written by openpyxl, read back by openpyxl', () => {
  const ref = JSON.parse(readFileSync('test/reference/xlsx-cells.json', 'utf8')) as {
    sheet: string;
    headerLine: number;
    header: string[];
    records: { line: number; fields: (string | number)[] }[];
  };
  it('gives the header, the title row skipped, and every cell as openpyxl reads it', async () => {
    const input = await openSniffed('fixtures/formats/cells.xlsx', { looksLikeHeader });
    expect(input.format).toBe(`Excel workbook (sheet '${ref.sheet}')`);
    expect(input.header).toEqual(ref.header);
    expect(input.headerLine).toBe(ref.headerLine);
    expect(input.notes.join('; ')).toMatch(/row 1 above the header skipped/);
    input.configure?.({ client: 0, dates: [2], measures: [3] });
    const got = await records(input);
    expect(got.map((r) => r.line)).toEqual(ref.records.map((r) => r.line));
    got.forEach((r, i) => {
      const want = ref.records[i].fields;
      expect(r.fields).toHaveLength(want.length);
      want.forEach((w, k) => {
        if (typeof w === 'number') {
          expect(Number(r.fields[k]), `${r.line}:${k}`).toBe(w);
          expect(r.fields[k]).toBe(String(w));
        } else expect(r.fields[k], `${r.line}:${k}`).toBe(w);
      });
    });
  });
});

describe('xlsx written by exceljs', () => {
  it('reads shared strings with rich text, cached formula values and error values', async () => {
    const { default: ExcelJS } = await import('exceljs');
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Empty');
    const ws = wb.addWorksheet('Data');
    ws.addRow(['client_id', 'session', 'srs', 'ors', 'note']);
    ws.addRow(['A', 1, 30, { formula: 'C2*2', result: 60 }, { richText: [{ text: 'rich ' }, { font: { bold: true }, text: 'text' }] }]);
    ws.addRow(['A', 2, 31, { sharedFormula: 'D2', result: 62 }, { formula: 'NA()', result: { error: '#N/A' } }]);
    ws.addRow(['B', 1, 'A', { formula: 'C4&"x"', result: 'Ax' }, 'A']);
    const d = mkdtempSync(path.join(os.tmpdir(), 'alliance-xlsx-'));
    const f = path.join(d, 'book.xlsx');
    writeFileSync(f, Buffer.from(await wb.xlsx.writeBuffer()));
    const input = await openSniffed(f, { looksLikeHeader });
    expect(input.format).toBe("Excel workbook (sheet 'Data')");
    const got = await records(input);
    expect(got).toEqual([
      { line: 2, fields: ['A', '1', '30', '60', 'rich text'] },
      { line: 3, fields: ['A', '2', '31', '62', '#N/A'] },
      { line: 4, fields: ['B', '1', 'A', 'Ax', 'A'] },
    ]);
  });
});
describe('xlsx whose elements carry a namespace prefix (as the Open XML SDK writes them)', () => {
  it('reads the same rows as without the prefix', async () => {
    const { default: ExcelJS } = await import('exceljs');
    const { unzipSync, zipSync } = await import('fflate');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Sessions');
    ws.addRow(['client_id', 'session', 'srs']);
    ws.addRow(['A', 1, 30]);
    ws.addRow(['B', 2, 31.5]);
    const files = unzipSync(new Uint8Array(await wb.xlsx.writeBuffer()));
    const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
    for (const name of ['xl/workbook.xml', 'xl/worksheets/sheet1.xml', 'xl/sharedStrings.xml', 'xl/styles.xml']) {
      const xml = Buffer.from(files[name]).toString('utf8');
      // Every element of the main namespace gets the x: prefix, bound on the root.
      const prefixed = xml
        .replace(/<(\/?)(?![?!])([A-Za-z][\w.-]*)(?=[\s/>])/g, (m: string, slash: string, tag: string) => (tag.includes(':') ? m : `<${slash}x:${tag}`))
        .replace(`xmlns="${MAIN}"`, `xmlns:x="${MAIN}"`);
      expect(prefixed).toMatch(/<x:/);
      files[name] = new Uint8Array(Buffer.from(prefixed, 'utf8'));
    }
    const d = mkdtempSync(path.join(os.tmpdir(), 'alliance-xlsx-'));
    const f = path.join(d, 'prefixed.xlsx');
    writeFileSync(f, zipSync(files));
    const input = await openSniffed(f, { looksLikeHeader });
    expect(input.header).toEqual(['client_id', 'session', 'srs']);
    expect(await records(input)).toEqual([
      { line: 2, fields: ['A', '1', '30'] },
      { line: 3, fields: ['B', '2', '31.5'] },
    ]);
  });
});

describe('xlsx whose parts are stored, not deflated (zip method 0)', () => {
  it('reads the same header and rows as the deflated workbook', async () => {
    const { unzipSync, zipSync } = await import('fflate');
    const files = unzipSync(new Uint8Array(readFileSync('fixtures/formats/long.xlsx')));
    const d = mkdtempSync(path.join(os.tmpdir(), 'alliance-xlsx-'));
    const f = path.join(d, 'stored.xlsx');
    const stored = Buffer.from(zipSync(files, { level: 0 }));
    // Method 0 in every local header: the parts are read through yauzl, not our inflater.
    expect(stored.readUInt16LE(8)).toBe(0);
    writeFileSync(f, stored);
    const opts = { looksLikeHeader, sheet: 'Sessions' };
    const a = await openSniffed(f, opts);
    const b = await openSniffed('fixtures/formats/long.xlsx', opts);
    expect(a.header).toEqual(b.header);
    const rows = await records(a);
    expect(rows.length).toBeGreaterThan(100);
    expect(rows).toEqual(await records(b));
  });
});

describe('xlsx whose shared strings part has another name (as some writers give it)', () => {
  it('finds it by its relationship', async () => {
    const { default: ExcelJS } = await import('exceljs');
    const { unzipSync, zipSync } = await import('fflate');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Sessions');
    ws.addRow(['client_id', 'session', 'site']);
    ws.addRow(['A', 1, 'North']);
    const files = unzipSync(new Uint8Array(await wb.xlsx.writeBuffer()));
    files['xl/strings/Shared Strings.xml'] = files['xl/sharedStrings.xml'];
    delete files['xl/sharedStrings.xml'];
    const rels = Buffer.from(files['xl/_rels/workbook.xml.rels']).toString('utf8');
    expect(rels).toContain('Target="sharedStrings.xml"');
    files['xl/_rels/workbook.xml.rels'] = new Uint8Array(Buffer.from(rels.replace('Target="sharedStrings.xml"', 'Target="strings/Shared Strings.xml"')));
    const d = mkdtempSync(path.join(os.tmpdir(), 'alliance-xlsx-'));
    const f = path.join(d, 'renamed.xlsx');
    writeFileSync(f, zipSync(files));
    const input = await openSniffed(f, { looksLikeHeader });
    expect(await records(input)).toEqual([{ line: 2, fields: ['A', '1', 'North'] }]);
  });
});

describe('a damaged workbook', () => {
  it('is one line, exit 2, naming the file', async () => {
    const { runInProcess } = await import('../helpers/cli.js');
    const b = readFileSync('fixtures/formats/long.xlsx');
    const d = mkdtempSync(path.join(os.tmpdir(), 'alliance-xlsx-'));
    // The middle cut out: the central directory (at the end) still names xl/workbook.xml,
    // but the parts it points to are gone.
    const f = path.join(d, 'cut.xlsx');
    writeFileSync(f, Buffer.concat([b.subarray(0, b.length >> 1), b.subarray(b.length - 2048)]));
    const r = await runInProcess(['describe', f]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^alliance: .*cut\.xlsx: cannot read the Excel workbook \(.+\)\. Save it again from Excel or LibreOffice/);
  });

  /** long.xlsx with its Sessions sheet part changed by `change(buffer, central directory entry, data start)`. */
  async function damagedSheet(name: string, change: (b: Buffer, cd: number, data: number) => void) {
    const { runInProcess } = await import('../helpers/cli.js');
    const b = Buffer.from(readFileSync('fixtures/formats/long.xlsx'));
    let cd = b.lastIndexOf(Buffer.from('PK\x01\x02', 'latin1'));
    let entry = -1;
    // The central directory entry of the largest part (the Sessions sheet).
    for (let at = cd; at >= 0; at = b.lastIndexOf(Buffer.from('PK\x01\x02', 'latin1'), at - 1)) {
      if (entry < 0 || b.readUInt32LE(at + 24) > b.readUInt32LE(entry + 24)) entry = at;
    }
    cd = entry;
    expect(b.toString('latin1', cd + 46, cd + 46 + b.readUInt16LE(cd + 28))).toMatch(/^xl\/worksheets\/sheet\d\.xml$/);
    const local = b.readUInt32LE(cd + 42);
    const data = local + 30 + b.readUInt16LE(local + 26) + b.readUInt16LE(local + 28);
    change(b, cd, data);
    const d = mkdtempSync(path.join(os.tmpdir(), 'alliance-xlsx-'));
    const f = path.join(d, name);
    writeFileSync(f, b);
    const r = await runInProcess(['describe', f, '--sheet', 'Sessions']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    return lines[0];
  }

  it('a sheet whose compressed data is damaged: one line naming the zlib error', async () => {
    const line = await damagedSheet('bad-deflate.xlsx', (b, cd, data) => b.fill(0xff, data + 200, data + 260));
    expect(line).toMatch(/bad-deflate\.xlsx: cannot read the Excel workbook \((invalid|too many|not enough|unexpected end).*\)\. Save it again/);
  });

  it('a sheet that inflates to another size than its central directory gives: one line', async () => {
    const more = await damagedSheet('size-more.xlsx', (b, cd) => b.writeUInt32LE(b.readUInt32LE(cd + 24) + 1, cd + 24));
    expect(more).toMatch(/size-more\.xlsx: cannot read the Excel workbook \(not enough bytes in the stream\. expected \d+\. got only \d+\)/);
    const less = await damagedSheet('size-less.xlsx', (b, cd) => b.writeUInt32LE(b.readUInt32LE(cd + 24) - 1, cd + 24));
    expect(less).toMatch(/size-less\.xlsx: cannot read the Excel workbook \(too many bytes in the stream\. expected \d+\. got at least \d+\)/);
  });
});

describe('a workbook whose cells are damaged or hand-made', () => {
  /** A workbook of one sheet 'Sessions' with these rows (inner XML of <sheetData>), shared strings and cell formats (numFmtIds). */
  function book(name: string, rows: string, shared: string[] = [], numFmts: number[] = [0, 14]): Promise<string> {
    return Promise.resolve(xlsxBook(name, { rows, sst: shared.map((t) => `<si><t>${t}</t></si>`).join(''), numFmts }));
  }
  const str = (ref: string, t: string) => `<c r="${ref}" t="inlineStr"><is><t>${t}</t></is></c>`;
  const num = (ref: string, v: string, s = 0) => `<c r="${ref}"${s ? ` s="${s}"` : ''}><v>${v}</v></c>`;
  const HEADER = `<row r="1">${['client_id', 'session', 'date', 'srs'].map((h, i) => str(`${'ABCD'[i]}1`, h)).join('')}</row>`;
  /** Rows 2-7: clients A and B, sessions 1-3; `srs(row)` gives the srs cell of a row. */
  const rows = (srs: (r: number) => string = (r) => num(`D${r}`, String(28 + r)), date: (r: number) => string = (r) => str(`C${r}`, `2024-01-0${r}`)) =>
    [2, 3, 4, 5, 6, 7]
      .map((r) => `<row r="${r}">${str(`A${r}`, r < 5 ? 'A' : 'B')}${num(`B${r}`, String(((r - 2) % 3) + 1))}${date(r)}${srs(r)}</row>`)
      .join('');

  async function oneLine(argv: string[]): Promise<string> {
    const { runInProcess } = await import('../helpers/cli.js');
    const r = await runInProcess(argv);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    return lines[0];
  }
  async function findings(f: string): Promise<{ code: string; cell: string; value: string }[]> {
    const { runInProcess } = await import('../helpers/cli.js');
    const r = await runInProcess(['validate', f, '--format', 'json']);
    expect([0, 1], r.stderr).toContain(r.code);
    return (JSON.parse(r.stdout) as { files: { findings: { code: string; cell: string; value: string }[] }[] }).files[0].findings;
  }

  it('a cell past column XFD is one line naming it (it crashed Node filling the columns before it)', async () => {
    const data = await book('far-cell.xlsx', HEADER + rows() + `<row r="8">${str('ZZZZZZZZ8', 'x')}</row>`);
    expect(await oneLine(['describe', data])).toMatch(/far-cell\.xlsx: cannot read the Excel workbook \(cell ZZZZZZZZ8 lies past column XFD/);
    const header = await book('far-header.xlsx', HEADER.replace('</row>', `${str('AAAAAA1', 'x')}</row>`) + rows());
    expect(await oneLine(['describe', header])).toMatch(/far-header\.xlsx: cannot read the Excel workbook \(cell AAAAAA1 lies past column XFD/);
  });

  it('a number cell whose text is not a number is reported, never read as another number', async () => {
    const bad: Record<number, string> = { 3: '0x10', 4: '1,5', 5: '31abc', 6: 'Infinity', 7: '1e400' };
    const f = await book('odd-numbers.xlsx', HEADER + rows((r) => num(`D${r}`, bad[r] ?? '33')));
    const got = (await findings(f)).filter((x) => x.code === 'value.non-numeric').map((x) => [x.cell, x.value]);
    expect(got).toEqual(Object.entries(bad).map(([r, v]) => [`Sessions!D${r}`, v]));
  });

  it('a shared string the workbook does not have names the file and the cell (it read as an empty cell)', async () => {
    const f = await book('shared.xlsx', HEADER + rows((r) => (r === 4 ? `<c r="D4" t="s"><v>7</v></c>` : num(`D${r}`, '30'))), ['only one']);
    expect(await oneLine(['describe', f])).toMatch(/^alliance: .*shared\.xlsx:Sessions!D4: the cell refers to shared string 7, but the workbook has 1\. /);
  });

  it('a formula without a saved value names the file as well as the cell', async () => {
    const f = await book('formula.xlsx', HEADER + rows((r) => (r === 3 ? '<c r="D3"><f>1+1</f></c>' : num(`D${r}`, '30'))));
    expect(await oneLine(['describe', f])).toMatch(/^alliance: .*formula\.xlsx:Sessions!D3: the formula in this cell has no saved value\. Open the workbook/);
  });

  it('a date cell past the days Excel can show is an invalid date, not an internal error', async () => {
    // Style 1 is a date format (built-in 14): 1e12 days is past 9999-12-31, -800000 before 1900.
    const far: Record<number, string> = { 3: '1e12', 5: '-800000' };
    const f = await book('far-date.xlsx', HEADER + rows(undefined, (r) => (far[r] ? num(`C${r}`, far[r], 1) : num(`C${r}`, String(45290 + r), 1))));
    const got = (await findings(f)).filter((x) => x.code === 'value.invalid-date').map((x) => [x.cell, x.value]);
    expect(got).toEqual([
      ['Sessions!C3', '1000000000000'],
      ['Sessions!C5', '-800000'],
    ]);
  });
});

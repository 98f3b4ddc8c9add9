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

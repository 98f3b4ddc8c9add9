/**
 * The CSV writer (render.ts: csvField, csvChunks) writes what csv-stringify, a well-kept CSV
 * library, writes for the same records with the options the tool used it with
 * ({ record_delimiter: '\n' }, every cell a string), and quotes a field with a lone
 * carriage return too (RFC 4180; csv-stringify's quoted_match: /\r/): the reference here is
 * csv-stringify itself, fed the records the tool built before it had its own writer (header and text
 * cells through csvCell, numbers at full precision, intervals as two cells).
 */
import fc from 'fast-check';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { csvChunks, csvField, rawCell, renderCsvTable } from '../../src/report/render.js';
import type { Cell, Column, TableModel } from '../../src/report/model.js';
import { csvCell } from '../../src/io/text-safety.js';
import { sequence } from '../../src/sequence.js';

/** Text with every character the quoting looks at, formula starts and non-ASCII. */
const text = fc.string({
  unit: fc.constantFrom('a', 'Z', '0', '.', ' ', ',', ';', '"', "'", '\n', '\r', '\t', '=', '+', '-', '@', 'é', '😀', '\u2028', '\uFF1D'),
  maxLength: 12,
});

/** The records csvChunks wrote through csv-stringify (the tool's code before its own writer). */
function reference(t: TableModel): string {
  const header: string[] = [];
  for (const c of t.columns) {
    if (c.format?.kind === 'interval') header.push(csvCell(`${c.key}_low`), csvCell(`${c.key}_high`));
    else header.push(csvCell(c.key));
  }
  const num = (x: number) => (Number.isFinite(x) ? String(x) : '');
  const records: string[][] = [header];
  for (const row of t.rows) {
    const rec: string[] = [];
    for (const c of t.columns) {
      const v = row[c.key] ?? null;
      if (c.format?.kind === 'interval') {
        const pair = Array.isArray(v) ? (v as readonly [number, number]) : null;
        rec.push(pair ? num(pair[0]) : '', pair ? num(pair[1]) : '');
      } else rec.push(typeof v === 'string' ? csvCell(v) : rawCell(v));
    }
    records.push(rec);
  }
  return stringify(records, { record_delimiter: '\n', quoted_match: /\r/ });
}

const cell: fc.Arbitrary<Cell> = fc.oneof(
  text,
  fc.double(),
  fc.constantFrom(Number.NaN, Infinity, -0, 0.1 + 0.2, 1e21, -5e-7),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.tuple(fc.double(), fc.double()),
);

describe('a lone carriage return', () => {
  it('is quoted (a reader would end the record there)', () => {
    expect(csvField('a\rb')).toBe('"a\rb"');
    expect(csvField('a\r\nb')).toBe('"a\r\nb"');
    expect(csvField('ab')).toBe('ab');
  });
});

describe('csv writer', () => {
  it('a field is what csv-stringify writes for it', () => {
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 6 }), (fields) => {
        expect(fields.map(csvField).join(',') + '\n').toBe(stringify([fields], { record_delimiter: '\n', quoted_match: /\r/ }));
      }),
      { numRuns: 2000 },
    );
  });

  it('a table is what csv-stringify writes for its records, in whole-record pieces', () => {
    const columns = fc.array(
      fc
        .record({ key: text, interval: fc.boolean() })
        .map(({ key, interval }): Column => ({ key, header: key, ...(interval ? { format: { kind: 'interval' as const, digits: 2 } } : {}) })),
      { minLength: 1, maxLength: 5 },
    );
    fc.assert(
      fc.property(columns, fc.array(fc.array(cell, { minLength: 5, maxLength: 5 }), { maxLength: 30 }), (cols, cells) => {
        const rows = cells.map((r) => Object.fromEntries(cols.map((c, k) => [c.key, r[k]])));
        const t: TableModel = { id: 't', title: 't', columns: cols, rows };
        expect(renderCsvTable(t)).toBe(reference(t));
      }),
      { numRuns: 500 },
    );
  });

  it('a number is written as String(x) writes it (its shortest round-trip digits)', () => {
    const decimals = fc.tuple(fc.integer({ min: -2_000_000_000, max: 2_000_000_000 }), fc.constantFrom(1, 10, 100, 1000)).map(([c, d]) => c / d);
    const big = fc.integer({ min: -1e15, max: 1e15 }).map((c) => c / 1000);
    fc.assert(
      fc.property(fc.oneof(decimals, big, fc.double(), fc.constantFrom(0.1 + 0.2, -0, 0.001, -0.001, 999999999999.999, 1e12 + 0.5, 5e-7, 1e21)), (x) => {
        expect(rawCell(x)).toBe(Number.isFinite(x) ? String(x) : '');
      }),
      { numRuns: 20000 },
    );
  });

  it('a text cell starting like a formula gets a quote; one that does not is as it is', () => {
    fc.assert(
      fc.property(text, (s) => {
        expect(csvCell(s)).toBe(/^[=+\-@\t\r]/.test(s) && !/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(s) ? `'${s}` : s);
      }),
      { numRuns: 2000 },
    );
  });

  it('pieces end with whole records and join to the whole text', () => {
    const n = 20_000;
    const t: TableModel = {
      id: 'big',
      title: 'big',
      columns: [
        { key: 'client', header: 'client' },
        { key: 'x', header: 'x' },
      ],
      rows: sequence(n, function* () {
        for (let i = 0; i < n; i++) yield { client: `=C${i},"q"`, x: i / 7 };
      }),
    };
    const pieces = [...csvChunks(t)];
    expect(pieces.length).toBeGreaterThan(1);
    for (const p of pieces) expect(p.endsWith('\n')).toBe(true);
    expect(pieces.join('')).toBe(reference(t));
  });
});

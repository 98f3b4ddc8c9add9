/**
 * A stray quote in the header and very long tables (issue 16): the header check stops with
 * one line that echoes no data; a terminal table of any length renders in linear time,
 * byte-identical to one cli-table3 table, and never overflows the stack.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Table from 'cli-table3';
import { Chalk } from 'chalk';
import { runInProcess } from '../helpers/cli.js';
import { MAX_TABLE_ROWS, renderTable } from '../../src/report/render.js';
import type { ResultDocument } from '../../src/report/model.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'alliance-longtab-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function strayQuote(rows: number): string {
  const lines = ['client_id,session,"srs,ors,name,email'];
  for (let i = 0; i < rows; i++) lines.push(`C${i},1,30,20,Alice Smith,alice${i}@example.com`);
  lines.push('C9,1,30,20,Bob "Jr" Smith,bob@example.com');
  for (let i = 0; i < 5; i++) lines.push(`D${i},1,30,20,Carol,carol${i}@example.com`);
  return lines.join('\n') + '\n';
}

describe('a stray quote in the header', () => {
  for (const fmt of ['table', 'json', 'github']) {
    it(`validate --format ${fmt}: one line, exit 2, no name or email from the rows`, async () => {
      const f = path.join(tmp, `stray-${fmt}.csv`);
      writeFileSync(f, strayQuote(120));
      const r = await runInProcess(['validate', f, '--format', fmt]);
      expect(r.code).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/column 3 of the header is a quoted field .* over 122 lines: probably a stray quote/);
      expect(r.stderr + r.stdout).not.toMatch(/Alice|example\.com/);
    });
  }

  it('a quoted header name with one line break (a wrapped Excel header) is still a column name', async () => {
    const f = path.join(tmp, 'wrapped.csv');
    writeFileSync(f, 'client_id,session,srs,"ors\ntotal"\nC1,1,30,20\nC1,2,31,22\n');
    const r = await runInProcess(['describe', f, '--outcome', 'ors\ntotal']);
    expect(r.code).toBe(0);
  });
});

describe('long terminal tables', () => {
  const doc = (rows: number, wide = false): ResultDocument => ({
    title: 't',
    tables: [
      {
        id: 'x',
        title: 'x',
        columns: [
          { key: 'a', header: 'a' },
          { key: 'b', header: 'value', format: { kind: 'fixed', digits: 2 } },
        ],
        rows: Array.from({ length: rows }, (_, i) => ({ a: wide && i === rows - 3 ? '客户 😀 wide' : `r${i}`, b: i / 7 })),
      },
    ],
    json: null,
  });
  const chalk = new Chalk({ level: 0 });

  it('is byte-identical to one cli-table3 table (several chunks, the widest cell late)', () => {
    const d = doc(1234, true);
    const t = new Table({
      head: ['a', 'value'],
      colAligns: ['left', 'right'],
      chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
      style: { head: [], border: [], compact: false },
    });
    for (const r of d.tables[0].rows) t.push([String(r.a), (r.b as number).toFixed(2)]);
    expect(renderTable(d, chalk, false)).toBe(`t\n\nx\n${t.toString()}\n`);
  });

  it(`more than ${MAX_TABLE_ROWS.toLocaleString('en')} rows: no stack overflow, the rest counted in a note`, () => {
    const text = renderTable(doc(MAX_TABLE_ROWS + 150_000), chalk, false);
    expect(MAX_TABLE_ROWS).toBe(10_000);
    expect(text).toContain('... and 150,000 more rows');
    expect(text.split('\n').length).toBeLessThan(MAX_TABLE_ROWS + 20);
  }, 60_000);
});

/**
 * CSV formula injection (issue 16): text cells that start with = + - @ tab or CR get a
 * leading ' in every CSV output; numbers (-0.10) stay numbers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { runInProcess } from '../helpers/cli.js';
import { csvCell, isFormulaCell } from '../../src/io/text-safety.js';

const EVIL = ['=HYPERLINK("http://x","y")', '+cmd|x', '-2+3', '@SUM(A1)', '\tTAB', '\rCR'];

/** Six evil clients, two therapists, a site column with evil values; 4 sessions each. */
function evilExport(): string {
  const lines = ['client_id,session,therapist_id,site,srs,ors'];
  const sites = ['=1+1', '@x', '-y'];
  EVIL.forEach((c, i) => {
    for (let s = 1; s <= 4; s++) {
      const q = (v: string) => `"${v.replace(/"/g, '""')}"`;
      lines.push([q(c), s, q(i % 2 === 0 ? '=T1' : '+T2'), q(sites[i % 3]), 25 + s + (i % 3), 15 + s * 2 - (i % 2) + (s === 3 ? i : 0)].join(','));
    }
  });
  // a duplicate session row, so validate reports the evil client id
  lines.push('"=dup",1,T3,S,30,20', '"=dup",1,T3,S,31,21', '"=dup",2,T3,S,32,22');
  return lines.join('\n') + '\n';
}

function cellsOf(csv: string): string[] {
  const rows: string[][] = parse(csv, { relax_column_count: true });
  return rows.flat();
}

function expectNoFormula(csv: string): void {
  const cells = cellsOf(csv);
  expect(cells.length).toBeGreaterThan(0);
  for (const c of cells) expect(isFormulaCell(c), `formula cell ${JSON.stringify(c)}`).toBe(false);
}

let tmp: string;
let file: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'alliance-csvinj-'));
  file = path.join(tmp, 'evil.csv');
  writeFileSync(file, evilExport());
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('csvCell', () => {
  it('prefixes text that a spreadsheet would run as a formula', () => {
    for (const s of EVIL) expect(csvCell(s)).toBe(`'${s}`);
  });
  it('leaves numbers and ordinary text alone', () => {
    for (const s of ['-0.10', '+3', '-1e-5', '.5', '12', 'C001', 'a=b', '', "'=x"]) expect(csvCell(s)).toBe(s);
  });
});

describe('every CSV output neutralises formula cells', () => {
  it('trend --clients --format csv (client ids)', async () => {
    const r = await runInProcess(['trend', file, '--clients', '--format', 'csv']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(r.stdout).toContain("'@SUM(A1)");
    expectNoFormula(r.stdout);
  });

  it('correlate --by site --format csv (group values); negative numbers stay numbers', async () => {
    const r = await runInProcess(['correlate', file, '--by', 'site', '--min-clients', '1', '--format', 'csv']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("'=1+1");
    expectNoFormula(r.stdout);
    expect(cellsOf(r.stdout).some((c) => /^-0\.\d+$/.test(c))).toBe(true);
  });

  it('trend --by therapist --format csv (therapist ids)', async () => {
    const r = await runInProcess(['trend', file, '--by', 'therapist', '--min-clients', '1', '--format', 'csv']);
    expect(r.code).toBe(0);
    expectNoFormula(r.stdout);
  });

  it('validate --format csv (values and messages)', async () => {
    const r = await runInProcess(['validate', file, '--format', 'csv']);
    expect([0, 1]).toContain(r.code);
    expectNoFormula(r.stdout);
  });

  it("the report's CSV files", async () => {
    const cfg = path.join(tmp, 'r.yaml');
    writeFileSync(
      cfg,
      [
        'files: [evil.csv]',
        'groups: [site]',
        'report:',
        '  sections: [validate, describe, correlate, trend]',
        '  formats: [csv]',
        '  minClients: 1',
        '  clientTables: true',
        'trend:',
        '  by: site',
        '',
      ].join('\n'),
    );
    const out = path.join(tmp, 'rep');
    const r = await runInProcess(['report', '--config', cfg, '--out', out]);
    expect([0, 1]).toContain(r.code);
    const csvs = readdirSync(out).filter((f) => f.endsWith('.csv'));
    expect(csvs.length).toBeGreaterThan(3);
    const all = csvs.map((f) => readFileSync(path.join(out, f), 'utf8'));
    for (const text of all) expectNoFormula(text);
    expect(all.join('\n')).toContain("'=1+1");
  });
});

/**
 * Mutated exports through every command, in-process (issue 16, "Done when"): a seeded,
 * bounded fast-check property. Each case mutates a valid export (cells replaced by hostile
 * values, a row duplicated, truncated or given extra fields, a stray quote, a control
 * character, a formula, an identifier in a dedicated column) and runs validate, describe,
 * correlate, trend and model in several formats. Every run must:
 *   - exit 0, 1 or 2 (never 70), with no stack trace;
 *   - on exit 2, write exactly one line to stderr, with no raw control character;
 *   - write no CSV cell that a spreadsheet would run as a formula;
 *   - never print a value of a dedicated identifier column (email, name, phone), nor an
 *     identifier-like client, therapist or site value (shown as a pseudonym);
 *   - stay within a bounded output size.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { runInProcess } from '../helpers/cli.js';
import { isFormulaCell } from '../../src/io/text-safety.js';

// eslint-disable-next-line no-control-regex -- the test looks for raw control characters
const RAW_CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]/;
const HEADER = ['client_id', 'session', 'date', 'therapist_id', 'site', 'srs', 'ors', 'email', 'phone'];
/** Identifier values of the dedicated columns: never printed by any command. */
const SECRET_EMAIL = (i: number) => `secret.person${i}@example.org`;
const SECRET_PHONE = (i: number) => `+44 7700 9${String(100000 + i).slice(1)}`;

function baseRows(): string[][] {
  const rows: string[][] = [];
  for (let c = 0; c < 8; c++) {
    for (let s = 1; s <= 4; s++) {
      rows.push([
        `C${c}`,
        String(s),
        `2024-0${s}-1${c % 9}`,
        `T${c % 3}`,
        `S${c % 2}`,
        String(25 + s + (c % 4)),
        String(14 + s * 2 - (c % 3) + (s === 3 ? c % 5 : 0)),
        SECRET_EMAIL(c),
        SECRET_PHONE(c),
      ]);
    }
  }
  return rows;
}

/** Identifier-like values put into the client, therapist and site columns: shown as pseudonyms only. */
const ID_SECRETS = ['hidden.client@example.org', '07700 900456', 'Dr Hidden Person', '42 Secret Road'];
const ID_LEAKS = ['hidden.client', '900456', 'Hidden Person', 'Secret Road'];

const HOSTILE = [
  'abc',
  '',
  'NA',
  '-99',
  '1e308',
  '-1e308',
  '1e400',
  'NaN',
  'Infinity',
  '-0',
  '0',
  '99999',
  '3.5',
  '41',
  '=HYPERLINK("http://x")',
  '+1+1',
  '-2+3',
  '@SUM(A1)',
  '\tTAB',
  'a\x1b[31mb',
  'x\ny',
  'é',
  '客户',
  '😀',
  '2024-02-30',
  '1899-01-01',
  '2099-12-31',
  '13/13/2024',
  '"',
  'a"b',
  '__proto__',
  'constructor',
  ' ',
  ',',
];

type Mutation =
  | { kind: 'cell'; row: number; col: number; value: string }
  | { kind: 'dup'; row: number }
  | { kind: 'drop-fields'; row: number; keep: number }
  | { kind: 'extra-fields'; row: number; n: number }
  | { kind: 'header'; col: number; value: string }
  | { kind: 'long'; row: number; col: number; n: number }
  | { kind: 'id'; row: number; col: number; value: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('cell' as const), row: fc.nat(31), col: fc.nat(6), value: fc.constantFrom(...HOSTILE) }),
  fc.record({ kind: fc.constant('dup' as const), row: fc.nat(31) }),
  fc.record({ kind: fc.constant('drop-fields' as const), row: fc.nat(31), keep: fc.nat(8) }),
  fc.record({ kind: fc.constant('extra-fields' as const), row: fc.nat(31), n: fc.integer({ min: 1, max: 50 }) }),
  fc.record({ kind: fc.constant('header' as const), col: fc.nat(6), value: fc.constantFrom(...HOSTILE) }),
  fc.record({ kind: fc.constant('long' as const), row: fc.nat(31), col: fc.nat(6), n: fc.integer({ min: 1000, max: 200_000 }) }),
  fc.record({ kind: fc.constant('id' as const), row: fc.nat(31), col: fc.constantFrom(0, 3, 4), value: fc.constantFrom(...ID_SECRETS) }),
);

function quote(v: string): string {
  return /[",\n\r]/.test(v) && v !== '"' && v !== 'a"b' ? `"${v.replace(/"/g, '""')}"` : v;
}

function build(muts: Mutation[]): string {
  const header = [...HEADER];
  let rows = baseRows();
  for (const m of muts) {
    if (m.kind === 'cell' || m.kind === 'id') rows[m.row][m.col] = m.value;
    else if (m.kind === 'dup') rows.splice(m.row, 0, [...rows[m.row]]);
    else if (m.kind === 'drop-fields') rows[m.row] = rows[m.row].slice(0, m.keep);
    else if (m.kind === 'extra-fields') rows[m.row] = [...rows[m.row], ...Array(m.n).fill('1')];
    else if (m.kind === 'header') header[m.col] = m.value;
    else rows[m.row][m.col] = 'x'.repeat(m.n);
    rows = rows.slice(0, 40);
  }
  return [header.map(quote).join(','), ...rows.map((r) => r.map(quote).join(','))].join('\n') + '\n';
}

const RUNS: string[][] = [
  ['validate', '--format', 'table'],
  ['validate', '--format', 'csv'],
  ['validate', '--format', 'github'],
  ['describe'],
  ['correlate', '--format', 'csv'],
  ['correlate', '--by', 'site', '--min-clients', '1'],
  ['trend', '--clients', '--format', 'csv'],
  ['trend', '--clients', '--by', 'therapist', '--min-clients', '1', '--format', 'md'],
  ['model', '--format', 'json'],
];

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'alliance-fuzzcmd-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('mutated exports through every command', () => {
  it('exit 0/1/2, one printable line on failure, no formula cell, no identifier, bounded output', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 6 }), async (muts) => {
        const text = build(muts);
        const file = path.join(tmp, `m${n++}.csv`);
        writeFileSync(file, text);
        for (const argv of RUNS) {
          const r = await runInProcess([argv[0], file, ...argv.slice(1), ...(argv[0] === 'validate' ? ['--today', '2025-01-01'] : [])]);
          const what = `${argv.join(' ')} on ${JSON.stringify(muts)}: ${r.stderr}`;
          expect([0, 1, 2], what).toContain(r.code);
          expect(r.stderr, what).not.toMatch(/internal error|\n\s+at /);
          if (r.code === 2) {
            expect(r.stderr.trimEnd().split('\n'), what).toHaveLength(1);
            expect(r.stderr, what).not.toMatch(RAW_CONTROL);
          }
          const out = r.stdout;
          expect(out.length, what).toBeLessThan(20 * text.length + 200_000);
          expect(out, what).not.toContain('secret.person');
          expect(out, what).not.toMatch(/\+44 7700 9/);
          for (const leak of ID_LEAKS) expect(out + r.stderr, `${what}: ${leak}`).not.toContain(leak);
          if (argv.includes('csv') && r.code !== 2 && out.length > 0) {
            const rows: string[][] = parse(out, { relax_column_count: true });
            for (const cell of rows.flat()) {
              expect(isFormulaCell(cell), `${what}: formula cell ${JSON.stringify(cell)}`).toBe(false);
            }
          }
          if (!argv.includes('json') && !argv.includes('csv')) expect(out, what).not.toMatch(RAW_CONTROL);
        }
      }),
      { numRuns: 12, seed: 20261206 },
    );
  }, 120_000);
});

describe('findings cap on every kind of finding', () => {
  it('column-level findings past the cap are counted, not kept (2M duplicate header names gave 2M findings)', async () => {
    const { FindingCollector } = await import('../../src/validate/findings.js');
    const c = new FindingCollector(3);
    for (let i = 0; i < 10; i++) c.add('structure.duplicate-header', { file: 'f.csv', fileIndex: 0, line: null, column: 'x', colIndex: i + 3 }, 'x', 'dup');
    expect(c.count('structure.duplicate-header')).toBe(10);
    expect(c.sorted()).toHaveLength(3);
    expect(c.dropped).toBe(7);
  });
});

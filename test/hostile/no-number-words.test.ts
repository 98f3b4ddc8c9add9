/**
 * Non-numeric values are never printed as words (issue 16): a session cell `abc` gave
 * "1 NaN 3" in the per-client session lists of every format and the report.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runInProcess } from '../helpers/cli.js';
import { numberList } from '../../src/report/number.js';

const WORDS = /\bNaN\b|\bundefined\b|\bInfinity\b/;
let tmp: string;
let file: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'alliance-words-'));
  const lines = ['client_id,session,srs,ors,site'];
  for (let c = 0; c < 8; c++) {
    for (let s = 1; s <= 5; s++) {
      const sess = c === 1 && s === 2 ? 'abc' : c === 2 && s === 1 ? '1e400' : String(s);
      // low alliance so that every client has alliance alerts at (possibly unreadable) sessions
      lines.push(`C${c},${sess},${20 + s + (c % 3)},${10 + s * 2 - (c % 2) + (s === 3 ? c : 0)},S${c % 2}`);
    }
  }
  file = path.join(tmp, 'words.csv');
  writeFileSync(file, lines.join('\n') + '\n');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('no NaN, Infinity or undefined in any output', () => {
  it('numberList shows an unreadable number as ?', () => {
    expect(numberList([1, NaN, 3, Infinity, -Infinity])).toBe('1 ? 3 ? ?');
  });

  for (const fmt of ['table', 'csv', 'md', 'json']) {
    it(`trend --clients --format ${fmt}`, async () => {
      const r = await runInProcess(['trend', file, '--clients', '--format', fmt]);
      expect(r.code).toBe(0);
      expect(r.stdout).not.toMatch(WORDS);
      if (fmt !== 'json') expect(r.stdout).toMatch(/\?/);
    });
  }

  it('the report (clientTables: true), every file', async () => {
    const cfg = path.join(tmp, 'r.yaml');
    writeFileSync(
      cfg,
      'files: [words.csv]\ngroups: [site]\nreport:\n  clientTables: true\n  minClients: 1\n  sections: [validate, describe, correlate, trend, model]\nmodel:\n  outcome: ors\n  alliance: srs\n',
    );
    const out = path.join(tmp, 'out');
    const r = await runInProcess(['report', '--config', cfg, '--out', out]);
    expect([0, 1]).toContain(r.code);
    for (const name of readdirSync(out)) {
      expect(readFileSync(path.join(out, name), 'utf8'), name).not.toMatch(WORDS);
    }
  });
});

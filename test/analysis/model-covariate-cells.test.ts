/**
 * Issue 9.6: covariates go through the same cell interpretation as every other column. A
 * covariate cell of -99 with --missing -99 is missing (not an age of -99); an instrument
 * column used as a covariate keeps its range (a PHQ-9 of 28 is unusable). Checked by
 * equivalence: the model with such a cell equals the model with that cell left empty.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';

const BASE = readFileSync(new URL('../../fixtures/model/unbalanced.csv', import.meta.url), 'utf8')
  .trimEnd()
  .split('\n');

/** The fixture with a phq9 column (derived from age, so it is a real covariate), and the cell at data row `row` of `col` replaced. */
function write(col: 'age' | 'phq9', row: number, text: string): string {
  const [header, ...rows] = BASE;
  const lines = [header + ',"phq9"', ...rows.map((r) => `${r},${Number(r.split(',')[4]) % 25}`)];
  const cells = lines[row + 1].split(',');
  if (col === 'age') cells[4] = text;
  else cells[5] = text;
  lines[row + 1] = cells.join(',');
  const dir = mkdtempSync(path.join(tmpdir(), 'alliance-cov-'));
  writeFileSync(path.join(dir, 'd.csv'), lines.join('\n') + '\n');
  return dir;
}

async function fixed(dir: string, args: string[]) {
  const r = await runInProcess(['model', 'd.csv', '--outcome', 'outcome', '--alliance', 'alliance', '--format', 'json', ...args], { cwd: dir });
  expect(r.stderr).toBe('');
  const out = JSON.parse(r.stdout);
  return { fixed: out.fit.fixed, rows: out.rows, notes: out.notes as string[] };
}

describe('model covariates use the cell rules of every column', () => {
  it('-99 with --missing -99 is a missing age, not an age', async () => {
    const coded = await fixed(write('age', 4, '-99'), ['--covariate', 'age', '--missing', '-99']);
    const blank = await fixed(write('age', 4, ''), ['--covariate', 'age', '--missing', '-99']);
    expect(coded.fixed).toEqual(blank.fixed);
    expect(coded.rows).toEqual(blank.rows);
    // Without --missing, -99 in a plain column is a missing code: left out and said so.
    const undeclared = await fixed(write('age', 4, '-99'), ['--covariate', 'age']);
    expect(undeclared.fixed).toEqual(blank.fixed);
    expect(undeclared.notes.some((n) => n.startsWith('1 unusable value(s) in covariate age'))).toBe(true);
  });

  it('a PHQ-9 of 28 used as a covariate is out of range, so missing', async () => {
    const bad = await fixed(write('phq9', 7, '28'), ['--covariate', 'phq9']);
    const blank = await fixed(write('phq9', 7, 'NA'), ['--covariate', 'phq9']);
    expect(bad.fixed).toEqual(blank.fixed);
    expect(bad.notes.some((n) => n.startsWith('1 unusable value(s) in covariate phq9'))).toBe(true);
    const good = await fixed(write('phq9', 7, '27'), ['--covariate', 'phq9']);
    expect(good.fixed).not.toEqual(blank.fixed);
  });
});

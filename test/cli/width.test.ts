/**
 * Terminal tables fit the width (issue 13): every command's table output, rendered at 80 and
 * 120 columns, has no line wider than that; a table that does not fit is shown compact, then
 * one record per row, with every cell still there; without a width (a pipe, no COLUMNS) the
 * output is what it was.
 */
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';
import { compactTable, recordTable, strlen, wrapText } from '../../src/report/fit.js';
import { decideWidth } from '../../src/cli/color.js';

const DEMO = 'fixtures/demo.csv';
const COMMANDS: string[][] = [
  ['validate', 'fixtures/validate/mixed.csv'],
  ['describe', DEMO],
  ['correlate', DEMO],
  ['correlate', DEMO, '--by', 'therapist_id'],
  ['trend', DEMO, '--outcome', 'ors'],
  ['trend', DEMO, '--outcome', 'phq9', '--by', 'therapist_id', '--period', 'quarter'],
  ['model', DEMO, '--outcome', 'ors'],
  ['ruptures', DEMO, '--outcome', 'ors'],
  ['instruments'],
  ['instruments', 'WAI-SR'],
];

function widestLine(text: string): number {
  return Math.max(...text.split('\n').map((l) => strlen(l)));
}

describe('every command fits the terminal width', () => {
  for (const args of COMMANDS) {
    it(`${args.join(' ')}: no line wider than 80 or 120, and wider than 120 without a limit`, async () => {
      const free = await runInProcess(args);
      expect(free.stderr).toBe('');
      // Each case is one whose full table is wider than 80 columns, so fitting is exercised.
      expect(widestLine(free.stdout)).toBeGreaterThan(80);
      for (const width of [80, 120]) {
        const flag = await runInProcess([...args, '--width', String(width)]);
        expect(flag.stderr).toBe('');
        expect(flag.code).toBe(free.code);
        expect(widestLine(flag.stdout)).toBeLessThanOrEqual(width);
        const env = await runInProcess(args, { env: { COLUMNS: String(width) } });
        expect(env.stdout).toBe(flag.stdout);
      }
    });
  }

  it('a narrow table keeps every cell: record layout lists each header with its value', async () => {
    const json = await runInProcess(['correlate', DEMO, '--format', 'json']);
    const results = JSON.parse(json.stdout).results as { analysis: string; n: number; df: number }[];
    const out = (await runInProcess(['correlate', DEMO, '--width', '80'])).stdout;
    expect(out).toContain(`-[ row 1 of ${results.length} ]`);
    expect(out).toContain(`-[ row ${results.length} of ${results.length} ]`);
    const analyses = [...out.matchAll(/^analysis +(\S+)$/gm)].map((m) => m[1]);
    expect(analyses).toEqual(results.map((r) => r.analysis));
    const dfs = [...out.matchAll(/^df +(\S*)$/gm)].map((m) => m[1]);
    expect(dfs).toEqual(results.map((r) => (r.df === null ? '' : String(r.df))));
  });

  it('a table that fits stays boxed; --width 0 and a pipe give the unlimited output', async () => {
    const narrow = await runInProcess(['instruments', 'PHQ-9', '--width', '5000']);
    const plain = await runInProcess(['instruments', 'PHQ-9']);
    expect(narrow.stdout).toBe(plain.stdout);
    expect(plain.stdout).toContain('┌');
    const zero = await runInProcess(['correlate', DEMO, '--width', '0'], { env: { COLUMNS: '80' } });
    expect(zero.stdout).toBe((await runInProcess(['correlate', DEMO])).stdout);
  });

  it('a bad --width is one line and exit 2', async () => {
    const r = await runInProcess(['instruments', '--width', 'wide']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("alliance: --width must be a whole number of columns (got 'wide'). For example --width 80, or --width 0 for no limit.\n");
  });
});

describe('decideWidth', () => {
  const io = (env: Record<string, string>, tty: boolean, cols?: number) => ({ env, stdoutIsTTY: tty, stdoutColumns: () => cols });
  it('takes --width, then COLUMNS, then the terminal, else no limit', () => {
    expect(decideWidth('100', io({ COLUMNS: '90' }, true, 70))).toBe(100);
    expect(decideWidth('0', io({ COLUMNS: '90' }, true, 70))).toBeUndefined();
    expect(decideWidth(undefined, io({ COLUMNS: '90' }, true, 70))).toBe(90);
    expect(decideWidth(undefined, io({ COLUMNS: 'x' }, true, 70))).toBe(70);
    expect(decideWidth(undefined, io({}, true, 70))).toBe(70);
    expect(decideWidth(undefined, io({}, false, 70))).toBeUndefined();
    expect(decideWidth(undefined, io({ COLUMNS: '0' }, false))).toBeUndefined();
  });
});

describe('layouts', () => {
  it('wrapText wraps at spaces, indents continuation lines and cuts a word wider than the width', () => {
    expect(wrapText('aa bb cc dd', 5, '  ')).toEqual(['aa bb', '  cc', '  dd']);
    expect(wrapText('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrapText('one\ntwo', 10)).toEqual(['one', 'two']);
  });

  it('compactTable aligns columns two spaces apart and gives up when too wide', () => {
    const t = compactTable(
      ['name', 'n'],
      ['left', 'right'],
      [
        ['a', '1'],
        ['bbb', '22'],
      ],
      20,
      (s) => s,
    );
    expect(t).toBe(['name   n', '----  --', 'a      1', 'bbb   22'].join('\n'));
    expect(compactTable(['name', 'n'], ['left', 'right'], [['a', '1']], 6, (s) => s)).toBeNull();
  });

  it('recordTable puts a long value beside its label, wrapped, never wider than the width', () => {
    const text = recordTable(['id', 'note'], [['1', 'the quick brown fox jumps over the lazy dog again and again']], 30, (s) => s);
    expect(text.split('\n')).toEqual([
      '-[ row 1 of 1 ]---------------',
      'id    1',
      'note  the quick brown fox',
      '      jumps over the lazy dog',
      '      again and again',
    ]);
  });
});

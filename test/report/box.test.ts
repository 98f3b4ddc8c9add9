/**
 * Our boxed table (src/report/box.ts) against cli-table3, the library it replaces (issue 15):
 * for random tables (ASCII, wide CJK and emoji, combining and zero-width characters, empty
 * cells, either alignment) the text is byte-identical to cli-table3's with our settings.
 * Colour is compared with cli-table3's colours library forced on.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import Table from 'cli-table3';
import { createRequire } from 'node:module';
import { Chalk } from 'chalk';
import { boxLineWidth, boxTable, boxWidths, type BoxAlign } from '../../src/report/box.js';
import { strlen } from '../../src/report/fit.js';
import { renderTable } from '../../src/report/render.js';
import type { ResultDocument } from '../../src/report/model.js';

/** cli-table3's colours library (a dependency of cli-table3, not of ours): forced on to compare colour. */
const colors = createRequire(import.meta.url)('@colors/colors/safe') as { enabled: boolean; enable(): void; disable(): void };

const CHARS = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

function reference(head: string[], aligns: BoxAlign[], rows: string[][], color: boolean): string {
  const t = new Table({
    head,
    colAligns: aligns,
    chars: CHARS,
    style: color ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [], compact: false },
  });
  for (const r of rows) t.push(r);
  return t.toString();
}

const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', 'x', '客户', '😀', 'e\u0301', 'a\u200bb', 'Ünïcödé', '-0.123', '[0.10, 0.90]', '  spaced  '),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
);
/** As printable() leaves cell text: no control characters (a line break would make a two-line row). */
const printableText = text.map((s) => [...s].map((ch) => (/\p{Cc}/u.test(ch) ? '?' : ch)).join(''));

const table = fc.integer({ min: 1, max: 5 }).chain((n) =>
  fc.record({
    head: fc.array(printableText, { minLength: n, maxLength: n }),
    aligns: fc.array(fc.constantFrom<BoxAlign>('left', 'right'), { minLength: n, maxLength: n }),
    rows: fc.array(fc.array(printableText, { minLength: n, maxLength: n }), { maxLength: 8 }),
  }),
);

describe('boxTable', () => {
  it('is byte-identical to cli-table3 without colour', () => {
    fc.assert(
      fc.property(table, ({ head, aligns, rows }) => {
        expect(boxTable(head, aligns, rows, boxWidths(head, rows), false)).toBe(reference(head, aligns, rows, false));
      }),
      { numRuns: 400 },
    );
  });

  it('is byte-identical to cli-table3 with colour (grey border, cyan header)', () => {
    const was = colors.enabled;
    colors.enable();
    try {
      fc.assert(
        fc.property(table, ({ head, aligns, rows }) => {
          expect(boxTable(head, aligns, rows, boxWidths(head, rows), true)).toBe(reference(head, aligns, rows, true));
        }),
        { numRuns: 200 },
      );
    } finally {
      if (!was) colors.disable();
    }
  });

  it('boxLineWidth is the width of every line drawn', () => {
    const head = ['name', 'r'];
    const rows = [
      ['客户 😀', '0.5'],
      ['b', '-0.25'],
    ];
    const widths = boxWidths(head, rows);
    const lines = boxTable(head, ['left', 'right'], rows, widths, false).split('\n');
    for (const l of lines) expect(strlen(l)).toBe(boxLineWidth(widths));
  });

  it('strlen of printable ASCII is its length, of other text string-width’s (wide, combining)', () => {
    expect(strlen('abc 1.0')).toBe(7);
    expect(strlen('客户')).toBe(4);
    expect(strlen('e\u0301')).toBe(1);
  });

  it('renderTable with colour paints the border and header as cli-table3 did', () => {
    const doc: ResultDocument = {
      title: 't',
      tables: [{ id: 'x', title: 'x', columns: [{ key: 'a', header: 'a' }], rows: [{ a: 'v' }] }],
      json: null,
    };
    const was = colors.enabled;
    colors.enable();
    try {
      const out = renderTable(doc, new Chalk({ level: 1 }), true);
      expect(out).toContain(reference(['a'], ['left'], [['v']], true));
    } finally {
      if (!was) colors.disable();
    }
  });
});

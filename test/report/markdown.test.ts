import { describe, expect, it } from 'vitest';
import { mdCell, mdCode, mdLine, mdText, renderMarkdown } from '../../src/report/render.js';
import { F, type ResultDocument } from '../../src/report/model.js';

describe('Markdown text from the data or a config never becomes markup', () => {
  it('escapes a < that would open a tag, comment or declaration, and keeps comparisons', () => {
    expect(mdText('<script>alert(1)</script>')).toBe('\\<script>alert(1)\\</script>');
    expect(mdText('<!-- x --> <?php')).toBe('\\<!-- x --> \\<?php');
    expect(mdText('p <0.001, SRS < 36')).toBe('p <0.001, SRS < 36');
    // a line break inside a cell is shown escaped (printable), as in every other output
    expect(mdCell('a|b\nc')).toBe('a\\|b\\nc');
  });

  it('a backslash from the data cannot undo an escape (\\< would open a tag, \\| end a cell)', () => {
    // CommonMark reads "\\<img" as an escaped backslash and then a raw <img> tag.
    expect(mdText('\\<img src=x onerror=alert(1)>')).toBe('\\\\\\<img src=x onerror=alert(1)>');
    expect(mdCell('a\\|b')).toBe('a\\\\\\|b');
    // a trailing backslash cannot escape the markup that follows (*italics*, a cell's pipe)
    expect(mdText('x\\')).toBe('x\\\\');
    // backslashes that escape nothing in CommonMark stay as they are (printable's \x1b)
    expect(mdText('C:\\data \x1b')).toBe('C:\\data \\x1b');
    // every < that opens a tag is preceded by an odd number of backslashes
    for (const s of ['\\<b>', '\\\\<b>', '\\\\\\<b>', 'a\\</i>']) expect(mdText(s), s).not.toMatch(/(^|[^\\])(\\\\)*<[A-Za-z/]/);
  });

  it('text from the data cannot become a link or an image (an external fetch from report.md)', () => {
    expect(mdText('![p](http://evil.example/p.png)')).toBe('![p]\\(http://evil.example/p.png)');
    expect(mdCell('[l](javascript:alert(1))')).toBe('[l]\\(javascript:alert(1))');
    // intervals and brackets that are no link stay as they are
    expect(mdText('95% CI [-0.15, 0.62] (n = 9)')).toBe('95% CI [-0.15, 0.62] (n = 9)');
  });

  it('a code span from the data is fenced longer than any backtick run in it', () => {
    expect(mdCode('a.csv')).toBe('`a.csv`');
    expect(mdCode('a`<b>.csv')).toBe('``a`<b>.csv``');
    expect(mdCode('``x')).toBe('``` ``x ```');
    expect(mdCode('a\nb')).toBe('`a\\nb`');
  });

  it('a line that starts with data cannot start a heading, list, quote, rule or fence', () => {
    // A measure named by its header ("# Totals") starts a preface line: "# Totals -> plain numeric ..."
    for (const [s, want] of [
      ['# Totals -> plain', '\\# Totals -> plain'],
      ['- x', '\\- x'],
      ['+ x', '\\+ x'],
      ['* x', '\\* x'],
      ['> x', '\\> x'],
      ['===', '\\==='],
      ['___', '\\___'],
      ['```js', '\\```js'],
      ['~~~', '\\~~~'],
      ['1. x', '1\\. x'],
      ['12) x', '12\\) x'],
      ['   # x', '   \\# x'],
      ['rows: 12, clients: 3', 'rows: 12, clients: 3'],
      ['2 value(s) of x', '2 value(s) of x'],
      ['-0.5 is a value', '\\-0.5 is a value'],
      ['[x]: http://evil.example/p.png', '\\[x]: http://evil.example/p.png'],
    ] as const)
      expect(mdLine(s), s).toBe(want);
    const doc: ResultDocument = {
      title: 't',
      preface: ['# Totals -> plain numeric measure', '- y'],
      tables: [{ id: 't', title: 'x', columns: [{ key: 'g', header: 'g' }], rows: [{ g: 'a' }], notes: ['> quoted'] }],
      notes: ['=== rule'],
      json: {},
    };
    const md = renderMarkdown(doc);
    // the only block markers at a line's start are the document's own headings
    expect(md).not.toMatch(/^(?!# t$|## x$) {0,3}(#|[-+*] |>|=)/m);
    expect(md).toContain('\\# Totals -> plain numeric measure');
  });

  it('applies to titles, prefaces, cells and notes of a rendered document', () => {
    const doc: ResultDocument = {
      title: 'Clinic <img src=x onerror=alert(1)>',
      preface: ['site <b>North</b>'],
      tables: [
        {
          id: 't',
          title: 'Groups <i>',
          columns: [
            { key: 'g', header: 'group' },
            { key: 'p', header: 'p', format: F.p },
          ],
          rows: [{ g: '<script>', p: 0.0001 }],
          notes: ['note <a href=x>'],
        },
      ],
      json: {},
    };
    const md = renderMarkdown(doc);
    expect(md).not.toMatch(/(^|[^\\])<[A-Za-z/!?]/m);
    expect(md).toContain('<0.001');
  });
});

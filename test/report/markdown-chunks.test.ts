/**
 * Markdown in pieces (render.ts markdownChunks, the output of `--format md`): the pieces join
 * to the document's parts joined by line breaks, with runs of three or more line breaks
 * made two and trailing white space dropped, then one line break (the definition below,
 * written out as one string) - also when a table of more than one piece's lines (4,096) is
 * a Sequence made row by row, and when line breaks and spaces meet at piece boundaries.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { markdownChunks, mdCell, mdLine, mdText, renderMarkdown } from '../../src/report/render.js';
import type { ResultDocument, Row, TableModel } from '../../src/report/model.js';
import { sequence } from '../../src/sequence.js';
import { collapseWarnings } from '../../src/report/warnings.js';

/** The definition: the whole text as one string. */
function definition(doc: ResultDocument): string {
  const out: string[] = [`# ${mdText(doc.title)}`, ''];
  for (const line of doc.preface ?? []) out.push(`${mdLine(line)}  `);
  if (doc.preface && doc.preface.length > 0) out.push('');
  for (const t of doc.tables) {
    const lines = [
      `## ${mdText(t.title)}`,
      '',
      '| ' + t.columns.map((c) => mdCell(c.header)).join(' | ') + ' |',
      '|' + t.columns.map(() => ':---').join('|') + '|',
    ];
    for (const row of t.rows) lines.push('| ' + t.columns.map((c) => mdCell(String(row[c.key] ?? ''))).join(' | ') + ' |');
    if (t.notes && t.notes.length > 0) lines.push('', ...t.notes.map((n) => `${mdLine(n)}  `));
    out.push(lines.join('\n') + '\n');
  }
  for (const n of doc.notes ?? []) out.push(`${mdLine(n)}  `);
  for (const w of collapseWarnings(doc.warnings ?? [])) out.push(`**warning:** ${mdText(w.text)}.  `);
  return (
    out
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd() + '\n'
  );
}

const text = fc.oneof(fc.constantFrom('', ' ', '  ', 'a', 'b c', 'x  ', 'T'), fc.string({ maxLength: 8 }));

function table(rows: number, lazy: boolean, notes: string[]): TableModel {
  const make = (i: number): Row => ({ a: `r${i}`, b: i % 3 === 0 ? '' : ' ' });
  const all = Array.from({ length: rows }, (_, i) => make(i));
  return {
    id: 't',
    title: 'rows',
    columns: [
      { key: 'a', header: 'a' },
      { key: 'b', header: 'b' },
    ],
    rows: lazy ? sequence(rows, () => all[Symbol.iterator]()) : all,
    notes,
  };
}

describe('markdownChunks', () => {
  it('joins to the definition for any titles, notes and tables (pieces end anywhere)', () => {
    fc.assert(
      fc.property(
        text,
        fc.array(text, { maxLength: 3 }),
        fc.array(fc.record({ rows: fc.constantFrom(0, 1, 4094, 4095, 4096, 5000), lazy: fc.boolean(), notes: fc.array(text, { maxLength: 2 }) }), {
          maxLength: 2,
        }),
        fc.array(text, { maxLength: 3 }),
        (title, preface, tables, notes) => {
          const doc: ResultDocument = { title, preface, tables: tables.map((t) => table(t.rows, t.lazy, t.notes)), notes, json: null };
          const pieces = [...markdownChunks(doc)];
          expect(pieces.join('')).toBe(definition(doc));
          expect(renderMarkdown(doc)).toBe(definition(doc));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a table of 20,000 rows made one at a time comes in several pieces', () => {
    const doc: ResultDocument = { title: 'clients', tables: [table(20_000, true, ['note'])], json: null };
    const pieces = [...markdownChunks(doc)];
    expect(pieces.length).toBeGreaterThan(4);
    expect(pieces.join('')).toBe(definition(doc));
  });
});

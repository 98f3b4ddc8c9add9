/**
 * A Manuscript as text: plain (a terminal: symbols as typed, r_rm), Markdown (symbols in
 * *italics*, subscripts as <sub>) or an HTML page (<i>, <sub>). Every run passes through the
 * same escaping as the other outputs: printable() for text from the data, mdText() for
 * Markdown, esc() for HTML (which applies printable() itself).
 */
import { printable } from '../../io/text-safety.js';
import { wrapText } from '../fit.js';
import { esc } from '../html/svg.js';
import { mdCell, mdText } from '../render.js';
import type { ApaTable, Manuscript, Paragraph, Text } from './model.js';
import { plain } from './model.js';

export type TextFlavour = 'plain' | 'md' | 'html';

export interface TextParts {
  /** Include the tables (Markdown and HTML; a terminal gets the sentences). */
  tables: boolean;
  /** Include the methods paragraphs and the references. */
  methods: boolean;
  /** Plain text on a terminal: wrap at spaces to this many columns (none: one line per paragraph). */
  width?: number;
}

function runs(t: Text, flavour: TextFlavour): string {
  if (flavour === 'plain') return printable(plain(t));
  return t
    .map((r) => {
      if (typeof r === 'string') return flavour === 'md' ? mdText(r) : esc(r);
      const sub = r.sub === undefined ? '' : `<sub>${flavour === 'md' ? mdText(r.sub) : esc(r.sub)}</sub>`;
      return flavour === 'md' ? `*${mdText(r.i)}*${sub}` : `<i>${esc(r.i)}</i>${sub}`;
    })
    .join('');
}

/**
 * Wraps plain text at spaces, never inside a statistic: "p = .314", "r(79) = -.59" and an
 * interval "CI [-.71, -.42]" stay on one line (glued with no-break spaces while wrapping).
 */
function wrap(text: string, width: number | undefined): string {
  if (width === undefined) return text;
  const glued = text
    .replace(/ ([=<>\u2264\u2265]) /g, '\u00a0$1\u00a0')
    .replace(/ CI \[/g, '\u00a0CI\u00a0[')
    .replace(/\[([^\]\s]+), ([^\]\s]+)\]/g, '[$1,\u00a0$2]');
  return wrapText(glued, width)
    .join('\n')
    .replace(/\u00a0/g, ' ');
}

function paragraph(p: Paragraph, flavour: TextFlavour, level: number, width?: number): string[] {
  const body = p.sentences.map((s) => runs(s, flavour)).join(' ');
  if (flavour === 'plain') return [printable(p.heading), '', wrap(body, width), ''];
  if (flavour === 'md') return [`${'#'.repeat(level)} ${mdText(p.heading)}`, '', body, ''];
  return [`<h${level}>${esc(p.heading)}</h${level}>`, `<p>${body}</p>`];
}

/** A table as Markdown (APA's layout needs rules Markdown cannot draw: the caption and note carry the rest). */
/** A Markdown table cell: the runs (already escaped), pipes escaped. */
function mdCellRuns(t: Text): string {
  return runs(t, 'md').replace(/\|/g, '\\|');
}

function mdTable(table: ApaTable, n: number): string[] {
  const out = [`**Table ${n}**`, '', `*${mdText(table.title)}*`, ''];
  out.push('| ' + table.columns.map((c) => mdCellRuns(c.header)).join(' | ') + ' |');
  out.push('|' + table.columns.map((c) => (c.align === 'right' ? '---:' : ':---')).join('|') + '|');
  for (const row of table.rows) {
    if ('section' in row) out.push('| ' + [`*${mdCell(row.section)}*`, ...table.columns.slice(1).map(() => '')].join(' | ') + ' |');
    else out.push('| ' + row.cells.map((c) => mdCellRuns(c)).join(' | ') + ' |');
  }
  out.push('', `*Note.* ${runs(table.note, 'md')}`, '');
  return out;
}

function htmlTable(table: ApaTable, n: number): string[] {
  const cls = (c: { align: string }): string => (c.align === 'right' ? ' class="num"' : '');
  const out = [
    `<figure class="apa-table" id="table-${esc(table.id)}">`,
    `<p class="label"><b>Table ${n}</b></p>`,
    `<p class="title"><i>${esc(table.title)}</i></p>`,
    '<table>',
  ];
  out.push('<thead><tr>' + table.columns.map((c) => `<th scope="col"${cls(c)}>${runs(c.header, 'html')}</th>`).join('') + '</tr></thead>', '<tbody>');
  for (const row of table.rows) {
    if ('section' in row) out.push(`<tr class="section"><td colspan="${table.columns.length}"><i>${esc(row.section)}</i></td></tr>`);
    else out.push('<tr>' + row.cells.map((c, j) => `<td${cls(table.columns[j])}>${runs(c, 'html')}</td>`).join('') + '</tr>');
  }
  out.push('</tbody></table>', `<p class="note"><i>Note.</i> ${runs(table.note, 'html')}</p>`, '</figure>');
  return out;
}

const CSS =
  'body{font-family:"Times New Roman",Times,serif;max-width:46em;margin:2em auto;line-height:1.6;padding:0 1em}' +
  'table{border-collapse:collapse;border-top:1px solid #000;border-bottom:1px solid #000}' +
  'thead th{border-bottom:1px solid #000;font-weight:normal;padding:.2em .6em;text-align:left}' +
  'td{padding:.2em .6em}.num{text-align:right}.label,.title{margin:.2em 0}.note{font-size:.95em}' +
  '.refs p{padding-left:2em;text-indent:-2em;margin:.2em 0}';

/** The text of a manuscript; `firstTable` numbers its tables (the report numbers across sections). */
export function renderManuscriptText(m: Manuscript, flavour: TextFlavour, parts: TextParts, firstTable = 1): string {
  const out: string[] = [];
  if (flavour === 'html')
    out.push('<!DOCTYPE html>', '<html lang="en">', '<head><meta charset="utf-8"><title>Results</title>', `<style>${CSS}</style></head>`, '<body>');
  if (flavour !== 'plain') out.push(flavour === 'md' ? '# Results' : '<h1>Results</h1>', '');
  const width = flavour === 'plain' ? parts.width : undefined;
  for (const p of m.results) out.push(...paragraph(p, flavour, 2, width));
  if (parts.tables && flavour !== 'plain')
    m.tables.forEach((table, k) => out.push(...(flavour === 'md' ? mdTable(table, firstTable + k) : htmlTable(table, firstTable + k))));
  if (parts.methods) {
    out.push(flavour === 'plain' ? 'Method' : flavour === 'md' ? '# Method' : '<h1>Method</h1>', '');
    for (const p of m.methods) out.push(...paragraph(p, flavour, 2, width));
    out.push(flavour === 'plain' ? 'References' : flavour === 'md' ? '# References' : '<h1>References</h1>', '');
    if (flavour === 'html') out.push('<div class="refs">', ...m.references.map((r) => `<p>${runs(r, 'html')}</p>`), '</div>');
    else
      for (const r of m.references)
        out.push(flavour === 'plain' && width !== undefined ? wrapText(runs(r, flavour), width, '    ').join('\n') : runs(r, flavour), '');
  }
  if (flavour === 'html') out.push('</body>', '</html>');
  return (
    out
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd() + '\n'
  );
}

/**
 * report.html: one self-contained page (inline CSS, inline SVG; no script, no font, no
 * network). Tables come from the same TableModels as report.md and the CSVs, formatted by
 * the shared formatCell, so the page cannot disagree with the other outputs.
 */
import { take } from '../../sequence.js';
import type { Column, DocWarning, ResultDocument, TableModel } from '../model.js';
import { formatCell, rowCapNote, shownRows, WARNING, type RowCap } from '../render.js';
import { collapseWarnings } from '../warnings.js';
import type { Chart } from './charts.js';
import { esc } from './svg.js';

export interface Headline {
  label: string;
  /** The figure, or "no data" (never a 0 that stands for nothing measured). */
  value: string;
  /** One plain sentence with the figure's n and statistic. */
  detail?: string;
  /** What is good ("higher is better", "fewer is better"). */
  good?: string;
}

export interface HtmlSection {
  id: string;
  heading: string;
  /** Paragraphs before the charts. */
  intro?: string[];
  charts: Chart[];
  /** The section's document: its preface, tables (with notes) and notes are shown. */
  doc?: ResultDocument;
  /** Links to other pages of the report (relative paths), each with an optional note. */
  links?: { href: string; text: string; note?: string }[];
  /** The most rows a table of `doc` shows, and the file with all of them (none: every row). */
  cap?: RowCap;
}

export interface HtmlReport {
  title: string;
  subtitle: string[];
  headline: Headline[];
  sections: HtmlSection[];
  /** Suppression rule and filters, shown in their own box. */
  rules: string[];
  references: string[];
  footer: string;
}

function isRight(col: Column): boolean {
  if (col.align) return col.align === 'right';
  return col.format !== undefined && col.format.kind !== 'text';
}

/** A card's value when there is nothing to count (an empty export), never 0. */
export const NO_DATA = 'no data';

/** Tables longer than this are folded into a <details> element. */
export const FOLD_ROWS = 25;

/**
 * The widest table, in characters, that fits the page (main is 1180 px wide; 13 px tabular
 * digits are about 7.5 px, each cell's padding 16 px): a wider table is split (see below).
 */
export const PAGE_CHARS = 130;
const CELL_PADDING_CHARS = 2;

/**
 * A wide table's columns as parts that each fit PAGE_CHARS: the first column (the row's
 * name) starts every part, and an interval column stays with the estimate before it. One
 * part when the table fits.
 */
export function tableParts(t: TableModel, cells: string[][]): number[][] {
  const widths = t.columns.map((c, j) => Math.max(c.header.length, ...cells.map((r) => r[j].length)) + CELL_PADDING_CHARS);
  // Units: a column with the interval columns that follow it.
  const units: number[][] = [];
  t.columns.forEach((c, j) => {
    if (j > 1 && c.format?.kind === 'interval' && units.length > 0) units[units.length - 1].push(j);
    else if (j > 0) units.push([j]);
  });
  const parts: number[][] = [];
  let part: number[] = [0];
  let used = widths[0];
  for (const u of units) {
    const w = u.reduce((a, j) => a + widths[j], 0);
    if (part.length > 1 && used + w > PAGE_CHARS) {
      parts.push(part);
      part = [0];
      used = widths[0];
    }
    part.push(...u);
    used += w;
  }
  parts.push(part);
  return parts;
}

/**
 * One TableModel as an HTML table (cells formatted exactly as in Markdown); split when wider
 * than the page. With a cap, its first cap.maxRows rows and a note naming the file with all.
 */
export function renderHtmlTable(t: TableModel, cap?: RowCap): string {
  const out: string[] = [];
  // Long tables fold away (a <details> element: no script) so the page reads from the charts.
  const fold = t.rows.length > FOLD_ROWS;
  const shown = shownRows(t, cap);
  const cells: string[][] = [];
  // Only the rows shown are read (the rows may be made one at a time: src/sequence.ts).
  for (const row of take(t.rows, shown)) {
    cells.push(t.columns.map((c) => formatCell(row[c.key] ?? null, c.formatFor?.(row) ?? c.format)));
  }
  const capped = cap !== undefined && shown < t.rows.length;
  const parts = tableParts(t, cells);
  out.push(`<figure class="table" id="table-${esc(t.id)}">`, `<figcaption>${esc(t.title)}</figcaption>`);
  if (capped) out.push(`<details><summary>Show the table (the first ${shown.toLocaleString('en')} of ${t.rows.length.toLocaleString('en')} rows)</summary>`);
  else if (fold) out.push(`<details><summary>Show the table (${t.rows.length} rows; also in the CSV and Markdown files)</summary>`);
  parts.forEach((cols, k) => {
    if (parts.length > 1)
      out.push(
        `<p class="part">Part ${k + 1} of ${parts.length}${k === 0 ? ' (the table is split to fit the page; each part starts with its first column)' : ''}</p>`,
      );
    out.push('<div class="scroll"><table>');
    out.push(
      '<thead><tr>' +
        cols.map((j) => `<th scope="col"${isRight(t.columns[j]) ? ' class="num"' : ''}>${esc(t.columns[j].header)}</th>`).join('') +
        '</tr></thead>',
    );
    out.push('<tbody>');
    for (const r of cells) out.push('<tr>' + cols.map((j) => `<td${isRight(t.columns[j]) ? ' class="num"' : ''}>${esc(r[j])}</td>`).join('') + '</tr>');
    out.push('</tbody></table></div>');
  });
  if (fold || capped) out.push('</details>');
  if (capped) out.push(`<p class="part">${esc(rowCapNote(t, cap))}</p>`);
  if (t.notes && t.notes.length > 0) out.push('<ul class="notes">' + t.notes.map((n) => `<li>${esc(n)}</li>`).join('') + '</ul>');
  out.push('</figure>');
  return out.join('\n');
}

/**
 * A section's warnings: one highlighted line each; a line standing for several groups has a
 * <details> element (no script) listing each group's sentence.
 */
export function renderHtmlWarnings(warnings: readonly DocWarning[]): string {
  const lines = collapseWarnings(warnings);
  if (lines.length === 0) return '';
  const out: string[] = ['<div class="warnings" role="note">'];
  for (const w of lines) {
    const head = `<strong>${WARNING}</strong> ${esc(w.text)}.`;
    if (w.details.length === 0) out.push(`<p class="warning">${head}</p>`);
    else {
      out.push(`<details class="warning"><summary>${head}</summary>`, '<ul>' + w.details.map((d) => `<li>${esc(d)}.</li>`).join('') + '</ul>', '</details>');
    }
  }
  out.push('</div>');
  return out.join('\n');
}

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1b1b1b; background: #fff; }
header { background: #1f4e79; color: #fff; padding: 20px 32px; }
header h1 { margin: 0 0 4px; font-size: 24px; }
header p { margin: 0; opacity: .9; font-size: 13px; }
nav { padding: 8px 32px; border-bottom: 1px solid #ddd; font-size: 14px; }
nav a { margin-right: 16px; color: #1f4e79; }
main { padding: 8px 32px 32px; max-width: 1180px; }
h2 { border-bottom: 2px solid #1f4e79; padding-bottom: 4px; margin-top: 36px; }
h3 { margin: 24px 0 6px; font-size: 16px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 12px; margin: 16px 0; }
.card { border: 1px solid #ccc; border-left: 5px solid #1f4e79; padding: 10px 12px; border-radius: 4px; }
.card .label { font-size: 13px; font-weight: 600; color: #333; }
.card .value { font-size: 24px; font-weight: 650; }
.card .detail { font-size: 12px; color: #444; }
.card .value.none { color: #666; font-style: italic; font-weight: 500; }
.card .good { font-size: 12px; color: #1f4e79; font-weight: 600; }
.rules { background: #f4f6f8; border: 1px solid #ccd; padding: 8px 16px; border-radius: 4px; }
figure { margin: 12px 0 20px; }
figure.chart svg { max-width: 100%; height: auto; display: block; }
figure.chart figcaption { font-size: 13px; color: #333; max-width: 760px; }
figure.table figcaption { font-weight: 600; margin-bottom: 4px; }
p.part { font-size: 12px; color: #444; margin: 8px 0 2px; }
summary { cursor: pointer; color: #1f4e79; font-size: 13px; margin: 4px 0; }
@media print { details > *:not(summary) { display: block; } }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 13px; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: left; white-space: nowrap; }
th { background: #eef2f6; }
td.num, th.num { text-align: right; }
ul.notes { font-size: 12px; color: #333; margin: 6px 0 0; padding-left: 18px; max-width: 980px; }
.preface { font-size: 13px; color: #333; }
.warnings { margin: 12px 0; max-width: 980px; }
.warning { background: #fff4e0; border-left: 5px solid #b35900; padding: 6px 10px; margin: 6px 0; font-size: 13px; color: #1b1b1b; }
.warning strong { color: #8a4500; }
details.warning summary { color: #1b1b1b; font-size: 13px; }
details.warning ul { margin: 6px 0 2px; padding-left: 18px; }
footer { padding: 16px 32px; font-size: 12px; color: #555; border-top: 1px solid #ddd; }
@media print { nav { display: none; } h2 { break-after: avoid; } figure { break-inside: avoid; } }
`;

export function renderReportHtml(r: HtmlReport): string {
  const out: string[] = [];
  out.push('<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">', '<meta name="viewport" content="width=device-width, initial-scale=1">');
  // No network: forbid every fetch, allow only the inline style.
  out.push(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
  out.push(`<title>${esc(r.title)}</title>`, `<style>${CSS}</style>`, '</head>', '<body>');
  out.push('<header>', `<h1>${esc(r.title)}</h1>`, ...r.subtitle.map((s) => `<p>${esc(s)}</p>`), '</header>');
  out.push(
    '<nav aria-label="sections"><a href="#summary">Summary</a>' +
      r.sections.map((s) => `<a href="#${esc(s.id)}">${esc(s.heading)}</a>`).join('') +
      '<a href="#methods">Methods</a></nav>',
  );
  out.push('<main>');
  out.push('<section id="summary"><h2>Summary</h2>', '<div class="cards">');
  for (const h of r.headline) {
    out.push(
      `<div class="card"><div class="label">${esc(h.label)}</div><div class="value${h.value === NO_DATA ? ' none' : ''}">${esc(h.value)}</div>${h.good ? `<div class="good">${esc(h.good)}</div>` : ''}${h.detail ? `<div class="detail">${esc(h.detail)}</div>` : ''}</div>`,
    );
  }
  out.push('</div>');
  out.push('<div class="rules"><ul>' + r.rules.map((x) => `<li>${esc(x)}</li>`).join('') + '</ul></div>', '</section>');
  for (const s of r.sections) {
    out.push(`<section id="${esc(s.id)}">`, `<h2>${esc(s.heading)}</h2>`);
    for (const p of s.intro ?? []) out.push(`<p>${esc(p)}</p>`);
    if (s.links && s.links.length > 0) {
      out.push(
        '<ul class="links">' + s.links.map((l) => `<li><a href="${esc(l.href)}">${esc(l.text)}</a>${l.note ? ` ${esc(l.note)}` : ''}</li>`).join('') + '</ul>',
      );
    }
    for (const c of s.charts) {
      out.push('<figure class="chart">', `<h3>${esc(c.heading)}</h3>`, c.svg, `<figcaption>${esc(c.caption)}</figcaption>`, '</figure>');
    }
    if (s.doc) {
      if (s.charts.length > 0) out.push('<h3>Tables and method notes</h3>');
      if (s.doc.preface && s.doc.preface.length > 0) out.push('<ul class="preface">' + s.doc.preface.map((p) => `<li>${esc(p)}</li>`).join('') + '</ul>');
      for (const t of s.doc.tables) out.push(renderHtmlTable(t, s.cap));
      if (s.doc.notes && s.doc.notes.length > 0) out.push('<ul class="notes">' + s.doc.notes.map((n) => `<li>${esc(n)}</li>`).join('') + '</ul>');
      if (s.doc.warnings) out.push(renderHtmlWarnings(s.doc.warnings));
    }
    out.push('</section>');
  }
  out.push('<section id="methods"><h2>Methods and references</h2>');
  out.push('<p>The methods used for each table are stated in the notes under it. Sources:</p>');
  out.push('<ul>' + r.references.map((x) => `<li>${esc(x)}</li>`).join('') + '</ul></section>');
  out.push('</main>', `<footer>${esc(r.footer)}</footer>`, '</body>', '</html>');
  return out.join('\n') + '\n';
}

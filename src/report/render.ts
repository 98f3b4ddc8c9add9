/**
 * Renderers for a ResultDocument: terminal table (cli-table3), CSV (csv-stringify), JSON
 * and Markdown. One model in, so formats cannot drift. Colour is passed in, decided once
 * per run (src/cli/color.ts); with colour off, cli-table3 gets an empty `style` so that no
 * ANSI codes reach a pipe.
 */
import Table from 'cli-table3';
import { stringify } from 'csv-stringify/sync';
import type { ChalkInstance } from 'chalk';
import type { Cell, Column, Format, ResultDocument, TableModel } from './model.js';
import { formatP, toFixedR } from './number.js';

export type OutputFormat = 'table' | 'json' | 'csv' | 'md';
export const OUTPUT_FORMATS: OutputFormat[] = ['table', 'json', 'csv', 'md'];

/** An interval cell (`[low, high]`); Array.isArray does not narrow a readonly tuple. */
function isInterval(value: Cell): value is readonly [number, number] {
  return Array.isArray(value);
}

/** A cell as people read it (terminal, Markdown). */
export function formatCell(value: Cell, format: Format | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (isInterval(value)) {
    const digits = format && 'digits' in format && format.digits !== undefined ? format.digits : 3;
    return `[${toFixedR(value[0], digits)}, ${toFixedR(value[1], digits)}]`;
  }
  const x = value;
  if (!Number.isFinite(x)) return '';
  switch (format?.kind) {
    case 'int':
      return String(Math.round(x));
    case 'fixed':
      return toFixedR(x, format.digits);
    case 'p':
      return formatP(x, format.digits ?? 3);
    case 'percent':
      return `${toFixedR(x * 100, format.digits)}%`;
    case 'interval':
      return toFixedR(x, format.digits);
    default:
      return Number.isInteger(x) ? String(x) : toFixedR(x, 3);
  }
}

/** A cell at full precision (CSV): numbers as JavaScript prints them (shortest round-trip). */
export function rawCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (isInterval(value)) return `${rawNumber(value[0])};${rawNumber(value[1])}`;
  if (typeof value === 'number') return rawNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return value;
}

function rawNumber(x: number): string {
  return Number.isFinite(x) ? String(x) : '';
}

function cellFormat(col: Column, row: Record<string, Cell>): Format | undefined {
  return col.formatFor?.(row) ?? col.format;
}

function isRight(col: Column): boolean {
  if (col.align) return col.align === 'right';
  return col.format !== undefined && col.format.kind !== 'text';
}

export function renderTable(doc: ResultDocument, chalk: ChalkInstance, color: boolean): string {
  const out: string[] = [];
  out.push(chalk.bold(doc.title));
  for (const line of doc.preface ?? []) out.push(line);
  for (const t of doc.tables) {
    out.push('');
    out.push(chalk.bold(t.title));
    const table = new Table({
      head: t.columns.map((c) => c.header),
      colAligns: t.columns.map((c) => (isRight(c) ? 'right' : 'left')),
      // No rule between body rows: denser and easier to scan in a terminal.
      chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
      style: color ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [], compact: false },
    });
    for (const row of t.rows) table.push(t.columns.map((c) => formatCell(row[c.key] ?? null, cellFormat(c, row))));
    out.push(table.toString());
    for (const n of t.notes ?? []) out.push(chalk.dim(n));
  }
  if (doc.notes && doc.notes.length > 0) {
    out.push('');
    for (const n of doc.notes) out.push(chalk.dim(n));
  }
  return out.join('\n') + '\n';
}

/** CSV of one table at full precision; intervals become two columns (<key>_low, <key>_high). */
export function renderCsvTable(t: TableModel): string {
  const header: string[] = [];
  for (const c of t.columns) {
    if (c.format?.kind === 'interval') header.push(`${c.key}_low`, `${c.key}_high`);
    else header.push(c.key);
  }
  const records: string[][] = [header];
  for (const row of t.rows) {
    const rec: string[] = [];
    for (const c of t.columns) {
      const v = row[c.key] ?? null;
      if (c.format?.kind === 'interval') {
        const pair = Array.isArray(v) ? (v as readonly [number, number]) : null;
        rec.push(pair ? rawNumber(pair[0]) : '', pair ? rawNumber(pair[1]) : '');
      } else rec.push(rawCell(v));
    }
    records.push(rec);
  }
  return stringify(records, { record_delimiter: '\n' });
}

export function renderCsv(doc: ResultDocument): string {
  const t = doc.tables.find((x) => x.id === doc.csvTable) ?? doc.tables[0];
  return t ? renderCsvTable(t) : '';
}

/** JSON at full precision; non-finite numbers become null so the document is valid JSON. */
export function renderJson(doc: ResultDocument): string {
  return JSON.stringify(doc.json, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
}

/**
 * Text for Markdown: a `<` that would open an HTML tag, comment or declaration is
 * backslash-escaped (CommonMark shows it as a literal `<`), so text from the data or a
 * config (a title, a group name) can never become markup in a wiki or pull request.
 * `<0.001` and `< 36` stay as they are.
 */
export function mdText(s: string): string {
  return s.replace(/<(?=[A-Za-z/!?])/g, '\\<');
}

/** Text for a Markdown table cell: mdText, pipes escaped, line breaks as spaces. */
export function mdCell(s: string): string {
  return mdText(s).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function renderMarkdownTable(t: TableModel, level = 2): string {
  const out: string[] = [];
  out.push(`${'#'.repeat(level)} ${mdText(t.title)}`, '');
  out.push('| ' + t.columns.map((c) => mdCell(c.header)).join(' | ') + ' |');
  out.push('|' + t.columns.map((c) => (isRight(c) ? '---:' : ':---')).join('|') + '|');
  for (const row of t.rows) {
    out.push('| ' + t.columns.map((c) => mdCell(formatCell(row[c.key] ?? null, cellFormat(c, row)))).join(' | ') + ' |');
  }
  if (t.notes && t.notes.length > 0) {
    out.push('');
    for (const n of t.notes) out.push(`${mdText(n)}  `);
  }
  return out.join('\n') + '\n';
}

export function renderMarkdown(doc: ResultDocument): string {
  const out: string[] = [`# ${mdText(doc.title)}`, ''];
  for (const line of doc.preface ?? []) out.push(`${mdText(line)}  `);
  if (doc.preface && doc.preface.length > 0) out.push('');
  for (const t of doc.tables) out.push(renderMarkdownTable(t));
  if (doc.notes && doc.notes.length > 0) {
    for (const n of doc.notes) out.push(`${mdText(n)}  `);
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

export function render(doc: ResultDocument, format: OutputFormat, chalk: ChalkInstance, color: boolean): string {
  switch (format) {
    case 'json':
      return renderJson(doc);
    case 'csv':
      return renderCsv(doc);
    case 'md':
      return renderMarkdown(doc);
    default:
      return renderTable(doc, chalk, color);
  }
}

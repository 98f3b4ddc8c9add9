/**
 * Renderers for a ResultDocument: terminal table (./box.ts), CSV (csvChunks), JSON
 * and Markdown. One model in, so formats cannot drift. Colour is passed in, decided once
 * per run (src/cli/color.ts); with colour off no ANSI codes reach a pipe.
 */
import { createRequire } from 'node:module';
import type Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import type { Cell, Column, Format, ResultDocument, TableModel } from './model.js';
import { formatP, toFixedR } from './number.js';
import { csvCell, jsonSafe, printable } from '../io/text-safety.js';
import { compactTable, recordTable, wrapText } from './fit.js';
import { boxLineWidth, boxTable, boxWidths } from './box.js';
import { collapseWarnings } from './warnings.js';
import { jsonChunks } from './stream.js';
import { take } from '../sequence.js';

export type OutputFormat = 'table' | 'json' | 'csv' | 'md';
export const OUTPUT_FORMATS: OutputFormat[] = ['table', 'json', 'csv', 'md'];

/** The most characters of a text cell shown to people; CSV and JSON carry the whole text. */
export const MAX_CELL_CHARS = 1000;

/** An interval cell (`[low, high]`); Array.isArray does not narrow a readonly tuple. */
function isInterval(value: Cell): value is readonly [number, number] {
  return Array.isArray(value);
}

/**
 * A cell as people read it (terminal, Markdown, HTML): text with control characters escaped,
 * and at most MAX_CELL_CHARS characters of it, then "... (N characters)".
 */
export function formatCell(value: Cell, format: Format | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string')
    return printable(value.length > MAX_CELL_CHARS ? `${value.slice(0, MAX_CELL_CHARS)}... (${value.length.toLocaleString('en')} characters)` : value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (isInterval(value)) {
    const digits = format && 'digits' in format && format.digits !== undefined ? format.digits : 3;
    if (format?.kind === 'interval' && format.percent) return `[${toFixedR(value[0] * 100, digits)}%, ${toFixedR(value[1] * 100, digits)}%]`;
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
  if (!Number.isFinite(x)) return '';
  if (Number.isInteger(x)) return String(x);
  // A number of at most three decimals (scores, changes) is its code's digits: the shortest
  // decimal that reads back as x, which is what String(x) gives, without its digit search.
  const c = Math.round(x * 1000);
  if (c / 1000 !== x || c >= 1e15 || c <= -1e15) return String(x);
  const a = c < 0 ? -c : c;
  const frac = a % 1000;
  const digits = frac % 100 === 0 ? String(frac / 100) : frac % 10 === 0 ? String(frac / 10).padStart(2, '0') : String(frac).padStart(3, '0');
  return `${c < 0 ? '-' : ''}${(a - frac) / 1000}.${digits}`;
}

function cellFormat(col: Column, row: Record<string, Cell>): Format | undefined {
  return col.formatFor?.(row) ?? col.format;
}

function isRight(col: Column): boolean {
  if (col.align) return col.align === 'right';
  return col.format !== undefined && col.format.kind !== 'text';
}

type TableStyle = { head: string[]; border: string[]; compact?: boolean };
// No rule between body rows: denser and easier to scan in a terminal.
const TABLE_CHARS = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };
// cli-table3 loads when it is needed, not at every start.
const load = createRequire(import.meta.url);
let tableClass: typeof Table | undefined;
const cliTable3 = (): typeof Table => (tableClass ??= load('cli-table3') as typeof Table);

/** cli-table3's table, for a cell with a line break in it (printable() escapes them, so only as a safeguard). */
function cliTable(head: string[], colAligns: ('left' | 'right')[], style: TableStyle, rows: string[][]): string {
  const table = new (cliTable3())({ head, colAligns, chars: TABLE_CHARS, style: { ...style, head: [...style.head], border: [...style.border] } });
  for (const r of rows) table.push(r);
  return table.toString();
}

/** The prefix of a warning line in every text rendering. */
export const WARNING = 'warning:';

/** The most rows one terminal table shows (see renderTable). */
export const MAX_TABLE_ROWS = 10_000;

/**
 * The most rows a table of report.md or report.html shows (docs/report.md): a client table
 * of millions of rows would pass the longest string JavaScript allows, and nobody reads more.
 * The CSV and results.json keep every row.
 */
export const REPORT_TABLE_ROWS = MAX_TABLE_ROWS;

/** A cap on the rows a document shows, and the file (in the same folder) that has them all. */
export interface RowCap {
  maxRows: number;
  /** The file with every row of `t`, or null when the report writes none (no csv or json format). */
  fileFor: (t: TableModel) => string | null;
}

/** The rows of `t` a cap shows (all without a cap). */
export function shownRows(t: TableModel, cap: RowCap | undefined): number {
  return cap ? Math.min(t.rows.length, cap.maxRows) : t.rows.length;
}

/** The sentence under a capped table: how many rows are left out and where they all are. */
export function rowCapNote(t: TableModel, cap: RowCap): string {
  const left = t.rows.length - cap.maxRows;
  const file = cap.fileFor(t);
  return (
    `${left.toLocaleString('en')} more ${left === 1 ? 'row is' : 'rows are'} left out: a report table shows at most ${cap.maxRows.toLocaleString('en')} rows; ` +
    (file ? `${file} in this folder has all ${t.rows.length.toLocaleString('en')}.` : 'add csv to report.formats for a file with every row.')
  );
}

/**
 * The terminal rendering. `width` is the most characters a line may have (the terminal's
 * width, src/cli/color.ts decides it); undefined means no limit. A table wider than that is
 * shown compact, then as one record per row (src/report/fit.ts); prose wraps at spaces.
 */
export function renderTable(doc: ResultDocument, chalk: ChalkInstance, color: boolean, width?: number): string {
  const out: string[] = [];
  const prose = (text: string, paint: (s: string) => string = (s) => s) => {
    const lines = width === undefined ? [text] : wrapText(text, width, '  ');
    for (const l of lines) out.push(paint(l));
  };
  prose(printable(doc.title), chalk.bold);
  for (const line of doc.preface ?? []) prose(printable(line));
  for (const t of doc.tables) {
    out.push('');
    prose(printable(t.title), chalk.bold);
    const head = t.columns.map((c) => printable(c.header));
    const colAligns = t.columns.map((c) => (isRight(c) ? 'right' : 'left')) as ('left' | 'right')[];
    const style = color ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [], compact: false };
    const shown = Math.min(t.rows.length, MAX_TABLE_ROWS);
    const cells: string[][] = [];
    // Only the rows shown are read (the rows may be made one at a time: src/sequence.ts).
    for (const row of take(t.rows, shown)) {
      cells.push(t.columns.map((c) => formatCell(row[c.key] ?? null, cellFormat(c, row))));
    }
    out.push(fitTable(head, colAligns, style, cells, width, color, color ? chalk.cyan : (s: string) => s));
    if (shown < t.rows.length) {
      prose(
        `... and ${(t.rows.length - shown).toLocaleString('en')} more rows: a terminal table shows at most ${MAX_TABLE_ROWS.toLocaleString('en')}; --format csv, json or md has every row`,
        chalk.dim,
      );
    }
    for (const n of t.notes ?? []) prose(printable(n), chalk.dim);
  }
  if (doc.notes && doc.notes.length > 0) {
    out.push('');
    for (const n of doc.notes) prose(printable(n), chalk.dim);
  }
  const warnings = collapseWarnings(doc.warnings ?? []);
  if (warnings.length > 0) out.push('');
  for (const w of warnings) {
    const lines = width === undefined ? [`${WARNING} ${printable(w.text)}.`] : wrapText(`${WARNING} ${printable(w.text)}.`, width, '  ');
    lines[0] = chalk.yellow.bold(WARNING) + lines[0].slice(WARNING.length);
    out.push(...lines);
  }
  return out.join('\n') + '\n';
}

/** The boxed table (./box.ts) when it fits `width` (or there is no limit), else compact, else records. */
function fitTable(
  head: string[],
  aligns: ('left' | 'right')[],
  style: TableStyle,
  rows: string[][],
  width: number | undefined,
  color: boolean,
  paintHead: (s: string) => string,
): string {
  const widths = boxWidths(head, rows);
  if (width === undefined || boxLineWidth(widths) <= width) {
    if (head.some((h) => h.includes('\n')) || rows.some((r) => r.some((c) => c.includes('\n')))) return cliTable(head, aligns, style, rows);
    return boxTable(head, aligns, rows, widths, color);
  }
  return compactTable(head, aligns, rows, width, paintHead) ?? recordTable(head, rows, width, paintHead);
}

/**
 * CSV of one table at full precision; intervals become two columns (<key>_low, <key>_high).
 * The one CSV writer of the tool: every text cell and header goes through `csvCell`
 * (formula injection, docs/safety.md); numbers are written as numbers. Fields are written
 * as csv-stringify writes strings (RFC 4180, a carriage return quoted too:
 * test/report/csv-writer.test.ts compares the two on random text).
 */
export function renderCsvTable(t: TableModel): string {
  return [...csvChunks(t)].join('');
}

/**
 * One CSV field: quoted when it holds a quote, comma, line feed or carriage return (RFC
 * 4180; quotes doubled); an empty field is empty. (A carriage return alone was written
 * unquoted before, as csv-stringify does with record_delimiter \n: readers such as pandas
 * then end the record there.)
 */
export function csvField(s: string): string {
  if (!NEEDS_QUOTES.test(s)) return s;
  return `"${s.replaceAll('"', '""')}"`;
}
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * renderCsvTable's text in pieces of about CSV_PIECE characters (a million-client table is
 * never one string). Each record is written as it comes: nothing per cell outlives its record.
 */
export function* csvChunks(t: TableModel): Generator<string> {
  const cols = t.columns;
  const keys = cols.map((c) => c.key);
  const interval = cols.map((c) => c.format?.kind === 'interval');
  // Fields and records are joined once (a string built by += is a chain of pieces to flatten).
  const fields: string[] = [];
  for (let k = 0; k < cols.length; k++) {
    if (interval[k]) fields.push(csvField(csvCell(`${keys[k]}_low`)), csvField(csvCell(`${keys[k]}_high`)));
    else fields.push(csvField(csvCell(keys[k])));
  }
  let records: string[] = [fields.join(',')];
  let size = 0;
  for (const row of t.rows) {
    fields.length = 0;
    for (let k = 0; k < cols.length; k++) {
      const v = row[keys[k]] ?? null;
      if (interval[k]) {
        const pair = Array.isArray(v) ? (v as readonly [number, number]) : null;
        fields.push(pair ? rawNumber(pair[0]) : '', pair ? rawNumber(pair[1]) : '');
      } else fields.push(csvField(typeof v === 'string' ? csvCell(v) : rawCell(v)));
    }
    const rec = fields.join(',');
    records.push(rec);
    size += rec.length;
    if (size >= CSV_PIECE) {
      yield records.join('\n') + '\n';
      records = [];
      size = 0;
    }
  }
  if (records.length > 0) yield records.join('\n') + '\n';
}

/** Characters per CSV piece (records are whole in each piece). */
const CSV_PIECE = 1 << 16;

/** The output of a document in pieces: JSON and CSV stream (they can be larger than one string may be); the rest is one piece. */
export function renderChunks(doc: ResultDocument, format: OutputFormat, chalk: ChalkInstance, color: boolean, width?: number): Iterable<string> {
  if (format === 'json') return jsonChunks(doc.json);
  if (format === 'md') return markdownChunks(doc);
  if (format === 'csv') {
    const t = doc.tables.find((x) => x.id === doc.csvTable) ?? doc.tables[0];
    return t ? csvChunks(t) : [];
  }
  return [render(doc, format, chalk, color, width)];
}

export function renderCsv(doc: ResultDocument): string {
  const t = doc.tables.find((x) => x.id === doc.csvTable) ?? doc.tables[0];
  return t ? renderCsvTable(t) : '';
}

/**
 * JSON at full precision; non-finite numbers become null so the document is valid JSON
 * (JSON.stringify writes NaN and Infinity as null itself: no replacer, which would be
 * called for every value of a large document).
 */
export function renderJson(doc: ResultDocument): string {
  return jsonSafe(JSON.stringify(doc.json, null, 2)) + '\n';
}

/**
 * Text for Markdown: a `<` that would open an HTML tag, comment or declaration is
 * backslash-escaped (CommonMark shows it as a literal `<`), so text from the data or a
 * config (a title, a group name) can never become markup in a wiki or pull request.
 * `<0.001` and `< 36` stay as they are. A backslash that CommonMark would read as an escape
 * (before ASCII punctuation, or at the end, where markup follows) is doubled first: else
 * `\\<img ...>` from the data would become an escaped backslash and a raw tag, and `a\\|b`
 * would undo a cell's escaped pipe. Other backslashes (`\\x1b` from printable) stay as they are.
 * A `(` right after a `]` is escaped too, so `![x](http://...)` from the data is no image
 * (an external fetch when report.md is viewed) and `[x](...)` no link.
 */
export function mdText(s: string): string {
  return printable(s)
    .replace(MD_ESCAPING_BACKSLASH, '\\\\')
    .replace(/<(?=[A-Za-z/!?])/g, '\\<')
    .replace(/\](?=\()/g, ']\\');
}
/** A backslash CommonMark reads as an escape: before ASCII punctuation, or at the end of the text. */
const MD_ESCAPING_BACKSLASH = /\\(?=[!-/:-@[-`{-~]|$)/g;

/**
 * Text for the start of a Markdown line (a preface line, a note): mdText, and a character
 * that would open a block there backslash-escaped, so a line that begins with text from the
 * data (a measure named by its header, "# Totals -> plain numeric ...") cannot become a
 * heading, list item, block quote, thematic break, setext underline or code fence.
 */
export function mdLine(s: string): string {
  return mdText(s).replace(MD_BLOCK_START, (_m, lead: string, digits: string | undefined, dot: string | undefined, mark: string | undefined) =>
    digits !== undefined ? `${lead}${digits}\\${dot}` : `${lead}\\${mark}`,
  );
}
/**
 * Up to three spaces, then a block marker: # > - + * = _ ` ~, a [ (a link reference
 * definition), or digits and . or ) (an ordered list).
 */
const MD_BLOCK_START = /^( {0,3})(?:(\d{1,9})([.)])|([#>\-+*=_`~[]))/;

/**
 * Text as a Markdown code span (a file name): printable, fenced by one backtick more than the
 * longest run in the text, so a backtick in the name cannot end the span and let the rest
 * (`<b>`, `[x](...)`) be read as markup. Not for table cells (a pipe would still end the cell).
 */
export function mdCode(s: string): string {
  const text = printable(s);
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** Text for a Markdown table cell: mdText (line breaks shown as \n), pipes escaped. */
export function mdCell(s: string): string {
  return mdText(s).replace(/\|/g, '\\|');
}

export function renderMarkdownTable(t: TableModel, level = 2, cap?: RowCap): string {
  return [...markdownTableChunks(t, level, cap)].join('');
}

/** Lines of a Markdown table gathered into one piece. */
const MD_BATCH = 4096;

/** renderMarkdownTable's text in pieces of MD_BATCH lines; with a cap, its first rows and a note. */
function* markdownTableChunks(t: TableModel, level: number, cap?: RowCap): Generator<string> {
  let out: string[] = [];
  out.push(`${'#'.repeat(level)} ${mdText(t.title)}`, '');
  out.push('| ' + t.columns.map((c) => mdCell(c.header)).join(' | ') + ' |');
  out.push('|' + t.columns.map((c) => (isRight(c) ? '---:' : ':---')).join('|') + '|');
  const shown = shownRows(t, cap);
  // Only the rows shown are read (the rows may be made one at a time: src/sequence.ts).
  for (const row of cap ? take(t.rows, shown) : t.rows) {
    out.push('| ' + t.columns.map((c) => mdCell(formatCell(row[c.key] ?? null, cellFormat(c, row)))).join(' | ') + ' |');
    if (out.length >= MD_BATCH) {
      yield out.join('\n') + '\n';
      out = [];
    }
  }
  if (cap && shown < t.rows.length) out.push('', `${mdText(rowCapNote(t, cap))}  `);
  if (t.notes && t.notes.length > 0) {
    out.push('');
    for (const n of t.notes) out.push(`${mdLine(n)}  `);
  }
  if (out.length > 0) yield out.join('\n') + '\n';
}

/** The Markdown document; with a cap (report.md), each table shows at most cap.maxRows rows. */
export function renderMarkdown(doc: ResultDocument, cap?: RowCap): string {
  return [...markdownChunks(doc, cap)].join('');
}

/**
 * The Markdown document in pieces: its parts joined by line breaks, runs of three or more
 * line breaks made two and trailing white space dropped (as one string with
 * `.replace(/\n{3,}/g, '\n\n').trimEnd()` would), then one line break.
 */
export function* markdownChunks(doc: ResultDocument, cap?: RowCap): Generator<string> {
  function* parts(): Generator<string> {
    yield `# ${mdText(doc.title)}`;
    yield '\n';
    for (const line of doc.preface ?? []) yield `\n${mdLine(line)}  `;
    if (doc.preface && doc.preface.length > 0) yield '\n';
    for (const t of doc.tables) {
      yield '\n';
      yield* markdownTableChunks(t, 2, cap);
    }
    for (const n of doc.notes ?? []) yield `\n${mdLine(n)}  `;
    for (const w of collapseWarnings(doc.warnings ?? [])) yield `\n**${WARNING}** ${mdText(w.text)}.  `;
  }
  // White space after the last other character is held back until more text comes (a run
  // of line breaks then ends inside the text handed on, so it is collapsed whole).
  let pending = '';
  for (const p of parts()) {
    const s = pending + p;
    let end = s.length;
    while (end > 0 && /\s/.test(s[end - 1])) end--;
    if (end === 0) {
      pending = s;
      continue;
    }
    yield s.slice(0, end).replace(/\n{3,}/g, '\n\n');
    pending = s.slice(end);
  }
  yield '\n';
}

export function render(doc: ResultDocument, format: OutputFormat, chalk: ChalkInstance, color: boolean, width?: number): string {
  switch (format) {
    case 'json':
      return renderJson(doc);
    case 'csv':
      return renderCsv(doc);
    case 'md':
      return renderMarkdown(doc);
    default:
      return renderTable(doc, chalk, color, width);
  }
}

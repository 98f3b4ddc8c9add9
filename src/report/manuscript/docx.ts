/**
 * A Manuscript as a Word document (the npm `docx` library writes the WordprocessingML):
 * Times New Roman 12 pt; the results paragraphs; each table in APA layout: "Table N" in bold,
 * the title in italics, horizontal rules only (above and below the table and under the
 * header row; no vertical or inner rules), the note below starting with an italic "Note.";
 * with `methods`, the methods and a reference list with hanging indents.
 *
 * Deterministic: the library stamps the creation time into docProps/core.xml and every zip
 * entry; both are replaced by fixed values (no timestamps in output), so the same data gives
 * the same bytes.
 */
import {
  AlignmentType,
  BorderStyle,
  Document,
  HeadingLevel,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
  type ParagraphChild,
} from 'docx';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { printable } from '../../io/text-safety.js';
import { plain, type ApaTable, type Manuscript, type Text } from './model.js';

/** US Letter with 1-inch margins (APA 7), in twentieths of a point. */
const PAGE = { width: 12240, height: 15840, margin: 1440 };
const TEXT_WIDTH = PAGE.width - 2 * PAGE.margin;
/** Tables are set at 10 pt (half-points), the text at 12 pt. */
const TABLE_SIZE = 20;

/**
 * Column widths from the longest cell of each column (in characters, with room for the cell
 * margins), scaled to the text width: a reader lays the table out as given, not in equal
 * columns that wrap the numbers.
 */
function columnWidths(tb: ApaTable): number[] {
  const chars = tb.columns.map((c) => plain(c.header).length);
  for (const row of tb.rows) if (!('section' in row)) row.cells.forEach((c, j) => (chars[j] = Math.max(chars[j], plain(c).length)));
  const weights = chars.map((n, j) => n + (j === 0 ? 5 : 2)); // the label column is the one that may wrap
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => Math.floor((w / total) * TEXT_WIDTH));
}

function runs(t: Text, size?: number): ParagraphChild[] {
  const out: ParagraphChild[] = [];
  const sz = size === undefined ? {} : { size };
  for (const r of t) {
    if (typeof r === 'string') out.push(new TextRun({ text: printable(r), ...sz }));
    else {
      out.push(new TextRun({ text: printable(r.i), italics: true, ...sz }));
      if (r.sub !== undefined) out.push(new TextRun({ text: printable(r.sub), subScript: true, ...sz }));
    }
  }
  return out;
}

const NONE = { style: BorderStyle.NONE, size: 0, color: 'auto' } as const;
const RULE = { style: BorderStyle.SINGLE, size: 4, color: '000000' } as const;

function cell(children: ParagraphChild[], align: 'left' | 'right', width: number, opts: { header?: boolean; span?: number } = {}): TableCell {
  return new TableCell({
    width: { size: width, type: WidthType.DXA },
    children: [new Paragraph({ children, alignment: align === 'right' ? AlignmentType.RIGHT : AlignmentType.LEFT, spacing: { before: 40, after: 40 } })],
    ...(opts.span ? { columnSpan: opts.span } : {}),
    borders: { top: NONE, left: NONE, right: NONE, bottom: opts.header ? RULE : NONE },
    margins: { left: 80, right: 80 },
  });
}

function table(tb: ApaTable, n: number): (Paragraph | Table)[] {
  const widths = columnWidths(tb);
  const header = new TableRow({
    tableHeader: true,
    children: tb.columns.map((c, j) => cell(runs(c.header, TABLE_SIZE), c.align, widths[j], { header: true })),
  });
  const body = tb.rows.map(
    (row) =>
      new TableRow({
        cantSplit: true,
        children:
          'section' in row
            ? [cell([new TextRun({ text: printable(row.section), italics: true, size: TABLE_SIZE })], 'left', TEXT_WIDTH, { span: tb.columns.length })]
            : row.cells.map((c, j) => cell(runs(c, TABLE_SIZE), tb.columns[j].align, widths[j])),
      }),
  );
  return [
    new Paragraph({ children: [new TextRun({ text: `Table ${n}`, bold: true })], spacing: { before: 240, after: 120 }, keepNext: true }),
    new Paragraph({ children: [new TextRun({ text: printable(tb.title), italics: true })], spacing: { after: 120 }, keepNext: true }),
    new Table({
      rows: [header, ...body],
      width: { size: widths.reduce((a, b) => a + b, 0), type: WidthType.DXA },
      columnWidths: widths,
      borders: { top: RULE, bottom: RULE, left: NONE, right: NONE, insideHorizontal: NONE, insideVertical: NONE },
    }),
    new Paragraph({
      children: [new TextRun({ text: 'Note.', italics: true, size: TABLE_SIZE }), new TextRun({ text: ' ', size: TABLE_SIZE }), ...runs(tb.note, TABLE_SIZE)],
      spacing: { before: 120, after: 240 },
    }),
  ];
}

function heading(text: string, level: 1 | 2): Paragraph {
  return new Paragraph({
    children: [new TextRun({ text: printable(text), bold: true, color: '000000' })],
    heading: level === 1 ? HeadingLevel.HEADING_1 : HeadingLevel.HEADING_2,
    alignment: level === 1 ? AlignmentType.CENTER : AlignmentType.LEFT,
  });
}

/** A fixed zip time for every entry (DOS time starts in 1980). */
const ZIP_TIME = new Date(Date.UTC(1980, 0, 1, 12, 0, 0));

/** The docx library's package, with its timestamps replaced, re-zipped in a stable order. */
function stable(buf: Uint8Array): Buffer {
  const files = unzipSync(buf);
  const out: Zippable = {};
  for (const name of Object.keys(files).sort((a, b) => (a === '[Content_Types].xml' ? -1 : b === '[Content_Types].xml' ? 1 : a.localeCompare(b)))) {
    let data = files[name];
    if (name === 'docProps/core.xml') {
      const xml = new TextDecoder().decode(data).replace(/(<dcterms:(created|modified)[^>]*>)[^<]*(<\/dcterms:\2>)/g, '$11980-01-01T00:00:00Z$3');
      data = new TextEncoder().encode(xml);
    }
    out[name] = [data, { mtime: ZIP_TIME, level: 6 }];
  }
  return Buffer.from(zipSync(out));
}

export async function renderDocx(m: Manuscript, parts: { methods: boolean }, firstTable = 1): Promise<Buffer> {
  const children: (Paragraph | Table)[] = [heading('Results', 1)];
  for (const p of m.results)
    children.push(
      heading(p.heading, 2),
      new Paragraph({ children: runs(p.sentences.flatMap((s, k) => (k === 0 ? s : [' ', ...s]))), spacing: { after: 200 } }),
    );
  m.tables.forEach((tb, k) => children.push(...table(tb, firstTable + k)));
  if (parts.methods) {
    children.push(heading('Method', 1));
    for (const p of m.methods)
      children.push(
        heading(p.heading, 2),
        new Paragraph({ children: runs(p.sentences.flatMap((s, k) => (k === 0 ? s : [' ', ...s]))), spacing: { after: 200 } }),
      );
    children.push(heading('References', 1));
    for (const r of m.references) children.push(new Paragraph({ children: runs(r), indent: { left: 720, hanging: 720 }, spacing: { after: 120 } }));
  }
  const doc = new Document({
    creator: 'alliance-outcome',
    title: 'Results',
    styles: { default: { document: { run: { font: 'Times New Roman', size: 24 } } } },
    sections: [
      {
        properties: {
          page: { size: { width: PAGE.width, height: PAGE.height }, margin: { top: PAGE.margin, bottom: PAGE.margin, left: PAGE.margin, right: PAGE.margin } },
        },
        children,
      },
    ],
  });
  return stable(await Packer.toBuffer(doc));
}

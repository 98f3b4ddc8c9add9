/**
 * The parts of an .xlsx workbook (ECMA-376 Part 1, SpreadsheetML), read from the zip
 * without holding the workbook in memory: yauzl opens the zip by its central directory
 * (so parts are read in any order, whatever order the writer stored them in) and inflates
 * one part as a stream; saxes parses its XML as it arrives. ./xlsx.ts turns the cells into
 * the text the CSV path would read.
 *
 * - xl/workbook.xml: the sheets in workbook order (name, hidden state, relationship id),
 *   and the 1904 date system flag;
 * - xl/_rels/workbook.xml.rels: where each sheet's part is (relative or absolute target),
 *   and the styles and shared strings parts;
 * - xl/styles.xml: which cell formats (cellXfs) are date formats (built-in ids 14-22,
 *   27-36, 45-47, 50-58, or a format code with date/time letters outside quotes and
 *   brackets, as Excel and exceljs decide);
 * - xl/sharedStrings.xml: the shared strings (rich text runs joined; phonetic runs left out),
 *   the only part kept in memory;
 * - bounds (docs/safety.md): one shared string, inline string or cell text may hold at most
 *   MAX_TEXT characters (16 Mi, as a CSV record 16 MiB), checked while the text accumulates
 *   (saxes holds a text node until the tag after it: its pending text is measured after
 *   every chunk of at most 1 MiB), and the heap is checked per chunk (src/io/heap.ts), so a
 *   workbook of many strings ends in the heap guard's one line, not in V8's abort;
 * - cell text (shared and inline strings, a formula's cached string, <v>) is ST_Xstring
 *   (22.9.2.19): `_xHHHH_` stands for the UTF-16 code unit HHHH (Excel writes control
 *   characters so: `_x000D_` is CR) and `_x005F_` for the underscore of a literal `_xHHHH_`;
 *   `decodeXstring` undoes it as R readxl does (docs/formats.md);
 * - a worksheet's sheetData, row by row (`streamRows`), and its mergeCells (`sheetMerges`).
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import yauzl from 'yauzl';
import { createReadStream } from 'node:fs';
import { pipeline, Readable, Transform } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import { UserError, type Location } from '../errors.js';
import { checkHeap } from './heap.js';
import { columnLetters } from './table-input.js';

/**
 * The most characters one text may hold: a shared string, an inline string, a cell's <v>,
 * or any other text node of a part. 16 Mi, as the 16 MiB a CSV record may hold, so both
 * readers take the same cells: Excel's own cell limit is 32,767 characters, but other
 * writers go past it. Measured before the bound: one 256 MiB shared string (a 278 KB
 * workbook) peaked at 1.13 GB and, in a 200 MB heap, ended in V8's abort (exit 134).
 */
export const MAX_TEXT = 16 * 1024 * 1024;

/** How the parts are read: the name errors give the file, and the text bound (tests lower it). */
export interface ReadLimits {
  /** The file as the user named it (default: the path read, which may be a private copy). */
  display?: string;
  /** The most characters one text may hold (default MAX_TEXT). */
  maxText?: number;
}

function textTooLong(what: string, maxText: number, location: Location): UserError {
  return new UserError(`${what} runs on for more than ${maxText % 1048576 === 0 ? `${maxText / 1048576} M` : maxText} characters`, {
    location,
    hint: 'A cell of session data is far shorter: check that this is the export meant, or remove the text from the workbook',
  });
}

export interface SheetInfo {
  name: string;
  /** 'visible', 'hidden' or 'veryHidden'. */
  state: string;
  /** The sheet's part inside the zip ('' when the workbook names none). */
  part: string;
}

/**
 * The shared strings, in pieces of 65,536: no one array passes 512 KB, so the heap grows in
 * small steps the per-chunk heap check sees coming. One array of millions grows by half its
 * size at once (a copy beside itself): in a 64 MB heap that jump passed the guard's margin
 * and ended in V8's abort in about 1 run in 2.
 */
export class SharedStrings {
  private readonly pieces: string[][] = [];
  length = 0;
  push(s: string): void {
    (this.pieces[this.length >>> 16] ??= []).push(s);
    this.length++;
  }
  /** The string at a 0-based index; undefined when the workbook has no such string. */
  get(i: number): string | undefined {
    return i >= 0 && i < this.length ? this.pieces[i >>> 16][i & 0xffff] : undefined;
  }
}

export interface WorkbookParts {
  sheets: SheetInfo[];
  sharedStrings: SharedStrings;
  /** Per cell format index (the `s` attribute of a cell): true for a date/time format. */
  dateStyles: boolean[];
  date1904: boolean;
}

/** One row's cells, in parallel arrays reused between rows (`count` cells are valid). */
export interface RowCells {
  count: number;
  /** 0-based column index. */
  col: number[];
  /** The `t` attribute ('' for a number). */
  type: string[];
  /** The text of <v> (or of an inline string); null when the cell has none. */
  value: (string | null)[];
  /** The `s` attribute (cell format index; 0 when absent). */
  style: number[];
  /** True when the cell holds a formula. */
  formula: boolean[];
}

interface Zip {
  file: string;
  entries: Map<string, yauzl.Entry>;
  zip: yauzl.ZipFile;
}

async function openZip(file: string): Promise<Zip> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: false }, (err, z) => (err ? reject(err) : resolve(z))),
  );
  const entries = new Map<string, yauzl.Entry>();
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (e: yauzl.Entry) => {
        entries.set(e.fileName, e);
        zip.readEntry();
      });
      zip.on('end', () => resolve());
      zip.on('error', reject);
      zip.readEntry();
    });
  } catch (e) {
    zip.close();
    throw e;
  }
  return { file, entries, zip };
}

/**
 * Bytes per inflated chunk. zlib's default (16 KiB) costs a thread-pool round trip per 16 KiB:
 * about a second for the ~200 MB of XML of a 1M-row sheet, against ~0.15 s at 1 MiB.
 */
const INFLATE_CHUNK = 1 << 20;

/**
 * A part's bytes, inflated. A deflated part's compressed bytes are read straight from the file
 * in 1 MiB reads (where yauzl's local header says they start) and inflated in 1 MiB chunks,
 * the size checked against the central directory as yauzl checks it; other parts (stored)
 * through yauzl.
 */
async function partStream(z: Zip, name: string): Promise<Readable | null> {
  const entry = z.entries.get(name);
  if (!entry) return null;
  if (entry.compressionMethod !== 8 || entry.isEncrypted())
    return new Promise((resolve, reject) => z.zip.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s))));
  const start = await new Promise<number>((resolve, reject) =>
    z.zip.readLocalFileHeader(entry, { minimal: true }, (err, h) => (err ? reject(err) : resolve(h.fileDataStart))),
  );
  if (entry.compressedSize === 0) return inflated(Readable.from([]), entry.uncompressedSize);
  const raw = createReadStream(z.file, { start, end: start + entry.compressedSize - 1, highWaterMark: INFLATE_CHUNK });
  return inflated(raw, entry.uncompressedSize);
}

function inflated(raw: Readable, expected: number): Readable {
  let got = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      got += chunk.length;
      done(got > expected ? new Error(`too many bytes in the stream. expected ${expected}. got at least ${got}`) : null, chunk);
    },
    flush(done) {
      done(got < expected ? new Error(`not enough bytes in the stream. expected ${expected}. got only ${got}`) : null);
    },
  });
  // Errors reach the caller on `counted`; destroying it (a read stopped early) ends the others.
  return pipeline(raw, createInflateRaw({ chunkSize: INFLATE_CHUNK }), counted, () => undefined);
}

/** The element name without a namespace prefix (some writers prefix every element, x:c). */
function local(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
}

/**
 * Streams a part through a SAX parser. `start` may return 'stop' to end the read early
 * (the rest of the part is not inflated). After every chunk, `pending` gets the characters
 * of the text node saxes holds unfinished (it hands a text node on only at the next tag),
 * so a handler can bound the text it is collecting before it is held whole; any text node
 * past `limits.maxText` is refused here, and the heap is checked (src/io/heap.ts).
 */
async function parsePart(
  z: Zip,
  name: string,
  handlers: {
    open?: (tag: SaxesTagPlain) => void | 'stop';
    text?: (t: string) => void;
    close?: (tag: SaxesTagPlain) => void | 'stop';
    pending?: (chars: number) => void;
  },
  limits: ReadLimits = {},
): Promise<boolean> {
  const maxText = limits.maxText ?? MAX_TEXT;
  const at = (): Location => ({ file: limits.display ?? z.file });
  const stream = await partStream(z, name);
  if (!stream) return false;
  const parser = new SaxesParser({ position: false });
  // saxes's unfinished text node (a private field: the text, comment or attribute value being
  // read). Should a saxes update rename it, the text is bounded when its node ends (the
  // handlers' own checks), not while it arrives; test/io/xlsx-bounds.test.ts notices.
  const held = parser as unknown as { text?: unknown };
  let stopped = false;
  let failure: Error | null = null;
  parser.on('error', (e) => {
    failure ??= e;
  });
  if (handlers.open) {
    const open = handlers.open;
    parser.on('opentag', (t) => {
      if (!stopped && open(t as SaxesTagPlain) === 'stop') stopped = true;
    });
  }
  if (handlers.text) parser.on('text', handlers.text);
  if (handlers.close) {
    const close = handlers.close;
    parser.on('closetag', (t) => {
      if (!stopped && close(t as SaxesTagPlain) === 'stop') stopped = true;
    });
  }
  const decoder = new TextDecoder('utf-8');
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (chunk: Buffer) => {
      if (stopped || failure) return;
      try {
        parser.write(decoder.decode(chunk, { stream: true }));
        const n = typeof held.text === 'string' ? held.text.length : 0;
        handlers.pending?.(n);
        if (n > maxText) throw textTooLong(`a text in ${name}`, maxText, at());
        checkHeap(at);
      } catch (e) {
        // a handler's error (a cell that cannot be read) ends the read with it
        failure ??= e instanceof Error ? e : new Error(String(e));
      }
      if (failure) {
        stream.destroy();
        reject(failure);
      } else if (stopped) {
        stream.destroy();
        resolve();
      }
    });
    stream.on('end', () => {
      try {
        if (!stopped && !failure) parser.write(decoder.decode()).close();
      } catch (e) {
        failure ??= e instanceof Error ? e : new Error(String(e));
      }
      if (failure) reject(failure);
      else resolve();
    });
    stream.on('error', (e) => (stopped ? resolve() : reject(e)));
  });
  return true;
}

const XSTRING_ESCAPE = /_x([0-9A-Fa-f]{4})_/g;

/**
 * The text of an ST_Xstring: each `_xHHHH_` (four hex digits, either case) becomes the UTF-16
 * code unit HHHH, left to right, so `_x005F_x000D_` is the literal text `_x000D_`.
 */
export function decodeXstring(s: string): string {
  return s.includes('_x') ? s.replace(XSTRING_ESCAPE, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))) : s;
}

const BUILTIN_DATE_FORMATS = new Set([
  14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58,
]);

/** A custom number format code shows a date or time (letters y m d h s b outside "..." and [...]). */
export function isDateFormatCode(code: string): boolean {
  return /[ymdhMsb]/.test(code.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, ''));
}

function resolveTarget(target: string): string {
  const parts = (target.startsWith('/') ? target.slice(1) : `xl/${target}`).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '..') out.pop();
    else if (p !== '.' && p !== '') out.push(p);
  }
  return out.join('/');
}

/** Reads everything about the workbook but its cells: sheets, shared strings, date formats. */
export async function readWorkbook(file: string, limits: ReadLimits = {}): Promise<WorkbookParts> {
  const z = await openZip(file);
  try {
    const sheets: { name: string; state: string; rid: string }[] = [];
    let date1904 = false;
    await parsePart(
      z,
      'xl/workbook.xml',
      {
        open(t) {
          const n = local(t.name);
          if (n === 'sheet') {
            const rid = Object.entries(t.attributes).find(([k]) => local(k) === 'id' && k !== 'sheetId')?.[1] ?? '';
            sheets.push({ name: t.attributes.name ?? '', state: t.attributes.state ?? 'visible', rid });
          } else if (n === 'workbookPr') {
            const v = t.attributes.date1904;
            date1904 = v === '1' || v === 'true';
          }
        },
      },
      limits,
    );
    const targets = new Map<string, { target: string; type: string }>();
    await parsePart(
      z,
      'xl/_rels/workbook.xml.rels',
      {
        open(t) {
          if (local(t.name) === 'Relationship') targets.set(t.attributes.Id ?? '', { target: t.attributes.Target ?? '', type: t.attributes.Type ?? '' });
        },
      },
      limits,
    );
    // Styles and shared strings are found by their relationship (writers name the parts
    // differently: xl/SharedStrings.xml), else by the usual names.
    const partOf = (type: string, usual: string) => {
      for (const rel of targets.values()) if (rel.type.endsWith(`/${type}`)) return resolveTarget(rel.target);
      return usual;
    };
    const numFmts = new Map<number, string>();
    const dateStyles: boolean[] = [];
    let inXfs = false;
    await parsePart(
      z,
      partOf('styles', 'xl/styles.xml'),
      {
        open(t) {
          const n = local(t.name);
          if (n === 'numFmt') numFmts.set(Number(t.attributes.numFmtId), t.attributes.formatCode ?? '');
          else if (n === 'cellXfs') inXfs = true;
          else if (n === 'xf' && inXfs) {
            const id = Number(t.attributes.numFmtId ?? 0);
            const code = numFmts.get(id);
            dateStyles.push(code !== undefined ? isDateFormatCode(code) : BUILTIN_DATE_FORMATS.has(id));
          }
        },
        close(t) {
          if (local(t.name) === 'cellXfs') inXfs = false;
        },
      },
      limits,
    );
    const sharedStrings = new SharedStrings();
    let text = '';
    let run = '';
    let inT = false;
    let inPhonetic = false;
    // One string's runs joined may not pass maxText: checked as each run arrives and, while
    // a run is still arriving, against what saxes holds of it (`pending`).
    const maxText = limits.maxText ?? MAX_TEXT;
    const bound = (more: number) => {
      if (text.length + run.length + more > maxText)
        throw textTooLong(`shared string ${sharedStrings.length} (0-based, as cells refer to it)`, maxText, { file: limits.display ?? file });
    };
    await parsePart(
      z,
      partOf('sharedStrings', 'xl/sharedStrings.xml'),
      {
        open(t) {
          const n = local(t.name);
          if (n === 'si') text = '';
          else if (n === 't') {
            inT = !inPhonetic;
            run = '';
          } else if (n === 'rPh') inPhonetic = true;
        },
        text(s) {
          if (!inT) return;
          run += s;
          bound(0);
        },
        close(t) {
          const n = local(t.name);
          if (n === 't') {
            if (inT) text += decodeXstring(run);
            run = '';
            inT = false;
          } else if (n === 'rPh') inPhonetic = false;
          else if (n === 'si') sharedStrings.push(text);
        },
        pending(chars) {
          if (inT) bound(chars);
        },
      },
      limits,
    );
    const worksheets: SheetInfo[] = [];
    for (const s of sheets) {
      const rel = targets.get(s.rid);
      if (rel && !rel.type.endsWith('/worksheet')) continue; // chart sheets and dialog sheets hold no cells
      worksheets.push({ name: s.name, state: s.state, part: rel ? resolveTarget(rel.target) : '' });
    }
    return { sheets: worksheets, sharedStrings, dateStyles, date1904 };
  } finally {
    z.zip.close();
  }
}

/** The last column index (0-based) a sheet can have: XFD (ECMA-376 Part 1, 18.3.1.4; Excel's limit too). */
export const MAX_COLUMN = 16_383;

/**
 * Column index (0-based) of an A1 reference's letters, -1 when there are none; past XFD (a
 * column no sheet can have) it is MAX_COLUMN + 1, whatever the letters.
 */
function refColumn(ref: string): number {
  let c = 0;
  let i = 0;
  for (; i < ref.length; i++) {
    const k = ref.charCodeAt(i);
    if (k < 65 || k > 90) break;
    if (c > MAX_COLUMN) continue;
    c = c * 26 + (k - 64);
  }
  return i === 0 ? -1 : Math.min(c - 1, MAX_COLUMN + 1);
}

/**
 * Streams the rows of a sheet part in order. `onRow(row, cells)` gets the 1-based row
 * number and the row's cells; returning false stops the read. Returns the last row number.
 */
export async function streamRows(
  file: string,
  part: string,
  onRow: (row: number, cells: RowCells) => boolean | void,
  limits: ReadLimits & { /** The sheet's name, for a cell named in an error. */ sheet?: string } = {},
): Promise<number> {
  const z = await openZip(file);
  const cells: RowCells = { count: 0, col: [], type: [], value: [], style: [], formula: [] };
  let row = 0;
  let inData = false;
  let inRow = false;
  let col = -1;
  let type = '';
  let style = 0;
  let formula = false;
  let value: string | null = null;
  /** 1: collecting <v>; 2: collecting an inline string's <t>. */
  let collecting = 0;
  /** Where the <v> or <t> being collected starts in `value` (an inline string may have several runs). */
  let runStart = 0;
  let inInline = false;
  let inPhonetic = false;
  const maxText = limits.maxText ?? MAX_TEXT;
  const tooLong = () =>
    textTooLong("the cell's text", maxText, {
      file: limits.display ?? file,
      cell: `${limits.sheet !== undefined ? `${limits.sheet}!` : ''}${columnLetters(col)}${row}`,
    });
  try {
    const found = await parsePart(
      z,
      part,
      {
        open(t) {
          switch (local(t.name)) {
            case 'sheetData':
              inData = true;
              break;
            case 'row':
              if (!inData) break;
              inRow = true;
              row = t.attributes.r !== undefined ? Number(t.attributes.r) : row + 1;
              cells.count = 0;
              col = -1;
              break;
            case 'c': {
              if (!inRow) break;
              const ref = t.attributes.r;
              const rc = ref !== undefined ? refColumn(ref) : -1;
              col = rc >= 0 ? rc : col + 1;
              // A reader places a cell by its column: one past XFD (a damaged or hostile part,
              // `r="ZZZZZZZ1"`) would make it fill millions of empty cells before it.
              if (col > MAX_COLUMN)
                throw new Error(
                  `cell ${ref !== undefined ? (ref.length > 16 ? `${ref.slice(0, 16)}...` : ref) : `${col + 1} of row ${row}`} lies past column XFD, the last column a sheet can have`,
                );
              type = t.attributes.t ?? '';
              style = t.attributes.s !== undefined ? Number(t.attributes.s) : 0;
              formula = false;
              value = null;
              break;
            }
            case 'f':
              if (inRow) formula = true;
              break;
            case 'v':
              if (inRow) {
                collecting = 1;
                value = '';
                runStart = 0;
              }
              break;
            case 'is':
              if (inRow) {
                inInline = true;
                value = '';
              }
              break;
            case 'rPh':
              inPhonetic = true;
              break;
            case 't':
              if (inInline && !inPhonetic) {
                collecting = 2;
                runStart = value?.length ?? 0;
              }
              break;
          }
        },
        text(s) {
          if (collecting === 0) return;
          value += s;
          if ((value?.length ?? 0) > maxText) throw tooLong();
        },
        close(t) {
          switch (local(t.name)) {
            case 'v':
            case 't':
              if (collecting !== 0 && value !== null && value.includes('_x', runStart)) value = value.slice(0, runStart) + decodeXstring(value.slice(runStart));
              collecting = 0;
              break;
            case 'is':
              inInline = false;
              break;
            case 'rPh':
              inPhonetic = false;
              break;
            case 'c': {
              if (!inRow) break;
              const k = cells.count++;
              cells.col[k] = col;
              cells.type[k] = type;
              cells.value[k] = value;
              cells.style[k] = style;
              cells.formula[k] = formula;
              break;
            }
            case 'row':
              if (!inRow) break;
              inRow = false;
              if (onRow(row, cells) === false) return 'stop';
              break;
            case 'sheetData':
              inData = false;
              return 'stop';
          }
        },
        pending(chars) {
          if (collecting !== 0 && (value?.length ?? 0) + chars > maxText) throw tooLong();
        },
      },
      limits,
    );
    if (!found) throw new Error(`the workbook has no part ${part}`);
    return row;
  } finally {
    z.zip.close();
  }
}

/**
 * The merged ranges of a sheet (A1:B2 texts). They follow the cells in the part, so the part
 * is inflated to its end but only the bytes from `<mergeCells` on are parsed.
 */
export async function sheetMerges(file: string, part: string): Promise<string[]> {
  const z = await openZip(file);
  try {
    const stream = await partStream(z, part);
    if (!stream) return [];
    const marker = Buffer.from('mergeCell');
    let tail = Buffer.alloc(0);
    const kept: Buffer[] = [];
    let found = false;
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (chunk: Buffer) => {
        if (found) {
          kept.push(chunk);
          return;
        }
        const b = tail.length > 0 ? Buffer.concat([tail, chunk]) : chunk;
        const at = b.indexOf(marker);
        if (at >= 0) {
          found = true;
          kept.push(b.subarray(Math.max(0, b.lastIndexOf(0x3c, at))));
        } else tail = Buffer.from(b.subarray(Math.max(0, b.length - 64)));
      });
      stream.on('end', () => resolve());
      stream.on('error', reject);
    });
    if (!found) return [];
    const merges: string[] = [];
    const parser = new SaxesParser({ position: false, fragment: true });
    parser.on('error', () => {
      // the part's closing tags after mergeCells have no opening tag here
    });
    parser.on('opentag', (t) => {
      if (local(t.name) === 'mergeCell' && typeof t.attributes.ref === 'string') merges.push(t.attributes.ref);
    });
    parser.write(Buffer.concat(kept).toString('utf8')).close();
    return merges;
  } finally {
    z.zip.close();
  }
}

/**
 * Excel .xlsx workbooks, streamed: the workbook's parts are read through ./xlsx-parts.ts
 * (yauzl for the zip, saxes for the XML; see docs/formats.md for the choice), so memory
 * holds the shared strings and one row, never the sheet.
 *
 * Sheet: `--sheet NAME` or `--sheet N` (1-based, in workbook order, hidden sheets counted);
 * otherwise the first visible sheet whose first rows hold a header the mapping recognises
 * (a client id column). A hidden sheet is never chosen silently: when only a hidden sheet
 * looks like session data the error names it and says to pass --sheet.
 * Header: the first of the first 20 rows that looks like a header (title rows above it are
 * skipped and said in the notes); with no recogniser match, the first non-empty row.
 * Merged cells across the header row are an error naming the range (a merged header leaves
 * columns without a name). Cells: numbers stay numbers, date cells become yyyy-mm-dd,
 * formulas give their cached result (a formula without one is an error naming the cell),
 * Excel serial numbers in the date column become dates, error values (#N/A) stay text and
 * are reported by validate like any unreadable cell. `line` is the sheet row number, and
 * a cell is located as `Sheet!C5`.
 */
import { UserError, type Location } from '../errors.js';
import { parseNumberFast } from './number.js';
import type { ReadOptions, ReadStats, RecordHandler } from './types.js';
import { binaryInput, columnLetters, isoDate, numberText, type ColumnRoles, type TableInput, type TableOptions } from './table-input.js';
import type { Source } from './source.js';
import { readWorkbook, sheetMerges, streamRows, type RowCells, type SheetInfo, type WorkbookParts } from './xlsx-parts.js';

const HEADER_SCAN_ROWS = 20;
/** Excel's day 0 for serial dates (1899-12-30, so that serial 60 is the fictitious 1900-02-29 as Excel counts). */
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);
/** Days from 1899-12-30 to 1904-01-01, day 0 of the 1904 date system (ECMA-376 Part 1, 18.17.4.1). */
const DAYS_1904 = 1462;
const DAY_MS = 86_400_000;
/** The last day Excel can show (9999-12-31) as a serial number, plus one. */
const LAST_SERIAL = 2_958_466;

/** The text the CSV path would have read for cell `k` of a row; `where` locates the cell for an error. */
function cellText(wb: WorkbookParts, cells: RowCells, k: number, asDate: boolean, where: () => Location): string {
  const v = cells.value[k];
  if (v === null) {
    if (cells.formula[k]) {
      throw new UserError('the formula in this cell has no saved value', {
        location: where(),
        hint: 'Open the workbook in Excel or LibreOffice and save it (that stores the computed values), or paste the values',
      });
    }
    return '';
  }
  switch (cells.type[k]) {
    case 's': {
      const s = wb.sharedStrings.get(Number.parseInt(v, 10));
      if (s === undefined) {
        // A damaged workbook: reading the cell as empty would lose its value unseen.
        throw new UserError(`the cell refers to shared string ${v.length > 12 ? `${v.slice(0, 12)}...` : v}, but the workbook has ${wb.sharedStrings.length}`, {
          location: where(),
          hint: 'The workbook is damaged; save it again from Excel or LibreOffice as .xlsx, or export the sheet as CSV',
        });
      }
      return s;
    }
    case 'str':
    case 'inlineStr':
    case 'e':
    case 'd':
      return v;
    case 'b':
      return Number.parseInt(v, 10) !== 0 ? 'TRUE' : 'FALSE';
    default: {
      // A number cell's <v> is an xsd:double. Text that is not one ("0x10", "1,5", "31abc",
      // "Infinity", "1e400" from a damaged or hand-made part) is handed on as it is, so it is
      // reported like any cell that is not a number, never read as another number
      // (parseFloat would give 0, 1 and 31) or dropped.
      const n = parseNumberFast(v, false);
      if (n !== n) return v.trim();
      if (wb.dateStyles[cells.style[k]]) {
        const serial = n + (wb.date1904 ? DAYS_1904 : 0);
        // Past the days Excel can show (it shows ####): the number, reported as a date that is not one.
        return serial >= 0 && serial < LAST_SERIAL ? isoDate(EXCEL_EPOCH_MS + Math.round(serial * DAY_MS)) : numberText(n);
      }
      if (asDate && n > 0 && n < LAST_SERIAL) return isoDate(EXCEL_EPOCH_MS + Math.round(n * DAY_MS));
      return numberText(n);
    }
  }
}

/** A row's cell texts, trimmed, without trailing empty cells (a formula without a value reads as ''). */
function rowTexts(wb: WorkbookParts, cells: RowCells): string[] {
  const out: string[] = [];
  for (let k = 0; k < cells.count; k++) {
    let t: string;
    try {
      t = cellText(wb, cells, k, false, () => ({}));
    } catch {
      t = '';
    }
    const c = cells.col[k];
    while (out.length < c) out.push('');
    out[c] = t.trim();
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

/** The header row among the first 20 rows (-1 none), and the first non-empty row when asked to look for it. */
async function findHeader(
  file: string,
  display: string,
  wb: WorkbookParts,
  sheet: SheetInfo,
  looks: ((cells: string[]) => boolean) | undefined,
  orFirstNonEmpty: boolean,
): Promise<{ row: number; header: string[] }> {
  let found = { row: -1, header: [] as string[] };
  let firstNonEmpty = { row: -1, header: [] as string[] };
  if (!sheet.part || (!looks && !orFirstNonEmpty)) return found;
  await streamRows(
    file,
    sheet.part,
    (r, cells) => {
      const texts = rowTexts(wb, cells);
      if (r <= HEADER_SCAN_ROWS && looks && found.row < 0 && looks(texts)) found = { row: r, header: texts };
      if (firstNonEmpty.row < 0 && texts.length > 0) firstNonEmpty = { row: r, header: texts };
      if (found.row > 0) return false;
      return r < HEADER_SCAN_ROWS || (orFirstNonEmpty && firstNonEmpty.row < 0);
    },
    { display, sheet: sheet.name },
  );
  if (found.row < 0 && orFirstNonEmpty) return firstNonEmpty;
  return found;
}

function unreadable(source: Source, e: unknown): UserError {
  if (e instanceof UserError) return e;
  return new UserError(`cannot read the Excel workbook (${(e as Error).message.split('\n')[0]})`, {
    location: { file: source.display },
    hint: 'Save it again from Excel or LibreOffice as .xlsx, or export the sheet as CSV',
  });
}

export async function openXlsx(source: Source, options: TableOptions): Promise<TableInput> {
  try {
    return await open(source, options);
  } catch (e) {
    throw unreadable(source, e);
  }
}

async function open(source: Source, options: TableOptions): Promise<TableInput> {
  const wb = await readWorkbook(source.file, { display: source.display });
  const sheets = wb.sheets;
  const at = { file: source.display };
  if (sheets.length === 0) throw new UserError('the workbook has no sheets', { location: at, hint: 'Export the data again' });
  const names = sheets.map((s) => `'${s.name}'${s.state !== 'visible' ? ' (hidden)' : ''}`).join(', ');
  const notes: string[] = [];
  let ws: SheetInfo | undefined;
  let headerRow = -1;
  let header: string[] = [];
  if (options.sheet !== undefined) {
    const want = options.sheet.trim();
    ws = /^\d+$/.test(want)
      ? sheets[Number(want) - 1]
      : (sheets.find((s) => s.name === want) ?? sheets.find((s) => s.name.toLowerCase() === want.toLowerCase()));
    if (!ws) {
      throw new UserError(`the workbook has no sheet ${/^\d+$/.test(want) ? `number ${want}` : `'${want}'`}`, {
        location: at,
        hint: `Its sheets: ${names}; pass --sheet NAME or --sheet N (1 = the first)`,
      });
    }
    ({ row: headerRow, header } = await findHeader(source.file, source.display, wb, ws, options.looksLikeHeader, true));
    if (ws.state !== 'visible') notes.push(`sheet '${ws.name}' is hidden in the workbook; read because --sheet names it`);
  } else {
    for (const s of sheets) {
      if (s.state !== 'visible') continue;
      const h = await findHeader(source.file, source.display, wb, s, options.looksLikeHeader, false);
      if (h.row > 0) {
        ws = s;
        ({ row: headerRow, header } = h);
        break;
      }
    }
    if (!ws) {
      let hidden: SheetInfo | undefined;
      for (const s of sheets) {
        if (s.state !== 'visible' && (await findHeader(source.file, source.display, wb, s, options.looksLikeHeader, false)).row > 0) {
          hidden = s;
          break;
        }
      }
      if (hidden) {
        throw new UserError(`the only sheet that looks like session data, '${hidden.name}', is hidden`, {
          location: at,
          hint: `Pass --sheet '${hidden.name}' to read it (sheets: ${names})`,
        });
      }
      throw new UserError('no sheet of the workbook has a header with a client id column in its first 20 rows', {
        location: at,
        hint: `Pass --sheet NAME or N (sheets: ${names}), and --client COLUMN if the client column has another name`,
      });
    }
    if (sheets.length > 1) notes.push(`sheet '${ws.name}' read (first visible sheet with session data; sheets: ${names}; choose with --sheet)`);
  }
  const sheet = ws;
  if (headerRow < 0) throw new UserError(`sheet '${sheet.name}' is empty`, { location: at, hint: 'Pass --sheet NAME for the sheet with the data' });
  if (headerRow > 1)
    notes.push(`sheet '${sheet.name}': row${headerRow > 2 ? 's' : ''} 1${headerRow > 2 ? `-${headerRow - 1}` : ''} above the header skipped (title)`);

  // Merged cells spanning columns on the header row leave columns unnamed.
  const merges = (await sheetMerges(source.file, sheet.part)).slice().sort();
  for (const m of merges) {
    const mm = /^([A-Z]+)(\d+):([A-Z]+)(\d+)$/.exec(m);
    if (!mm) continue;
    const r1 = Number(mm[2]);
    const r2 = Number(mm[4]);
    if (r1 <= headerRow && headerRow <= r2 && mm[1] !== mm[3]) {
      throw new UserError(`header cells ${m} are merged, so the columns under them have no name of their own`, {
        location: { file: `${source.display}`, line: headerRow },
        hint: `Unmerge ${m} on sheet '${sheet.name}' and give each column its own name in row ${headerRow} (e.g. srs, ors)`,
      });
    }
  }

  if (header.length === 0)
    throw new UserError(`sheet '${sheet.name}' has an empty header row`, { location: { file: source.display, line: headerRow }, hint: 'Pass --sheet' });
  const ncols = header.length;
  const isDateCol: boolean[] = [];
  const locate = (line: number, field: number): string => `${sheet.name}!${field >= 0 ? columnLetters(field) : ''}${line}`;

  const read = async (onRecord: RecordHandler, opts?: ReadOptions): Promise<ReadStats> => {
    let records = 0;
    const fields: string[] = new Array<string>(ncols).fill('');
    let last = 0;
    // An error of the record handler (or a signal to stop, dataset's StopRead) passes as it is.
    const failed: { error: Error | null } = { error: null };
    const onRow = (r: number, cells: RowCells): void => {
      if (r <= headerRow) return;
      fields.length = ncols;
      fields.fill('');
      let any = false;
      for (let k = 0; k < cells.count; k++) {
        const c = cells.col[k];
        const t = cellText(wb, cells, k, isDateCol[c] === true, () => ({ file: source.display, cell: locate(r, c) }));
        if (t === '') continue;
        any = true;
        // Past the header only cells with a value count: a ragged row for validate.
        while (fields.length < c) fields.push('');
        fields[c] = t;
      }
      if (!any) return;
      records++;
      onRecord(fields, r);
    };
    try {
      last = await streamRows(
        source.file,
        sheet.part,
        (r, cells) => {
          try {
            onRow(r, cells);
          } catch (e) {
            failed.error = e instanceof Error ? e : new Error(String(e));
            return false;
          }
        },
        { display: source.display, sheet: sheet.name },
      );
    } catch (e) {
      throw unreadable(source, e);
    }
    if (failed.error !== null) throw failed.error;
    opts?.onProgress?.(source.bytes);
    return { records, bytes: source.bytes, lines: last };
  };

  return binaryInput(source, {
    header,
    headerLine: headerRow,
    read,
    format: `Excel workbook (sheet '${sheet.name}')`,
    kind: 'xlsx',
    notes,
    locate,
    configure(roles: ColumnRoles) {
      for (const d of roles.dates) isDateCol[d] = true;
    },
  });
}

/**
 * Excel .xlsx workbooks through exceljs (see docs/formats.md for the choice).
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
 *
 * The workbook is read whole (exceljs's document reader); see docs/formats.md for memory.
 */
import ExcelJS from 'exceljs';
import { UserError } from '../errors.js';
import type { ReadOptions, ReadStats, RecordHandler } from './types.js';
import { binaryInput, columnLetters, isoDate, numberText, type ColumnRoles, type TableInput, type TableOptions } from './table-input.js';
import type { Source } from './source.js';

const HEADER_SCAN_ROWS = 20;
/** Excel's day 0 for serial dates (1899-12-30, so that serial 60 is the fictitious 1900-02-29 as Excel counts). */
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);
const DAY_MS = 86_400_000;

/** The text the CSV path would have read for a cell value. */
function cellText(v: ExcelJS.CellValue, asDate: boolean, where: () => string): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return asDate && v > 0 && v < 2_958_466 ? isoDate(EXCEL_EPOCH_MS + Math.round(v * DAY_MS)) : numberText(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof Date) return isoDate(v.getTime());
  if (typeof v === 'object') {
    if ('formula' in v || 'sharedFormula' in v) {
      const r = (v as { result?: unknown }).result;
      if (r === undefined) {
        throw new UserError(`the formula in cell ${where()} has no saved value`, {
          hint: 'Open the workbook in Excel or LibreOffice and save it (that stores the computed values), or paste the values',
        });
      }
      if (r !== null && typeof r === 'object' && 'error' in r) return String(r.error);
      return cellText(r as ExcelJS.CellValue, asDate, where);
    }
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('error' in v) return String(v.error);
    if ('text' in v) return String((v as { text: unknown }).text);
  }
  return String(v);
}

function rowTexts(ws: ExcelJS.Worksheet, r: number, upTo: number): string[] {
  const row = ws.getRow(r);
  const out: string[] = [];
  const n = Math.max(upTo, row.cellCount);
  for (let c = 1; c <= n; c++) {
    const v = row.getCell(c).value;
    let t: string;
    try {
      t = cellText(v, false, () => `${ws.name}!${columnLetters(c - 1)}${r}`);
    } catch {
      t = '';
    }
    out.push(t.trim());
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

function findHeader(ws: ExcelJS.Worksheet, looks: ((cells: string[]) => boolean) | undefined): number {
  const last = Math.min(ws.rowCount, HEADER_SCAN_ROWS);
  if (looks) for (let r = 1; r <= last; r++) if (looks(rowTexts(ws, r, 0))) return r;
  return -1;
}

function firstNonEmptyRow(ws: ExcelJS.Worksheet): number {
  for (let r = 1; r <= ws.rowCount; r++) if (rowTexts(ws, r, 0).length > 0) return r;
  return -1;
}

export async function openXlsx(source: Source, options: TableOptions): Promise<TableInput> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.readFile(source.file);
  } catch (e) {
    throw new UserError(`cannot read the Excel workbook (${(e as Error).message.split('\n')[0]})`, {
      location: { file: source.display },
      hint: 'Save it again from Excel or LibreOffice as .xlsx, or export the sheet as CSV',
    });
  }
  const sheets = wb.worksheets;
  const at = { file: source.display };
  if (sheets.length === 0) throw new UserError('the workbook has no sheets', { location: at, hint: 'Export the data again' });
  const names = sheets.map((s) => `'${s.name}'${s.state !== 'visible' ? ' (hidden)' : ''}`).join(', ');
  const notes: string[] = [];
  let ws: ExcelJS.Worksheet | undefined;
  let headerRow = -1;
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
    headerRow = findHeader(ws, options.looksLikeHeader);
    if (headerRow < 0) headerRow = firstNonEmptyRow(ws);
    if (ws.state !== 'visible') notes.push(`sheet '${ws.name}' is hidden in the workbook; read because --sheet names it`);
  } else {
    for (const s of sheets) {
      if (s.state !== 'visible') continue;
      const h = findHeader(s, options.looksLikeHeader);
      if (h > 0) {
        ws = s;
        headerRow = h;
        break;
      }
    }
    if (!ws) {
      const hidden = sheets.find((s) => s.state !== 'visible' && findHeader(s, options.looksLikeHeader) > 0);
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
  const merges: string[] = ((sheet.model as { merges?: string[] }).merges ?? []).slice().sort();
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

  const header = rowTexts(sheet, headerRow, 0);
  if (header.length === 0)
    throw new UserError(`sheet '${sheet.name}' has an empty header row`, { location: { file: source.display, line: headerRow }, hint: 'Pass --sheet' });
  const ncols = header.length;
  const dateCols = new Set<number>();
  const locate = (line: number, field: number): string => `${sheet.name}!${field >= 0 ? columnLetters(field) : ''}${line}`;

  const read = async (onRecord: RecordHandler, opts?: ReadOptions): Promise<ReadStats> => {
    let records = 0;
    const last = sheet.rowCount;
    const fields: string[] = new Array<string>(ncols).fill('');
    for (let r = headerRow + 1; r <= last; r++) {
      const row = sheet.getRow(r);
      if (!row.hasValues) continue;
      const n = Math.max(ncols, row.cellCount);
      fields.length = ncols;
      let any = false;
      for (let c = 0; c < n; c++) {
        const t = cellText(row.getCell(c + 1).value, dateCols.has(c), () => locate(r, c));
        if (c < ncols) fields[c] = t;
        else if (t !== '') fields[c] = t; // past the header: a ragged row for validate
        if (t !== '') any = true;
      }
      // Trailing cells past the header that are empty do not make the row ragged.
      for (let c = fields.length - 1; c >= ncols && fields[c] === ''; c--) fields.length = c;
      for (let c = ncols; c < fields.length; c++) if (fields[c] === undefined) fields[c] = '';
      if (!any) continue;
      records++;
      onRecord(fields, r);
    }
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
      for (const d of roles.dates) dateCols.add(d);
    },
  });
}

/**
 * SPSS system files (.sav, and .zsav), read by our own decoder (./sav/dictionary.ts,
 * ./sav/cases.ts) against the published format; docs/formats.md says why no npm package
 * was used.
 *
 * - Variable names are the header (long names when the file has them); variable labels
 *   are kept (`labels`) and shown in the mapping notes.
 * - Value labels are applied to columns that are not measures (a site stored as 1/2 with
 *   labels North/South reads as North/South); measures stay numbers.
 * - User-defined missing values declared in the file (discrete values, a range, or a range
 *   and a value; strings too) read as missing, never as a score; system-missing reads as
 *   missing.
 * - Numeric variables with an SPSS date format (DATE, ADATE, EDATE, JDATE, SDATE, DATETIME,
 *   YMDHMS, QYR, MOYR, WKYR) hold seconds since 1582-10-14 and read as yyyy-mm-dd.
 * - Strings are decoded whole in the file's encoding (record 20, else its code page), so
 *   non-ASCII text longer than 8 bytes and very long strings (over 255 bytes, stored in
 *   segments) read as written.
 *
 * `line` is the case number (1-based); a cell is located as `case 12, variable srs`;
 * the header has no line (headerLine 0).
 */
import * as fs from 'node:fs';
import { UserError } from '../errors.js';
import type { ReadOptions, ReadStats, RecordHandler } from './types.js';
import { binaryInput, isoDate, numberText, type ColumnRoles, type TableInput } from './table-input.js';
import type { Source } from './source.js';
import { decoderFor, readDictionary, SavFormatError, type Missing, type SavDictionary, type SavVariable } from './sav/dictionary.js';
import { readCases } from './sav/cases.js';

/** Seconds from the SPSS epoch (1582-10-14) to the Unix epoch. */
const SPSS_EPOCH_S = 12_219_379_200;
/** SPSS print format codes of dates: DATE 20, DATETIME 22, ADATE 23, JDATE 24, MOYR 28, QYR 29, WKYR 30, EDATE 38, SDATE 39, YMDHMS 41. */
const DATE_FORMATS = new Set([20, 22, 23, 24, 28, 29, 30, 38, 39, 41]);

function describeMissing(m: Missing): string {
  if (m.kind === 'none') return '';
  if (m.kind === 'values') return m.values.map((v) => (typeof v === 'number' ? numberText(v) : `'${v}'`)).join(', ');
  const lo = m.low <= -Number.MAX_VALUE ? 'LOWEST' : numberText(m.low);
  const hi = m.high >= Number.MAX_VALUE ? 'HIGHEST' : numberText(m.high);
  return `${lo} thru ${hi}${m.value !== undefined ? `, ${numberText(m.value)}` : ''}`;
}

/** A test of a number against a variable's user-missing values. */
function numericMissing(m: Missing): ((v: number) => boolean) | null {
  if (m.kind === 'none') return null;
  if (m.kind === 'values') {
    const set = new Set(m.values.filter((v): v is number => typeof v === 'number'));
    return set.size === 0 ? null : (v) => set.has(v);
  }
  const { low, high, value } = m;
  return (v) => (v >= low && v <= high) || v === value;
}

function unreadable(source: Source, e: unknown): UserError {
  return new UserError(`cannot read the SPSS file (${(e as Error).message})`, {
    location: { file: source.display },
    hint: 'The file is damaged or not an SPSS system file; save it again from SPSS, or export it as CSV',
  });
}

function dictionaryOf(source: Source): SavDictionary {
  const fd = fs.openSync(source.file, 'r');
  try {
    return readDictionary({
      read(at, n) {
        const b = Buffer.alloc(n);
        return b.subarray(0, fs.readSync(fd, b, 0, n, at));
      },
    });
  } catch (e) {
    if (e instanceof SavFormatError || e instanceof RangeError) throw unreadable(source, e);
    throw e;
  } finally {
    fs.closeSync(fd);
  }
}

export async function openSav(source: Source): Promise<TableInput> {
  const dict = dictionaryOf(source);
  const vars = dict.variables;
  const kind = dict.compression === 2 ? 'SPSS .zsav' : 'SPSS .sav';
  const header = vars.map((v) => v.name);
  const labels = vars.map((v) => v.label);
  const notes: string[] = [];
  const declared = vars.filter((v) => v.missing.kind !== 'none');
  if (declared.length > 0)
    notes.push(`user-missing values declared in the file read as missing: ${declared.map((v) => `${v.name} (${describeMissing(v.missing)})`).join(', ')}`);
  let applyLabels = vars.map((v) => v.labels !== null);
  const cell = cellReader(dict);

  const read = async (onRecord: RecordHandler, opts?: ReadOptions): Promise<ReadStats> => {
    const n = vars.length;
    const fields = new Array<string>(n).fill('');
    const wanted = opts?.fields ?? vars.map((_, k) => k);
    let lastReport = 0;
    const failed: { error: Error | null } = { error: null };
    let cases = 0;
    try {
      cases = await readCases(
        source.file,
        dict,
        (record, c) => {
          if (failed.error !== null) return;
          for (const k of wanted) fields[k] = cell(record, k, applyLabels[k]);
          try {
            onRecord(fields, c);
          } catch (e) {
            failed.error = e instanceof Error ? e : new Error(String(e));
          }
        },
        (at) => {
          if (at - lastReport >= 8 << 20) {
            lastReport = at;
            opts?.onProgress?.(at);
          }
        },
      );
    } catch (e) {
      if (e instanceof SavFormatError) throw unreadable(source, e);
      throw e;
    }
    if (failed.error !== null) throw failed.error;
    opts?.onProgress?.(source.bytes);
    return { records: cases, bytes: source.bytes, lines: cases };
  };

  return binaryInput(source, {
    header,
    headerLine: 0,
    read,
    format: kind,
    kind: dict.compression === 2 ? 'zsav' : 'sav',
    notes,
    labels,
    locate: (line: number, field: number) => (field >= 0 ? `case ${line}, variable ${header[field]}` : `case ${line}`),
    configure(roles: ColumnRoles) {
      const measures = new Set(roles.measures);
      applyLabels = vars.map((v, k) => v.labels !== null && !measures.has(k));
      const labelled = header.filter((_, k) => applyLabels[k]);
      if (labelled.length > 0) notes.push(`value labels applied: ${labelled.join(', ')} (measures keep their numbers)`);
    },
  });
}

/** The text of variable k in a case record, as the CSV path would have read it. */
function cellReader(dict: SavDictionary): (record: Buffer, k: number, labelled: boolean) => string {
  const dec = decoderFor(dict.encoding);
  const vars = dict.variables;
  const missing = vars.map((v) => (v.width === 0 ? numericMissing(v.missing) : null));
  const stringMissing = vars.map((v) => (v.width > 0 && v.missing.kind === 'values' ? new Set(v.missing.values.map(String)) : null));
  const isDate = vars.map((v) => v.width === 0 && DATE_FORMATS.has(v.format));
  const longest = Math.max(8, ...vars.map((v) => v.width));
  const scratch = Buffer.alloc(longest);
  const le = dict.littleEndian;
  const stringOf = (record: Buffer, v: SavVariable): string => {
    if (v.segments.length === 1) {
      const [o, n] = v.segments[0];
      let e = o + n;
      while (e > o && record[e - 1] === 0x20) e--;
      return dec.decode(record.subarray(o, e));
    }
    let len = 0;
    for (const [o, n] of v.segments) len += record.copy(scratch, len, o, o + n);
    while (len > 0 && scratch[len - 1] === 0x20) len--;
    return dec.decode(scratch.subarray(0, len));
  };
  return (record, k, labelled) => {
    const v = vars[k];
    if (v.width === 0) {
      const o = v.segments[0][0];
      const x = le ? record.readDoubleLE(o) : record.readDoubleBE(o);
      if (x === dict.sysmis || Number.isNaN(x)) return '';
      if (missing[k]?.(x)) return '';
      if (isDate[k]) {
        // A date no calendar holds (a damaged value): the number, which validate reports as a date that is not one.
        const d = isoDate((x - SPSS_EPOCH_S) * 1000);
        return d !== '' ? d : numberText(x);
      }
      if (labelled) {
        const l = v.labels!.get(x);
        if (l !== undefined) return l;
      }
      return numberText(x);
    }
    const s = stringOf(record, v);
    if (stringMissing[k]?.has(s)) return '';
    if (labelled) {
      const l = v.labels!.get(s);
      if (l !== undefined) return l;
    }
    return s;
  };
}

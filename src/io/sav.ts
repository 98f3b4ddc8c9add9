/**
 * SPSS system files (.sav, and .zsav) through the `sav-reader` package (see
 * docs/formats.md for the choice and its limits).
 *
 * - Variable names are the header; variable labels are kept (`labels`) and shown in the
 *   mapping notes.
 * - Value labels are applied to columns that are not measures (a site stored as 1/2 with
 *   labels North/South reads as North/South); measures stay numbers.
 * - User-defined missing values declared in the file (discrete values or a range) read
 *   as missing, never as a score; system-missing reads as missing.
 * - Numeric variables with an SPSS date format (DATE, ADATE, EDATE, JDATE, SDATE, DATETIME,
 *   YMDHMS, ...) hold seconds since 1582-10-14 and read as yyyy-mm-dd.
 * - .zsav (zlib-compressed) files are turned back into a bytecode-compressed .sav in a
 *   temporary file first: the dictionary is copied, the compression field set to 1 and the
 *   zlib blocks listed in the file's trailer inflated in order (IBM SPSS Statistics
 *   system-file format; the PSPP manual, "System File Format", describes it).
 *
 * `line` is the case number (1-based); a cell is located as `case 12, variable srs`;
 * the header has no line (headerLine 0).
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { inflateSync } from 'node:zlib';
import { UserError } from '../errors.js';
import type { ReadOptions, ReadStats, RecordHandler } from './types.js';
import { binaryInput, isoDate, numberText, type ColumnRoles, type TableInput } from './table-input.js';
import type { Source } from './source.js';

interface SysVar {
  type: number;
  name: string;
  label: string | null;
  missing: null | number | number[] | { min: number; max: number; value?: number };
  printFormat: { typestr: string };
}
interface SavReaderLike {
  open(): Promise<void>;
  readNextRow(includeNulls?: boolean): Promise<Record<string, unknown> | null>;
  meta: { header: { n_cases?: number }; sysvars: SysVar[]; getValueLabels(name: string): { val: unknown; label: string }[] | undefined | null };
}

const require_ = createRequire(import.meta.url);

/** Seconds from the SPSS epoch (1582-10-14) to the Unix epoch. */
const SPSS_EPOCH_S = 12_219_379_200;
const DATE_FORMATS = new Set(['DATE', 'ADATE', 'EDATE', 'JDATE', 'SDATE', 'QYR', 'MOYR', 'WKYR', 'DATETIME', 'YMDHMS', 'DATETIME8']);

/** A .zsav's bytes as a bytecode-compressed .sav (see the module comment). */
export function zsavToSav(b: Buffer): Buffer {
  const size = b.length;
  // The trailer ends the file: bias (int64), zero (int64), block size (int32), n blocks (int32), then 24 bytes per block.
  for (let n = 1; 24 + 24 * n <= size; n++) {
    const t = size - 24 - 24 * n;
    if (b.readInt32LE(t + 20) !== n || b.readBigInt64LE(t + 8) !== 0n) continue;
    const blocks: { cofs: number; clen: number; ulen: number }[] = [];
    for (let k = 0; k < n; k++) {
      const e = t + 24 + 24 * k;
      blocks.push({ cofs: Number(b.readBigInt64LE(e + 8)), ulen: b.readInt32LE(e + 16), clen: b.readInt32LE(e + 20) });
    }
    const zheader = blocks[0].cofs - 24;
    if (zheader < 176 || Number(b.readBigInt64LE(zheader)) !== zheader) continue;
    const parts: Buffer[] = [Buffer.from(b.subarray(0, zheader))];
    parts[0].writeInt32LE(1, 72); // compression: bytecode
    parts[0].write('$FL2', 0, 'latin1');
    for (const bl of blocks) parts.push(inflateSync(b.subarray(bl.cofs, bl.cofs + bl.clen)));
    return Buffer.concat(parts);
  }
  throw new Error('no zlib trailer found');
}

function isMissing(v: number, spec: SysVar['missing']): boolean {
  if (spec === null || spec === undefined) return false;
  if (typeof spec === 'number') return v === spec;
  if (Array.isArray(spec)) return spec.includes(v);
  return (v >= spec.min && v <= spec.max) || (spec.value !== undefined && v === spec.value);
}

function describeMissing(spec: SysVar['missing']): string {
  if (spec === null || spec === undefined) return '';
  if (typeof spec === 'number') return numberText(spec);
  if (Array.isArray(spec)) return spec.map(numberText).join(', ');
  const lo = spec.min <= -Number.MAX_VALUE ? 'LOWEST' : numberText(spec.min);
  const hi = spec.max >= Number.MAX_VALUE ? 'HIGHEST' : numberText(spec.max);
  return `${lo} thru ${hi}${spec.value !== undefined ? `, ${numberText(spec.value)}` : ''}`;
}

export async function openSav(source: Source): Promise<TableInput> {
  const at = { file: source.display };
  let file = source.file;
  const magic = fs.readFileSync(source.file).subarray(0, 4).toString('latin1');
  let kind = 'SPSS .sav';
  if (magic === '$FL3') {
    kind = 'SPSS .zsav';
    try {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alliance-zsav-'));
      process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
      file = path.join(dir, 'data.sav');
      fs.writeFileSync(file, zsavToSav(fs.readFileSync(source.file)));
    } catch (e) {
      throw new UserError(`cannot decompress the .zsav file (${(e as Error).message})`, {
        location: at,
        hint: 'The file is damaged or truncated; save it again from SPSS (or as an uncompressed .sav)',
      });
    }
  }
  const { SavFileReader } = require_('sav-reader') as { SavFileReader: new (f: string) => SavReaderLike };
  const open = async (): Promise<SavReaderLike> => {
    const r = new SavFileReader(file);
    try {
      await r.open();
    } catch (e) {
      throw new UserError(`cannot read the SPSS file (${(e as Error).message})`, {
        location: at,
        hint: 'The file is damaged or not an SPSS system file; save it again from SPSS, or export it as CSV',
      });
    }
    return r;
  };
  const first = await open();
  const vars = first.meta.sysvars;
  const header = vars.map((v) => v.name);
  const labels = vars.map((v) => (v.label && v.label.trim() !== '' ? v.label.trim() : null));
  const isDate = vars.map((v) => v.type === 0 && DATE_FORMATS.has(v.printFormat?.typestr));
  const valueLabels = vars.map((v) => {
    const entries = first.meta.getValueLabels(v.name) ?? [];
    if (entries.length === 0) return null;
    const m = new Map<unknown, string>();
    for (const e of entries) m.set(typeof e.val === 'string' ? e.val.trimEnd() : e.val, e.label);
    return m;
  });
  const notes: string[] = [];
  const declared = vars.filter((v) => v.missing !== null && v.missing !== undefined);
  if (declared.length > 0)
    notes.push(`user-missing values declared in the file read as missing: ${declared.map((v) => `${v.name} (${describeMissing(v.missing)})`).join(', ')}`);
  let applyLabels = valueLabels.map((m) => m !== null);

  const read = async (onRecord: RecordHandler, opts?: ReadOptions): Promise<ReadStats> => {
    const r = await open();
    const n = vars.length;
    const fields = new Array<string>(n).fill('');
    let cases = 0;
    // sav-reader delivers one phantom row of nulls after the last case: stop at the case
    // count the header declares, and when it declares none (-1), drop an all-null last row.
    const declaredCases = typeof r.meta.header.n_cases === 'number' && r.meta.header.n_cases >= 0 ? r.meta.header.n_cases : -1;
    for (;;) {
      if (declaredCases >= 0 && cases >= declaredCases) break;
      const row = await r.readNextRow(true);
      if (row === null || row === undefined) break;
      if (declaredCases < 0 && vars.every((v) => row[v.name] === null || row[v.name] === undefined || (v.type !== 0 && row[v.name] === 'null'))) break;
      cases++;
      for (let k = 0; k < n; k++) {
        const v = row[vars[k].name];
        let t: string;
        if (v === null || v === undefined) t = '';
        else if (typeof v === 'number') {
          if (isMissing(v, vars[k].missing)) t = '';
          else if (isDate[k]) t = isoDate((v - SPSS_EPOCH_S) * 1000);
          else if (applyLabels[k] && valueLabels[k]!.has(v)) t = valueLabels[k]!.get(v)!;
          else t = numberText(v);
        } else {
          const s = (typeof v === 'string' ? v : JSON.stringify(v)).trimEnd();
          t = applyLabels[k] && valueLabels[k]!.has(s) ? valueLabels[k]!.get(s)! : s;
        }
        fields[k] = t;
      }
      onRecord(fields, cases);
    }
    opts?.onProgress?.(source.bytes);
    return { records: cases, bytes: source.bytes, lines: cases };
  };

  return binaryInput(source, {
    header,
    headerLine: 0,
    read,
    format: kind,
    kind: kind === 'SPSS .zsav' ? 'zsav' : 'sav',
    notes,
    labels,
    locate: (line: number, field: number) => (field >= 0 ? `case ${line}, variable ${header[field]}` : `case ${line}`),
    configure(roles: ColumnRoles) {
      const measures = new Set(roles.measures);
      applyLabels = valueLabels.map((m, k) => m !== null && !measures.has(k));
      const labelled = header.filter((_, k) => applyLabels[k]);
      if (labelled.length > 0) notes.push(`value labels applied: ${labelled.join(', ')} (measures keep their numbers)`);
    },
  });
}

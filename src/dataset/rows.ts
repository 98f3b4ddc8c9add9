/**
 * Reading one part (file) into interpreted rows: two read paths over the same rules
 * (./cells.ts).
 *
 * The byte path (a source with readRanges: UTF-8 CSV; no onRaw, or onRaw with its byte-range
 * form onRawRange, which gets each record as it comes) takes records as byte ranges,
 * parses numbers and ISO dates straight from the bytes, compares the client (and therapist /
 * group) with the previous row's in place, and makes a string only when that text changes
 * or a cell is not a plain valid number the rules accept as it is; such cells go to the same
 * CellRules method the string path calls. It reuses one SessionRow and allocates nothing
 * else per row. The string path (other encodings and formats, and scans with onRaw alone) reads
 * the cells' text (and typed values), projected to the mapped columns without onRaw.
 * test/dataset/range-path.test.ts checks that both paths give the same rows, issues and ids.
 */
import { decodeUtf8, fieldText, type RangeRecord } from '../io/scanner.js';
import type { CellRules, CellSink } from './cells.js';
import { dateRejecter } from './dates.js';
import type { Interner } from './intern.js';
import type { Part } from './plan.js';
import type { TypedCells } from './source.js';
import type { CellIssue, FileInfo, RowReduction, ScanStats, SessionRow } from './types.js';
import type { RangeReduction } from '../io/parallel/reduce.js';
import { RUN_HEAD, RUN_STRIDE, type RunLayout, type RunSpec } from './range-runs.js';
import { kernelReads } from './range-kernel.js';
import { parseDateBytes, parseNumberBytesInto } from './values.js';

/** What every part of one dataset shares. */
export interface RowEnv {
  files: FileInfo[];
  cells: CellRules;
  clientIds: Interner;
  therapistIds: Interner;
  groupIds: Interner[];
  /** Number of measures and groups of the dataset. */
  M: number;
  G: number;
}

/** State of one scan call. */
export interface ScanCtx {
  row: SessionRow;
  stats: ScanStats;
  ragged: number;
  onIssue: ((issue: CellIssue) => void) | undefined;
  onRaw: ((fields: string[], line: number, file: number) => void) | undefined;
  /** onRaw's byte-range form (ScanOptions.onRawRange): with it the byte path is kept. */
  onRawRange?: ((rec: RangeRecord, line: number, file: number) => void) | undefined;
  /** Pre-pass for session numbering: only client, session and date are read. */
  keysOnly: boolean;
  /** Parts of the row the caller reads (ScanOptions.need, resolved). */
  needDate: boolean;
  needTherapist: boolean;
  needGroups: boolean;
  /** Measures read (indices into the dataset's measures; null: all). */
  needMeasures: readonly number[] | null;
  /** Bytes of file `file` read so far in this pass (ScanProgress.bytes). */
  onBytes?: (file: number, bytes: number) => void;
  /** Client runs reduced in the read's workers (ScanOptions.reduce; set only when the scan allows it). */
  reduce?: RowReduction | undefined;
}

/**
 * Reads one part, interprets each record into ctx.row (measures of other parts set to NaN)
 * and calls emit. Ragged rows and rows without a client are dropped here.
 */
export async function readPart(env: RowEnv, part: Part, ctx: ScanCtx, emit: (row: SessionRow) => void): Promise<void> {
  const { files, cells, clientIds, therapistIds, groupIds, M, G } = env;
  const { row, stats, onIssue, onRaw, keysOnly } = ctx;
  const fileNo = part.file;
  const ncols = part.ncols;
  const ci = part.client;
  const si = part.session;
  const di = part.date;
  const ti = part.therapist;
  const gIdx = part.groups;
  // The part's measures the scan reads (the others stay NaN: set once here when no other
  // part's measures make every row start from NaN).
  const { mG, mF } = measuresRead(part, ctx.needMeasures);
  const nm = mG.length;
  const decimal = part.decimal;
  const fmt = part.dateFormat;
  const missing = cells.missing;
  const values = row.values;
  const rowGroups = row.groups;
  const fullRow = part.measureG.length < M;
  if (!fullRow && nm < M) row.values.fill(NaN);
  let lastClientText: string | null = null;
  let lastClient = -1;
  let lastTherText: string | null = null;
  let lastTher = -1;
  const lastGroupText: (string | null)[] = new Array<string | null>(G).fill(null);
  const lastGroup = new Int32Array(G);
  const issue = (code: string, line: number, field: number, value: string) => {
    if (onIssue) onIssue({ code, file: fileNo, line, field, value });
  };
  const sink: CellSink = { values, missing: stats.missing, unusable: stats.unusable, outOfRange: stats.outOfRange, missingCode: stats.missingCode, issue };
  const badDate = dateRejecter(part, files, issue);
  /** The client's id, or -1 (counted, reported) when the cell is a missing marker. */
  const clientOf = (ct: string, line: number): number => {
    if (missing.has(ct)) {
      stats.rowsWithoutClient++;
      issue('client.missing', line, ci, ct);
      return -1;
    }
    return clientIds.id(ct);
  };
  const { needDate, needTherapist, needGroups } = ctx;
  const dateIdx = needDate || keysOnly ? di : -1;
  const therIdx = needTherapist ? ti : -1;

  const onBytes = ctx.onBytes;
  const onProgress = onBytes ? (bytes: number) => onBytes(fileNo, bytes) : undefined;
  const readRanges = part.input.readRanges;
  const onRawRange = ctx.onRawRange;
  if (readRanges && (!onRaw || onRawRange)) {
    /**
     * True when field k of `rec` is exactly `s`, compared in place (no string made). Only
     * ASCII bytes are compared with char codes; any other byte answers false, and the
     * caller then decodes and compares the text (slower, still right).
     */
    const same = (rec: RangeRecord, k: number, s: string | null): boolean => {
      if (s === null) return false;
      const a = rec.start[k];
      if (a < 0) return rec.quoted[k] === s;
      const n = rec.end[k] - a;
      if (n !== s.length) return false;
      const b = rec.bytes;
      for (let i = 0; i < n; i++) {
        const c = b[a + i];
        if (c >= 128 || c !== s.charCodeAt(i)) return false;
      }
      return true;
    };
    const mark = decimal === ',' ? 44 : 46;
    const numericMissing = cells.numericMissing;
    const scratch = new Float64Array(1);
    /** UTF-8 bytes of lastClientText when it came from an unquoted field of at most 64 bytes (length -1 otherwise). */
    const lastClientBytes = new Uint8Array(64);
    let lastClientLen = -1;
    if (!needGroups) rowGroups.fill(-1);
    const red = ctx.reduce;
    /** What a piece's reducer needs to interpret its records as this part's rows. */
    const layout: RunLayout | null =
      red && !keysOnly
        ? {
            ncols,
            client: ci,
            session: si,
            date: dateIdx,
            dateFormat: fmt,
            labels: [...(therIdx >= 0 ? [0, therIdx] : []), ...(needGroups ? [...gIdx].flatMap((f, g) => (f >= 0 ? [1 + g, f] : [])) : [])],
            measureG: [...mG],
            measureF: [...mF],
            M,
            decimal,
            missing: missing.tokens(),
            rules: cells.rules,
          }
        : null;
    /** The workers' reduced runs, taken in their place (./range-runs.ts). */
    const reduce: RangeReduction | undefined =
      red && layout !== null
        ? {
            module: red.module,
            start: red.start,
            spec: { layout, command: red.command } satisfies RunSpec,
            oneThread: red.oneThread === true && red.start !== undefined && kernelReads(layout),
            onPiece: (bytes, reduced, records) => {
              const ints = reduced.ints;
              const nRuns = ints[0];
              const head = RUN_HEAD + M;
              for (let g = 0; g < M; g++) stats.missing[g] += ints[RUN_HEAD + g];
              const evBase = head + nRuns * RUN_STRIDE;
              for (let r = 0; r < nRuns; r++) {
                const o = head + r * RUN_STRIDE;
                if (ints[o] >= 0) records.raw(ints[o], ints[o + 1], ints[o + 2]);
                records.pass(ints[o + 3]);
                const ct = decodeUtf8(bytes, ints[o + 4], ints[o + 5]);
                lastClient = clientIds.id(ct);
                lastClientText = ct;
                lastClientLen = -1;
                for (let e = ints[o + 6]; e < ints[o + 7]; e++) {
                  const b = evBase + 3 * e;
                  const s = decodeUtf8(bytes, ints[b + 1], ints[b + 2]);
                  if (missing.has(s)) continue;
                  if (ints[b] === 0) therapistIds.id(s);
                  else groupIds[ints[b] - 1].id(s);
                }
                lastTherText = null;
                lastGroupText.fill(null);
                red.onRun(lastClient, ints[o + 3], reduced.floats, ints[o + 8]);
              }
              if (ints[2] >= 0) records.raw(ints[2], ints[3], ints[4]);
            },
          }
        : undefined;
    const stat = await readRanges(
      (rec, line) => {
        if (onRawRange) onRawRange(rec, line, fileNo);
        if (rec.count !== ncols) {
          ctx.ragged++;
          issue('structure.ragged', line, -1, `${rec.count} fields, expected ${ncols}`);
          return;
        }
        const t = rec.bytes;
        const st = rec.start;
        const en = rec.end;
        // Client: compared with the previous client's bytes (a copy, the buffer moves on).
        const ca = st[ci];
        let sameClient: boolean;
        if (ca >= 0 && lastClientLen >= 0) {
          const n = en[ci] - ca;
          sameClient = n === lastClientLen;
          for (let i = 0; sameClient && i < n; i++) sameClient = t[ca + i] === lastClientBytes[i];
        } else sameClient = lastClientText !== null && fieldText(rec, ci) === lastClientText;
        if (!sameClient) {
          const ct = fieldText(rec, ci);
          const id = clientOf(ct, line);
          if (id < 0) return;
          lastClientText = ct;
          lastClient = id;
          const n = en[ci] - ca;
          if (ca >= 0 && n <= lastClientBytes.length) {
            for (let i = 0; i < n; i++) lastClientBytes[i] = t[ca + i];
            lastClientLen = n;
          } else lastClientLen = -1;
        }
        row.file = fileNo;
        row.line = line;
        row.client = lastClient;
        // Session column: a plain number in place, anything else by the rules.
        if (si >= 0) {
          const a = st[si];
          if (a >= 0 && parseNumberBytesInto(t, a, en[si], 46, scratch, 0)) row.session = scratch[0];
          else row.session = cells.session(fieldText(rec, si), line, si, issue);
        } else row.session = NaN;
        // Date: an ISO or slash date in place, anything else by the rules.
        if (dateIdx >= 0) {
          const a = st[dateIdx];
          const d = a >= 0 ? parseDateBytes(t, a, en[dateIdx], fmt) : NaN;
          row.date = d === d ? d : cells.date(fieldText(rec, dateIdx), fmt, line, dateIdx, badDate);
        } else row.date = NaN;
        if (keysOnly) {
          emit(row);
          return;
        }
        // Therapist.
        if (therIdx >= 0) {
          if (!same(rec, therIdx, lastTherText)) {
            const s = fieldText(rec, therIdx);
            lastTherText = s;
            lastTher = missing.has(s) ? -1 : therapistIds.id(s);
          }
          row.therapist = lastTher;
        } else row.therapist = -1;
        if (needGroups) {
          for (let g = 0; g < G; g++) {
            const f = gIdx[g];
            if (f < 0) {
              rowGroups[g] = -1;
              continue;
            }
            if (!same(rec, f, lastGroupText[g])) {
              const s = fieldText(rec, f);
              lastGroupText[g] = s;
              lastGroup[g] = missing.has(s) ? -1 : groupIds[g].id(s);
            }
            rowGroups[g] = lastGroup[g];
          }
        }
        // Measures: a plain valid number the rules keep as it is is settled here; anything else by the rules.
        if (fullRow) values.fill(NaN);
        for (let k = 0; k < nm; k++) {
          const g = mG[k];
          const f = mF[k];
          const a = st[f];
          if (a >= 0 && !numericMissing && parseNumberBytesInto(t, a, en[f], mark, values, g) && cells.accepts(g, values[g])) continue;
          cells.measure(sink, g, f, fieldText(rec, f), line, decimal);
        }
        emit(row);
      },
      { ...(onProgress ? { onProgress } : {}), ...(reduce ? { reduce } : {}) },
    );
    files[fileNo].rows = stat.records;
    files[fileNo].digest = part.input.digest();
    return;
  }

  const stat = await part.input.read(
    (fields, line, typed?: TypedCells) => {
      if (onRaw) onRaw(fields, line, fileNo);
      if (fields.length !== ncols) {
        ctx.ragged++;
        issue('structure.ragged', line, -1, `${fields.length} fields, expected ${ncols}`);
        return;
      }
      // Client.
      const ct = fields[ci];
      if (ct !== lastClientText) {
        const id = clientOf(ct, line);
        if (id < 0) return;
        lastClientText = ct;
        lastClient = id;
      }
      row.file = fileNo;
      row.line = line;
      row.client = lastClient;
      row.session = si >= 0 ? cells.session(fields[si], line, si, issue, typed?.numbers[si]) : NaN;
      row.date = dateIdx >= 0 ? cells.date(fields[dateIdx], fmt, line, dateIdx, badDate, typed?.dates[dateIdx]) : NaN;
      if (keysOnly) {
        emit(row);
        return;
      }
      // Therapist.
      if (therIdx >= 0) {
        const s = fields[therIdx];
        if (s !== lastTherText) {
          lastTherText = s;
          lastTher = missing.has(s) ? -1 : therapistIds.id(s);
        }
        row.therapist = lastTher;
      } else row.therapist = -1;
      for (let g = 0; g < G; g++) {
        const f = needGroups ? gIdx[g] : -1;
        if (f < 0) {
          rowGroups[g] = -1;
          continue;
        }
        const s = fields[f];
        if (s !== lastGroupText[g]) {
          lastGroupText[g] = s;
          lastGroup[g] = missing.has(s) ? -1 : groupIds[g].id(s);
        }
        rowGroups[g] = lastGroup[g];
      }
      // Measures.
      if (fullRow) values.fill(NaN);
      for (let k = 0; k < nm; k++) cells.measure(sink, mG[k], mF[k], fields[mF[k]], line, decimal, typed?.numbers[mF[k]]);
      emit(row);
    },
    { ...(onRaw ? {} : { fields: keysOnly ? part.keyFields : part.fields }), ...(onProgress ? { onProgress } : {}) },
  );
  files[fileNo].rows = stat.records;
  files[fileNo].digest = part.input.digest();
}

/** The part's measures (global index mG[k], field mF[k]) among `need` (null: all). */
function measuresRead(part: Part, need: readonly number[] | null): { mG: Int32Array; mF: Int32Array } {
  if (need === null) return { mG: part.measureG, mF: part.measureF };
  const keep = [...part.measureG.keys()].filter((k) => need.includes(part.measureG[k]));
  return { mG: Int32Array.from(keep, (k) => part.measureG[k]), mF: Int32Array.from(keep, (k) => part.measureF[k]) };
}

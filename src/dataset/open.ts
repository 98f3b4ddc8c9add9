/**
 * openDataset: one or more CSV exports -> a Dataset (contract in ./types.ts).
 *
 * Per file: open with the CSV layer, map the header (./mapping.ts), decide the date
 * format from the data when it is not given (./values.ts): the date column alone is read
 * until a slash date proves day-first (a first component > 12) or month-first (a second
 * component > 12); without slash dates 10,000 rows decide (ISO, or DD.MM.YYYY); slash dates
 * that never decide are a UserError asking for --date-format. A later date contradicting
 * the decision is a UserError naming both lines. Then:
 *
 * - Files with the same measure columns (compared by normalised header name; header
 *   order may differ) are CONCATENATED in the order given.
 * - Files with different measure columns (e.g. an alliance export client,session,srs
 *   and an outcome export client,session,ors) are JOINED. The files fall into exactly
 *   two kinds: "left" (the kind of the first file) and "right" (the other kind). The
 *   join key is client + session number (or client + date with `joinOn: 'date'`). The
 *   kind with fewer bytes is loaded into memory keyed by (client, key); the other is
 *   streamed and each streamed row takes the first not-yet-used loaded row with the same
 *   key (duplicates pair up in file order). Rows without a partner on either side are
 *   still emitted (outer join) with the other side's measures NaN: streamed rows in
 *   their place, loaded rows after all streamed rows, in file order. Their counts are in
 *   ScanStats.unmatched ({left, right} by kind, not by which side was loaded). A measure
 *   present in both kinds takes the streamed row's value unless that is missing.
 *
 * Session numbers (Mapping.sessionSource): a session column when every file has one;
 * otherwise 1..n by date within client when every file has a date column (ties keep
 * file order; rows without a valid date get no session number); otherwise 1..n in file
 * order within client. Numbering by date needs one pre-pass (on the first scan, reading
 * only client, session and date) to see whether each client's dates arrive in order; if
 * not (the first pass stops at the first date out of order), a second pre-pass computes
 * the ranks (memory: about 20 bytes per row while ranking, 4 bytes per row kept; only in
 * that case).
 *
 * onRaw sees every record of every file in reading order (in a join: the loaded kind
 * first), ragged ones included, before interpretation.
 *
 * The hot path (no onRaw, UTF-8 input) takes records as byte ranges from the reader
 * (CsvInput.readRanges: the file's bytes are validated but never decoded), parses numbers
 * and ISO dates straight from the bytes into typed arrays, compares the client (and
 * therapist / group) with the previous row's in place, and makes a string only when that
 * text changes or a cell is not a plain valid number (which then takes the string path's
 * exact logic). It reuses one SessionRow and allocates nothing else per row. With
 * ScanOptions.need, dates, therapists and groups are not parsed at all. Other encodings,
 * and scans with onRaw, read strings (projected to the mapped columns without onRaw).
 * test/dataset/range-path.test.ts checks that both paths give the same rows, issues and ids.
 *
 * Measured (10M rows, 346 MB, 1.33M clients, shared 2-CPU box): a scan with an empty
 * callback 2.6-2.7 CPU-s with everything, 2.2-2.4 with need {date, therapist, groups: false}
 * (before the byte path: 3.9-4.8); `alliance correlate` 3.0 CPU-s (before: 5.5-6.1).
 */
import { UserError } from '../errors.js';
import type { RangeRecord } from '../io/scanner.js';
import { normalizeName } from '../instruments/registry.js';
import type { Io } from '../io/process.js';
import { openTable } from './formats.js';
import { mapFile, unknownColumnError, type FileMapping } from './mapping.js';
import type { TableSource, TypedCells } from './source.js';
import type {
  CellIssue,
  ColumnRef,
  Dataset,
  DateFormat,
  FileInfo,
  Mapping,
  MeasureBinding,
  ReadOptions,
  ScanOptions,
  ScanStats,
  SessionRow,
  SessionSource,
} from './types.js';
import {
  DateFormatDetector,
  DateShape,
  MISSING_CODES,
  MissingTokens,
  PLAIN_MISSING_CODES,
  dateParts,
  parseDate,
  parseDateBytes,
  parseNumber,
  parseNumberBytes,
  parseNumberBytesInto,
  scanDate,
} from './values.js';

/** Rows looked at to decide the date format when no slash date shows up. */
export const DATE_SAMPLE_ROWS = 10_000;

/** One input file and how its fields map onto the dataset. */
interface Part {
  file: number;
  input: TableSource;
  fm: FileMapping;
  kind: number;
  ncols: number;
  client: number;
  session: number;
  date: number;
  therapist: number;
  /** Field index per global group (-1 absent). */
  groups: Int32Array;
  /** Pairs: global measure index, field index. */
  measureG: Int32Array;
  measureF: Int32Array;
  fields: number[];
  /** Projection of the session-numbering pre-pass. */
  keyFields: number[];
  decimal: '.' | ',';
  dateFormat: DateFormat;
  /** Set when the format was decided from the data (so a contradiction is an error). */
  detector: DateFormatDetector | null;
}

/** Per-measure value checks. */
interface Check {
  plain: boolean;
  lo: number;
  hi: number;
  integer: boolean;
  codes: number[];
}

class StopRead extends Error {}

/**
 * Copies a string out of the parser's chunk so a short key does not pin a large chunk.
 * V8 copies substrings shorter than 13 characters anyway (only longer ones are "sliced"
 * views into their parent), so only those are copied explicitly.
 */
function own(s: string): string {
  return s.length < 13 ? s : Buffer.from(s, 'utf8').toString('utf8');
}

/**
 * Interns strings to dense ids: an open-addressing hash table (FNV-1a over char codes,
 * linear probing) over the id list. Inserting a million fresh ids costs about a third of
 * what a Map does, which matters when every client is new (one Map rehash per doubling).
 */
export class Interner {
  private cap = 1024;
  private slots = new Int32Array(1024).fill(-1);
  private hashes = new Int32Array(1024);
  constructor(readonly list: string[]) {}

  /** The id of `raw` (trimmed), adding it when new. */
  id(raw: string): number {
    const n = raw.length;
    const key = n > 0 && (raw.charCodeAt(0) <= 32 || raw.charCodeAt(n - 1) <= 32) ? raw.trim() : raw;
    let h = 0x811c9dc5 | 0;
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    const mask = this.cap - 1;
    const slots = this.slots;
    let i = h & mask;
    for (;;) {
      const v = slots[i];
      if (v < 0) break;
      if (this.hashes[v] === h && this.list[v] === key) return v;
      i = (i + 1) & mask;
    }
    const id = this.list.length;
    this.list.push(own(key));
    if (id >= this.hashes.length) {
      const bigger = new Int32Array(this.hashes.length * 2);
      bigger.set(this.hashes);
      this.hashes = bigger;
    }
    this.hashes[id] = h;
    slots[i] = id;
    if ((id + 1) * 2 > this.cap) this.rehash();
    return id;
  }

  private rehash(): void {
    this.cap *= 2;
    const mask = this.cap - 1;
    const slots = new Int32Array(this.cap).fill(-1);
    for (let id = 0; id < this.list.length; id++) {
      let i = this.hashes[id] & mask;
      while (slots[i] >= 0) i = (i + 1) & mask;
      slots[i] = id;
    }
    this.slots = slots;
  }
}

const F64 = new Float64Array(1);
const I32 = new Int32Array(F64.buffer);

/**
 * (client, key) -> rows of the loaded side of a join, without a string or object per row:
 * open addressing over typed arrays; each entry keeps its first and last row (rows with
 * the same key are chained by the caller through `next`).
 */
export class PairIndex {
  private cap = 1024;
  private slots = new Int32Array(1024).fill(-1);
  private client = new Int32Array(512);
  private key = new Float64Array(512);
  private head = new Int32Array(512);
  private tail = new Int32Array(512);
  private size = 0;

  private static hash(c: number, k: number): number {
    F64[0] = k + 0; // -0 -> 0
    let h = Math.imul(c ^ 0x9e3779b9, 0x85ebca6b) ^ I32[0];
    h = Math.imul(h ^ I32[1], 0xc2b2ae35);
    return h ^ (h >>> 15);
  }

  private slot(c: number, k: number): number {
    const mask = this.cap - 1;
    let i = PairIndex.hash(c, k) & mask;
    for (;;) {
      const e = this.slots[i];
      if (e < 0 || (this.client[e] === c && this.key[e] === k)) return i;
      i = (i + 1) & mask;
    }
  }

  /** First row with this key, or -1. */
  first(c: number, k: number): number {
    const e = this.slots[this.slot(c, k)];
    return e < 0 ? -1 : this.head[e];
  }

  /** Adds `row` under (c, k); returns the previous last row with that key (-1 if none). */
  append(c: number, k: number, row: number): number {
    const i = this.slot(c, k);
    const e = this.slots[i];
    if (e >= 0) {
      const prev = this.tail[e];
      this.tail[e] = row;
      return prev;
    }
    const id = this.size++;
    this.client = grow(this.client, id + 1);
    this.key = grow(this.key, id + 1);
    this.head = grow(this.head, id + 1);
    this.tail = grow(this.tail, id + 1);
    this.client[id] = c;
    this.key[id] = k;
    this.head[id] = row;
    this.tail[id] = row;
    this.slots[i] = id;
    if (this.size * 2 > this.cap) this.rehash();
    return -1;
  }

  private rehash(): void {
    this.cap *= 2;
    const mask = this.cap - 1;
    this.slots = new Int32Array(this.cap).fill(-1);
    for (let e = 0; e < this.size; e++) {
      let i = PairIndex.hash(this.client[e], this.key[e]) & mask;
      while (this.slots[i] >= 0) i = (i + 1) & mask;
      this.slots[i] = e;
    }
  }
}

function grow<T extends Int32Array | Float64Array | Uint8Array>(a: T, need: number, fill?: number): T {
  if (need <= a.length) return a;
  let n = Math.max(16, a.length * 2);
  while (n < need) n *= 2;
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  if (fill !== undefined) b.fill(fill, a.length);
  return b;
}

export async function openDataset(paths: string[], options: ReadOptions, io: Io): Promise<Dataset> {
  if (paths.length === 0) {
    throw new UserError('no input file given', { hint: 'Give one or more CSV exports (or - for standard input)' });
  }
  if (paths.filter((p) => p === '-').length > 1) {
    throw new UserError('standard input (-) can be given only once', { hint: 'Save one of the inputs to a file' });
  }
  const inputs: TableSource[] = [];
  for (const p of paths) inputs.push(await openTable(p, options, io));
  const missing = new MissingTokens(options.missing ?? []);
  const numericMissing = missing.numericTokens;
  const files: FileInfo[] = inputs.map((inp, i) => ({
    path: paths[i],
    display: paths[i] === '-' ? inp.display : paths[i],
    bytes: inp.bytes,
    rows: 0,
    encoding: inp.encoding,
    delimiter: inp.delimiter,
    decimal: inp.decimal,
    header: inp.header,
  }));
  const fms = inputs.map((inp, i) => mapFile(inp.header, options, { file: files[i].display, line: inp.headerLine }));

  // Flag-named measure/group columns must exist in at least one file.
  for (const name of new Set(fms.flatMap((fm) => fm.absent))) {
    if (fms.every((fm) => fm.absent.includes(name))) {
      const flag = (options.groups ?? []).includes(name)
        ? '--group'
        : (options.alliance ?? []).includes(name)
          ? '--alliance'
          : (options.outcome ?? []).includes(name)
            ? '--outcome'
            : '--instrument';
      throw unknownColumnError(name, flag, inputs[0].header, { file: files[0].display, line: inputs[0].headerLine });
    }
  }

  // Global measure list, alliance first, in order of appearance. A measure is identified
  // across files by its instrument (so 'SRS' in one export and 'srs_total' in another are
  // the same measure) unless a file has two columns of that instrument; then, and for
  // plain measures, by the normalised header name.
  const keyOf = new Map<MeasureBinding, string>();
  for (const fm of fms) {
    const perInst = new Map<string, number>();
    for (const m of fm.measures) if (m.instrument) perInst.set(m.instrument.id, (perInst.get(m.instrument.id) ?? 0) + 1);
    for (const m of fm.measures) {
      const byInst = m.instrument && perInst.get(m.instrument.id) === 1;
      keyOf.set(m, byInst ? `instrument:${m.instrument!.id}` : `column:${normalizeName(m.name) || m.name}`);
    }
  }
  const measureKey = (m: MeasureBinding) => keyOf.get(m)!;
  const measures: MeasureBinding[] = [];
  const measureIndex = new Map<string, number>();
  for (const role of ['alliance', 'outcome'] as const) {
    for (const fm of fms) {
      for (const m of fm.measures) {
        if (m.role !== role) continue;
        const k = measureKey(m);
        const prev = measureIndex.get(k);
        if (prev === undefined) {
          measureIndex.set(k, measures.length);
          measures.push(m);
        } else if (measures[prev].role !== m.role) {
          throw new UserError(`column '${m.name}' is an ${m.role} measure in one file and an ${measures[prev].role} measure in another`, {
            hint: `Say which with --${measures[prev].role} '${m.name}' (or --${m.role})`,
          });
        }
      }
    }
  }
  // Kinds of file: by measure set.
  const shapeOf = (fm: FileMapping) => fm.measures.map(measureKey).sort().join('\u0000');
  const shapes: string[] = [];
  const kinds = fms.map((fm) => {
    const s = shapeOf(fm);
    let k = shapes.indexOf(s);
    if (k < 0) k = shapes.push(s) - 1;
    return k;
  });
  if (shapes.length > 2) {
    throw new UserError(
      `the inputs have ${shapes.length} different sets of measure columns; only two kinds of export can be joined`,
      {
        location: { file: files[kinds.indexOf(2)].display, line: inputs[kinds.indexOf(2)].headerLine },
        hint: 'Give exports with the same measure columns (they are concatenated) or exactly two kinds (joined on client + session)',
      },
    );
  }
  const join = shapes.length === 2;
  const joinOn = options.joinOn ?? 'session';

  const notes: string[] = [];
  if (fms.length === 1) notes.push(...fms[0].notes);
  else {
    fms.forEach((fm, i) => {
      notes.push(`${files[i].display}:`);
      for (const n of fm.notes) notes.push('  ' + n);
    });
  }

  // Session source.
  const allSession = fms.every((fm) => fm.session);
  const allDate = fms.every((fm) => fm.date);
  let sessionSource: SessionSource;
  if (join && joinOn === 'session' && !allSession) {
    const i = fms.findIndex((fm) => !fm.session);
    throw new UserError('cannot join on session: this file has no session column', {
      location: { file: files[i].display, line: inputs[i].headerLine },
      hint: allDate ? 'Join on dates with --join-on date, or name the column with --session' : 'Name the session column with --session',
    });
  }
  if (join && joinOn === 'date' && !allDate) {
    const i = fms.findIndex((fm) => !fm.date);
    throw new UserError('cannot join on date: this file has no date column', {
      location: { file: files[i].display, line: inputs[i].headerLine },
      hint: 'Name the date column with --date, or join on session numbers with --join-on session',
    });
  }
  if (allSession) sessionSource = allDate ? 'column+date' : 'column';
  else if (allDate) sessionSource = 'date';
  else sessionSource = 'file-order';
  if (sessionSource === 'date') {
    notes.push('sessions numbered 1..n by date within each client (no session column; ties keep file order)');
    fms.forEach((fm, i) => {
      if (fm.session) notes.push(`session column '${fm.session.name}' in ${files[i].display} ignored: not in every file`);
    });
  } else if (sessionSource === 'file-order') {
    notes.push('sessions numbered 1..n in file order within each client (no session or date column)');
    fms.forEach((fm, i) => {
      if (fm.session) notes.push(`session column '${fm.session.name}' in ${files[i].display} ignored: not in every file`);
      if (fm.date) notes.push(`date column '${fm.date.name}' in ${files[i].display} not used for numbering: not in every file`);
    });
  }
  if (measures.length === 0) notes.push('no measure columns (name them with --alliance / --outcome)');

  // Global groups.
  const groupNames = options.groups ?? [];
  const groupRefs: ColumnRef[] = groupNames.map((g, gi) => fms.map((fm) => fm.groups[gi]).find((r) => r !== undefined)!);

  const useSession = sessionSource === 'column' || sessionSource === 'column+date';
  const parts: Part[] = inputs.map((input, i) => {
    const fm = fms[i];
    const groups = new Int32Array(groupNames.length).fill(-1);
    fm.groups.forEach((r, gi) => {
      if (r) groups[gi] = r.index;
    });
    const mg: number[] = [];
    const mf: number[] = [];
    for (const m of fm.measures) {
      mg.push(measureIndex.get(measureKey(m))!);
      mf.push(m.index);
    }
    const client = fm.client.index;
    const session = useSession && fm.session ? fm.session.index : -1;
    const date = fm.date ? fm.date.index : -1;
    const therapist = fm.therapist ? fm.therapist.index : -1;
    const fields = [...new Set([client, session, date, therapist, ...groups, ...mf].filter((f) => f >= 0))].sort((a, b) => a - b);
    return {
      file: i,
      input,
      fm,
      kind: kinds[i],
      ncols: input.header.length,
      client,
      session,
      date,
      therapist,
      groups,
      measureG: Int32Array.from(mg),
      measureF: Int32Array.from(mf),
      fields,
      keyFields: [...new Set([client, session, date].filter((f) => f >= 0))].sort((a, b) => a - b),
      decimal: input.decimal,
      dateFormat: options.dateFormat ?? 'iso',
      detector: null,
    };
  });

  // Date formats, decided per file from the data unless forced.
  for (const part of parts) {
    if (part.date < 0 || options.dateFormat) continue;
    const det = new DateFormatDetector();
    let rows = 0;
    const di = part.date;
    try {
      await part.input.read(
        (fields, line, typed?: TypedCells) => {
          const s = fields[di];
          if (s === undefined) return;
          if (typed !== undefined && typed.dates[di] === typed.dates[di]) return; // stored as a date: nothing to decide
          det.feed(s, line);
          rows++;
          if (det.format !== null) throw new StopRead();
          if (rows >= DATE_SAMPLE_ROWS && !det.sawSlash) throw new StopRead();
        },
        { fields: [di] },
      );
    } catch (e) {
      if (!(e instanceof StopRead)) throw e;
    }
    const fmt = det.resolve();
    if (fmt === null) {
      throw new UserError(`ambiguous dates in column '${part.fm.date!.name}': every day and month is 12 or less, so DD/MM/YYYY and MM/DD/YYYY both fit`, {
        location: { file: files[part.file].display, line: part.input.headerLine, column: part.fm.date!.name },
        hint: 'Pass --date-format dmy (day first) or mdy (month first)',
      });
    }
    part.dateFormat = fmt;
    part.detector = det.sawSlash ? det : null;
    if (det.sawSlash) {
      notes.push(
        `dates in ${files[part.file].display} read as ${fmt === 'dmy' ? 'DD/MM/YYYY' : 'MM/DD/YYYY'} (decided by '${det.decidedBy}' on line ${det.decidedAt})`,
      );
    }
  }

  const mapping: Mapping = {
    client: fms[0].client,
    session: fms.find((fm) => fm.session)?.session,
    date: fms.find((fm) => fm.date)?.date,
    therapist: fms.find((fm) => fm.therapist)?.therapist,
    measures,
    groups: groupRefs,
    sessionSource,
    notes,
  };
  if (!useSession) mapping.session = undefined;

  const checks: Check[] = measures.map((m) => {
    if (!m.instrument) return { plain: true, lo: -Infinity, hi: Infinity, integer: false, codes: PLAIN_MISSING_CODES };
    const [lo, hi] = m.instrument.range.value;
    return { plain: false, lo, hi, integer: m.instrument.integer, codes: MISSING_CODES.filter((c) => c < lo || c > hi) };
  });
  // Flat copies for the hot loop.
  const lo = Float64Array.from(checks, (c) => c.lo);
  const hi = Float64Array.from(checks, (c) => c.hi);
  const integer = Uint8Array.from(checks, (c) => (c.integer ? 1 : 0));
  const plain = Uint8Array.from(checks, (c) => (c.plain ? 1 : 0));

  const clients: string[] = [];
  const therapists: string[] = [];
  const groupLevels: string[][] = groupNames.map(() => []);
  const clientIds = new Interner(clients);
  const therapistIds = new Interner(therapists);
  const groupIds = groupLevels.map((l) => new Interner(l));

  const M = measures.length;
  const G = groupNames.length;

  /** State of one scan call. */
  interface Ctx {
    row: SessionRow;
    stats: ScanStats;
    ragged: number;
    onIssue: ((issue: CellIssue) => void) | undefined;
    onRaw: ((fields: string[], line: number, file: number) => void) | undefined;
    /** Pre-pass for session numbering: only client, session and date are read. */
    keysOnly: boolean;
    /** Parts of the row the caller reads (ScanOptions.need, resolved). */
    needDate: boolean;
    needTherapist: boolean;
    needGroups: boolean;
  }

  /**
   * Reads one part, interprets each record into ctx.row (measures of other parts set to
   * NaN) and calls emit. Ragged rows and rows without a client are dropped here.
   */
  const readPart = async (part: Part, ctx: Ctx, emit: (row: SessionRow) => void): Promise<void> => {
    const { row, stats, onIssue, onRaw, keysOnly } = ctx;
    const fileNo = part.file;
    const ncols = part.ncols;
    const ci = part.client;
    const si = part.session;
    const di = part.date;
    const ti = part.therapist;
    const gIdx = part.groups;
    const mG = part.measureG;
    const mF = part.measureF;
    const nm = mG.length;
    const decimal = part.decimal;
    const fmt = part.dateFormat;
    const detector = part.detector;
    const unusable = stats.unusable;
    const missingCount = stats.missing;
    const values = row.values;
    const rowGroups = row.groups;
    const fullRow = nm < M;
    let lastClientText: string | null = null;
    let lastClient = -1;
    let lastTherText: string | null = null;
    let lastTher = -1;
    const lastGroupText: (string | null)[] = new Array<string | null>(G).fill(null);
    const lastGroup = new Int32Array(G);
    const issue = (code: string, line: number, field: number, value: string) => {
      if (onIssue) onIssue({ code, file: fileNo, line, field, value });
    };

    /** Field k of a range record as a string. */
    const text = (rec: RangeRecord, k: number): string => {
      const a = rec.start[k];
      return a < 0 ? rec.quoted[k] : decodeUtf8(rec.bytes, a, rec.end[k]);
    };
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
    /**
     * A date cell that is neither a date nor a missing marker: a contradiction of the
     * day/month order decided earlier is a UserError; anything else is reported as invalid
     * (the row keeps no date). Both read paths call it.
     */
    const badDate = (s: string, line: number, field: number): void => {
      if (detector !== null && contradicts(s, fmt)) {
        throw new UserError(
          `date '${s.trim()}' contradicts the date format ${fmt === 'dmy' ? 'DD/MM/YYYY' : 'MM/DD/YYYY'} decided by '${detector.decidedBy}' on line ${detector.decidedAt}`,
          {
            location: { file: files[fileNo].display, line, column: part.fm.date!.name },
            hint: 'The column mixes day-first and month-first dates; fix the export or pass --date-format dmy or mdy (other dates are then reported as invalid)',
          },
        );
      }
      issue('date.invalid', line, field, s);
    };
    /**
     * One measure cell from its text: the number, or NaN with the cell counted as missing or
     * unusable (and reported). The string path uses it for every cell; the range path for the
     * cells its in-place parse did not settle.
     */
    const cellValue = (g: number, f: number, s: string, line: number, typed?: number): void => {
      const v = typed !== undefined && typed === typed ? typed : parseNumber(s, decimal);
      if (numericMissing && v === v && missing.has(s)) {
        // A declared numeric missing code (--missing -99) is missing, not a score.
        values[g] = NaN;
        missingCount[g]++;
        return;
      }
      if (v !== v) {
        values[g] = NaN;
        if (missing.has(s)) missingCount[g]++;
        else {
          unusable[g]++;
          issue('value.not-numeric', line, f, s);
        }
        return;
      }
      if (plain[g] === 1) {
        if (v === -9 || v === -99 || v === -999) {
          values[g] = NaN;
          unusable[g]++;
          issue('value.missing-code', line, f, s);
          return;
        }
      } else if (v < lo[g] || v > hi[g]) {
        values[g] = NaN;
        unusable[g]++;
        issue(checks[g].codes.includes(v) ? 'value.missing-code' : 'value.out-of-range', line, f, s);
        return;
      }
      if (integer[g] === 1 && v !== Math.floor(v)) issue('value.not-integer', line, f, s);
      values[g] = v;
    };
    const { needDate, needTherapist, needGroups } = ctx;
    const dateIdx = needDate || keysOnly ? di : -1;
    const therIdx = needTherapist ? ti : -1;

    // The hot path (no onRaw, UTF-8): records as byte ranges; strings only for new client /
    // therapist / group texts and for cells that are not plain valid numbers. Every
    // decision is the same as in the string path below.
    const readRanges = part.input.readRanges;
    if (!onRaw && readRanges) {
      const mark = decimal === ',' ? 44 : 46;
      const scratch = new Float64Array(1);
      /** UTF-8 bytes of lastClientText when it came from an unquoted field of at most 64 bytes (length -1 otherwise). */
      const lastClientBytes = new Uint8Array(64);
      let lastClientLen = -1;
      if (!needGroups) rowGroups.fill(-1);
      const stat = await readRanges((rec, line) => {
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
        } else sameClient = lastClientText !== null && text(rec, ci) === lastClientText;
        if (!sameClient) {
          const ct = text(rec, ci);
          if (missing.has(ct)) {
            stats.rowsWithoutClient++;
            issue('client.missing', line, ci, ct);
            return;
          }
          lastClientText = ct;
          lastClient = clientIds.id(ct);
          const n = en[ci] - ca;
          if (ca >= 0 && n <= lastClientBytes.length) {
            for (let i = 0; i < n; i++) lastClientBytes[i] = t[ca + i];
            lastClientLen = n;
          } else lastClientLen = -1;
        }
        row.file = fileNo;
        row.line = line;
        row.client = lastClient;
        // Session column.
        if (si >= 0) {
          const a = st[si];
          if (a >= 0 && parseNumberBytesInto(t, a, en[si], 46, scratch, 0)) row.session = scratch[0];
          else {
            const v = a >= 0 ? parseNumberBytes(t, a, en[si], '.') : parseNumber(rec.quoted[si], '.');
            if (v === v) row.session = v;
            else {
              row.session = NaN;
              const s = text(rec, si);
              if (!missing.has(s)) issue('session.invalid', line, si, s);
            }
          }
        } else row.session = NaN;
        // Date.
        if (dateIdx >= 0) {
          const a = st[dateIdx];
          const d = a >= 0 ? parseDateBytes(t, a, en[dateIdx], fmt) : parseDate(rec.quoted[dateIdx], fmt);
          if (d !== d) {
            const s = text(rec, dateIdx);
            if (!missing.has(s)) badDate(s, line, dateIdx);
          }
          row.date = d;
        } else row.date = NaN;
        if (keysOnly) {
          emit(row);
          return;
        }
        // Therapist.
        if (therIdx >= 0) {
          if (!same(rec, therIdx, lastTherText)) {
            const s = text(rec, therIdx);
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
              const s = text(rec, f);
              lastGroupText[g] = s;
              lastGroup[g] = missing.has(s) ? -1 : groupIds[g].id(s);
            }
            rowGroups[g] = lastGroup[g];
          }
        }
        // Measures: a plain valid number is settled here; anything else goes to cellValue.
        if (fullRow) values.fill(NaN);
        for (let k = 0; k < nm; k++) {
          const g = mG[k];
          const f = mF[k];
          const a = st[f];
          if (a >= 0 && !numericMissing && parseNumberBytesInto(t, a, en[f], mark, values, g)) {
            const v = values[g];
            if ((plain[g] === 1 ? v !== -9 && v !== -99 && v !== -999 : v >= lo[g] && v <= hi[g]) && (integer[g] === 0 || v === Math.floor(v))) continue;
          }
          cellValue(g, f, text(rec, f), line);
        }
        emit(row);
      });
      files[fileNo].rows = stat.records;
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
          if (missing.has(ct)) {
            stats.rowsWithoutClient++;
            issue('client.missing', line, ci, ct);
            return;
          }
          lastClientText = ct;
          lastClient = clientIds.id(ct);
        }
        row.file = fileNo;
        row.line = line;
        row.client = lastClient;
        // Session column.
        if (si >= 0) {
          const s = fields[si];
          const v = typed !== undefined && typed.numbers[si] === typed.numbers[si] ? typed.numbers[si] : parseNumber(s, '.');
          if (v === v) row.session = v;
          else {
            row.session = NaN;
            if (!missing.has(s)) issue('session.invalid', line, si, s);
          }
        } else row.session = NaN;
        // Date.
        if (dateIdx >= 0) {
          const s = fields[dateIdx];
          const d = typed !== undefined && typed.dates[dateIdx] === typed.dates[dateIdx] ? typed.dates[dateIdx] : parseDate(s, fmt);
          if (d !== d && !missing.has(s)) badDate(s, line, dateIdx);
          row.date = d;
        } else row.date = NaN;
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
        for (let k = 0; k < nm; k++) cellValue(mG[k], mF[k], fields[mF[k]], line, typed?.numbers[mF[k]]);
        emit(row);
      },
      onRaw ? undefined : { fields: keysOnly ? part.keyFields : part.fields },
    );
    files[fileNo].rows = stat.records;
  };

  // ---- Session numbering over the final row stream.
  let numbering: Promise<{ sorted: boolean; ranks: Int32Array | null }> | null = null;
  const probe = async (): Promise<{ sorted: boolean; ranks: Int32Array | null }> => {
    let last = new Float64Array(0);
    let sorted = true;
    try {
      await assemble(
        (row) => {
          if (row.date !== row.date) return;
          last = grow(last, row.client + 1, -Infinity);
          if (row.date < last[row.client]) {
            sorted = false;
            throw new StopRead(); // the rank pass below reads everything anyway
          }
          last[row.client] = row.date;
        },
        undefined,
        undefined,
        true,
      );
    } catch (e) {
      if (!(e instanceof StopRead)) throw e;
    }
    if (sorted) return { sorted, ranks: null };
    let cl = new Int32Array(1024);
    let dt = new Float64Array(1024);
    let n = 0;
    await assemble(
      (row) => {
        cl = grow(cl, n + 1);
        dt = grow(dt, n + 1);
        cl[n] = row.client;
        dt[n] = row.date;
        n++;
      },
      undefined,
      undefined,
      true,
    );
    return { sorted, ranks: rankWithinClient(cl.subarray(0, n), dt.subarray(0, n)) };
  };

  /** Runs the file pipeline (concatenation or join) and delivers rows before numbering. */
  const assemble = async (
    out: (row: SessionRow) => void,
    onIssue: ((issue: CellIssue) => void) | undefined,
    onRaw: ((fields: string[], line: number, file: number) => void) | undefined,
    keysOnly = false,
    need: ScanOptions['need'] = undefined,
  ): Promise<ScanStats> => {
    const row: SessionRow = {
      file: 0,
      line: 0,
      client: 0,
      session: NaN,
      date: NaN,
      therapist: -1,
      groups: new Int32Array(G),
      values: new Float64Array(M),
    };
    const stats: ScanStats = {
      rows: 0,
      rowsWithoutClient: 0,
      unusable: new Array<number>(M).fill(0),
      missing: new Array<number>(M).fill(0),
    };
    const ctx: Ctx = {
      row,
      stats,
      ragged: 0,
      onIssue,
      onRaw,
      keysOnly,
      // Dates are needed whenever numbering or the join uses them.
      needDate: need?.date !== false || sessionSource === 'date' || (join && joinOn === 'date'),
      needTherapist: need?.therapist !== false,
      needGroups: need?.groups !== false,
    };
    if (!join) {
      for (const part of parts) await readPart(part, ctx, out);
    } else {
      stats.unmatched = await joinParts(ctx, out);
    }
    stats.ragged = ctx.ragged;
    return stats;
  };

  const joinParts = async (ctx: Ctx, out: (row: SessionRow) => void): Promise<{ left: number; right: number }> => {
    const bytes = [0, 0];
    for (const p of parts) bytes[p.kind] += p.input.bytes;
    const loadedKind = bytes[1] <= bytes[0] ? 1 : 0;
    const byDate = joinOn === 'date';
    // Columnar store of the loaded side.
    let n = 0;
    let sFile = new Int32Array(256);
    let sLine = new Float64Array(256);
    let sClient = new Int32Array(256);
    let sSession = new Float64Array(256);
    let sDate = new Float64Array(256);
    let sTher = new Int32Array(256);
    let sGroups = new Int32Array(256 * Math.max(G, 1));
    let sValues = new Float64Array(256 * Math.max(M, 1));
    let sNext = new Int32Array(256);
    let sUsed = new Uint8Array(256);
    const index = new PairIndex();
    for (const part of parts) {
      if (part.kind !== loadedKind) continue;
      await readPart(part, ctx, (r) => {
        const cap = n + 1;
        sFile = grow(sFile, cap);
        sLine = grow(sLine, cap);
        sClient = grow(sClient, cap);
        sSession = grow(sSession, cap);
        sDate = grow(sDate, cap);
        sTher = grow(sTher, cap);
        sNext = grow(sNext, cap);
        sUsed = grow(sUsed, cap);
        sGroups = grow(sGroups, cap * Math.max(G, 1));
        sValues = grow(sValues, cap * Math.max(M, 1));
        sFile[n] = r.file;
        sLine[n] = r.line;
        sClient[n] = r.client;
        sSession[n] = r.session;
        sDate[n] = r.date;
        sTher[n] = r.therapist;
        sGroups.set(r.groups, n * G);
        sValues.set(r.values, n * M);
        sNext[n] = -1;
        const k = byDate ? r.date : r.session;
        if (k === k) {
          const prev = index.append(r.client, k, n);
          if (prev >= 0) sNext[prev] = n;
        }
        n++;
      });
    }
    const unmatched = [0, 0];
    const streamedKind = 1 - loadedKind;
    for (const part of parts) {
      if (part.kind !== streamedKind) continue;
      await readPart(part, ctx, (r) => {
        const k = byDate ? r.date : r.session;
        let j = k === k ? index.first(r.client, k) : -1;
        while (j >= 0 && sUsed[j]) j = sNext[j];
        if (j < 0) {
          unmatched[streamedKind]++;
          out(r);
          return;
        }
        sUsed[j] = 1;
        if (r.date !== r.date) r.date = sDate[j];
        if (r.session !== r.session) r.session = sSession[j];
        if (r.therapist < 0) r.therapist = sTher[j];
        for (let g = 0; g < G; g++) if (r.groups[g] < 0) r.groups[g] = sGroups[j * G + g];
        for (let m = 0; m < M; m++) {
          if (r.values[m] !== r.values[m]) r.values[m] = sValues[j * M + m];
        }
        out(r);
      });
    }
    const r = ctx.row;
    for (let j = 0; j < n; j++) {
      if (sUsed[j]) continue;
      unmatched[loadedKind]++;
      r.file = sFile[j];
      r.line = sLine[j];
      r.client = sClient[j];
      r.session = sSession[j];
      r.date = sDate[j];
      r.therapist = sTher[j];
      for (let g = 0; g < G; g++) r.groups[g] = sGroups[j * G + g];
      for (let m = 0; m < M; m++) r.values[m] = sValues[j * M + m];
      out(r);
    }
    return { left: unmatched[0], right: unmatched[1] };
  };

  if (join) {
    const names = (k: number) => parts.filter((p) => p.kind === k).map((p) => files[p.file].display).join(', ');
    notes.push(`exports with different measures are joined on client + ${joinOn}: ${names(0)} with ${names(1)} (outer join)`);
  }
  let joinNoted = false;

  const dataset: Dataset = {
    files,
    mapping,
    clients,
    therapists,
    groupLevels,
    async scan(onRow, onIssue, onRaw, options) {
      let counter = new Int32Array(0);
      let deliver: (row: SessionRow) => void;
      let rows = 0;
      if (sessionSource === 'file-order') {
        deliver = (row) => {
          counter = grow(counter, row.client + 1);
          row.session = ++counter[row.client];
          rows++;
          onRow(row);
        };
      } else if (sessionSource === 'date') {
        numbering ??= probe();
        const { ranks } = await numbering;
        let ordinal = 0;
        deliver = ranks
          ? (row) => {
              const k = ranks[ordinal++];
              row.session = k > 0 ? k : NaN;
              rows++;
              onRow(row);
            }
          : (row) => {
              if (row.date === row.date) {
                counter = grow(counter, row.client + 1);
                row.session = ++counter[row.client];
              } else row.session = NaN;
              rows++;
              onRow(row);
            };
      } else {
        deliver = (row) => {
          rows++;
          onRow(row);
        };
      }
      const stats = await assemble(deliver, onIssue, onRaw, false, options?.need);
      stats.rows = rows;
      if (join && stats.unmatched && !joinNoted) {
        joinNoted = true;
        const names = (k: number) => parts.filter((p) => p.kind === k).map((p) => files[p.file].display).join(', ');
        notes.push(
          `joined on client + ${joinOn}: ${stats.unmatched.left} row(s) of ${names(0)} and ${stats.unmatched.right} row(s) of ${names(1)} had no partner (kept, with the other export's measures missing)`,
        );
      }
      return stats;
    },
  };
  return dataset;
}

/** Buffer's native latin1 decoder without the toString wrapper (stable in Node's Buffer, not in its types). */
type Latin1Slice = (this: Buffer, start: number, end: number) => string;
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: Latin1Slice }).latin1Slice;

/**
 * bytes[start..end) (valid UTF-8) as a string. Short ASCII text (client ids and the like)
 * takes the native latin1 decoder directly, which is the same text and about half the
 * cost of toString's argument handling; anything else goes through toString('utf8').
 */
function decodeUtf8(bytes: Buffer, start: number, end: number): string {
  if (latin1Slice === undefined || end - start > 64) return bytes.toString('utf8', start, end);
  for (let i = start; i < end; i++) if (bytes[i] >= 128) return bytes.toString('utf8', start, end);
  return latin1Slice.call(bytes, start, end);
}

/** True when a slash date that failed under `fmt` would be valid under the other order. */
function contradicts(s: string, fmt: DateFormat): boolean {
  const shape = scanDate(s);
  if (shape !== DateShape.Slash && shape !== DateShape.Dash) return false;
  const { a, b } = dateParts;
  if (fmt === 'dmy') return b > 12 && a <= 12;
  if (fmt === 'mdy') return a > 12 && b <= 12;
  return false;
}

/**
 * Session numbers 1..n by date within client; ties keep the order of appearance; rows
 * without a date get 0 (no session number).
 */
export function rankWithinClient(client: Int32Array, date: Float64Array): Int32Array {
  const n = client.length;
  const out = new Int32Array(n);
  let nc = 0;
  for (let i = 0; i < n; i++) if (client[i] + 1 > nc) nc = client[i] + 1;
  const start = new Int32Array(nc + 1);
  for (let i = 0; i < n; i++) if (date[i] === date[i]) start[client[i] + 1]++;
  for (let c = 0; c < nc; c++) start[c + 1] += start[c];
  const order = new Uint32Array(start[nc]);
  const fill = start.slice(0, nc);
  for (let i = 0; i < n; i++) if (date[i] === date[i]) order[fill[client[i]]++] = i;
  for (let c = 0; c < nc; c++) {
    const seg = order.subarray(start[c], start[c + 1]);
    seg.sort((x, y) => date[x] - date[y] || x - y);
    for (let k = 0; k < seg.length; k++) out[seg[k]] = k + 1;
  }
  return out;
}

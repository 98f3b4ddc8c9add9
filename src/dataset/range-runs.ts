/**
 * The row side of a range reduction (../io/parallel/reduce.ts): in a worker, one piece's
 * records are interpreted into rows by the byte path's rules (./rows.ts) and each client's
 * run of rows is handed to a command's RunReducer; the main thread (./rows.ts,
 * reducedPiece) interns the runs' client ids in order and gives each run's reduction to the
 * command in the run's place among the rows it interprets itself.
 *
 * A run is reduced only when the main thread would make exactly the same rows of it with
 * nothing to report: every record has the header's field count, a client that is not a
 * missing marker, and cells the byte path settles in place (a plain number the column's rule
 * keeps as it is, or a missing marker; a session number; a date, or a missing marker). Any other
 * record (ragged, a client missing, a value not numeric, out of range, a missing code, a
 * quoted cell, an invalid date) leaves its whole run to the main thread, which reads it as
 * on one thread (issues, warnings and line numbers included). The first and the last run of
 * a piece are always left: a run may go on in the neighbouring piece (the runs cut by a
 * piece boundary are joined there). From a client, therapist or group cell that is quoted or
 * begins or ends with a space (the interner trims it) on, the rest of the piece is left.
 *
 * The worker sees each record as it is scanned. Layout of the reduced piece: ints = [runs,
 * events, the byte range and first line of the records left after the last run taken,
 * missing per measure (M), then per run RUN_STRIDE ints (the byte range and first line of
 * the records left before it (-1, -1 when none), its rows (= records), the client id's
 * byte range, first and end label event, first float), then per label event 3 ints (label,
 * byte range)]; floats = what the command's reducer wrote. A label event is a therapist (label 0) or group (1 + g) cell
 * that differs from the previous row's in the run: the main thread interns them in order.
 */
import type { PlainScan } from '../io/parallel/plain.js';
import type { PieceSink, ReducedPiece, StartPiece } from '../io/parallel/reduce.js';
import type { RangeRecord } from '../io/scanner.js';
import { CellRules, type ColumnRule } from './cells.js';
import { GrowableF64, grow } from './intern.js';
import type { DateFormat } from './types.js';
import { MissingTokens, parseDateBytes, parseNumberBytesInto } from './values.js';
import { KERNEL_RUN_INTS, RowKernel, kernelReads, type KernelReduction } from './range-kernel.js';

/** What the worker needs to interpret one part's records (made by ./rows.ts). */
export interface RunLayout {
  ncols: number;
  client: number;
  session: number;
  /** The date field (-1: rows carry no date) and the part's date format. */
  date: number;
  dateFormat: DateFormat;
  /** Label fields interned in order: [label code, field] pairs (0 therapist, 1 + g group g). */
  labels: number[];
  measureG: number[];
  measureF: number[];
  M: number;
  decimal: '.' | ',';
  missing: string[];
  rules: ColumnRule[];
}

export interface RunSpec {
  layout: RunLayout;
  command: unknown;
}

/**
 * A command's reduction of one client's run: `rows` flat, per row the session, the date
 * (when the layout reads dates) and the M measures (NaN: missing), in file order.
 */
export interface RunReducer {
  reduce(rows: Float64Array, count: number, out: GrowableF64): void;
  /**
   * The same for rows that start at rows[base] (the row kernel's, ./range-kernel.ts): a
   * reducer that has it lets the kernel read its pieces when the layout allows.
   */
  reduceAt?(rows: Float64Array, base: number, count: number, out: GrowableF64): void;
  /** A reduction the row kernel can do itself, the same bits as reduceAt (./range-kernel.ts); null when it cannot. */
  readonly kernelReduction?: KernelReduction | null;
}

export const RUN_STRIDE = 9;
/** Ints before the runs: runs, events, the trailing range left (start, end, line), missing per measure. */
export const RUN_HEAD = 5;

/** A reducer module's `startPiece` for a command whose run reducer `make` builds from its spec. */
export function pieceReducer(make: (command: unknown, layout: RunLayout) => RunReducer): StartPiece {
  return (bytes, spec) => {
    const s = spec as RunSpec;
    return new RunSink(bytes, s.layout, make(s.command, s.layout));
  };
}

function sameBytes(b: Buffer, a0: number, a1: number, c0: number, c1: number): boolean {
  if (a1 - a0 !== c1 - c0) return false;
  for (let i = 0; i < a1 - a0; i++) if (b[a0 + i] !== b[c0 + i]) return false;
  return true;
}

/** RunSink.out (growing it piece after piece cost the workers about 3 % of their time at 10M rows). */
const sharedOut = new GrowableF64(4096);

/** Takes the clean runs of one piece (see the header); the others stay listed for the main thread. */
class RunSink implements PieceSink {
  private readonly missing: MissingTokens;
  private readonly rules: CellRules;
  private readonly W: number;
  private readonly NL: number;
  private readonly mark: number;
  /** The reducer's floats: one buffer per thread, kept from piece to piece (end copies them out; pieces are taken one at a time). */
  private readonly out = sharedOut;
  private runs = new Int32Array(64 * RUN_STRIDE);
  private nRuns = 0;
  private events = new Int32Array(192);
  private nEv = 0;
  private readonly pieceMissing: Int32Array;
  private readonly runMissing: Int32Array;
  private buf: Float64Array;
  private readonly scratch = new Float64Array(1);
  private readonly lastLabel: Int32Array;
  /** From a quoted or padded key cell on (the interner trims it), nothing more is taken: the runs taken before stand. */
  private refused = false;
  // The current run (runNo: runs with a client so far, minus one; the first one is left to the main thread).
  private runNo = -1;
  /** The current run's first record (its first byte and line) and the byte after its last record. */
  private runAt = -1;
  private runLine = 0;
  private runNext = -1;
  /** Records left since the last run taken: a range of bytes and the line of its first record. */
  private rawAt = -1;
  private rawNext = -1;
  private rawLine = 0;
  private keyA = -1;
  private keyE = -1;
  private dirty = true;
  private rows = 0;
  private evStart = 0;

  constructor(
    private readonly bytes: Buffer,
    private readonly L: RunLayout,
    private readonly reducer: RunReducer,
  ) {
    sharedOut.length = 0;
    this.missing = new MissingTokens(L.missing);
    this.rules = new CellRules(this.missing, L.rules);
    this.W = (L.date >= 0 ? 2 : 1) + L.M;
    this.NL = L.labels.length / 2;
    this.mark = L.decimal === ',' ? 44 : 46;
    this.pieceMissing = new Int32Array(L.M);
    this.runMissing = new Int32Array(L.M);
    this.buf = new Float64Array(64 * this.W);
    this.lastLabel = new Int32Array(2 * this.NL);
    // The row kernel reads layouts with no date and no label, for a reducer that takes rows at an offset.
    this.kernel =
      kernelReads(L) && reducer.reduceAt !== undefined
        ? RowKernel.for({
            ncols: L.ncols,
            client: L.client,
            session: L.session,
            measures: L.measureG.flatMap((g, k) => [g, L.measureF[k]]),
            M: L.M,
            mark: this.mark,
            plain: this.rules.plain,
            integer: this.rules.integer,
            lo: this.rules.lo,
            hi: this.rules.hi,
            tokens: this.missing.tokens(),
            reduction: reducer.kernelReduction ?? null,
          })
        : null;
  }

  private readonly kernel: RowKernel | null;

  /** The row kernel's take of a whole piece (PieceSink.plain): the runs it took, reduced here in order; -1 when it does not read it. */
  plain(bytes: Buffer, len: number, final: boolean, delim: number, state: PlainScan): number {
    const reducer = this.reducer;
    if (this.kernel === null || reducer.reduceAt === undefined || this.runNo >= 0 || delim === 10 || delim === 13 || bytes.indexOf(13) >= 0) return -1;
    const k = this.kernel.scan(bytes, len, final, delim);
    if (k === null) return -1;
    const W = this.W;
    const width = reducer.kernelReduction?.width ?? 0;
    const ints = k.ints;
    for (let r = 0; r < k.runs; r++) {
      const i = k.runAt + r * KERNEL_RUN_INTS;
      const runs = (this.runs = grow(this.runs, (this.nRuns + 1) * RUN_STRIDE));
      const o = this.nRuns++ * RUN_STRIDE;
      runs[o] = ints[i];
      runs[o + 1] = ints[i + 1];
      runs[o + 2] = ints[i + 2];
      runs[o + 3] = ints[i + 3];
      runs[o + 4] = ints[i + 4];
      runs[o + 5] = ints[i + 5];
      runs[o + 6] = 0;
      runs[o + 7] = 0;
      runs[o + 8] = this.out.length;
      const f = ints[i + 7];
      if (f < 0) reducer.reduceAt(k.floats, k.rowsAt + ints[i + 6] * W, ints[i + 3], this.out);
      else {
        // Reduced in the kernel (KernelReduction): its floats, as reduceAt would write them.
        const out = this.out;
        out.ensure(width);
        const d = out.data;
        const from = k.reducedAt + f;
        for (let j = 0; j < width; j++) d[out.length + j] = k.floats[from + j];
        out.length += width;
      }
    }
    for (let g = 0; g < this.L.M; g++) this.pieceMissing[g] += k.missing[g];
    this.rawAt = k.rawAt;
    this.rawNext = k.rawNext;
    this.rawLine = k.rawLine;
    state.line = k.line;
    return k.used;
  }

  private text(a: number, e: number): string {
    return this.bytes.toString('utf8', a, e);
  }

  /** Ends the current run: taken (reduced) when clean and not the piece's first or last, else left with the records before it. */
  private close(last: boolean): void {
    if (this.runNo >= 1 && !last && !this.dirty && this.rows > 0 && !this.refused) {
      const runs = (this.runs = grow(this.runs, (this.nRuns + 1) * RUN_STRIDE));
      const o = this.nRuns++ * RUN_STRIDE;
      runs[o] = this.rawAt;
      runs[o + 1] = this.rawNext;
      runs[o + 2] = this.rawLine;
      runs[o + 3] = this.rows;
      runs[o + 4] = this.keyA;
      runs[o + 5] = this.keyE;
      runs[o + 6] = this.evStart;
      runs[o + 7] = this.nEv;
      runs[o + 8] = this.out.length;
      this.rawAt = -1;
      this.rawNext = -1;
      this.reducer.reduce(this.buf, this.rows, this.out);
      for (let g = 0; g < this.L.M; g++) this.pieceMissing[g] += this.runMissing[g];
    } else {
      this.nEv = this.evStart;
      if (this.runAt >= 0) {
        if (this.rawAt < 0) {
          this.rawAt = this.runAt;
          this.rawLine = this.runLine;
        }
        this.rawNext = this.runNext;
      }
    }
    this.runAt = -1;
  }

  record(rec: RangeRecord, line: number): void {
    const L = this.L;
    const bytes = this.bytes;
    const st = rec.start;
    const en = rec.end;
    // Does the record start a run (a new client), belong to the current one, or spoil it
    // (ragged, or a client that is a missing marker: the main thread drops it, the run goes on)?
    let fresh = false;
    let spoils = false;
    if (!this.refused) {
      if (rec.count !== L.ncols) spoils = true;
      else {
        const ca = st[L.client];
        const ce = en[L.client];
        if (ca < 0 || (ce > ca && (bytes[ca] <= 32 || bytes[ce - 1] <= 32))) this.refused = true;
        else if (this.keyA < 0 || !sameBytes(bytes, ca, ce, this.keyA, this.keyE)) {
          if (this.missing.has(this.text(ca, ce))) spoils = true;
          else {
            fresh = true;
            this.close(false);
            this.runAt = rec.at;
            this.runLine = line;
            this.runNo++;
            this.keyA = ca;
            this.keyE = ce;
            this.dirty = false;
            this.rows = 0;
            this.evStart = this.nEv;
            this.runMissing.fill(0);
            this.lastLabel.fill(-1);
          }
        }
      }
    }
    if (!fresh && this.runAt < 0) {
      this.runAt = rec.at;
      this.runLine = line;
    }
    this.runNext = rec.next;
    if (this.refused) return;
    if (spoils) {
      this.dirty = true;
      return;
    }
    // Labels: interned in order by the main thread (events), whatever the run becomes.
    const labels = L.labels;
    const last = this.lastLabel;
    for (let l = 0; l < this.NL; l++) {
      const f = labels[2 * l + 1];
      const a = st[f];
      const e = en[f];
      if (a < 0 || (e > a && (bytes[a] <= 32 || bytes[e - 1] <= 32))) {
        this.refused = true;
        return;
      }
      if (last[2 * l] >= 0 && sameBytes(bytes, a, e, last[2 * l], last[2 * l + 1])) continue;
      last[2 * l] = a;
      last[2 * l + 1] = e;
      if (3 * this.nEv + 3 > this.events.length) {
        const bigger = new Int32Array(2 * this.events.length);
        bigger.set(this.events);
        this.events = bigger;
      }
      const ev = this.events;
      ev[3 * this.nEv] = labels[2 * l];
      ev[3 * this.nEv + 1] = a;
      ev[3 * this.nEv + 2] = e;
      this.nEv++;
    }
    if (this.dirty) return;
    const W = this.W;
    let buf = this.buf;
    let o = this.rows * W;
    if (o + W > buf.length) {
      const bigger = new Float64Array(2 * buf.length);
      bigger.set(buf);
      buf = this.buf = bigger;
    }
    // Session: a plain number (a blank one may be numbered later: ./numbering.ts).
    const sa = st[L.session];
    if (sa < 0 || !parseNumberBytesInto(bytes, sa, en[L.session], 46, buf, o++)) {
      this.dirty = true;
      return;
    }
    const di = L.date;
    if (di >= 0) {
      const da = st[di];
      const de = en[di];
      const d = da >= 0 ? parseDateBytes(bytes, da, de, L.dateFormat) : NaN;
      if (d === d) buf[o++] = d;
      else if (da >= 0 && this.missing.has(this.text(da, de))) buf[o++] = NaN;
      else {
        this.dirty = true;
        return;
      }
    }
    const mG = L.measureG;
    const mF = L.measureF;
    const nm = mG.length;
    if (nm < L.M) buf.fill(NaN, o, o + L.M);
    for (let k = 0; k < nm; k++) {
      const g = mG[k];
      const f = mF[k];
      const a = st[f];
      const e = en[f];
      if (a >= 0 && parseNumberBytesInto(bytes, a, e, this.mark, buf, o + g)) {
        if (this.rules.accepts(g, buf[o + g])) continue;
      } else if (a >= 0 && this.missing.has(this.text(a, e))) {
        buf[o + g] = NaN;
        this.runMissing[g]++;
        continue;
      }
      this.dirty = true;
      return;
    }
    this.rows++;
  }

  end(): ReducedPiece | null {
    this.close(true);
    if (this.nRuns === 0) return null;
    const M = this.L.M;
    const head = RUN_HEAD + M;
    const ints = new Int32Array(head + this.nRuns * RUN_STRIDE + 3 * this.nEv);
    ints[0] = this.nRuns;
    ints[1] = this.nEv;
    ints[2] = this.rawAt;
    ints[3] = this.rawNext;
    ints[4] = this.rawLine;
    ints.set(this.pieceMissing, RUN_HEAD);
    ints.set(this.runs.subarray(0, this.nRuns * RUN_STRIDE), head);
    ints.set(this.events.subarray(0, 3 * this.nEv), head + this.nRuns * RUN_STRIDE);
    return { ints, floats: this.out.data.slice(0, this.out.length) };
  }
}

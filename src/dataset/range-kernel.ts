/**
 * The row kernel (issue 15: correlate on 10M rows in about a second): the per-record work of
 * a range reduction (./range-runs.ts, RunSink) for the common piece, in WebAssembly.
 *
 * What it does: for a piece with no quote byte and no CR, read by a layout with no date and
 * no label field (correlate without --by: client, session and measures), kernel/runs.ts
 * splits the records as the plain scanner does (../io/parallel/plain.ts) and does what
 * RunSink.record does for each: finds the client runs, parses the session and measure cells
 * and takes the clean runs, by RunSink's rules, into rows that the command's reducer
 * (RunReducer.reduceAt) reduces here in JavaScript, run by run, in order. The reduced piece
 * is the one RunSink makes of the same bytes, int for int and bit for bit; where the kernel
 * cannot answer exactly (a cell that is not printable ASCII and not a plain number: whether
 * it is a missing marker) it leaves the run to the main thread, which reads it as on one
 * thread, and a client key that is not printable ASCII makes it decline the piece (RunSink
 * scans it). test/dataset/range-kernel.test.ts compares the two on random pieces.
 *
 * Why: on the bench's file (40-byte records of 8 fields) the plain splitter and
 * RunSink.record take about 85 ns a record on the 2-core machine (a byte costs about 1 ns
 * to look at in JavaScript), the kernel about 50 (16 bytes are compared at a time; the
 * copy of the piece into its memory included); the reducer's arithmetic (about 25 ns a
 * record, in JavaScript either way) is the one-thread path's code, so it stays there.
 *
 * The module (dist/dataset/runs.wasm, built by scripts/kernel.mjs from kernel/runs.ts) is
 * compiled once per thread, on first use; without it (a build that did not make it) the
 * kernel is not used and RunSink scans every piece (test/dataset/range-kernel.test.ts
 * checks that it is built).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compiledUrl } from '../io/parallel/reduce.js';

/** Ints per run the kernel took (kernel/runs.ts RUN_INTS). */
export const KERNEL_RUN_INTS = 8;
/** Where the caller's regions start (the module's own data lies below). */
const BASE = 4096;
const PAGE = 65536;
/** The largest piece the kernel reads (its regions then take at most about 120 MB of address space, of which a piece touches what it uses). */
const MAX_PIECE = 4 * 1024 * 1024;

interface Exports {
  memory: WebAssembly.Memory;
  scan(...args: number[]): number;
  reducer(pairs: number, pairAt: number, early: number, k: number, lagged: number): void;
}

/** What the kernel made of one piece. */
export interface KernelPiece {
  used: number;
  line: number;
  runs: number;
  /** The records left after the last run taken: byte range and first line (-1, -1 when none). */
  rawAt: number;
  rawNext: number;
  rawLine: number;
  /**
   * Per run taken (KERNEL_RUN_INTS ints from `runAt`): left range before it, rows, key
   * range, first row, and the first of its reduced floats (from `reducedAt`; -1 when the
   * kernel did not reduce it: the reducer does).
   */
  ints: Int32Array;
  runAt: number;
  /** The rows of the runs taken (1 + M floats each, from `rowsAt`). */
  floats: Float64Array;
  rowsAt: number;
  /** Per measure, the missing cells of the runs taken. */
  missing: Int32Array;
  reducedAt: number;
}

/**
 * A reduction the kernel does itself (correlate's computeRun: kernel/runs.ts reduceRun):
 * the measures of each pair (alliance, outcome), the early values (0 none, 1 alliance at
 * session k, 2 mean alliance over sessions <= k), the lag block, and the floats per run.
 */
export interface KernelReduction {
  pairs: number[];
  early: 0 | 1 | 2;
  k: number;
  lagged: boolean;
  width: number;
}

/** The settings of a layout the kernel reads (fixed for a RunSink). */
export interface KernelLayout {
  ncols: number;
  client: number;
  session: number;
  /** Per measure read: [g, field] pairs. */
  measures: number[];
  M: number;
  /** Byte of the decimal mark. */
  mark: number;
  /** Per measure g: plain, integer flags and the range. */
  plain: ArrayLike<number>;
  integer: ArrayLike<number>;
  lo: ArrayLike<number>;
  hi: ArrayLike<number>;
  /** The missing markers (trimmed, lower case). */
  tokens: readonly string[];
  /** The reduction done in the kernel, if any. */
  reduction: KernelReduction | null;
}

let loaded: Exports | null | undefined;

/** Tests: room for fewer reduced floats (so that the runs past it take the reducer's path). */
export const kernelTuning: { reducedCap?: number } = {};

/** The kernel's exports on this thread, or null when the module is not there. */
function kernel(): Exports | null {
  if (loaded !== undefined) return loaded;
  try {
    const bytes = new Uint8Array(readFileSync(fileURLToPath(compiledUrl(import.meta.url, './runs.wasm'))));
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    return (loaded = instance.exports as unknown as Exports);
  } catch {
    // Not built, or not a module this Node.js takes: RunSink reads every piece.
    return (loaded = null);
  }
}

/** Is the row kernel built (tests make sure the runs they compare went through it)? */
export function kernelAvailable(): boolean {
  return kernel() !== null;
}

/** Does the kernel read a layout's pieces: built, and the layout has no date and no label field (range-runs.ts RunLayout)? */
export function kernelReads(layout: { date: number; labels: readonly number[] }): boolean {
  return layout.date < 0 && layout.labels.length === 0 && kernelAvailable();
}

/** A layout's fixed regions in the kernel's memory (measures, rules, markers, fields, counts, results). */
export class RowKernel {
  private readonly k: Exports;
  private readonly mgf: number;
  private readonly rulesI: number;
  private readonly rulesF: number;
  private readonly tok: number;
  private readonly nTok: number;
  private readonly fld: number;
  private readonly miss: number;
  private readonly res: number;
  private readonly pairAt: number;
  /** First byte after the fixed regions (16-aligned). */
  private readonly free: number;
  private readonly header: Int32Array;
  private readonly fixed: Uint8Array;

  /** null when the module is not built or the layout's markers cannot be written. */
  static for(L: KernelLayout): RowKernel | null {
    const k = kernel();
    return k === null ? null : new RowKernel(k, L);
  }

  private constructor(
    k: Exports,
    private readonly L: KernelLayout,
  ) {
    this.k = k;
    // The markers of printable ASCII (no other can equal a cell the kernel compares).
    const toks = L.tokens.filter((t) => t.length > 0 && /^[\x21-\x7e]+$/.test(t)).map((t) => Buffer.from(t, 'latin1'));
    this.nTok = toks.length;
    const align = (n: number): number => (n + 15) & ~15;
    let at = BASE;
    this.mgf = at;
    at = align(at + 8 * (L.measures.length / 2));
    this.rulesI = at;
    at = align(at + 8 * L.M);
    this.rulesF = at;
    at = align(at + 16 * L.M);
    this.tok = at;
    at = align(at + toks.reduce((s, t) => s + 4 + ((t.length + 3) & ~3), 0));
    this.fld = at;
    at = align(at + 8 * L.ncols);
    this.miss = at;
    at = align(at + 8 * L.M);
    this.res = at;
    at = align(at + 24);
    this.pairAt = at;
    at = align(at + 4 * (L.reduction?.pairs.length ?? 0));
    this.free = at;
    // Written into the module's memory before each piece (another RunSink on this thread may have used it).
    const fixed = new Uint8Array(this.free - BASE);
    const view = new DataView(fixed.buffer);
    for (let i = 0; i < L.measures.length; i++) view.setInt32(this.mgf - BASE + 4 * i, L.measures[i], true);
    for (let g = 0; g < L.M; g++) {
      view.setInt32(this.rulesI - BASE + 8 * g, L.plain[g], true);
      view.setInt32(this.rulesI - BASE + 8 * g + 4, L.integer[g], true);
      view.setFloat64(this.rulesF - BASE + 16 * g, L.lo[g], true);
      view.setFloat64(this.rulesF - BASE + 16 * g + 8, L.hi[g], true);
    }
    let t = this.tok - BASE;
    for (const b of toks) {
      view.setInt32(t, b.length, true);
      fixed.set(b, t + 4);
      t += 4 + ((b.length + 3) & ~3);
    }
    for (const [i, m] of (L.reduction?.pairs ?? []).entries()) view.setInt32(this.pairAt - BASE + 4 * i, m, true);
    this.fixed = fixed;
    this.header = new Int32Array(6);
  }

  /**
   * Runs the kernel over bytes[0..len) (no `"`, no CR: the caller checks), delimiter `delim`;
   * null when it declines the piece.
   */
  scan(bytes: Uint8Array, len: number, final: boolean, delim: number): KernelPiece | null {
    const { k, L } = this;
    // A piece is a read (1 MiB) plus the unfinished record before it: one much larger holds
    // a record of megabytes, which RunSink reads (the regions below grow with the piece).
    if (len > MAX_PIECE) return null;
    const W = 1 + L.M;
    // Records at most: each holds ncols - 1 delimiters and ends at a line break or the end.
    const maxRecords = L.ncols >= 2 ? Math.floor(len / (L.ncols - 1)) + 1 : len + 1;
    const inp = this.free;
    // (16 bytes after the piece: the kernel reads 16 at a time.)
    const runAt = (inp + len + 16 + 15) & ~15;
    const rowsAt = (runAt + 4 * KERNEL_RUN_INTS * maxRecords + 15) & ~15;
    const reducedAt = (rowsAt + 8 * W * maxRecords + 15) & ~15;
    // Room for the reduced runs' floats (about 31,000 a MiB on the bench's file): the runs
    // past it are reduced by the reducer (reduceAt), as the kernel's runs are.
    const reducedCap = L.reduction === null ? 0 : (kernelTuning.reducedCap ?? Math.max(4096, len));
    const top = reducedAt + 8 * reducedCap;
    const mem = k.memory;
    if (top > mem.buffer.byteLength) {
      try {
        mem.grow(Math.ceil((top - mem.buffer.byteLength) / PAGE));
      } catch {
        // No memory for the regions: RunSink reads the piece (the heap guard judges what it needs).
        return null;
      }
    }
    const u8 = new Uint8Array(mem.buffer);
    u8.set(this.fixed, BASE);
    u8.set(bytes.subarray(0, len), inp);
    const red = L.reduction;
    if (red === null) k.reducer(0, 0, 0, 0, 0);
    else k.reducer(red.pairs.length / 2, this.pairAt, red.early, red.k, red.lagged ? 1 : 0);
    const ok = k.scan(
      inp,
      len,
      final ? 1 : 0,
      delim,
      L.ncols,
      L.client,
      L.session,
      L.measures.length / 2,
      L.M,
      L.mark,
      this.mgf,
      this.rulesI,
      this.rulesF,
      this.tok,
      this.nTok,
      this.fld,
      runAt,
      rowsAt,
      this.miss,
      reducedAt,
      reducedCap,
      this.res,
    );
    if (ok < 0) return null;
    const h = new Int32Array(mem.buffer, this.res, 6);
    return {
      used: h[0],
      line: h[1],
      runs: h[2],
      rawAt: h[3],
      rawNext: h[4],
      rawLine: h[5],
      ints: new Int32Array(mem.buffer),
      runAt: runAt >> 2,
      floats: new Float64Array(mem.buffer),
      rowsAt: rowsAt >> 3,
      missing: new Int32Array(mem.buffer, this.miss, L.M),
      reducedAt: reducedAt >> 3,
    };
  }
}

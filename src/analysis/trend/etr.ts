/**
 * The expected-treatment-response (ETR) cells of `alliance trend`'s "not on track" flag:
 * clients in intake-severity bands (type-7 quantiles of intake), per band and sessions since
 * intake the given quantile of the change so far, where the cell has enough clients
 * (passes B and C of trend.ts).
 *
 * When the outcome is held as integer codes (store.ts) every change so far is an integer
 * number of code steps, and a cell's values are counted in a histogram (one pass, no
 * sorting; the quantile is read off the cumulative counts: the same two order statistics
 * quantileSorted interpolates); a client is then flagged where its change in code steps is
 * below the cell's boundary code. Otherwise the values are sorted, in batches of at most
 * ETR_BATCH values.
 */
import { quantileSorted } from '../../stats/descriptive.js';
import { compareScores, scoreDifference } from '../../stats/threshold.js';
import { direction } from '../change.js';
import { scoreIndex } from './exact.js';
import type { ClientSessions } from './store.js';
import type { TrendResult } from './types.js';

/** How a column holds its values: integer codes in [lo, hi], value = code / scale (null: Float64; store.ts, PagedColumn.codes). */
export type Codes = { scale: number; lo: number; hi: number } | null;

/** Values of the expected-treatment-response cells held at once (8 bytes each). */
export const ETR_BATCH = 1 << 20;

/** Most histogram counters held (4 bytes each) before the sorting path is used. */
const MAX_HISTOGRAM = 1 << 22;

/** Sessions since intake below this (whole numbers) find their cell by index, others by a Map. */
export const SMALL_OFFSET = 1024;

/** How a StepSource entry holds its sessions since intake (the low bits, below SMALL_OFFSET) and step (the rest). */
export const STEP_OFF_BITS = 10;
export const STEP_OFF_MASK = SMALL_OFFSET - 1;

export interface EtrInput {
  nClients: number;
  /**
   * A reader of session numbers and outcomes (store.ts); null when the store does not keep
   * the sessions (a streamed scan, runs.ts): then `steps` are given and stepsSuffice held.
   */
  read: ((client: number) => ClientSessions) | null;
  /** Index of client c's intake (first outcome) in its sorted sessions `s`, -1 when none. */
  first: (s: ClientSessions, c: number) => number;
  /** The clients' intake values (sorted here, in place). */
  intakes: Float64Array;
  higherIsBetter: boolean;
  quantile: number;
  minCell: number;
  /** Values held at once (ETR_BATCH unless a test asks for less). */
  batch: number;
  /** How the outcome column holds its values (integer codes or Float64). */
  codes: Codes;
  /** Memoise the per-intake band test (exact.ts; false for tests: the function each time). */
  tables: boolean;
  /**
   * The clients' change steps (steps.ts, in the scale of `codes`) to count instead of reading
   * the store, with whether client c has an intake and what it is; null: read the store.
   */
  steps?: { steps: StepSource; has: (c: number) => boolean; intake: (c: number) => number } | null;
}

/** Per client c, entries first(c) to last(c) - 1: sessions since intake and change in code steps (steps.ts). */
export interface StepSource {
  /** step * 2^OFF_BITS + sessions since intake (OFF_BITS: steps.ts). */
  readonly entries: Int32Array;
  first(c: number): number;
  last(c: number): number;
}

/**
 * The cells of every band, with each client's band, filled by `fillEtrCells`. A cell is a
 * band x sessions since intake; `cell(b, off)` is its index or -1.
 */
export class EtrCells {
  readonly band: Int8Array;
  /** Per cell: values (clients) counted, and whether it has enough to flag against. */
  n: number[] = [];
  used: Uint8Array = new Uint8Array(0);
  /** Per used cell: the quantile (sorting path) or the first code step not flagged (histogram path). */
  threshold: Float64Array = new Float64Array(0);
  /** Per cell: its band and sessions since intake. */
  private cellBand: number[] = [];
  private cellOff: number[] = [];
  private small: Int32Array;
  private large: Map<number, number>[];
  private dir: 1 | -1;
  /** Code scale of the histogram path, 0 on the sorting path. */
  private scale = 0;

  constructor(
    nClients: number,
    readonly bands: number,
    higherIsBetter: boolean,
  ) {
    this.band = new Int8Array(nClients).fill(-1);
    this.small = new Int32Array(bands * SMALL_OFFSET).fill(-1);
    this.large = Array.from({ length: bands }, () => new Map<number, number>());
    this.dir = direction(higherIsBetter);
  }

  /** Cell ids by band * SMALL_OFFSET + sessions since intake, for whole offsets below SMALL_OFFSET (-1: none yet). */
  smallCells(): Int32Array {
    return this.small;
  }

  cell(b: number, off: number): number {
    if (off < SMALL_OFFSET && Number.isInteger(off)) return this.small[b * SMALL_OFFSET + off];
    return this.large[b].get(off) ?? -1;
  }

  /** The cell of (b, off), made when new. */
  add(b: number, off: number): number {
    let id = this.cell(b, off);
    if (id >= 0) return id;
    id = this.n.length;
    this.n.push(0);
    this.cellBand.push(b);
    this.cellOff.push(off);
    if (off < SMALL_OFFSET && Number.isInteger(off)) this.small[b * SMALL_OFFSET + off] = id;
    else this.large[b].set(off, id);
    return id;
  }

  /** The change so far, oriented so that positive is better (threshold.ts precision). */
  improvement(o: number, intake: number): number {
    return this.dir * scoreDifference(o, intake);
  }

  /** Whether change so far `o - intake` is below used cell `id`'s quantile (compareScores < 0). */
  below(id: number, o: number, intake: number): boolean {
    if (this.scale > 0) return this.dir * (Math.round(o * this.scale) - Math.round(intake * this.scale)) < this.threshold[id];
    return compareScores(this.improvement(o, intake), this.threshold[id]) < 0;
  }

  /** below() of a change so far given in code steps (steps.ts; the histogram path only). */
  belowSteps(id: number, step: number): boolean {
    return this.dir * step < this.threshold[id];
  }

  /** Cells in band order, then by sessions since intake (the order the batches use). */
  ordered(): number[] {
    const ids = this.n.map((_, i) => i);
    return ids.sort((x, y) => this.cellBand[x] - this.cellBand[y] || this.cellOff[x] - this.cellOff[y]);
  }

  useHistogram(scale: number): void {
    this.scale = scale;
  }
  /** Whether the thresholds are in code steps (the histogram path: belowSteps applies). */
  get histogram(): boolean {
    return this.scale > 0;
  }
  offOf(id: number): number {
    return this.cellOff[id];
  }
  bandOf(id: number): number {
    return this.cellBand[id];
  }
}

/**
 * Whether fillEtrCells, given the change steps (steps.ts) of outcomes held as `codes`, never
 * reads the session store: every cell of `bands` bands up to `maxOffset` sessions since
 * intake has its histogram within MAX_HISTOGRAM (so neither the sorting path nor the
 * separate histogram pass is taken).
 */
export function stepsSuffice(codes: Codes, bands: number, maxOffset: number): boolean {
  if (codes === null) return false;
  const width = 2 * (codes.hi - codes.lo) + 1;
  return bands * (maxOffset + 1) * width <= MAX_HISTOGRAM;
}

/**
 * Assigns each client with an intake its band, counts and fills the cells and their
 * thresholds, and records the band limits and cell counts in `ntpMethod`. With integer
 * codes the counting pass also counts every cell's values in its histogram (passes B and C
 * in one), as long as the histograms of all cells fit in MAX_HISTOGRAM; past that the used
 * cells' histograms are filled in a pass of their own.
 */
export function fillEtrCells(input: EtrInput, ntpMethod: TrendResult['methods']['notOnTrack']): EtrCells {
  const { nClients, intakes, minCell } = input;
  const read = input.read ?? noStore;
  const K = ntpMethod.bands;
  intakes.sort();
  for (let j = 1; j < K; j++) ntpMethod.bandLimits.push(quantileSorted(intakes, j / K));
  const cells = new EtrCells(nClients, K, input.higherIsBetter);
  const band = cells.band;
  const limits = ntpMethod.bandLimits;
  const codes = input.codes;
  const w = codes ? codes.hi - codes.lo : 0;
  const width = 2 * w + 1;
  const scale = codes ? codes.scale : 1;
  const dir = direction(input.higherIsBetter);
  let hist: Int32Array | null = codes && width <= MAX_HISTOGRAM ? new Int32Array(Math.min(MAX_HISTOGRAM, 32 * width)) : null;
  // The band of an intake: the first whose upper limit it does not exceed (memoised per value, exact.ts).
  const bandIn = (x: number): number => {
    let b = 0;
    while (b < limits.length && compareScores(x, limits[b]) > 0) b++;
    return b;
  };
  const bandOf = input.tables ? scoreIndex(bandIn) : bandIn;
  const small = cells.smallCells();
  const counts = cells.n;
  // pass B: assign bands and count the values of every cell (and, with codes, count them in
  // histograms): one value, `step` code steps of change at `off` sessions since intake.
  const count = (b: number, off: number, step: number): void => {
    let id = off < SMALL_OFFSET && (off | 0) === off ? small[b * SMALL_OFFSET + off] : -1;
    if (id < 0) id = cells.add(b, off);
    counts[id]++;
    if (hist !== null) {
      const end = (id + 1) * width;
      if (end > hist.length) hist = end <= MAX_HISTOGRAM ? grown(hist, end) : null;
      if (hist !== null) hist[id * width + dir * step + w]++;
    }
  };
  const given = codes ? input.steps : null;
  if (given) {
    const { steps, has, intake } = given;
    const entries = steps.entries;
    for (let c = 0; c < nClients; c++) {
      if (!has(c)) continue;
      const b = bandOf(intake(c));
      band[c] = b;
      const row = b * SMALL_OFFSET;
      const end = steps.last(c);
      for (let e = steps.first(c); e < end;) {
        if (hist !== null) e = countSteps(entries, e, end, row, small, counts, hist, width, dir, w);
        if (e < end) {
          count(b, entries[e] & STEP_OFF_MASK, entries[e] >> STEP_OFF_BITS);
          e++;
        }
      }
    }
  } else {
    for (let c = 0; c < nClients; c++) {
      const s = read(c);
      const first = input.first(s, c);
      if (first < 0) continue;
      const i0 = s.outcome[first];
      const s0 = s.session[first];
      const c0 = Math.round(i0 * scale);
      const b = bandOf(i0);
      band[c] = b;
      const { session, outcome } = s;
      for (let k = first + 1; k < s.n; k++) {
        const o = outcome[k];
        const off = session[k] - s0;
        if (o !== o || !(off > 0)) continue;
        count(b, off, Math.round(o * scale) - c0);
      }
    }
  }
  const nCells = cells.n.length;
  cells.used = new Uint8Array(nCells);
  cells.threshold = new Float64Array(nCells).fill(NaN);
  let usedCount = 0;
  for (let id = 0; id < nCells; id++) {
    if (cells.n[id] < minCell) ntpMethod.cellsTooSmall++;
    else {
      cells.used[id] = 1;
      usedCount++;
    }
  }
  ntpMethod.cellsUsed = usedCount;
  if (codes && usedCount * width <= MAX_HISTOGRAM) {
    if (hist !== null) thresholds(input, cells, codes, w, hist, (id) => id);
    else histogramPath(input, cells, codes, w, usedCount);
  } else sortingPath(input, cells);
  return cells;
}

/**
 * count() of entries [e, end) of one client in band row `row` (b * SMALL_OFFSET), while
 * their cells are made and their histogram rows are in `hist`: pass B's common case, in a
 * small function so that it is compiled soon. Returns the first entry not counted (`end`
 * when all were).
 */
function countSteps(
  entries: Int32Array,
  e: number,
  end: number,
  row: number,
  small: Int32Array,
  counts: number[],
  hist: Int32Array,
  width: number,
  dir: number,
  w: number,
): number {
  for (; e < end; e++) {
    const v = entries[e];
    const id = small[row + (v & STEP_OFF_MASK)];
    if (id < 0 || (id + 1) * width > hist.length) return e;
    counts[id]++;
    hist[id * width + dir * (v >> STEP_OFF_BITS) + w]++;
  }
  return e;
}

/** The reader where the store does not keep the sessions (stepsSuffice held: never called). */
function noStore(): never {
  throw new Error('fillEtrCells: the store does not keep the sessions (stepsSuffice did not hold)');
}

/** A copy of `a` at least `n` long (doubled, at most MAX_HISTOGRAM). */
function grown(a: Int32Array, n: number): Int32Array {
  let len = a.length;
  while (len < n) len *= 2;
  const b = new Int32Array(Math.min(len, MAX_HISTOGRAM));
  b.set(a);
  return b;
}

/** pass C with integer codes: count each used cell's changes (in code steps), then read the quantiles off the counts. */
function histogramPath(input: EtrInput, cells: EtrCells, codes: NonNullable<Codes>, w: number, usedCount: number): void {
  const { nClients } = input;
  const read = input.read ?? noStore;
  const width = 2 * w + 1;
  const dense = new Int32Array(cells.n.length).fill(-1);
  let d = 0;
  for (let id = 0; id < cells.n.length; id++) if (cells.used[id]) dense[id] = d++;
  const hist = new Int32Array(usedCount * width);
  const { scale } = codes;
  const dir = direction(input.higherIsBetter);
  const band = cells.band;
  for (let c = 0; c < nClients; c++) {
    const b = band[c];
    if (b < 0) continue;
    const s = read(c);
    const first = input.first(s, c);
    const c0 = Math.round(s.outcome[first] * scale);
    const s0 = s.session[first];
    for (let k = first + 1; k < s.n; k++) {
      const o = s.outcome[k];
      const off = s.session[k] - s0;
      if (Number.isNaN(o) || !(off > 0)) continue;
      const j = dense[cells.cell(b, off)];
      if (j >= 0) hist[j * width + dir * (Math.round(o * scale) - c0) + w]++;
    }
  }
  thresholds(input, cells, codes, w, hist, (id) => dense[id]);
}

/**
 * Each used cell's quantile from its histogram (row `row(id)` of `hist`, counts of code
 * steps -w..w), kept as the first code step that is not flagged.
 */
function thresholds(input: EtrInput, cells: EtrCells, codes: NonNullable<Codes>, w: number, hist: Int32Array, row: (id: number) => number): void {
  const q = input.quantile;
  const width = 2 * w + 1;
  const { scale } = codes;
  // The value of code step v is v / scale: the same double as the sorting path's
  // dir * scoreDifference (both are the correctly rounded quotient of the same exact
  // decimal difference; only the sign of a zero may differ, which no comparison sees), so quantileSorted's two order statistics are found
  // in the counts and interpolated by its own formula.
  for (let id = 0; id < cells.n.length; id++) {
    if (!cells.used[id]) continue;
    const j = row(id);
    const n = cells.n[id];
    const index = 1 + (n - 1) * q;
    const lo = Math.floor(index);
    const hi = Math.ceil(index);
    let seen = 0;
    let qs = NaN;
    let xhi = NaN;
    const base = j * width;
    for (let v = 0; v < width && Number.isNaN(xhi); v++) {
      seen += hist[base + v];
      if (Number.isNaN(qs) && seen >= lo) qs = (v - w) / scale;
      if (seen >= hi) xhi = (v - w) / scale;
    }
    const t = index > lo && xhi !== qs ? (1 - (index - lo)) * qs + (index - lo) * xhi : qs;
    // Flagged where compareScores(step / scale, t) < 0, which rises with the step: the
    // boundary is the first step that is not flagged (binary search over -w..w+1).
    let a = -w;
    let z = w + 1;
    while (a < z) {
      const m = Math.floor((a + z) / 2);
      if (compareScores(m / scale, t) < 0) a = m + 1;
      else z = m;
    }
    cells.threshold[id] = a;
  }
  cells.useHistogram(scale);
}

/**
 * pass C without codes: fill, sort and summarise the cells in batches of at most
 * `input.batch` values, so the values held at once stay bounded whatever the file size. A
 * batch is a range of sessions since intake within one band; sessions are sorted, so a
 * client's visit stops past the range.
 */
function sortingPath(input: EtrInput, cells: EtrCells): void {
  const { nClients, quantile: q } = input;
  const read = input.read ?? noStore;
  interface Batch {
    band: number;
    lo: number;
    hi: number;
    ids: number[];
    size: number;
  }
  const batches: Batch[] = [];
  let current: Batch | null = null;
  for (const id of cells.ordered()) {
    if (!cells.used[id]) continue;
    const b = cells.bandOf(id);
    const off = cells.offOf(id);
    if (!current || current.band !== b || current.size + cells.n[id] > input.batch) {
      current = { band: b, lo: off, hi: off, ids: [], size: 0 };
      batches.push(current);
    }
    current.hi = off;
    current.ids.push(id);
    current.size += cells.n[id];
  }
  // One buffer for every batch (allocating per batch lets freed memory pile up in the heap).
  const pool = new Float64Array(batches.reduce((mx, x) => Math.max(mx, x.size), 0));
  const start = new Int32Array(cells.n.length);
  const fill = new Int32Array(cells.n.length);
  const band = cells.band;
  for (const batch of batches) {
    let offset = 0;
    for (const id of batch.ids) {
      start[id] = offset;
      fill[id] = 0;
      offset += cells.n[id];
    }
    for (let c = 0; c < nClients; c++) {
      if (band[c] !== batch.band) continue;
      const s = read(c);
      const first = input.first(s, c);
      const i0 = s.outcome[first];
      const s0 = s.session[first];
      for (let k = first + 1; k < s.n; k++) {
        const o = s.outcome[k];
        const off = s.session[k] - s0;
        if (Number.isNaN(o) || !(off > 0)) continue;
        if (off < batch.lo) continue;
        if (off > batch.hi) break;
        const id = cells.cell(batch.band, off);
        if (cells.used[id]) pool[start[id] + fill[id]++] = cells.improvement(o, i0);
      }
    }
    for (const id of batch.ids) {
      const values = pool.subarray(start[id], start[id] + cells.n[id]);
      values.sort();
      cells.threshold[id] = quantileSorted(values, q);
    }
  }
}

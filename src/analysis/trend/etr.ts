/**
 * The expected-treatment-response (ETR) cells of `alliance trend`'s "not on track" flag:
 * clients in intake-severity bands (type-7 quantiles of intake), per band and sessions since
 * intake the given quantile of the change so far, where the cell has enough clients
 * (passes B and C of trend.ts).
 */
import { quantileSorted } from '../../stats/descriptive.js';
import { scoreDifference, compareScores } from '../../stats/threshold.js';
import { direction } from '../change.js';
import type { ClientSessions } from './store.js';
import type { TrendResult } from './types.js';

/** Values of the expected-treatment-response cells held at once (8 bytes each). */
export const ETR_BATCH = 1 << 20;

/** One expected-treatment-response cell: a band x sessions since intake. */
export interface EtrCell {
  n: number;
  fill: number;
  values: Float64Array | null;
  threshold: number;
}

export interface EtrInput {
  nClients: number;
  read: (client: number) => ClientSessions;
  /** Index of the client's intake (first outcome) in its sorted sessions, -1 when none. */
  first: (s: ClientSessions) => number;
  /** The clients' intake values (sorted here, in place). */
  intakes: Float64Array;
  higherIsBetter: boolean;
  quantile: number;
  minCell: number;
  /** Values held at once (ETR_BATCH unless a test asks for less). */
  batch: number;
}

/**
 * Assigns each client with an intake its band (band[c]), fills cells[band] (one Map per band,
 * keyed by sessions since intake) and their thresholds, and records the band limits and cell
 * counts in `method`.
 */
export function fillEtrCells(input: EtrInput, ntpMethod: TrendResult['methods']['notOnTrack'], band: Int8Array, cells: Map<number, EtrCell>[]): void {
  const { nClients, read, intakes, minCell } = input;
  const q = input.quantile;
  const K = ntpMethod.bands;
  intakes.sort();
  for (let j = 1; j < K; j++) ntpMethod.bandLimits.push(quantileSorted(intakes, j / K));
  for (let b = 0; b < K; b++) cells.push(new Map());
  const dir = direction(input.higherIsBetter);
  // Calls onValue with each later outcome of client c; onValue returns false to stop.
  const visit = (c: number, onValue: (m: Map<number, EtrCell>, off: number, improvement: number) => boolean): void => {
    const s = read(c);
    const first = input.first(s);
    if (first < 0) return;
    const i0 = s.outcome[first];
    const s0 = s.session[first];
    if (band[c] < 0) {
      let b = 0;
      while (b < ntpMethod.bandLimits.length && compareScores(i0, ntpMethod.bandLimits[b]) > 0) b++;
      band[c] = b;
    }
    const m = cells[band[c]];
    for (let k = first + 1; k < s.n; k++) {
      const o = s.outcome[k];
      const off = s.session[k] - s0;
      if (Number.isNaN(o) || !(off > 0)) continue;
      if (!onValue(m, off, dir * scoreDifference(o, i0))) return;
    }
  };
  // pass B: assign bands and count the values of every cell.
  for (let c = 0; c < nClients; c++) {
    visit(c, (m, off) => {
      const cell = m.get(off);
      if (cell) cell.n++;
      else m.set(off, { n: 1, fill: 0, values: null, threshold: NaN });
      return true;
    });
  }
  // pass C: fill, sort and summarise the cells in batches of at most ETR_BATCH values, so
  // the values held at once stay bounded whatever the file size. A batch is a range of
  // sessions-since-intake within one band; sessions are sorted, so a client's visit stops
  // past the range.
  interface Batch {
    band: number;
    lo: number;
    hi: number;
    cells: EtrCell[];
    size: number;
  }
  const batches: Batch[] = [];
  for (let b = 0; b < K; b++) {
    let current: Batch | null = null;
    for (const off of [...cells[b].keys()].sort((x, y) => x - y)) {
      const cell = cells[b].get(off)!;
      if (cell.n < minCell) {
        ntpMethod.cellsTooSmall++;
        continue;
      }
      if (!current || current.size + cell.n > input.batch) {
        current = { band: b, lo: off, hi: off, cells: [], size: 0 };
        batches.push(current);
      }
      current.hi = off;
      current.cells.push(cell);
      current.size += cell.n;
    }
  }
  // One buffer for every batch (allocating per batch lets freed memory pile up in the heap).
  const pool = new Float64Array(batches.reduce((mx, x) => Math.max(mx, x.size), 0));
  for (const batch of batches) {
    let offset = 0;
    for (const cell of batch.cells) {
      cell.values = pool.subarray(offset, offset + cell.n);
      offset += cell.n;
    }
    for (let c = 0; c < nClients; c++) {
      if (band[c] !== batch.band) continue;
      visit(c, (m, off, v) => {
        if (off < batch.lo) return true;
        if (off > batch.hi) return false;
        const cell = m.get(off)!;
        if (cell.values) cell.values[cell.fill++] = v;
        return true;
      });
    }
    for (const cell of batch.cells) {
      cell.values!.sort();
      cell.threshold = quantileSorted(cell.values!, q);
      cell.values = null;
      ntpMethod.cellsUsed++;
    }
  }
}

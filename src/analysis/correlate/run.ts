/**
 * One client's rows reduced to its statistics (RunStats): the moments per pair, the
 * within-client co-moments of its consecutive-session pairs and its early values.
 */
import { C_STRIDE, L_STRIDE, type AccumulatorConfig } from './layout.js';

/** Floats in a RunStats of P pairs. */
export function runFloats(P: number): number {
  return P * (C_STRIDE + L_STRIDE + 3);
}

/** The statistics of one client's rows (a run, or all rows of a scattered client). */
export class RunStats {
  /** All the floats below, in one buffer (a run's statistics are copied as one block). */
  readonly flat: Float64Array;
  readonly corr: Float64Array;
  readonly lag: Float64Array;
  /** Early alliance per pair (NaN when absent), final and intake outcome (NaN unless valid). */
  readonly earlyX: Float64Array;
  readonly earlyY: Float64Array;
  readonly earlyZ: Float64Array;
  rows = 0;
  disordered = false;
  constructor(P: number) {
    // views of one buffer (one backing store per accumulator: there is one per --by group)
    const all = new Float64Array(runFloats(P));
    this.flat = all;
    this.corr = all.subarray(0, P * C_STRIDE);
    this.lag = all.subarray(P * C_STRIDE, P * (C_STRIDE + L_STRIDE));
    this.earlyX = all.subarray(P * (C_STRIDE + L_STRIDE), P * (C_STRIDE + L_STRIDE + 1));
    this.earlyY = all.subarray(P * (C_STRIDE + L_STRIDE + 1), P * (C_STRIDE + L_STRIDE + 2));
    this.earlyZ = all.subarray(P * (C_STRIDE + L_STRIDE + 2), P * (C_STRIDE + L_STRIDE + 3));
  }
}

// Scratch (module-level, so reducing a run allocates nothing): a run's rows in session order
// (when they did not come in it), and the offsets of its valid consecutive-session pairs.
let sortedScratch = new Float64Array(64);
let pairScratch = new Int32Array(64);

/**
 * Reduces one client's rows (flat: session, v_0..v_{M-1} per row, in arrival order) to its
 * statistics. Moments and early values use the rows in arrival order (the first row wins
 * for a repeated session); lagged pairs use the rows sorted by session. Moments are
 * computed in two passes (means, then centred sums): as accurate as Welford, and faster
 * for the few rows of one client; the early values are found in the first pass. The rows
 * start at d[base] (the row kernel's rows of a piece: ../../dataset/range-kernel.ts).
 */
export function computeRun(cfg: AccumulatorConfig, d: Float64Array, rows: number, out: RunStats, base = 0): void {
  const M = cfg.measures;
  const W = 1 + M;
  const pairs = cfg.pairs;
  const P = pairs.length;
  const end = base + rows * W;
  out.rows = rows;
  const corr = out.corr;
  const early = cfg.early;
  const k = early ? early.k : 0;
  const window = early !== null && early.mode === 'window';
  for (let p = 0; p < P; p++) {
    const ai = 1 + pairs[p].alliance;
    const oi = 1 + pairs[p].outcome;
    let n = 0;
    let sx = 0;
    let sy = 0;
    // early: alliance at session k (the first such row) or the mean over sessions <= k, and
    // the outcome at the lowest and the highest session (the first row of each)
    let ex = NaN;
    let esum = 0;
    let ecnt = 0;
    let minS = Infinity;
    let minV = NaN;
    let maxS = -Infinity;
    let maxV = NaN;
    for (let o = base; o < end; o += W) {
      const x = d[o + ai];
      const y = d[o + oi];
      if (x === x && y === y) {
        n++;
        sx += x;
        sy += y;
      }
      if (early) {
        const s = d[o];
        if (x === x) {
          if (window) {
            if (s <= k) {
              esum += x;
              ecnt++;
            }
          } else if (s === k && ex !== ex) ex = x;
        }
        if (y === y) {
          if (s < minS) {
            minS = s;
            minV = y;
          }
          if (s > maxS) {
            maxS = s;
            maxV = y;
          }
        }
      }
    }
    if (early) {
      if (window) ex = ecnt > 0 ? esum / ecnt : NaN;
      const ok = maxS > k && maxS > minS;
      out.earlyX[p] = ex;
      out.earlyY[p] = ok ? maxV : NaN;
      out.earlyZ[p] = ok ? minV : NaN;
    }
    const b = p * C_STRIDE;
    let xx = 0;
    let yy = 0;
    let xy = 0;
    const mx = n > 0 ? sx / n : 0;
    const my = n > 0 ? sy / n : 0;
    if (n > 1) {
      for (let o = base; o < end; o += W) {
        const x = d[o + ai];
        const y = d[o + oi];
        if (x === x && y === y) {
          const dx = x - mx;
          const dy = y - my;
          xx += dx * dx;
          yy += dy * dy;
          xy += dx * dy;
        }
      }
    }
    corr[b] = n;
    corr[b + 1] = mx;
    corr[b + 2] = my;
    corr[b + 3] = xx;
    corr[b + 4] = yy;
    corr[b + 5] = xy;
  }
  if (cfg.lagged) lagRun(pairs, W, d, rows, out, base);
  else out.disordered = false;
}

/**
 * The lag block of each pair: the pairs of rows with consecutive session numbers, in session
 * order (arrival order when strictly increasing, else a stable sort without repeats, in a
 * copy), and their means and co-moments (two passes).
 */
function lagRun(pairs: AccumulatorConfig['pairs'], W: number, d: Float64Array, rows: number, out: RunStats, base: number): void {
  const end = base + rows * W;
  let sorted = true;
  for (let o = base + W; o < end; o += W) {
    if (!(d[o] > d[o - W])) {
      sorted = false;
      break;
    }
  }
  out.disordered = !sorted;
  if (pairScratch.length < rows) pairScratch = new Int32Array(Math.max(rows, pairScratch.length * 2));
  let L = d;
  let len = rows;
  /** Where the rows start in L. */
  let lb = base;
  if (!sorted) {
    if (sortedScratch.length < rows * W) sortedScratch = new Float64Array(Math.max(rows * W, sortedScratch.length * 2));
    L = sortedScratch;
    lb = 0;
    const idx = Array.from({ length: rows }, (_, r) => r);
    idx.sort((a, b) => d[base + a * W] - d[base + b * W] || a - b);
    len = 0;
    for (const r of idx) {
      if (len > 0 && L[(len - 1) * W] === d[base + r * W]) continue;
      for (let m = 0; m < W; m++) L[len * W + m] = d[base + r * W + m];
      len++;
    }
  }
  const lend = lb + len * W;
  const lag = out.lag;
  const valid = pairScratch;
  for (let p = 0; p < pairs.length; p++) {
    const ai = 1 + pairs[p].alliance;
    const oi = 1 + pairs[p].outcome;
    const b = p * L_STRIDE;
    let n = 0;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let o1 = lb + W; o1 < lend; o1 += W) {
      const o0 = o1 - W;
      if (L[o1] !== L[o0] + 1) continue;
      const v0 = L[o0 + ai];
      const v1 = L[o0 + oi];
      const v2 = L[o1 + ai];
      const v3 = L[o1 + oi];
      if (v0 !== v0 || v1 !== v1 || v2 !== v2 || v3 !== v3) continue;
      valid[n++] = o1;
      s0 += v0;
      s1 += v1;
      s2 += v2;
      s3 += v3;
    }
    const m0 = n > 0 ? s0 / n : 0;
    const m1 = n > 0 ? s1 / n : 0;
    const m2 = n > 0 ? s2 / n : 0;
    const m3 = n > 0 ? s3 / n : 0;
    let c00 = 0;
    let c01 = 0;
    let c02 = 0;
    let c03 = 0;
    let c11 = 0;
    let c12 = 0;
    let c13 = 0;
    let c22 = 0;
    let c23 = 0;
    let c33 = 0;
    for (let i = 0; i < n && n > 1; i++) {
      const o1 = valid[i];
      const o0 = o1 - W;
      const f0 = L[o0 + ai] - m0;
      const f1 = L[o0 + oi] - m1;
      const f2 = L[o1 + ai] - m2;
      const f3 = L[o1 + oi] - m3;
      c00 += f0 * f0;
      c01 += f0 * f1;
      c02 += f0 * f2;
      c03 += f0 * f3;
      c11 += f1 * f1;
      c12 += f1 * f2;
      c13 += f1 * f3;
      c22 += f2 * f2;
      c23 += f2 * f3;
      c33 += f3 * f3;
    }
    lag[b] = n;
    lag[b + 1] = m0;
    lag[b + 2] = m1;
    lag[b + 3] = m2;
    lag[b + 4] = m3;
    lag[b + 5] = c00;
    lag[b + 6] = c01;
    lag[b + 7] = c02;
    lag[b + 8] = c03;
    lag[b + 9] = c11;
    lag[b + 10] = c12;
    lag[b + 11] = c13;
    lag[b + 12] = c22;
    lag[b + 13] = c23;
    lag[b + 14] = c33;
  }
}

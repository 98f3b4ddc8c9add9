/**
 * computeRun (src/analysis/correlate/run.ts) reduces one client's rows in as few passes as it
 * can: the early values in the moments' first pass, the lagged pairs on the rows themselves
 * when they come in session order. Its statistics must be bit for bit those of the plain
 * definitions, written here one quantity at a time over plain arrays in the same order of
 * operations: moments (means, then centred sums) over the rows with both values, in arrival
 * order; lagged pairs over the rows sorted by session (stable, the first row of a repeated
 * session kept), consecutive sessions only; early alliance at session k (first such row) or
 * the mean over sessions <= k; final and intake outcome at the highest and lowest session
 * (first such row).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AccumulatorConfig } from '../../src/analysis/correlate/layout.js';
import { computeRun, RunStats } from '../../src/analysis/correlate/run.js';

type Row = number[]; // session, v_0..v_{M-1}

function moments(xy: [number, number][]): number[] {
  const n = xy.length;
  let sx = 0;
  let sy = 0;
  for (const [x, y] of xy) {
    sx += x;
    sy += y;
  }
  const mx = n > 0 ? sx / n : 0;
  const my = n > 0 ? sy / n : 0;
  let xx = 0;
  let yy = 0;
  let xyc = 0;
  if (n > 1) {
    for (const [x, y] of xy) {
      xx += (x - mx) * (x - mx);
      yy += (y - my) * (y - my);
      xyc += (x - mx) * (y - my);
    }
  }
  return [n, mx, my, xx, yy, xyc];
}

function lagBlock(rows: Row[], a: number, o: number): number[] {
  const order = rows.map((r, i) => ({ r, i })).sort((p, q) => p.r[0] - q.r[0] || p.i - q.i);
  const kept: Row[] = [];
  for (const { r } of order) if (kept.length === 0 || kept[kept.length - 1][0] !== r[0]) kept.push(r);
  const quads: number[][] = [];
  for (let j = 1; j < kept.length; j++) {
    const [p, q] = [kept[j - 1], kept[j]];
    const v = [p[1 + a], p[1 + o], q[1 + a], q[1 + o]];
    if (q[0] === p[0] + 1 && v.every((x) => !Number.isNaN(x))) quads.push(v);
  }
  const n = quads.length;
  const sums = [0, 0, 0, 0];
  for (const v of quads) for (let i = 0; i < 4; i++) sums[i] += v[i];
  const m = sums.map((s) => (n > 0 ? s / n : 0));
  const c: number[] = [];
  for (let i = 0; i < 4; i++) {
    for (let j = i; j < 4; j++) {
      let s = 0;
      if (n > 1) for (const v of quads) s += (v[i] - m[i]) * (v[j] - m[j]);
      c.push(s);
    }
  }
  return [n, ...m, ...c];
}

function earlyValues(rows: Row[], a: number, o: number, early: NonNullable<AccumulatorConfig['early']>): number[] {
  const k = early.k;
  const withA = rows.filter((r) => !Number.isNaN(r[1 + a]));
  let x: number;
  if (early.mode === 'window') {
    const w = withA.filter((r) => r[0] <= k);
    let s = 0;
    for (const r of w) s += r[1 + a];
    x = w.length > 0 ? s / w.length : NaN;
  } else {
    x = withA.find((r) => r[0] === k)?.[1 + a] ?? NaN;
  }
  const withO = rows.filter((r) => !Number.isNaN(r[1 + o]));
  if (withO.length === 0) return [x, NaN, NaN];
  const lo = Math.min(...withO.map((r) => r[0]));
  const hi = Math.max(...withO.map((r) => r[0]));
  const ok = hi > k && hi > lo;
  return [x, ok ? withO.find((r) => r[0] === hi)![1 + o] : NaN, ok ? withO.find((r) => r[0] === lo)![1 + o] : NaN];
}

const value = fc.oneof(
  { weight: 1, arbitrary: fc.constant(NaN) },
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 400 }).map((v) => v / 10) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 400 }).map((v) => 1e9 + v / 10) },
);

const caseArb = fc.integer({ min: 1, max: 3 }).chain((M) =>
  fc.record({
    M: fc.constant(M),
    pairs: fc.uniqueArray(fc.tuple(fc.nat(M - 1), fc.nat(M - 1)), { minLength: 1, maxLength: 4, selector: ([a, o]) => `${a},${o}` }),
    early: fc.option(fc.record({ mode: fc.constantFrom('session' as const, 'window' as const), k: fc.integer({ min: 1, max: 4 }) }), { nil: null }),
    lagged: fc.boolean(),
    inOrder: fc.boolean(),
    rows: fc.array(fc.tuple(fc.integer({ min: 1, max: 12 }), fc.array(value, { minLength: M, maxLength: M })), { minLength: 1, maxLength: 25 }),
  }),
);

describe('correlate: one client run reduced', () => {
  it('gives bit for bit the plain definitions', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        // In session order (sessions made increasing, some gaps) or as drawn (repeats, disorder).
        let s = 0;
        const rows: Row[] = c.rows.map(([session, v]) => [c.inOrder ? (s += 1 + (session % 3 === 0 ? 1 : 0)) : session, ...v]);
        const cfg: AccumulatorConfig = {
          measures: c.M,
          pairs: c.pairs.map(([alliance, outcome]) => ({ alliance, outcome })),
          early: c.early,
          lagged: c.lagged,
          keepPooledValues: false,
          keepClients: false,
        };
        const run = new RunStats(cfg.pairs.length);
        computeRun(cfg, new Float64Array(rows.flat()), rows.length, run);
        const got: number[] = [];
        const want: number[] = [];
        cfg.pairs.forEach(({ alliance: a, outcome: o }, p) => {
          const both = rows.filter((r) => !Number.isNaN(r[1 + a]) && !Number.isNaN(r[1 + o])).map((r): [number, number] => [r[1 + a], r[1 + o]]);
          want.push(...moments(both));
          got.push(...run.corr.subarray(p * 6, p * 6 + 6));
          if (cfg.lagged) {
            want.push(...lagBlock(rows, a, o));
            got.push(...run.lag.subarray(p * 15, p * 15 + 15));
          }
          if (cfg.early) {
            want.push(...earlyValues(rows, a, o, cfg.early));
            got.push(run.earlyX[p], run.earlyY[p], run.earlyZ[p]);
          }
        });
        const strictlyIncreasing = rows.every((r, i) => i === 0 || r[0] > rows[i - 1][0]);
        expect(run.disordered).toBe(cfg.lagged && !strictlyIncreasing);
        // toEqual tells -0 from 0 and matches NaN with NaN: bit for bit but for NaN payloads.
        expect(got).toEqual(want);
      }),
      { numRuns: 1000 },
    );
  });
});

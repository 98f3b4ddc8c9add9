// isZeroComoment / isZeroProductDifference on hand-computed cases; the exact zeros of
// test/reference/zero.R through the raw-data helpers of src/stats.
import { describe, expect, it } from 'vitest';
import { CoMoments, comomentRounding, correlationFromMoments, isZeroComoment, isZeroProductDifference, pearson } from '../../src/stats/correlation.js';
import { partialCorrelation, partialFromMoments, semipartialCorrelation } from '../../src/stats/partial.js';
import { rmcorrFromArrays } from '../../src/stats/rmcorr.js';
import { loadReference } from './reference.js';

describe('exact-zero tests of co-moments', () => {
  it('a co-moment that cancels exactly in integers is zero; a real one is not', () => {
    // x = 1..4, y = 1 -1 -1 1: sum (x - 2.5)(y - 0) = -1.5 + 0.5 - 0.5 + 1.5 = 0 (by hand).
    const m = CoMoments.fromArrays([1, 2, 3, 4], [1, -1, -1, 1]);
    // Sxx = 5, Syy = 4, sum x^2 = 30, sum y^2 = 4 (mean y = 0).
    expect(isZeroComoment(m.cxy, 4, 5, 4, 30, 4)).toBe(true);
    expect(isZeroComoment(1e-16, 4, 5, 4, 30, 4)).toBe(true);
    expect(isZeroComoment(1e-9, 4, 5, 4, 30, 4)).toBe(false);
    // the bound: 4 (n + 2) eps (sqrt(5 * 4) + sqrt(25 * 4) + 0)
    expect(comomentRounding(4, 5, 4, 30, 4)).toBeCloseTo(24 * 2.220446049250313e-16 * (Math.sqrt(20) + 10), 30);
  });
  it('a b - c d is zero within the propagated rounding', () => {
    expect(isZeroProductDifference(2, 1e-15, 3, 1e-15, 1, 1e-15, 6 + 1e-15, 1e-15)).toBe(true);
    expect(isZeroProductDifference(2, 1e-15, 3, 1e-15, 1, 1e-15, 6.001, 1e-15)).toBe(false);
  });
});

// The raw-data helpers feed the same functions the correlate analyses call
// (correlationFromMoments, partialFromMoments), so the integer cases of test/reference/zero.R
// that the product reports as exactly 0 are exactly 0 here too.
interface ZeroCase {
  rows: { client: string; session: number; a: number; o: number }[];
  r: number;
}
const ZERO = loadReference<Record<'pooled' | 'between' | 'within' | 'early', ZeroCase>>('zero.json');

describe('raw-data helpers give the exact zeros of the product', () => {
  it('pooled: pearson, CoMoments, correlationTest', () => {
    const { rows } = ZERO.pooled;
    const a = rows.map((r) => r.a);
    const o = rows.map((r) => r.o);
    expect(pearson(a, o)).toBe(0);
    expect(CoMoments.fromArrays(a, o).r()).toBe(0);
  });
  it('between: pearson of the client means', () => {
    const byClient = new Map<string, CoMoments>();
    for (const r of ZERO.between.rows) {
      if (!byClient.has(r.client)) byClient.set(r.client, new CoMoments());
      byClient.get(r.client)!.add(r.a, r.o);
    }
    const ms = [...byClient.values()];
    expect(ZERO.between.r).toBe(0);
    expect(
      pearson(
        ms.map((m) => m.meanX),
        ms.map((m) => m.meanY),
      ),
    ).toBe(0);
  });
  it('within: rmcorrFromArrays', () => {
    const { rows } = ZERO.within;
    const res = rmcorrFromArrays(
      rows.map((r) => r.client),
      rows.map((r) => r.a),
      rows.map((r) => r.o),
    );
    expect(res).toMatchObject({ ok: true, r: 0, t: 0, p: 1 });
  });
  it('early: partialCorrelation and semipartialCorrelation with one covariate', () => {
    // x = alliance at session 2, y = outcome at session 3 (final), z = outcome at session 1 (intake).
    const clients = [...new Set(ZERO.early.rows.map((r) => r.client))];
    const at = (c: string, s: number) => ZERO.early.rows.find((r) => r.client === c && r.session === s)!;
    const x = clients.map((c) => at(c, 2).a);
    const y = clients.map((c) => at(c, 3).o);
    const z = clients.map((c) => at(c, 1).o);
    expect(partialCorrelation(x, y, [z])).toMatchObject({ ok: true, r: 0, t: 0, p: 1 });
    expect(semipartialCorrelation(x, y, [z])).toMatchObject({ ok: true, r: 0 });
  });
});

describe('why a coefficient from co-moments is undefined', () => {
  it('correlationFromMoments: sums not finite first, then no variation, x before y', () => {
    expect(correlationFromMoments(3, Infinity, 0, 0, Infinity, 1)).toEqual({ problem: 'not-finite', variable: 0 });
    expect(correlationFromMoments(3, 0, 2, 0, 12, Number.NaN)).toEqual({ problem: 'not-finite', variable: 1 });
    // 1e-30 of a raw 1e8 is rounding noise of a constant (ZERO_REL = 1e-24).
    expect(correlationFromMoments(3, 1e-30, 2, 0, 3e8, 6)).toEqual({ problem: 'no-variation', variable: 0 });
    expect(correlationFromMoments(3, 2, 2, 4, 2, 2)).toBe(1); // clamped
  });
  it('partialFromMoments: a covariate collinear with x is variable 2; the zero-order r stays', () => {
    // x = 1, 2, 3; y = 1, 3, 2; z = 2x: Sxx = 2, Sxy = 1, Sxz = 4, Syy = 2, Syz = 2, Szz = 8.
    const m = [3, 2, 2, 4, 2, 1, 4, 2, 2, 8];
    const c = partialFromMoments(m);
    expect(c.partial).toEqual({ problem: 'collinear', variable: 2 });
    expect(c.pearson).toBe(0.5);
  });
});

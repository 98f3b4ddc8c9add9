// isZeroComoment / isZeroProductDifference on hand-computed cases.
import { describe, expect, it } from 'vitest';
import { CoMoments, comomentRounding, isZeroComoment, isZeroProductDifference } from '../../src/stats/correlation.js';

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

// src/stats/threshold.ts on hand-computed cases (exact decimal arithmetic done by hand).
import { describe, expect, it } from 'vitest';
import { beyond, compareDifference, compareScores, decimalsOf, scoreDifference } from '../../src/stats/threshold.js';

describe('decimalsOf', () => {
  it('reads the decimals a recorded score has', () => {
    expect(decimalsOf(36)).toBe(0);
    expect(decimalsOf(12.2)).toBe(1);
    expect(decimalsOf(35.75)).toBe(2);
    expect(decimalsOf(0.000001)).toBe(6);
    expect(decimalsOf(-7.25)).toBe(2);
    expect(decimalsOf(12.2 - 7.2)).toBe(0); // 4.999999999999999 is 5 to within rounding
  });
  it('reads the decimals as written at large magnitudes too (1e9: spacing 1.2e-7)', () => {
    expect(decimalsOf(1e9 + 14.123)).toBe(3); // was 1: 0.023 passed for rounding at 1e10 * 1e-10
    expect(decimalsOf(1e9 + 14.1)).toBe(1);
    expect(decimalsOf(1e9 + 14)).toBe(0);
    expect(decimalsOf(1e9 + 0.000123)).toBe(6);
    expect(decimalsOf(-(1e9 + 7.25))).toBe(2);
    expect(decimalsOf(123456789.123456)).toBe(6);
    expect(decimalsOf(0.000123)).toBe(6);
    expect(decimalsOf(0.0000001)).toBe(-1);
    expect(decimalsOf(3 * 0.1)).toBe(1); // 0.30000000000000004
  });
  it('compares and subtracts scores near 1e9 at their written decimals', () => {
    // Exact decimal arithmetic by hand: 1000000014.123 - 1000000010.1 = 4.023.
    expect(scoreDifference(1e9 + 14.123, 1e9 + 10.1)).toBe(4.023);
    expect(compareDifference(1e9 + 14.123, 1e9 + 9.123, 5)).toBe(0);
    expect(compareDifference(1e9 + 14.123, 1e9 + 9.124, 5)).toBe(-1);
    expect(compareDifference(1e9 + 14.124, 1e9 + 9.123, 5)).toBe(1);
    expect(compareScores(1e9 + 14.123, 1e9 + 14.12)).toBe(1);
  });
  it('has none for derived values and non-finite numbers', () => {
    expect(decimalsOf(1 / 3)).toBe(-1);
    expect(decimalsOf(0.1234567)).toBe(-1);
    expect(decimalsOf(Number.NaN)).toBe(-1);
    expect(decimalsOf(Infinity)).toBe(-1);
    expect(decimalsOf(1e300)).toBe(-1);
  });
});

describe('comparisons', () => {
  it('compareDifference is exact at the decimals of its operands', () => {
    expect(compareDifference(12.2, 7.2, 5)).toBe(0);
    expect(compareDifference(16.4, 15.4, 1)).toBe(0);
    expect(compareDifference(8.2, 7.2, 1)).toBe(0);
    expect(compareDifference(8.2, 7.3, 1)).toBe(-1);
    expect(compareDifference(8.21, 7.2, 1)).toBe(1);
    expect(compareDifference(1 / 3, 0, 0.3)).toBe(1); // no decimal precision: floating point
  });
  it('compareScores and beyond treat equal-at-precision values as equal', () => {
    expect(compareScores(0.1 + 0.2, 0.3)).toBe(0);
    expect(compareScores(12.3, 12.25)).toBe(1);
    expect(beyond(0.1 + 0.2, '>', 0.3)).toBe(false);
    expect(beyond(0.1 + 0.2, '>=', 0.3)).toBe(true);
    expect(beyond(24.9, '<', 25)).toBe(true);
  });
  it('scoreDifference gives the nearest double to the decimal difference', () => {
    expect(scoreDifference(12.2, 7.2)).toBe(5);
    expect(scoreDifference(16.4, 15.4)).toBe(1);
    expect(scoreDifference(100.1, 100)).toBe(0.1);
    expect(scoreDifference(1 / 3, 0)).toBe(1 / 3);
  });
});

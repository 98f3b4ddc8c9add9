import { describe, expect, it } from 'vitest';
import { createRandom } from '../../src/simulate/prng.js';

describe('simulator PRNG (sfc32 + splitmix32, Box-Muller)', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const sa = Array.from({ length: 20 }, () => a.uniform());
    const sb = Array.from({ length: 20 }, () => b.uniform());
    const sc = Array.from({ length: 20 }, () => c.uniform());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
    // Seeds above 2^32 use the high word too.
    expect(createRandom(2 ** 32 + 1).uniform()).not.toBe(createRandom(1).uniform());
  });

  it('draws uniforms on [0, 1) with the right moments', () => {
    const r = createRandom(7);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      s += u;
      s2 += u * u;
      if (u < min) min = u;
      if (u > max) max = u;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    // mean 1/2 (SE 0.29/sqrt(n) = 0.00065), variance 1/12: 5 SE tolerances.
    expect(Math.abs(s / n - 0.5)).toBeLessThan(0.0033);
    expect(Math.abs(s2 / n - (s / n) ** 2 - 1 / 12)).toBeLessThan(0.002);
  });

  it('draws standard normals (mean 0, variance 1, no skew, tails as N(0,1))', () => {
    const r = createRandom(11);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    let s3 = 0;
    let tail = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
      s3 += z * z * z;
      if (Math.abs(z) > 1.959964) tail++;
    }
    // SEs: mean 1/sqrt(n) = 0.0022, variance sqrt(2/n) = 0.0032, third moment sqrt(15/n) = 0.0087.
    expect(Math.abs(s / n)).toBeLessThan(0.011);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.016);
    expect(Math.abs(s3 / n)).toBeLessThan(0.044);
    // P(|Z| > 1.96) = 0.05, SE sqrt(0.05*0.95/n) = 0.00049.
    expect(Math.abs(tail / n - 0.05)).toBeLessThan(0.0025);
  });

  it('rejects seeds that are not non-negative integers', () => {
    expect(() => createRandom(-1)).toThrow(RangeError);
    expect(() => createRandom(1.5)).toThrow(RangeError);
  });
});

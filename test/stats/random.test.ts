import { describe, expect, it } from 'vitest';
import { normalCdf } from '../../src/stats/distributions.js';
import { fnv1a32, Random } from '../../src/stats/random.js';
import { loadReference } from './reference.js';

// Expected streams: test/reference/random.py (independent Python implementation of the
// documented sfc32 + splitmix32 + FNV-1a specification).
const ref = loadReference('random.json');

describe('Random: stream equals the reference implementation', () => {
  it('FNV-1a published vectors ("a" -> 0xe40c292c, "foobar" -> 0xbf9cf968)', () => {
    expect(fnv1a32('')).toBe(ref.fnv1a32['']);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });
  for (const c of ref.cases) {
    it(`seed ${JSON.stringify(c.seed)}`, () => {
      const g1 = new Random(c.seed);
      expect(Array.from({ length: 20 }, () => g1.nextUint32())).toEqual(c.uint32);
      const g2 = new Random(c.seed);
      expect(Array.from({ length: 10 }, () => g2.uniform())).toEqual(c.uniform);
      const g3 = new Random(c.seed);
      expect(Array.from({ length: 20 }, () => g3.int(7))).toEqual(c.int7);
    });
  }
  it('same seed same stream, different seeds differ', () => {
    const a = new Random('x');
    const b = new Random('x');
    const c = new Random('y');
    const sa = Array.from({ length: 50 }, () => a.normal());
    expect(Array.from({ length: 50 }, () => b.normal())).toEqual(sa);
    expect(Array.from({ length: 50 }, () => c.normal())).not.toEqual(sa);
    expect(() => new Random(1.5)).toThrow(RangeError);
    expect(() => a.int(0)).toThrow(RangeError);
  });
});

describe('Random: distribution sanity on 1e5 draws', () => {
  const N = 100_000;
  it('uniform: in [0,1), mean 1/2, variance 1/12, KS', () => {
    const g = new Random(20261127);
    const u = Array.from({ length: N }, () => g.uniform());
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    const mean = u.reduce((s, v) => s + v, 0) / N;
    const v = u.reduce((s, x) => s + (x - mean) ** 2, 0) / (N - 1);
    expect(Math.abs(mean - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / N));
    expect(Math.abs(v - 1 / 12)).toBeLessThan(0.002);
    u.sort((a, b) => a - b);
    let d = 0;
    u.forEach((x, i) => (d = Math.max(d, Math.abs((i + 1) / N - x), Math.abs(x - i / N))));
    expect(d).toBeLessThan(1.95 / Math.sqrt(N)); // KS critical value at alpha = 0.001
  });
  it('normal: mean 0, variance 1, skewness ~0, KS against normalCdf', () => {
    const g = new Random('normal-check');
    const z = Array.from({ length: N }, () => g.normal());
    const mean = z.reduce((s, v) => s + v, 0) / N;
    const v = z.reduce((s, x) => s + (x - mean) ** 2, 0) / (N - 1);
    const skew = z.reduce((s, x) => s + (x - mean) ** 3, 0) / N / v ** 1.5;
    expect(Math.abs(mean)).toBeLessThan(4 / Math.sqrt(N));
    expect(Math.abs(v - 1)).toBeLessThan(4 * Math.sqrt(2 / N));
    expect(Math.abs(skew)).toBeLessThan(4 * Math.sqrt(6 / N));
    z.sort((a, b) => a - b);
    let d = 0;
    z.forEach((x, i) => {
      const F = normalCdf(x);
      d = Math.max(d, Math.abs((i + 1) / N - F), Math.abs(F - i / N));
    });
    expect(d).toBeLessThan(1.95 / Math.sqrt(N));
    const g2 = new Random('normal-check');
    expect(g2.normal(10, 2)).toBeCloseTo(10 + 2 * new Random('normal-check').normal(), 12);
  });
  it('int(n): all values hit, roughly uniform; shuffle is a permutation', () => {
    const g = new Random(7);
    const counts = new Array(10).fill(0);
    for (let i = 0; i < N; i++) counts[g.int(10)]++;
    for (const c of counts) expect(Math.abs(c - N / 10)).toBeLessThan(5 * Math.sqrt(N * 0.09));
    const arr = Array.from({ length: 20 }, (_, i) => i);
    const sh = g.shuffle([...arr]);
    expect([...sh].sort((a, b) => a - b)).toEqual(arr);
    expect(sh).not.toEqual(arr);
    const idx = g.sampleIndices(5, 100);
    expect(Math.max(...idx)).toBeLessThan(5);
    expect(Math.min(...idx)).toBeGreaterThanOrEqual(0);
  });
});

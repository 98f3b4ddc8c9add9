/**
 * Streaming Spearman: the distinct-pair table and the fallback to raw values give R's
 * cor.test(method = "spearman") rho (test/reference/correlate.R, case sim42).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SpearmanAccumulator } from '../../src/analysis/correlate/spearman.js';
import { midranks } from '../../src/stats/rank.js';

const REF = JSON.parse(readFileSync(new URL('../reference/correlate.json', import.meta.url), 'utf8'));

describe('SpearmanAccumulator', () => {
  const c = REF.cases[0];
  const pairs: [number, number][] = c.rows
    .filter((r: { a: number | null; o: number | null }) => r.a !== null && r.o !== null)
    .map((r: { a: number; o: number }) => [r.a, r.o]);

  for (const maxDistinct of [1_000_000, 10, 0]) {
    it(`matches R with maxDistinct = ${maxDistinct} (${maxDistinct >= pairs.length ? 'table' : 'falls back to raw values'})`, () => {
      const acc = new SpearmanAccumulator(maxDistinct);
      for (const [x, y] of pairs) acc.add(x, y);
      const rho = acc.rho();
      expect(typeof rho).toBe('number');
      expect(Math.abs((rho as number) - c.pooled.spearman.r)).toBeLessThan(1e-12);
      expect(acc.n).toBe(c.pooled.spearman.n);
    });
  }

  it('constant input is not estimable', () => {
    const acc = new SpearmanAccumulator();
    for (let i = 0; i < 10; i++) acc.add(3, i);
    expect(acc.rho()).toMatch(/no variation in alliance/);
  });

  it('midranks average ties (R rank(ties.method = "average"))', () => {
    // R: rank(c(10, 20, 10, 30, 20, 20)) -> 1.5 4.0 1.5 6.0 4.0 4.0
    expect(Array.from(midranks(Float64Array.from([10, 20, 10, 30, 20, 20])))).toEqual([1.5, 4, 1.5, 6, 4, 4]);
  });
});

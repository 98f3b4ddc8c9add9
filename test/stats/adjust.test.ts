import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { adjustP, bh, bonferroni, holm } from '../../src/stats/adjust.js';
import { loadReference } from './reference.js';

// Expected values: test/reference/adjust.R (R p.adjust holm / BH / bonferroni).
const ref = loadReference('adjust.json');
const nan = (a: (number | null)[]) => a.map((v) => (v === null ? Number.NaN : v));

function expectClose(actual: number[], expected: number[]) {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => {
    if (Number.isNaN(expected[i])) expect(v).toBeNaN();
    else expect(Math.abs(v - expected[i])).toBeLessThanOrEqual(1e-15 * Math.max(1, expected[i]) + 1e-300);
  });
}

describe('p-value adjustment vs R p.adjust', () => {
  for (const c of ref.cases) {
    it(c.name, () => {
      const p = nan(c.p);
      expectClose(holm(p), nan(c.holm));
      expectClose(bh(p), nan(c.bh));
      expectClose(bonferroni(p), nan(c.bonferroni));
      expectClose(adjustP(p, 'holm'), nan(c.holm));
    });
  }
  it('doc examples and edge cases', () => {
    expectClose(holm([0.01, 0.04, 0.03]), [0.03, 0.06, 0.06]);
    expectClose(bh([0.01, 0.04, 0.03]), [0.03, 0.04, 0.04]);
    expect(holm([])).toEqual([]);
    expect(bh([Number.NaN])[0]).toBeNaN();
    expect(() => holm([1.2])).toThrow(RangeError);
    expect(adjustP([0.2, 0.3], 'none')).toEqual([0.2, 0.3]);
  });
  it('properties: adjusted >= raw, <= 1, monotone in raw p, holm >= bh', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 40 }), (p) => {
        const h = holm(p);
        const b = bh(p);
        p.forEach((v, i) => {
          expect(h[i]).toBeGreaterThanOrEqual(v);
          expect(b[i]).toBeGreaterThanOrEqual(v - 1e-16);
          expect(h[i]).toBeLessThanOrEqual(1);
          expect(h[i]).toBeGreaterThanOrEqual(b[i] - 1e-15);
          p.forEach((w, j) => {
            if (v < w) {
              expect(h[i]).toBeLessThanOrEqual(h[j]);
              expect(b[i]).toBeLessThanOrEqual(b[j]);
            }
          });
        });
      }),
    );
  });
});

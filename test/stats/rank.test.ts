import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { midranks, spearman } from '../../src/stats/rank.js';
import { loadReference, Mismatches } from './reference.js';

// Expected values: test/reference/rank.R (R rank, cor.test spearman exact = FALSE, the
// Bonett-Wright interval in closed form) and test/reference/rank.py (SciPy spearmanr).
const ref = loadReference('rank.json');
const sp = loadReference('rank_scipy.json');

describe('midranks', () => {
  it('hand cases', () => {
    expect(Array.from(midranks([10, 20, 20, 30]))).toEqual([1, 2.5, 2.5, 4]);
    expect(Array.from(midranks([3, 1, 3, 2]))).toEqual([3.5, 1, 3.5, 2]);
    expect(Array.from(midranks([5, 5, 5]))).toEqual([2, 2, 2]);
    expect(Array.from(midranks([]))).toEqual([]);
    expect(() => midranks([1, Number.NaN])).toThrow(RangeError);
  });
  it('matches R rank() and scipy rankdata', () => {
    for (const c of ref.cases) {
      expect(Array.from(midranks(c.x))).toEqual(c.rank_x);
      expect(Array.from(midranks(c.y))).toEqual(c.rank_y);
    }
    for (const c of sp.cases) {
      const r = ref.cases.find((k: any) => k.name === c.name);
      expect(Array.from(midranks(r.x))).toEqual(c.rankdata_x);
    }
  });
  it('ties do not depend on row order (simple-statistics < 7.10 pitfall)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 30 }), (x) => {
        const r = midranks(x);
        const rev = midranks([...x].reverse());
        expect(Array.from(rev).reverse()).toEqual(Array.from(r));
        // sum of ranks is n(n+1)/2
        expect(r.reduce((a, b) => a + b, 0)).toBeCloseTo((x.length * (x.length + 1)) / 2, 9);
      }),
    );
  });
});

describe('spearman vs R cor.test(method = "spearman", exact = FALSE) and SciPy', () => {
  for (const c of ref.cases) {
    it(c.name, () => {
      const res = spearman(c.x, c.y);
      expect(res.ok).toBe(true);
      if (!res.ok) return;
      const m = new Mismatches();
      m.check('rho (R)', res.r, c.rho, { abs: 1e-13 });
      m.check('p (R)', res.p, c.p, { rel: 1e-9 });
      const s = sp.cases.find((k: any) => k.name === c.name);
      m.check('rho (scipy)', res.r, s.rho, { abs: 1e-13 });
      m.check('p (scipy)', res.p, s.p, { rel: 1e-9 });
      m.check('ci lo (Bonett-Wright)', res.ci![0], c.ci_bw[0], { abs: 1e-12 });
      m.check('ci hi (Bonett-Wright)', res.ci![1], c.ci_bw[1], { abs: 1e-12 });
      expect(res.df).toBe(c.n - 2);
      expect(res.ciMethod).toBe('bonett-wright');
      expect(m.items).toEqual([]);
    });
  }
  it('drops incomplete pairs; not estimable cases carry a reason', () => {
    const a = spearman([1, 2, Number.NaN, 4, 5, 6], [2, 1, 3, Number.NaN, 5, 6]);
    const b = spearman([1, 2, 5, 6], [2, 1, 5, 6]);
    expect(a.ok && b.ok && a.r === b.r && a.n === 4).toBe(true);
    expect(spearman([1, 2], [2, 1])).toMatchObject({ ok: false, reason: 'too-few-pairs' });
    expect(spearman([1, 1, 1, 1], [1, 2, 3, 4])).toMatchObject({ ok: false, reason: 'zero-variance' });
    expect(spearman([1, 2, 3, 4], [1, 4, 9, 16])).toMatchObject({ ok: false, reason: 'perfect-correlation' });
  });
});

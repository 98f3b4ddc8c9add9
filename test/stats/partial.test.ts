import { describe, expect, it } from 'vitest';
import { correlationTest, pearson } from '../../src/stats/correlation.js';
import { partialCorrelation, semipartialCorrelation } from '../../src/stats/partial.js';
import { loadReference, Mismatches } from './reference.js';

// Expected values: test/reference/partial.R (ppcor pcor/spcor formulas in base R,
// psych::partial.r, lm residuals).
const ref = loadReference('partial.json');

describe('partial and semi-partial correlation vs R', () => {
  for (const c of ref.cases) {
    it(c.name, () => {
      const m = new Mismatches();
      const pr = partialCorrelation(c.x, c.y, c.Z);
      const sr = semipartialCorrelation(c.x, c.y, c.Z);
      if (!pr.ok || !sr.ok) throw new Error('not estimable');
      expect(pr.k).toBe(c.k);
      expect(pr.df).toBe(c.df);
      expect(sr.df).toBe(c.df);
      m.check('partial r (ppcor)', pr.r, c.partial.r, { abs: 1e-12 });
      m.check('partial r (psych::partial.r)', pr.r, c.psych_partial_r, { abs: 1e-12 });
      m.check('partial r (lm residuals)', pr.r, c.lm_partial, { abs: 1e-12 });
      m.check('partial t', pr.t, c.partial.t, { rel: 1e-10 });
      m.check('partial p', pr.p, c.partial.p, { rel: 1e-9 });
      m.check('partial ci lo', pr.ci![0], c.partial.ci[0], { abs: 1e-12 });
      m.check('partial ci hi', pr.ci![1], c.partial.ci[1], { abs: 1e-12 });
      m.check('semipartial r (ppcor)', sr.r, c.semipartial.r, { abs: 1e-12 });
      m.check('semipartial r (lm residuals)', sr.r, c.lm_semipartial, { abs: 1e-12 });
      m.check('semipartial t', sr.t, c.semipartial.t, { rel: 1e-10 });
      m.check('semipartial p', sr.p, c.semipartial.p, { rel: 1e-9 });
      expect(sr.ci).toBeNull();
      expect(sr.ciReason).toMatch(/semi-partial/);
      expect(m.items).toEqual([]);
    });
  }
  it('partial and semi-partial differ (both reported)', () => {
    const c = ref.cases[0];
    const pr = partialCorrelation(c.x, c.y, c.Z);
    const sr = semipartialCorrelation(c.x, c.y, c.Z);
    expect(pr.ok && sr.ok && Math.abs(pr.r - sr.r) > 0.01).toBe(true);
  });
});

describe('edge cases', () => {
  it('k = 0 is Pearson / cor.test', () => {
    const x = [1, 3, 2, 5, 4, 6, 8, 7];
    const y = [2, 1, 4, 3, 6, 5, 7, 9];
    const pr = partialCorrelation(x, y, []);
    const ct = correlationTest(pearson(x, y), x.length);
    if (!pr.ok || !ct.ok) throw new Error('not ok');
    expect(pr.r).toBeCloseTo(ct.r, 14);
    expect(pr.p).toBeCloseTo(ct.p, 14);
    expect(pr.ci![0]).toBeCloseTo(ct.ci![0], 14);
  });
  it('drops incomplete rows', () => {
    const c = ref.cases[0];
    const x = [...c.x, Number.NaN, 1];
    const y = [...c.y, 1, 2];
    const z = [[...c.Z[0], 3, Number.NaN]];
    const pr = partialCorrelation(x, y, z);
    if (!pr.ok) throw new Error('not ok');
    expect(pr.n).toBe(c.n);
    expect(pr.r).toBeCloseTo(c.partial.r, 12);
  });
  it('collinear covariates, constant covariate, too few rows: explicit reasons', () => {
    const x = [1, 2, 3, 4, 5, 6];
    const y = [2, 1, 4, 3, 6, 5];
    const z = [1, 0, 1, 1, 0, 1];
    expect(partialCorrelation(x, y, [z, z.map((v) => 2 * v + 1)])).toMatchObject({ ok: false, reason: 'collinear' });
    expect(partialCorrelation(x, y, [[3, 3, 3, 3, 3, 3]])).toMatchObject({ ok: false, reason: 'collinear' });
    expect(semipartialCorrelation(x, y, [x.map((v) => v * 2)])).toMatchObject({ ok: false, reason: 'collinear' });
    expect(partialCorrelation([1, 2, 3], [3, 1, 2], [[1, 2, 2]])).toMatchObject({ ok: false, reason: 'too-few-pairs' });
    expect(partialCorrelation(x, [1, 1, 1, 1, 1, 1], [z])).toMatchObject({ ok: false, reason: 'zero-variance' });
  });
  it('no interval when n - k - 3 <= 0 (df = 1 still tested)', () => {
    const pr = partialCorrelation(
      [1, 2, 3, 4, 5],
      [2, 1, 4, 3, 6],
      [
        [1, 0, 1, 1, 0],
        [0, 1, 1, 2, 1],
      ],
    );
    expect(pr.ok && pr.df === 1 && pr.ci === null).toBe(true);
  });
});

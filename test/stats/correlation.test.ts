import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CoMoments, correlationTest, fisherCi, pearson, pearsonFromSums } from '../../src/stats/correlation.js';
import { loadReference, Mismatches } from './reference.js';

// Expected values: test/reference/correlation.R (R cor, var, cov, cor.test; psych::r.con).
const ref = loadReference('correlation.json');

function sums(x: number[], y: number[]) {
  let sx = 0,
    sy = 0,
    sxx = 0,
    syy = 0,
    sxy = 0;
  for (let i = 0; i < x.length; i++) {
    sx += x[i];
    sy += y[i];
    sxx += x[i] * x[i];
    syy += y[i] * y[i];
    sxy += x[i] * y[i];
  }
  return { n: x.length, sx, sy, sxx, syy, sxy };
}

describe('Pearson r vs R cor()', () => {
  for (const c of ref.cases) {
    it(`${c.name}: pearson, CoMoments, merge, pearsonFromSums`, () => {
      const m = new Mismatches();
      m.check('pearson', pearson(c.x, c.y), c.r, { abs: 1e-13 });
      const cm = CoMoments.fromArrays(c.x, c.y);
      m.check('CoMoments.r', cm.r(), c.r, { abs: 1e-12 });
      m.check('varianceX', cm.varianceX(), c.var_x, { rel: 1e-12 });
      m.check('varianceY', cm.varianceY(), c.var_y, { rel: 1e-12 });
      m.check('covariance', cm.covariance(), c.cov, { rel: 1e-10, abs: 1e-14 });
      m.check('meanX', cm.meanX, c.mean_x, { rel: 1e-13, abs: 1e-13 });
      m.check('meanY', cm.meanY, c.mean_y, { rel: 1e-13, abs: 1e-13 });
      // merge of two halves = whole
      const h = Math.floor(c.n / 2);
      const a = CoMoments.fromArrays(c.x.slice(0, h), c.y.slice(0, h));
      const b = CoMoments.fromArrays(c.x.slice(h), c.y.slice(h));
      m.check('merged r', a.merge(b).r(), c.r, { abs: 1e-12 });
      if (c.name !== 'offset1e8') {
        // raw sums are only safe when the mean is not huge relative to the spread
        m.check('pearsonFromSums', pearsonFromSums(sums(c.x, c.y)), c.r, { abs: 1e-10 });
      }
      expect(m.items).toEqual([]);
    });
  }
  it('raw sums lose precision at mean 1e8, CoMoments does not (why CoMoments exists)', () => {
    const c = ref.cases.find((k: any) => k.name === 'offset1e8');
    const raw = pearsonFromSums(sums(c.x, c.y));
    const stable = CoMoments.fromArrays(c.x, c.y).r();
    expect(Math.abs(stable - c.r)).toBeLessThan(1e-9);
    expect(Number.isNaN(raw) || Math.abs(raw - c.r) > 1e-6).toBe(true);
  });
});

describe('correlationTest vs R cor.test()', () => {
  for (const c of ref.cases) {
    it(`${c.name}: t, df, p, CI`, () => {
      const res = correlationTest(c.r, c.n);
      expect(res.ok).toBe(true);
      if (!res.ok) return;
      const m = new Mismatches();
      expect(res.df).toBe(c.df);
      m.check('t', res.t, c.t, { rel: 1e-12, abs: 1e-13 });
      m.check('p', res.p, c.p, { rel: 1e-10 });
      if (c.ci) {
        m.check('ci lo', res.ci![0], c.ci[0], { abs: 1e-12 });
        m.check('ci hi', res.ci![1], c.ci[1], { abs: 1e-12 });
      } else {
        expect(res.ci).toBeNull();
        expect(res.ciReason).toMatch(/n >= 4/);
      }
      expect(m.items).toEqual([]);
    });
  }
  it('other confidence levels', () => {
    const c = ref.cases.find((k: any) => k.name === 'n30');
    for (const l of ref.levels) {
      const res = correlationTest(c.r, c.n, { ciLevel: l.level });
      if (!res.ok) throw new Error('not ok');
      expect(res.ci![0]).toBeCloseTo(l.ci[0], 12);
      expect(res.ci![1]).toBeCloseTo(l.ci[1], 12);
    }
  });
  it('fisherCi matches psych::r.con', () => {
    for (const k of ref.r_con) {
      const [lo, hi] = fisherCi(k.r, 1 / Math.sqrt(k.n - 3), 0.95);
      expect(lo).toBeCloseTo(k.ci[0], 12);
      expect(hi).toBeCloseTo(k.ci[1], 12);
    }
  });
  it('not estimable: n < 3, zero variance, perfect correlation', () => {
    const a = correlationTest(0.5, 2);
    expect(a).toMatchObject({ ok: false, reason: 'too-few-pairs' });
    const b = correlationTest(pearson([1, 1, 1, 1], [1, 2, 3, 4]), 4);
    expect(b).toMatchObject({ ok: false, reason: 'zero-variance' });
    // R: cor(1:5, 2*(1:5)+1) = 0.9999999999999998 and cor.test reports t = 8.2e7
    expect(ref.perfect.t).toBeGreaterThan(1e7);
    const c = correlationTest(ref.perfect.r, 5);
    expect(c).toMatchObject({ ok: false, reason: 'perfect-correlation', r: ref.perfect.r });
    expect(correlationTest(-1, 10)).toMatchObject({ ok: false, reason: 'perfect-correlation' });
    for (const res of [a, b, c]) expect(JSON.stringify(res)).not.toMatch(/NaN|null/);
  });
});

describe('properties', () => {
  const pairs = fc
    .array(fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -1000, max: 1000 })), { minLength: 3, maxLength: 60 })
    .filter((p) => new Set(p.map((q) => q[0])).size > 1 && new Set(p.map((q) => q[1])).size > 1);
  it('symmetric, row-order invariant, r(x, x) = 1, streaming = in-memory, merge = whole', () => {
    fc.assert(
      fc.property(pairs, fc.integer({ min: 0, max: 59 }), (p, cut) => {
        const x = p.map((q) => q[0]);
        const y = p.map((q) => q[1]);
        const r = pearson(x, y);
        expect(pearson(y, x)).toBeCloseTo(r, 12);
        expect(pearson([...x].reverse(), [...y].reverse())).toBeCloseTo(r, 12);
        expect(pearson(x, x)).toBeCloseTo(1, 12);
        expect(CoMoments.fromArrays(x, y).r()).toBeCloseTo(r, 10);
        const k = cut % p.length;
        const merged = CoMoments.fromArrays(x.slice(0, k), y.slice(0, k)).merge(CoMoments.fromArrays(x.slice(k), y.slice(k)));
        expect(merged.r()).toBeCloseTo(r, 10);
        expect(merged.n).toBe(p.length);
      }),
    );
  });
});

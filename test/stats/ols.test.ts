import { describe, expect, it } from 'vitest';
import { fromRows } from '../../src/stats/linalg.js';
import { ols } from '../../src/stats/ols.js';
import { fixedEffectsOls, WithinAccumulator, withinRegression } from '../../src/stats/within.js';
import { loadReference, Mismatches } from './reference.js';

// Expected values: test/reference/ols.R (R lm, summary.lm, confint; lm with factor(client)).
const ref = loadReference('ols.json');
const nan = (a: (number | null)[]) => a.map((v) => (v === null ? Number.NaN : v));

function compare(m: Mismatches, label: string, fit: any, r: any) {
  expect(fit.ok).toBe(true);
  expect(fit.df).toBe(r.df);
  const scale = Math.max(...r.coefficients.map(Math.abs), 1);
  r.coefficients.forEach((b: number, i: number) => {
    m.check(`${label} b[${i}]`, fit.coefficients[i], b, { rel: 1e-10, abs: 1e-12 * scale });
    m.check(`${label} se[${i}]`, fit.se[i], r.se[i], { rel: 1e-10 });
    m.check(`${label} t[${i}]`, fit.t[i], r.t[i], { rel: 1e-9, abs: 1e-11 });
    m.check(`${label} p[${i}]`, fit.pValues[i], r.p[i], { rel: 1e-9 });
    m.check(`${label} ci_low[${i}]`, fit.ciLow[i], r.ci_low[i], { rel: 1e-10, abs: 1e-12 * scale });
    m.check(`${label} ci_high[${i}]`, fit.ciHigh[i], r.ci_high[i], { rel: 1e-10, abs: 1e-12 * scale });
  });
  m.check(`${label} sigma`, fit.sigma, r.sigma, { rel: 1e-12 });
  m.check(`${label} rss`, fit.rss, r.rss, { rel: 1e-11 });
}

describe('ols vs R lm()', () => {
  for (const c of ref.ols) {
    it(c.name, () => {
      const m = new Mismatches();
      compare(m, 'rows', ols(c.X, c.y), c);
      const p = c.X[0].length;
      compare(m, 'matrix', ols(fromRows(c.X), c.y, p), c);
      expect(m.items).toEqual([]);
    });
  }
  it('rank deficiency: R drops the aliased column (NA); we report not estimable and name it', () => {
    const r = ref.rank_deficient;
    expect(r.r_coef_na).toEqual([false, false, true]);
    const fit = ols(r.X, r.y);
    expect(fit).toMatchObject({ ok: false, reason: 'rank-deficient', aliased: [2] });
  });
  it('too few observations / no residual df', () => {
    expect(ols([[1, 2]], [3])).toMatchObject({ ok: false, reason: 'too-few-observations' });
    expect(
      ols(
        [
          [1, 0],
          [1, 1],
        ],
        [3, 4],
      ),
    ).toMatchObject({ ok: false, reason: 'no-residual-df' });
    expect(
      ols(
        [
          [1, 0],
          [1, 0],
          [1, 0],
        ],
        [3, 4, 5],
      ),
    ).toMatchObject({ ok: false, reason: 'rank-deficient', aliased: [1] });
  });
});

describe('fixedEffectsOls vs R lm(y ~ x1 + x2 + factor(client))', () => {
  const c = ref.fixed_effects;
  const y = nan(c.y);
  const x1 = nan(c.x1);
  const x2 = nan(c.x2);
  it('lagged outcome model with singleton clients and missing values', () => {
    const acc = new WithinAccumulator(2);
    c.client.forEach((k: string, i: number) => acc.add(k, y[i], [x1[i], x2[i]]));
    const fit = acc.fit();
    const m = new Mismatches();
    compare(m, 'fe', fit, c);
    expect(m.items).toEqual([]);
    expect(fit.clients).toBe(c.n_clients);
    expect(fit.n).toBe(c.n_obs);
    expect(acc.skipped).toBe(c.client.length - c.n_obs);
  });
  it('one predictor', () => {
    const acc = new WithinAccumulator(1);
    c.client.forEach((k: string, i: number) => acc.add(k, y[i], [x2[i]]));
    const m = new Mismatches();
    compare(m, 'fe1', fixedEffectsOls(acc), ref.fixed_effects_one);
    expect(m.items).toEqual([]);
  });
  it('streaming chunks merged = one pass; row order irrelevant', () => {
    const whole = new WithinAccumulator(2);
    const a = new WithinAccumulator(2);
    const b = new WithinAccumulator(2);
    const rev = new WithinAccumulator(2);
    c.client.forEach((k: string, i: number) => {
      whole.add(k, y[i], [x1[i], x2[i]]);
      (i % 3 === 0 ? a : b).add(k, y[i], [x1[i], x2[i]]);
    });
    for (let i = c.client.length - 1; i >= 0; i--) rev.add(c.client[i], y[i], [x1[i], x2[i]]);
    const f0 = whole.fit();
    const f1 = a.merge(b).fit();
    const f2 = rev.fit();
    if (!f0.ok || !f1.ok || !f2.ok) throw new Error('not ok');
    for (let j = 0; j < 2; j++) {
      expect(f1.coefficients[j]).toBeCloseTo(f0.coefficients[j], 12);
      expect(f2.coefficients[j]).toBeCloseTo(f0.coefficients[j], 12);
      expect(f1.se[j]).toBeCloseTo(f0.se[j], 12);
    }
  });
  it('a predictor constant within every client is not estimable', () => {
    const acc = new WithinAccumulator(2);
    for (let i = 0; i < 12; i++) acc.add(`c${i % 4}`, i * 1.5 + (i % 3), [i % 4, (i * 7) % 5]);
    expect(acc.fit()).toMatchObject({ ok: false, reason: 'rank-deficient', aliased: [0] });
  });
});

describe('withinRegression (the lagged analysis of correlate) on hand-made co-moments', () => {
  // Variables 0 = x1, 1 = x2, 2 = y; W symmetric 3 x 3, raw sums of squares all 100.
  const moments = (W: number[], n = 20, groups = 5) => ({ n, groups, d: 3, w: (i: number, j: number) => W[i * 3 + j], raw: () => 100 });
  it('closed form: b = A^-1 c, rss = Wyy - b c, df = n - groups - q', () => {
    // A = [[2, 1], [1, 2]], c = [3, 3] -> b = [1, 1]; rss = 10 - 6 = 4; df = 20 - 5 - 2 = 13.
    const f = withinRegression(moments([2, 1, 3, 1, 2, 3, 3, 3, 10]), 2, [0, 1]);
    expect(f).toEqual({ b: [1, 1], unscaled: [2 / 3, 2 / 3], rss: 4, df: 13 });
  });
  it('problems in order: df, not finite, no variation, collinear, perfect fit', () => {
    expect(withinRegression(moments([2, 1, 3, 1, 2, 3, 3, 3, 10], 7, 5), 2, [0, 1])).toEqual({ problem: 'no-df' });
    expect(withinRegression(moments([2, 1, 3, 1, 2, 3, 3, 3, Infinity]), 2, [0, 1])).toEqual({ problem: 'not-finite', variable: 2 });
    expect(withinRegression(moments([0, 0, 0, 0, 2, 3, 0, 3, 10]), 2, [0, 1])).toEqual({ problem: 'no-variation', variable: 0 });
    expect(withinRegression(moments([2, 2, 3, 2, 2, 3, 3, 3, 10]), 2, [0, 1])).toEqual({ problem: 'collinear', variable: 1 });
    expect(withinRegression(moments([2, 1, 3, 1, 2, 3, 3, 3, 6]), 2, [0, 1])).toEqual({ problem: 'perfect-fit' });
  });
  it('WithinAccumulator takes one or two predictors', () => {
    expect(() => new WithinAccumulator(3 as 2)).toThrow(RangeError);
  });
});

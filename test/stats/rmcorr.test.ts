import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CoMoments } from '../../src/stats/correlation.js';
import { rmcorr, rmcorrFromArrays, rmcorrFromGroups, rmcorrSumsFromGroups } from '../../src/stats/rmcorr.js';
import { loadFixtureCsv, loadReference, Mismatches } from './reference.js';

// Expected values: test/reference/rmcorr.R (R lm(y ~ factor(client) + x), drop1 F test,
// psych::r.con(r, df + 2)) and the values published by the rmcorr package.
const ref = loadReference('rmcorr.json');

function dataFor(c: any): { client: (string | number)[]; x: number[]; y: number[] } {
  if (c.fixture) {
    const d = loadFixtureCsv(c.fixture);
    const [p, m1, m2] = c.columns;
    return { client: d[p], x: d[m1] as number[], y: d[m2] as number[] };
  }
  return { client: c.client, x: c.x.map((v: number | null) => (v === null ? Number.NaN : v)), y: c.y.map((v: number | null) => (v === null ? Number.NaN : v)) };
}

describe('rmcorr vs R ANCOVA definition', () => {
  for (const c of ref.cases) {
    it(c.name, () => {
      const d = dataFor(c);
      const res = rmcorrFromArrays(d.client, d.x, d.y);
      expect(res.ok).toBe(true);
      if (!res.ok) return;
      const m = new Mismatches();
      m.check('r', res.r, c.r, { abs: 1e-12 });
      expect(res.df).toBe(c.df);
      m.check('p', res.p, c.p, { rel: 1e-9 });
      m.check('ci lo', res.ci![0], c.ci[0], { abs: 1e-12 });
      m.check('ci hi', res.ci![1], c.ci[1], { abs: 1e-12 });
      expect(m.items).toEqual([]);
      // the pre-0.5.4 interval (error df as n) is wider: make sure we are not it
      expect(res.ci![0] - c.ci_old_pre054[0]).toBeGreaterThan(1e-4);
    });
  }
  it('single-pair and all-missing clients: same r and df whether counted or not', () => {
    const c = ref.cases.find((k: any) => k.name === 'simulated_singletons_na');
    const d = dataFor(c);
    const res = rmcorrFromArrays(d.client, d.x, d.y);
    if (!res.ok) throw new Error(res.message);
    // R counts all 12 clients with a complete pair (47 pairs); we drop the singletons
    expect(c.n_clients).toBe(12);
    expect(res.nClients).toBe(ref.singletons_dropped.n_clients);
    expect(res.nObs).toBe(ref.singletons_dropped.n_obs);
    expect(res.df).toBe(c.df);
    // and rmcorr() on sums with R's own counts gives the same df and p
    const groups = new Map<string, CoMoments>();
    d.client.forEach((k, i) => {
      if (Number.isNaN(d.x[i]) || Number.isNaN(d.y[i])) return;
      if (!groups.has(k as string)) groups.set(k as string, new CoMoments());
      groups.get(k as string)!.add(d.x[i], d.y[i]);
    });
    const s = rmcorrSumsFromGroups(groups.values());
    const withSingletons = rmcorr({ ...s, nObs: c.n_obs, nClients: c.n_clients });
    if (!withSingletons.ok) throw new Error('not ok');
    expect(withSingletons.df).toBe(c.df);
    expect(withSingletons.p).toBeCloseTo(res.p, 15);
  });
});

describe('rmcorr vs published rmcorr values', () => {
  const pub = ref.published;
  const run = (name: string) => {
    const c = ref.cases.find((k: any) => k.name === name);
    const d = dataFor(c);
    const res = rmcorrFromArrays(d.client, d.x, d.y);
    if (!res.ok) throw new Error(res.message);
    return res;
  };
  it('bland1995: r = -0.5067697, df = 38, p = 0.0008471081, CI [-0.7067146, -0.2318631]', () => {
    const r = run('bland1995');
    expect(r.r).toBeCloseTo(pub.bland1995.r, 7);
    expect(r.df).toBe(38);
    expect(r.p).toBeCloseTo(pub.bland1995.p, 10);
    expect(r.ci![0]).toBeCloseTo(pub.bland1995.ci[0], 7);
    expect(r.ci![1]).toBeCloseTo(pub.bland1995.ci[1], 7);
  });
  it('gilden2010: r = -0.406097, df = 32, p = .01717', () => {
    const r = run('gilden2010');
    expect(r.r).toBeCloseTo(pub.gilden2010.r, 6);
    expect(r.df).toBe(32);
    expect(r.p).toBeCloseTo(pub.gilden2010.p, 5);
  });
  it('raz2005: CI [-0.804153, -0.566080]', () => {
    const r = run('raz2005');
    expect(r.ci![0]).toBeCloseTo(pub.raz2005.ci[0], 6);
    expect(r.ci![1]).toBeCloseTo(pub.raz2005.ci[1], 6);
  });
});

describe('not estimable and properties', () => {
  it('fewer than 3 clients', () => {
    const res = rmcorrFromArrays(['a', 'a', 'a', 'b', 'b', 'b', 'c'], [1, 2, 3, 1, 2, 4, 9], [2, 1, 3, 1, 3, 3, 9]);
    expect(res).toMatchObject({ ok: false, reason: 'too-few-clients', nClients: 2 });
  });
  it('no within-client variance', () => {
    const res = rmcorrFromArrays(['a', 'a', 'b', 'b', 'c', 'c'], [1, 1, 2, 2, 3, 3], [1, 2, 3, 4, 5, 6]);
    expect(res).toMatchObject({ ok: false, reason: 'zero-variance' });
    expect(JSON.stringify(res)).not.toMatch(/NaN/);
  });
  it('single-pair clients do not count towards 3 clients; df = 1 gives a test but no interval', () => {
    const res = rmcorrFromArrays(['a', 'a', 'b', 'b', 'c'], [1, 2, 1, 3, 0], [1, 3, 2, 3, 0]);
    // c is a singleton (dropped), so only 2 clients
    expect(res).toMatchObject({ ok: false, reason: 'too-few-clients' });
    const res2 = rmcorr({ nObs: 7, nClients: 3, sxx: 2, syy: 3, sxy: 1 });
    expect(res2.ok && res2.df === 3 && res2.ci !== null).toBe(true);
    const res3 = rmcorr({ nObs: 5, nClients: 3, sxx: 2, syy: 3, sxy: 1 });
    expect(res3.ok && res3.df === 1 && res3.ci === null && /df >= 2/.test(res3.ciReason ?? '')).toBe(true);
  });
  it('invariant to client order and row order; shifting a client changes nothing; groups = arrays', () => {
    const arb = fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: -50, max: 50 }), fc.integer({ min: -50, max: 50 })), {
      minLength: 8,
      maxLength: 60,
    });
    fc.assert(
      fc.property(arb, fc.integer({ min: -1000, max: 1000 }), (rows, shift) => {
        const a = rmcorrFromArrays(
          rows.map((r) => r[0]),
          rows.map((r) => r[1]),
          rows.map((r) => r[2]),
        );
        const rev = [...rows].reverse();
        const b = rmcorrFromArrays(
          rev.map((r) => r[0]),
          rev.map((r) => r[1]),
          rev.map((r) => r[2]),
        );
        // adding a constant to one client's x (a client effect) must not change rmcorr
        const c = rmcorrFromArrays(
          rows.map((r) => r[0]),
          rows.map((r) => r[1] + (r[0] === 0 ? shift : 0)),
          rows.map((r) => r[2]),
        );
        expect(b.ok).toBe(a.ok);
        expect(c.ok).toBe(a.ok);
        if (a.ok && b.ok && c.ok) {
          expect(b.r).toBeCloseTo(a.r, 10);
          expect(c.r).toBeCloseTo(a.r, 8);
          expect(b.df).toBe(a.df);
        }
        const groups = new Map<number, CoMoments>();
        for (const [k, x, y] of rows) {
          if (!groups.has(k)) groups.set(k, new CoMoments());
          groups.get(k)!.add(x, y);
        }
        const g = rmcorrFromGroups(groups.values());
        expect(g.ok).toBe(a.ok);
        if (g.ok && a.ok) expect(g.r).toBeCloseTo(a.r, 10);
      }),
    );
  });
});

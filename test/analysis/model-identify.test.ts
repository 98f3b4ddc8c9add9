/**
 * Models whose client variance the data cannot identify (issue 9, item 3), against
 * test/reference/lmm-models.R: with 2 clients (intercept + client mean) or 3 clients with
 * a client-level covariate as well, lme4's REML deviance is flat in theta (R evaluates it
 * on a grid) and lmerTest finds a zero Hessian eigenvalue, yet lmer reports a variance;
 * the tool says "not estimable" with the reason. With 3 clients and 2 client-level
 * columns the variance is identified and the fit equals R's.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clientLevelColumns, fitModel, type ModelSpec } from '../../src/analysis/model.js';
import { CrossProductAccumulator } from '../../src/stats/lmm/data.js';
import { fitLmm } from '../../src/stats/lmm/fit.js';
import { SingleFactorStructure } from '../../src/stats/lmm/profile.js';
import { memoryDataset, type MemoryRow } from '../helpers/memory-dataset.js';
import { close } from '../stats/lmm/reference-data.js';

interface IdentifyCase {
  name: string;
  clients: string[];
  covariate: boolean;
  deviance_range: number;
  hessian_eigenvalues: number[];
  fixef: { term: string[]; estimate: number[]; se: number[]; df: number[]; p: number[] };
  client_variance: number;
  residual_variance: number;
}
const REF = JSON.parse(readFileSync(new URL('../reference/lmm-models.json', import.meta.url), 'utf8')) as { identify: IdentifyCase[] };
const byName = (n: string): IdentifyCase => REF.identify.find((c) => c.name === n)!;

const text = readFileSync(new URL('../../fixtures/model/balanced.csv', import.meta.url), 'utf8')
  .trim()
  .split('\n');
const head = text[0].split(',').map((h) => h.replace(/"/g, ''));
const records = text.slice(1).map((l) => l.split(',').map((v) => v.replace(/"/g, '')));
const col = (r: string[], name: string): string => r[head.indexOf(name)];

function subset(clients: string[]) {
  const recs = records.filter((r) => clients.includes(col(r, 'client')));
  const rows: MemoryRow[] = recs.map((r) => ({
    client: col(r, 'client'),
    session: Number(col(r, 'session')),
    values: [Number(col(r, 'alliance')), Number(col(r, 'outcome'))],
  }));
  const ages = recs.map((r) => Number(col(r, 'age')));
  const ds = memoryDataset(
    [
      { name: 'alliance', role: 'alliance' },
      { name: 'outcome', role: 'outcome' },
    ],
    rows,
  );
  return { ds, reader: (row: { line: number }) => [ages[row.line - 2]] };
}
const spec: ModelSpec = { outcome: 'outcome', alliance: 'alliance' };

describe('model: variance not identified by the data', () => {
  it('the R reference shows the flat deviance and the zero Hessian eigenvalue', () => {
    for (const n of ['2_clients', '3_clients_age']) {
      const c = byName(n);
      expect(c.deviance_range).toBeLessThan(1e-6);
      expect(Math.min(...c.hessian_eigenvalues.map(Math.abs))).toBeLessThan(1e-8);
    }
    expect(byName('3_clients').deviance_range).toBeGreaterThan(1);
  });

  it('2 clients: not estimable, naming the client-level effects and the minimum', async () => {
    const { ds } = subset(byName('2_clients').clients);
    const res = await fitModel(ds, spec);
    expect(res.fit).toBeNull();
    expect(res.notEstimable).toBe(
      '2 clients for 2 client-level fixed effects ((Intercept), alliance_between): the client variance cannot be separated from them (the likelihood is flat in it); at least 3 clients are needed, and many more for a usable estimate',
    );
  });

  it('3 clients with a client-level covariate: not estimable', async () => {
    const { ds, reader } = subset(byName('3_clients_age').clients);
    const res = await fitModel(ds, { ...spec, covariates: ['age'] }, { reader });
    expect(res.fit).toBeNull();
    expect(res.notEstimable).toMatch(/^3 clients for 3 client-level fixed effects \(\(Intercept\), alliance_between, age\)/);
  });

  it('3 clients: identified, and equal to lme4/lmerTest', async () => {
    const c = byName('3_clients');
    const { ds } = subset(c.clients);
    const res = await fitModel(ds, spec);
    expect(res.notEstimable).toBeNull();
    const fit = res.fit!;
    c.fixef.estimate.forEach((e, j) => {
      close(fit.fixed[j].estimate, e, 1e-6, 1e-9);
      close(fit.fixed[j].se, c.fixef.se[j], 1e-5);
      close(fit.fixed[j].df!, c.fixef.df[j], 1e-4);
      close(fit.fixed[j].p!, c.fixef.p[j], 1e-4);
    });
    close(fit.variance[0].variance, c.client_variance, 1e-5);
    close(fit.variance[1].variance, c.residual_variance, 1e-5);
  });

  it('a flat likelihood found by the curvature check alone is not estimable', async () => {
    // 2 clients fitted directly (no design check): the curvature ratio is ~0
    const c = byName('2_clients');
    const recs = records.filter((r) => c.clients.includes(col(r, 'client')));
    const acc = new CrossProductAccumulator(3);
    const means = new Map<string, number>();
    for (const id of c.clients) {
      const a = recs.filter((r) => col(r, 'client') === id).map((r) => Number(col(r, 'alliance')));
      means.set(id, a.reduce((x, y) => x + y, 0) / a.length);
    }
    recs.forEach((r) => {
      const m = means.get(col(r, 'client'))!;
      acc.add(c.clients.indexOf(col(r, 'client')), [1, Number(col(r, 'alliance')) - m, m], Number(col(r, 'outcome')));
    });
    const data = acc.finish();
    expect(clientLevelColumns(data)).toEqual([0, 2]);
    const fit = fitLmm(new SingleFactorStructure(data, [0]), data.nobs, 3, true);
    expect(fit.flatness).toBeLessThan(1e-6);
  });
});

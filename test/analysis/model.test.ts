/**
 * `fitModel` (design building: person-mean centring, lag pairing, therapist level; then the
 * fit, Satterthwaite t tests, CIs, ICC, BLUPs) against lme4 / lmerTest run by
 * test/reference/lmm.R on the same fixture files.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fitModel, type ModelSpec } from '../../src/analysis/model.js';
import { memoryDataset, type MemoryRow } from '../helpers/memory-dataset.js';
import type { SessionRow } from '../../src/dataset/types.js';
import { REF, close } from '../stats/lmm/reference-data.js';

function loadFixture(name: string) {
  const text = readFileSync(new URL(`../../fixtures/model/${name}.csv`, import.meta.url), 'utf8').trim();
  const [head, ...lines] = text.split('\n');
  const cols = head.split(',').map((h) => h.replace(/"/g, ''));
  const ages: number[] = [];
  const rows: MemoryRow[] = lines.map((l) => {
    const f = l.split(',').map((v) => v.replace(/"/g, ''));
    const get = (c: string) => f[cols.indexOf(c)];
    const num = (c: string) => (get(c) === '' || get(c) === 'NA' ? undefined : Number(get(c)));
    ages.push(num('age') ?? NaN);
    return {
      client: get('client'),
      session: Number(get('session')),
      therapist: cols.includes('therapist') ? get('therapist') : undefined,
      values: [num('alliance'), num('outcome')],
    };
  });
  const ds = memoryDataset(
    [
      { name: 'alliance', role: 'alliance' },
      { name: 'outcome', role: 'outcome' },
    ],
    rows,
  );
  // covariate "age" from the file, by row (memoryDataset numbers lines from 2)
  const reader = (row: SessionRow) => [ages[row.line - 2]];
  return { ds, reader };
}

describe('fitModel vs lme4/lmerTest on the fixtures', () => {
  for (const c of REF.cases) {
    it(c.name, async () => {
      const spec: ModelSpec = {
        outcome: 'outcome',
        alliance: 'alliance',
        time: c.spec.time ?? false,
        lag: c.spec.lag ?? false,
        reverse: c.spec.reverse ?? false,
        ml: c.spec.ml ?? false,
        randomSlope: c.spec.random_slope ? (c.spec.slope_time ? 'time' : 'alliance') : null,
        therapistLevel: c.spec.nested ?? false,
        randomEffects: true,
        covariates: c.spec.covariates ?? [],
      };
      const { ds, reader } = loadFixture(c.dataset);
      const res = await fitModel(ds, spec, { reader });
      expect(res.notEstimable).toBeNull();
      const fit = res.fit!;
      expect(fit.nobs).toBe(c.nobs);
      expect(fit.clients).toBe(c.spec.nested ? c.ngroups['client:therapist'] : c.ngroups.client);
      close(fit.logLik, c.logLik, 0, 1e-3);
      if (c.reml) close(fit.remlCriterion!, c.REMLcrit!, 0, 1e-3);
      else {
        close(fit.deviance!, c.deviance_ml!, 0, 1e-3);
        close(fit.aic!, c.AIC, 0, 1e-3);
        close(fit.bic!, c.BIC, 0, 1e-3);
      }
      expect(fit.singular).toBe(c.singular);
      fit.fixed.forEach((f, j) => {
        close(f.estimate, c.fixef.estimate[j], 1e-4, 1e-8);
        close(f.se, c.fixef.se[j], 1e-4);
        close(f.df!, c.fixef.df[j], 1e-4);
        close(f.t, c.fixef.t[j], 1e-4, 1e-6);
        close(f.p!, c.fixef.p[j], 1e-3, 1e-12);
        close(f.lower!, c.fixef.lower[j], 1e-4, 1e-8);
        close(f.upper!, c.fixef.upper[j], 1e-4, 1e-8);
      });
      // variance components in VarCorr order, covariance replaced by the correlation
      const vc = c.varcomp;
      const ours = fit.variance;
      if (fit.correlation !== null || c.spec.random_slope) {
        close(ours[0].variance, vc.vcov[0], 1e-4, 1e-8);
        close(ours[1].variance, vc.vcov[1], 1e-4, 1e-7);
        if (fit.correlation !== null) close(fit.correlation, vc.sdcor[2], 1e-4, 1e-6);
        close(ours[2].sd, vc.sdcor[3], 1e-4);
      } else {
        ours.forEach((v, i) => {
          close(v.variance, vc.vcov[i], 1e-4, 1e-8);
          close(v.sd, vc.sdcor[i], 1e-4, 1e-6);
        });
      }
      close(res.icc!.value, c.null_icc, 1e-4, 1e-8);
      // contextual effect: between - within, as lmerTest::contest1D
      const cx = fit.contextual;
      close(cx.estimate, c.contextual.estimate, 1e-4, 1e-8);
      close(cx.se, c.contextual.se, 1e-4);
      close(cx.df!, c.contextual.df, 1e-4);
      close(cx.t, c.contextual.t, 1e-4, 1e-6);
      close(cx.p!, c.contextual.p, 1e-3, 1e-12);
      close(cx.lower!, c.contextual.lower, 1e-4, 1e-8);
      close(cx.upper!, c.contextual.upper, 1e-4, 1e-8);
      // BLUPs
      const ranef = fit.randomEffects!;
      for (const b of c.blups) {
        const level = b.group === 'therapist' ? 'therapist' : 'client';
        b.levels.forEach((lvl, i) => {
          const id = level === 'client' ? lvl.split(':')[0] : lvl;
          const ours = ranef.find((r) => r.level === level && r.id === id)!;
          close(ours.intercept, b.values[0][i], 1e-4, 1e-6);
          close(ours.interceptSD, b.condsd[0][i], 1e-4, 1e-6);
          if (b.values.length > 1) {
            close(ours.slope!, b.values[1][i], 1e-4, 1e-6);
            close(ours.slopeSD!, b.condsd[1][i], 1e-4, 1e-6);
          }
        });
      }
      if (c.spec.lag) expect(res.notes.join(' ')).toMatch(/Nickell/);
      if (c.singular) expect(res.notes.join(' ')).toMatch(/Singular fit/);
    });
  }
});

describe('fitModel: degenerate data and invariances', () => {
  const measures = [
    { name: 'alliance', role: 'alliance' as const },
    { name: 'outcome', role: 'outcome' as const },
  ];
  const spec: ModelSpec = { outcome: 'outcome', alliance: 'alliance' };

  it('one client: not estimable, with the reason', async () => {
    const ds = memoryDataset(
      measures,
      [1, 2, 3, 4].map((s) => ({ client: 'A', session: s, values: [30 + s, 20 + 2 * s] })),
    );
    const res = await fitModel(ds, spec);
    expect(res.fit).toBeNull();
    expect(res.notEstimable).toMatch(/1 client/);
  });

  it('one row per client: not estimable', async () => {
    const ds = memoryDataset(
      measures,
      ['A', 'B', 'C', 'D'].map((c, i) => ({ client: c, session: 1, values: [30 + i, 20 + ((i * i) % 3)] })),
    );
    const res = await fitModel(ds, spec);
    expect(res.fit).toBeNull();
    expect(res.notEstimable).toMatch(/single usable row/);
  });

  it('alliance constant within every client: not estimable', async () => {
    const rows = ['A', 'B', 'C'].flatMap((c, i) => [1, 2, 3].map((s) => ({ client: c, session: s, values: [30 + i, 20 + s + i] })));
    const res = await fitModel(memoryDataset(measures, rows), spec);
    expect(res.fit).toBeNull();
    expect(res.notEstimable).toMatch(/does not vary within any client/);
  });

  it('lag pairs only consecutive sessions and skips duplicated session numbers', async () => {
    const rows: MemoryRow[] = [];
    for (let c = 0; c < 6; c++) {
      for (const s of [1, 2, 3, 5, 6]) rows.push({ client: `C${c}`, session: s, values: [30 + ((c * 7 + s * 3) % 5), 15 + ((c * 3 + s * 5) % 7)] });
    }
    rows.push({ client: 'C0', session: 6, values: [31, 16] }); // duplicate session 6 for C0
    const res = await fitModel(memoryDataset(measures, rows), { ...spec, lag: true });
    // per client: pairs 1-2, 2-3, 5-6 (3-5 not consecutive); C0 loses 5-6 to the duplicate
    expect(res.rows.used).toBe(6 * 3 - 1);
    expect(res.rows.excluded['next session not consecutive']).toBe(6);
    expect(res.rows.excluded['duplicate session number (not paired)']).toBe(2);
  });

  it('row order does not change the fit', async () => {
    const { ds } = loadFixture('unbalanced');
    const a = await fitModel(ds, { ...spec, randomSlope: 'alliance' });
    const rows: MemoryRow[] = [];
    await ds.scan((r) => rows.push({ client: ds.clients[r.client], session: r.session, values: [r.values[0], r.values[1]] }));
    rows.reverse();
    const b = await fitModel(memoryDataset(measures, rows), { ...spec, randomSlope: 'alliance' });
    a.fit!.fixed.forEach((f, j) => {
      close(b.fit!.fixed[j].estimate, f.estimate, 1e-7, 1e-10);
      close(b.fit!.fixed[j].df!, f.df!, 1e-6);
    });
    close(b.fit!.logLik, a.fit!.logLik, 0, 1e-8);
  });
});

describe('fitModel: non-convergence', () => {
  it('is reported in the result and the notes', async () => {
    const { ds } = loadFixture('unbalanced');
    const res = await fitModel(ds, { outcome: 'outcome', alliance: 'alliance', randomSlope: 'alliance', maxEvaluations: 30 });
    expect(res.fit!.converged).toBe(false);
    expect(res.notes.join(' ')).toMatch(/optimizer did not converge: Nelder-Mead: evaluation limit/);
  });
});

describe('fitModel: rank-deficient design', () => {
  it('a constant covariate makes the model not estimable, with the reason', async () => {
    const { ds } = loadFixture('balanced');
    const res = await fitModel(ds, { outcome: 'outcome', alliance: 'alliance', covariates: ['k'] }, { reader: () => [5] });
    expect(res.fit).toBeNull();
    expect(res.notEstimable).toMatch(/^k is constant or a combination of the other predictors \(the fixed-effects design is rank deficient\)/);
  });
});

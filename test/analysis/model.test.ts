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
    return { client: get('client'), session: Number(get('session')), therapist: cols.includes('therapist') ? get('therapist') : undefined, values: [num('alliance'), num('outcome')] };
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
      // BLUPs
      const ranef = fit.randomEffects!;
      for (const b of c.blups) {
        const level = b.group === 'therapist' ? 'therapist' : 'client';
        b.levels.forEach((lvl, i) => {
          const id = level === 'client' ? lvl.split(':')[0] : lvl;
          const ours = ranef.find((r) => r.level === level && r.id === id)!;
          close(ours.intercept, b.values[0][i], 1e-4, 1e-6);
          if (b.values.length > 1) close(ours.slope!, b.values[1][i], 1e-4, 1e-6);
        });
      }
      if (c.spec.lag) expect(res.notes.join(' ')).toMatch(/Nickell/);
      if (c.singular) expect(res.notes.join(' ')).toMatch(/Singular fit/);
    });
  }
});

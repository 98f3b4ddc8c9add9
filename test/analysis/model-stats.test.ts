/**
 * The model statistics reviewers ask for (issue 12), end to end through `alliance model
 * --format json`, against test/reference/lmm-models.R on the fixtures and the demo data:
 * Nakagawa R2 = performance::r2_nakagawa, --compare = anova() of the nested ML sequence,
 * standardised coefficients = a refit on z-scored data (effectsize's "refit").
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';
import { nestedDecompose, withMapping } from '../helpers/model.js';
import { close } from '../stats/lmm/reference-data.js';

interface ModelCase {
  name: string;
  args: string[];
  nobs: number;
  singular: boolean;
  r2: { marginal: number; conditional: number | null };
  compare: {
    npar: number[];
    AIC: number[];
    BIC: number[];
    logLik: number[];
    deviance: number[];
    chisq: (number | null)[];
    df: (number | null)[];
    p: (number | null)[];
  };
  standardized: { term: string[]; estimate: number[]; se: number[]; df: number[]; p: number[]; lower: number[]; upper: number[] };
}
const REF = JSON.parse(readFileSync(new URL('../reference/lmm-models.json', import.meta.url), 'utf8')) as {
  versions: Record<string, string>;
  models: ModelCase[];
};

describe(`model R2 / --compare / standardised vs performance ${REF.versions.performance}, anova, refit`, () => {
  for (const c of REF.models) {
    it(c.name, async () => {
      const r = await runInProcess(['model', ...withMapping(c.args), '--compare', '--format', 'json']);
      expect(r.stderr).toBe('');
      const out = JSON.parse(r.stdout);
      const fit = out.fit;
      expect(fit.nobs).toBe(c.nobs);
      // R2 (Nakagawa): 1e-6 relative
      close(fit.r2.marginal, c.r2.marginal, 1e-6);
      if (c.r2.conditional === null) expect(fit.r2.conditional).toBeNull();
      else close(fit.r2.conditional, c.r2.conditional, 1e-6);
      // anova() of the ML sequence
      const cmp = out.comparison;
      expect(cmp.length).toBe(c.compare.npar.length);
      cmp.forEach((row: Record<string, number | null>, i: number) => {
        expect(row.npar).toBe(c.compare.npar[i]);
        close(row.aic!, c.compare.AIC[i], 0, 1e-6);
        close(row.bic!, c.compare.BIC[i], 0, 1e-6);
        close(row.log_lik!, c.compare.logLik[i], 0, 1e-6);
        close(row.deviance!, c.compare.deviance[i], 0, 1e-6);
        if (i === 0) {
          expect(row.chisq).toBeNull();
          expect(row.p).toBeNull();
        } else {
          close(row.chisq!, c.compare.chisq[i]!, 1e-6, 2e-6);
          expect(row.df).toBe(c.compare.df[i]);
          close(row.p!, c.compare.p[i]!, 1e-4, 1e-9);
        }
      });
      // standardised coefficients (refit)
      const st = fit.standardized;
      c.standardized.estimate.forEach((e, j) => {
        expect(st[j].term).toBe(fit.fixed[j].term);
        close(st[j].estimate, e, 1e-5, 1e-8);
        close(st[j].se, c.standardized.se[j], 1e-5);
        // the df follow theta closely; in the random-slope refit the two optimizers stop
        // within 1e-4 of each other in df (SEs agree to 1e-5)
        close(st[j].df, c.standardized.df[j], 3e-4);
        close(st[j].p, c.standardized.p[j], 1e-3, 1e-12);
        close(st[j].lower, c.standardized.lower[j], 1e-5, 1e-8);
        close(st[j].upper, c.standardized.upper[j], 1e-5, 1e-8);
      });
    });
  }
});

interface SlopeTherapistCase {
  name: string;
  args: string[];
  reml: boolean;
  fixef: { term: string[]; estimate: number[]; se: number[]; df: number[]; p: number[] };
  logLik: number;
  varcomp: { grp: string[]; var1: (string | null)[]; var2: (string | null)[]; vcov: number[]; sdcor: number[] };
  client: { id: string[]; intercept: number[]; slope: number[]; intercept_sd: number[]; slope_sd: number[] };
  therapist: { id: string[]; intercept: number[]; intercept_sd: number[] };
}
const ST = (JSON.parse(readFileSync(new URL('../reference/lmm-models.json', import.meta.url), 'utf8')) as { slope_therapist: SlopeTherapistCase[] })
  .slope_therapist;

describe('random slope with a therapist level: (1 + alliance_within | client) + (1 | therapist) vs lme4/lmerTest', () => {
  for (const c of ST) {
    it(c.name, async () => {
      const r = await runInProcess(['model', ...withMapping(c.args), '--group', 'therapist', '--random-slope', '--random-effects', '--format', 'json']);
      expect(r.stderr).toBe('');
      const fit = JSON.parse(r.stdout).fit;
      expect(fit.formula).toMatch(/\(1 \+ \w+_within \| client\) \+ \(1 \| therapist\)$/);
      close(fit.log_lik, c.logLik, 0, 1e-6);
      c.fixef.estimate.forEach((e, j) => {
        close(fit.fixed[j].estimate, e, 1e-5, 1e-8);
        close(fit.fixed[j].se, c.fixef.se[j], 1e-5);
        close(fit.fixed[j].df, c.fixef.df[j], 1e-4);
        close(fit.fixed[j].p, c.fixef.p[j], 1e-3, 1e-12);
      });
      // VarCorr order: client intercept, client slope, their covariance, therapist, residual
      const v = c.varcomp.vcov;
      const byTerm = (g: string, i: number) => fit.variance.filter((x: { group: string }) => x.group === g)[i].variance;
      close(byTerm('client', 0), v[0], 1e-4, 1e-8);
      close(byTerm('client', 1), v[1], 1e-4, 1e-8);
      close(fit.correlation, c.varcomp.sdcor[2], 1e-4, 1e-6);
      close(byTerm('therapist', 0), v[3], 1e-4, 1e-8);
      close(byTerm('residual', 0), v[4], 1e-5);
      // BLUPs and conditional SDs
      const re = fit.random_effects as { level: string; id: string; intercept: number; slope: number | null; intercept_sd: number; slope_sd: number | null }[];
      c.therapist.id.forEach((id, i) => {
        const ours = re.find((x) => x.level === 'therapist' && x.id === id)!;
        close(ours.intercept, c.therapist.intercept[i], 1e-4, 1e-6);
        close(ours.intercept_sd, c.therapist.intercept_sd[i], 1e-4, 1e-6);
      });
      c.client.id.forEach((id, i) => {
        const ours = re.find((x) => x.level === 'client' && x.id === id)!;
        close(ours.intercept, c.client.intercept[i], 1e-4, 1e-6);
        close(ours.slope!, c.client.slope[i], 1e-4, 1e-6);
        close(ours.intercept_sd, c.client.intercept_sd[i], 1e-4, 1e-6);
        close(ours.slope_sd!, c.client.slope_sd[i], 1e-4, 1e-6);
      });
    });
  }
});

interface DecomposeCase {
  name: string;
  args: string[];
  fixef: { term: string[]; estimate: number[]; se: number[]; df: number[]; p: number[] };
  logLik: number;
  varcomp: { grp: string[]; vcov: number[] };
  icc_outcome: number;
  icc_alliance: number;
}
const DEC = (JSON.parse(readFileSync(new URL('../reference/lmm-models.json', import.meta.url), 'utf8')) as { decompose: DecomposeCase[] }).decompose;

describe('model --decompose therapist (issue 17) vs lme4/lmerTest', () => {
  for (const c of DEC) {
    it(c.name, async () => {
      const r = await runInProcess(['model', ...withMapping(c.args), '--decompose', 'therapist', '--format', 'json']);
      expect(r.stderr).toBe('');
      const out = JSON.parse(r.stdout);
      const fit = out.fit;
      expect(fit.formula).toMatch(/_session \+ \w+_client \+ \w+_therapist .*\+ \(1 \| therapist\) \+ \(1 \| therapist:client\)$/);
      close(fit.log_lik, c.logLik, 0, 1e-6);
      c.fixef.estimate.forEach((e, j) => {
        close(fit.fixed[j].estimate, e, 1e-4, 1e-8);
        close(fit.fixed[j].se, c.fixef.se[j], 1e-4);
        close(fit.fixed[j].df, c.fixef.df[j], 1e-4);
        close(fit.fixed[j].p, c.fixef.p[j], 1e-3, 1e-12);
      });
      const v = (g: string) => fit.variance.find((x: { group: string }) => x.group === g).variance;
      const ref = (g: string) => c.varcomp.vcov[c.varcomp.grp.indexOf(g)];
      close(v('client'), ref('therapist:client'), 1e-4, 1e-8);
      close(v('therapist'), ref('therapist'), 1e-4, 1e-8);
      close(v('residual'), ref('Residual'), 1e-5);
      const d = out.decomposition;
      close(d.icc_outcome, c.icc_outcome, 1e-4, 1e-7);
      close(d.icc_alliance, c.icc_alliance, 1e-4, 1e-7);
      expect(d.sentence).toMatch(/^(The alliance-outcome association is carried by|None of the three alliance components)/);
      // 12 therapists in the fixture, fewer than 10 in the demo data: the warning
      const warned = out.notes.some((n: string) => /poorly estimated \(Baldwin, Wampold & Imel 2007 used 80/.test(n));
      expect(warned).toBe(d.therapists < 10);
    });
  }

  it('refuses a level other than therapist, and a random slope', async () => {
    const a = await runInProcess(['model', 'fixtures/model/nested.csv', '--outcome', 'outcome', '--alliance', 'alliance', '--decompose', 'site']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--decompose takes "therapist", got "site"/);
    const b = await runInProcess(nestedDecompose('--random-slope'));
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/takes no --random-slope/);
  });
});

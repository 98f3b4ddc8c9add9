/**
 * The LMM numerics against lme4 (REML and ML) and lmerTest (Satterthwaite df, p), on the
 * designs written by test/reference/lmm.R (balanced / unbalanced with missing sessions,
 * random intercept / random slope, singular fits, clients nested in therapists).
 */
import { describe, expect, it } from 'vitest';
import { CrossProductAccumulator } from '../../../src/stats/lmm/data.js';
import { fitLmm, satterthwaiteContrast, type LmmFit } from '../../../src/stats/lmm/fit.js';
import { SingleFactorStructure } from '../../../src/stats/lmm/profile.js';
import { NestedInterceptStructure } from '../../../src/stats/lmm/nested.js';
import { REF, close, type RefCase } from './reference-data.js';

export function fitCase(c: RefCase): { fit: LmmFit; structure: SingleFactorStructure | NestedInterceptStructure; clients: string[]; therapists: string[] } {
  const names = Object.keys(c.design.columns);
  const p = names.length + 1;
  const acc = new CrossProductAccumulator(p);
  const clientIndex = new Map<string, number>();
  const x = new Float64Array(p);
  c.design.y.forEach((y, r) => {
    const id = c.design.client[r];
    let g = clientIndex.get(id);
    if (g === undefined) {
      g = clientIndex.size;
      clientIndex.set(id, g);
    }
    x[0] = 1;
    names.forEach((nm, j) => (x[j + 1] = c.design.columns[nm][r]));
    acc.add(g, x, y);
  });
  const data = acc.finish();
  const clients = [...clientIndex.keys()];
  let structure: SingleFactorStructure | NestedInterceptStructure;
  const therapists: string[] = [];
  if (c.spec.nested) {
    const parent = new Int32Array(data.groups);
    const tIndex = new Map<string, number>();
    c.design.client.forEach((id, r) => {
      const t = c.design.therapist![r];
      let ti = tIndex.get(t);
      if (ti === undefined) {
        ti = tIndex.size;
        tIndex.set(t, ti);
        therapists.push(t);
      }
      parent[clientIndex.get(id)!] = ti;
    });
    structure = new NestedInterceptStructure(data, parent, tIndex.size);
  } else if (c.spec.random_slope) {
    const slope = c.spec.slope_time ? names.indexOf('session') + 1 : names.indexOf('x_within') + 1;
    structure = new SingleFactorStructure(data, [0, slope]);
  } else {
    structure = new SingleFactorStructure(data, [0]);
  }
  return { fit: fitLmm(structure, data.nobs, p, !c.spec.ml), structure, clients, therapists };
}

describe(`LMM numerics vs lme4 ${REF.versions.lme4} / lmerTest ${REF.versions.lmerTest}`, () => {
  for (const c of REF.cases) {
    it(c.name, () => {
      const { fit, structure, clients, therapists } = fitCase(c);
      expect(fit.reml).toBe(c.reml);
      expect(fit.nobs).toBe(c.nobs);
      // deviance first: ours must be at least as good as lme4's optimum
      const crit = c.reml ? c.REMLcrit! : c.deviance_ml!;
      close(fit.deviance, crit, 0, 1e-3);
      close(fit.logLik, c.logLik, 0, 1e-3);
      expect(fit.npar).toBe(c.df_logLik);
      if (!c.reml) {
        close(fit.aic, c.AIC, 0, 1e-3);
        close(fit.bic, c.BIC, 0, 1e-3);
      }
      expect(fit.singular).toBe(c.singular);
      const f = c.fixef;
      f.estimate.forEach((e, j) => {
        close(fit.beta[j], e, 1e-4, 1e-8);
        close(fit.se[j], f.se[j], 1e-4);
        close(fit.df[j], f.df[j], 1e-4);
      });
      close(fit.sigma, c.sigma, 1e-4);
      // variance components as VarCorr(): client variance(s), covariance, residual
      const vc = c.varcomp;
      const s2 = fit.sigma * fit.sigma;
      if (structure instanceof NestedInterceptStructure) {
        close(s2 * fit.theta[0] ** 2, vc.vcov[0], 1e-4, 1e-8);
        close(s2 * fit.theta[1] ** 2, vc.vcov[1], 1e-4, 1e-8);
      } else if (structure.q === 2) {
        const [t11, t21, t22] = fit.theta;
        close(s2 * t11 * t11, vc.vcov[0], 1e-4, 1e-8);
        close(s2 * (t21 * t21 + t22 * t22), vc.vcov[1], 1e-4, 1e-7);
        close(s2 * t11 * t21, vc.vcov[2], 1e-4, 1e-7);
      } else {
        close(s2 * fit.theta[0] ** 2, vc.vcov[0], 1e-4, 1e-8);
      }
      close(s2, vc.vcov[vc.vcov.length - 1], 1e-4);
      // lmerTest's vcov_varpar and the contextual-effect contrast (contest1D)
      // At a boundary (singular fit) the theta rows of the Hessian are finite differences of a
      // deviance that is flat to O(h^2) around theta = 0: rounding noise in R as here, so only
      // the sigma entry is compared there (the df do not depend on the noisy part, since
      // d Var(beta) / d theta = 0 at theta = 0).
      const nv = c.vcov_varpar.length;
      const last = nv - 1;
      for (let i = 0; i < nv; i++) {
        for (let j = 0; j < nv; j++) {
          if (c.singular && (i !== last || j !== last)) continue;
          close(fit.vcovVarpar[i * nv + j], c.vcov_varpar[i][j], 1e-4, 1e-9);
        }
      }
      const L = new Array<number>(fit.p).fill(0);
      L[1] = -1;
      L[2] = 1;
      const ctr = satterthwaiteContrast(fit, L);
      close(ctr.estimate, c.contextual.estimate, 1e-4, 1e-8);
      close(ctr.se, c.contextual.se, 1e-4);
      close(ctr.df, c.contextual.df, 1e-4);
      // BLUPs
      if (structure instanceof SingleFactorStructure) {
        const { modes } = structure.ranef(fit.theta, fit.beta);
        const ref = c.blups[0];
        const q = structure.q;
        ref.levels.forEach((lvl, i) => {
          const g = clients.indexOf(lvl);
          for (let r = 0; r < q; r++) close(modes[g * q + r], ref.values[r][i], 1e-4, 1e-6);
        });
      } else {
        const { client, therapist } = structure.ranef(fit.theta, fit.beta);
        const refC = c.blups.find((b) => b.group === 'client:therapist')!;
        refC.levels.forEach((lvl, i) => {
          const g = clients.indexOf(lvl.split(':')[0]);
          close(client[g], refC.values[0][i], 1e-4, 1e-6);
        });
        const refT = c.blups.find((b) => b.group === 'therapist')!;
        refT.levels.forEach((lvl, i) => close(therapist[therapists.indexOf(lvl)], refT.values[0][i], 1e-4, 1e-6));
      }
    });
    it(`${c.name}: lme4 default tolerances`, () => {
      const { fit } = fitCase(c);
      const d = c.default;
      close(fit.logLik, d.logLik, 0, 1e-3);
      d.fixef.estimate.forEach((e, j) => {
        close(fit.beta[j], e, 1e-4, 1e-8);
        close(fit.se[j], d.fixef.se[j], 1e-4);
        // lme4 stops BOBYQA at xtol_abs = 1e-8, so its theta (and the df) can be a little off
        close(fit.df[j], d.fixef.df[j], 1e-3);
      });
      close(fit.sigma, d.sigma, 1e-4);
      const s2 = fit.sigma * fit.sigma;
      close(s2, d.varcomp.vcov[d.varcomp.vcov.length - 1], 1e-4);
      close(s2 * fit.theta[0] ** 2, d.varcomp.vcov[0], 1e-4, 1e-8);
    });
  }
});

describe('non-convergence is reported', () => {
  it('an evaluation cap below what Nelder-Mead needs gives converged = false and says why', () => {
    const c = REF.cases.find((x) => x.name === 'unbalanced_slope_reml')!;
    const names = Object.keys(c.design.columns);
    const acc = new CrossProductAccumulator(names.length + 1);
    const ids = new Map<string, number>();
    c.design.y.forEach((y, r) => {
      if (!ids.has(c.design.client[r])) ids.set(c.design.client[r], ids.size);
      acc.add(ids.get(c.design.client[r])!, [1, ...names.map((nm) => c.design.columns[nm][r])], y);
    });
    const data = acc.finish();
    const fit = fitLmm(new SingleFactorStructure(data, [0, 1]), data.nobs, names.length + 1, true, { maxEval: 30 });
    expect(fit.converged).toBe(false);
    expect(fit.optimizerMessage).toMatch(/evaluation limit \(30\) reached/);
    // and with the default cap it converges to lme4's optimum
    const ok = fitLmm(new SingleFactorStructure(data, [0, 1]), data.nobs, names.length + 1, true);
    expect(ok.converged).toBe(true);
    close(ok.deviance, c.REMLcrit!, 0, 1e-6);
  });
});

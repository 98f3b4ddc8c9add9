/**
 * Satterthwaite df at identical parameters: lmerTest (test/reference/lmm-models.R, a tightly
 * converged fit written with 17 significant digits) against satterthwaiteAt at that theta,
 * for random-slope models (issue 9, item 5), REML and ML, regular and singular fits.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CrossProductAccumulator } from '../../../src/stats/lmm/data.js';
import { satterthwaiteAt } from '../../../src/stats/lmm/fit.js';
import { SingleFactorStructure } from '../../../src/stats/lmm/profile.js';
import { quadForm } from '../../../src/stats/linalg.js';
import { close } from './reference-data.js';

interface SatCase {
  name: string;
  reml: boolean;
  random: 'x_within' | 'session';
  time: boolean;
  design: { client: string[]; y: number[]; x_within: number[]; x_between: number[]; session: number[] };
  theta: number[];
  sigma: number;
  singular: boolean;
  fixef: { term: string[]; estimate: number[]; se: number[]; df: number[] };
  contextual_df: number;
}

export const MODELS_REF = JSON.parse(readFileSync(new URL('../../reference/lmm-models.json', import.meta.url), 'utf8')) as {
  versions: Record<string, string>;
  satterthwaite: SatCase[];
};

describe(`Satterthwaite df at lmerTest's theta (lmerTest ${MODELS_REF.versions.lmerTest})`, () => {
  for (const c of MODELS_REF.satterthwaite) {
    it(c.name, () => {
      const cols = c.time ? ['x_within', 'x_between', 'session'] : ['x_within', 'x_between'];
      const p = cols.length + 1;
      // shifted by the column means as src/analysis/model.ts does (not the slope column)
      const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
      const shift = [0, 0, mean(c.design.x_between), ...(c.time && c.random !== 'session' ? [mean(c.design.session)] : c.time ? [0] : [])];
      const acc = new CrossProductAccumulator(p, { shift, yShift: mean(c.design.y) });
      const ids = new Map<string, number>();
      const x = new Float64Array(p);
      c.design.y.forEach((y, r) => {
        const id = c.design.client[r];
        if (!ids.has(id)) ids.set(id, ids.size);
        x[0] = 1;
        cols.forEach((nm, j) => (x[j + 1] = c.design[nm as 'x_within'][r]));
        acc.add(ids.get(id)!, x, y);
      });
      const data = acc.finish();
      const s = new SingleFactorStructure(data, [0, cols.indexOf(c.random) + 1]);
      const sat = satterthwaiteAt(s, c.theta, data.nobs, p, c.reml);
      close(sat.sigma, c.sigma, 1e-12);
      sat.se.forEach((se, j) => close(se, c.fixef.se[j], 1e-10));
      sat.df.forEach((df, j) => close(df, c.fixef.df[j], 1e-6));
      // contextual effect between - within (lmerTest::contest1D). 2e-6: at the singular ML fit
      // of the demo data lmerTest's own value moves by 6e-7 when theta is perturbed by 1e-14
      // (rounding in the numerical second derivatives), so 1e-6 is below its noise there.
      const L = [0, -1, 1, ...(c.time ? [0] : [])];
      const v = quadForm(L, sat.vcov, p);
      const g = sat.jacobian.map((col) => quadForm(L, col, p));
      close((2 * v * v) / quadForm(g, sat.vcovVarpar, g.length), c.contextual_df, 2e-6);
      expect(c.fixef.df.length).toBe(p);
    });
  }
});

/**
 * `alliance ruptures --model` (issue 17): outcome ~ session * class + (1 | client), end to
 * end through the CLI, against lme4 / lmerTest (test/reference/ruptures-model.R, whose
 * classes come from the independent R implementation in test/reference/ruptures.R) on the
 * planted-ruptures fixture with three rupture rules.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';
import { close } from '../stats/lmm/reference-data.js';

interface Case {
  name: string;
  args: string[];
  nobs: number;
  clients: number;
  levels: string[];
  fixef: { term: string[]; estimate: number[]; se: number[]; df: number[]; p: number[] };
  contrast: { estimate: number; se: number; df: number; p: number };
  client_variance: number;
  residual_variance: number;
}
const REF = JSON.parse(readFileSync(new URL('../reference/ruptures-model.json', import.meta.url), 'utf8')) as {
  versions: Record<string, string>;
  cases: Case[];
};

/** R's coefficient names (classrepaired, session:classrepaired) in the tool's spelling (class_repaired). */
const toolTerm = (t: string): string => t.replace(/class(?=none|repaired|unrepaired|unresolved)/, 'class_');

describe(`ruptures --model vs lme4 ${REF.versions.lme4} / lmerTest ${REF.versions.lmerTest}`, () => {
  for (const c of REF.cases) {
    it(c.name, async () => {
      const r = await runInProcess(['ruptures', ...c.args, '--model', '--format', 'json']);
      expect(r.stderr).toBe('');
      const m = JSON.parse(r.stdout).model;
      expect(m.not_estimable).toBeNull();
      expect(m.nobs).toBe(c.nobs);
      expect(m.clients).toBe(c.clients);
      expect(m.reference).toBe(c.levels[0]);
      expect(m.fixed.map((f: { term: string }) => f.term)).toEqual(c.fixef.term.map(toolTerm));
      c.fixef.estimate.forEach((e, j) => {
        close(m.fixed[j].estimate, e, 1e-5, 1e-8);
        close(m.fixed[j].se, c.fixef.se[j], 1e-5);
        close(m.fixed[j].df, c.fixef.df[j], 1e-4);
        close(m.fixed[j].p, c.fixef.p[j], 1e-4, 1e-300);
      });
      const ct = m.contrasts[0];
      expect(ct.term).toBe('slope: repaired - unrepaired');
      close(ct.estimate, c.contrast.estimate, 1e-5, 1e-8);
      close(ct.se, c.contrast.se, 1e-5);
      close(ct.df, c.contrast.df, 1e-4);
      close(ct.p, c.contrast.p, 1e-4);
      close(m.client_variance, c.client_variance, 1e-5);
      close(m.residual_variance, c.residual_variance, 1e-5);
    });
  }

  it('is a table in the terminal output, and absent without --model', async () => {
    const with_ = await runInProcess(['ruptures', 'fixtures/ruptures/planted.csv', '--model']);
    expect(with_.code).toBe(0);
    expect(with_.stdout).toContain('Outcome over sessions by rupture class (mixed model: phq9 ~ session * class + (1 | client))');
    expect(with_.stdout).toContain('slope: repaired - unrepaired');
    const without = await runInProcess(['ruptures', 'fixtures/ruptures/planted.csv', '--format', 'json']);
    expect(JSON.parse(without.stdout).model).toBeUndefined();
  });
});

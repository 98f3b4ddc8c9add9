/**
 * `alliance model --df kr` (issue 12): Kenward-Roger SEs and df, end to end through the CLI,
 * against pbkrtest / lmerTest (test/reference/model-kr.R: summary(fit, ddf = "Kenward-Roger"),
 * contest1D(ddf = "Kenward-Roger"), KRmodcomp) on balanced, unbalanced, singular, nested,
 * random-slope and decomposed models of the fixtures and the demo data; plus the option's
 * usage errors, the config key and the table rendering.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';
import { nestedDecompose } from '../helpers/model.js';
import { close } from '../stats/lmm/reference-data.js';

interface KrCase {
  name: string;
  args: string[];
  nobs: number;
  fixef: { term: string[]; estimate: number[]; se: number[]; df: number[]; t: number[]; p: number[]; se_unadjusted: number[] };
  contextual: { estimate: number; se: number; df: number; t: number; p: number };
  within_F: { F: number; ndf: number; ddf: number; p: number };
}
const REF = JSON.parse(readFileSync(new URL('../reference/model-kr.json', import.meta.url), 'utf8')) as { versions: Record<string, string>; cases: KrCase[] };

interface Row {
  term: string;
  estimate: number;
  se: number;
  df: number;
  t: number;
  p: number;
  lower: number;
  upper: number;
}

const withMapping = (args: string[]): string[] => (args.includes('--outcome') ? args : [...args, '--outcome', 'outcome', '--alliance', 'alliance']);

describe(`model --df kr vs pbkrtest ${REF.versions.pbkrtest} / lmerTest ${REF.versions.lmerTest}`, () => {
  for (const c of REF.cases) {
    it(c.name, async () => {
      const r = await runInProcess(['model', ...withMapping(c.args), '--df', 'kr', '--format', 'json']);
      expect(r.stderr).toBe('');
      const out = JSON.parse(r.stdout);
      const fit = out.fit;
      expect(fit.df_method).toBe('Kenward-Roger');
      expect(fit.nobs).toBe(c.nobs);
      const fixed = fit.fixed as Row[];
      expect(fixed.length).toBe(c.fixef.term.length);
      fixed.forEach((f, j) => {
        close(f.estimate, c.fixef.estimate[j], 1e-5, 1e-8);
        // the KR-adjusted SE (sqrt of the diagonal of pbkrtest::vcovAdj), not lme4's
        close(f.se, c.fixef.se[j], 1e-4);
        close(f.df, c.fixef.df[j], 1e-4);
        close(f.t, c.fixef.t[j], 1e-4);
        close(f.p, c.fixef.p[j], 1e-4, 1e-300);
        const q = (f.upper - f.lower) / (2 * f.se);
        expect(q).toBeGreaterThan(1.96);
      });
      // where the adjustment matters, the SEs differ from the unadjusted ones
      const differs = c.fixef.se.some((s, j) => Math.abs(s - c.fixef.se_unadjusted[j]) > 1e-6 * s);
      if (differs) expect(fixed.some((f, j) => Math.abs(f.se - c.fixef.se_unadjusted[j]) > 1e-6 * f.se)).toBe(true);
      // contextual effect: contest1D(ddf = "Kenward-Roger"), uses the adjusted covariance of within and between
      const cx = fit.contextual as Row;
      close(cx.estimate, c.contextual.estimate, 1e-5, 1e-8);
      close(cx.se, c.contextual.se, 1e-4);
      close(cx.df, c.contextual.df, 1e-4);
      close(cx.p, c.contextual.p, 1e-4, 1e-300);
      // KRmodcomp's F test of the within coefficient: F = t^2 with the same df
      close(fixed[1].t ** 2, c.within_F.F, 1e-4);
      close(fixed[1].df, c.within_F.ddf, 1e-4);
      close(fixed[1].p, c.within_F.p, 1e-4, 1e-300);
    });
  }

  it('the standardised refit and the decomposition sentence use the KR tests too', async () => {
    const r = await runInProcess(nestedDecompose('--df', 'kr', '--format', 'json'));
    const out = JSON.parse(r.stdout);
    const c = REF.cases.find((x) => x.name === 'nested_decompose')!;
    // the therapist component: KR df about 10 (12 therapists), Satterthwaite's the same to 1e-2 here
    close(out.fit.fixed[3].df, c.fixef.df[3], 1e-4);
    const p3 = out.fit.fixed[3].p as number;
    const shown = p3 < 0.001 ? '< .001' : `= ${p3.toFixed(3)}`;
    expect(out.decomposition.sentence).toContain(`alliance_therapist: b = ${(out.fit.fixed[3].estimate as number).toPrecision(3)}, p ${shown}`);
    expect(out.fit.standardized.length).toBe(4);
    // standardising rescales the coefficients, not the t tests: the KR t and df are unchanged
    (out.fit.standardized as Row[]).slice(1).forEach((s, j) => {
      close(s.t, out.fit.fixed[j + 1].t, 1e-4);
      close(s.df, out.fit.fixed[j + 1].df, 1e-3);
    });
  });

  it('the table names the method; the default stays Satterthwaite', async () => {
    const base = ['model', 'fixtures/model/unbalanced.csv', '--outcome', 'outcome', '--alliance', 'alliance'];
    const kr = await runInProcess([...base, '--df', 'kr']);
    expect(kr.code).toBe(0);
    expect(kr.stdout).toContain('df (Kenward-Roger)');
    expect(kr.stdout).toContain("fixed-effect SEs and df by Kenward-Roger's method");
    const sat = await runInProcess(base);
    expect(sat.stdout).toContain('df (Satterthwaite)');
    expect(sat.stdout).not.toContain('Kenward-Roger');
    const csv = await runInProcess([...base, '--df', 'kenward-roger', '--format', 'csv']);
    expect(csv.code).toBe(0);
    const c = REF.cases.find((x) => x.name === 'unbalanced_ri')!;
    const within = csv.stdout.split('\n').find((l) => l.startsWith('alliance_within'))!;
    expect(within).toContain(String(Math.round(c.fixef.df[1] * 10) / 10));
  });

  it('refuses ML fits and unknown methods (exit 2)', async () => {
    const base = ['model', 'fixtures/model/balanced.csv', '--outcome', 'outcome', '--alliance', 'alliance'];
    const ml = await runInProcess([...base, '--df', 'kr', '--ml']);
    expect(ml.code).toBe(2);
    expect(ml.stderr).toMatch(/^alliance: Kenward-Roger df \(--df kr\) are defined for REML fits, and --ml asks for ML\. Drop --ml/);
    const bad = await runInProcess([...base, '--df', 'residual']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--df takes "satterthwaite" or "kr" (Kenward-Roger), got "residual"');
  });

  it('reads df: kr from the model section of a config', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alliance-model-kr-'));
    const cfg = path.join(dir, 'alliance.yaml');
    writeFileSync(cfg, ['outcome: outcome', 'alliance: alliance', 'model:', '  df: kr', ''].join('\n'));
    const r = await runInProcess(['model', 'fixtures/model/balanced.csv', '--config', cfg, '--format', 'json']);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.fit.df_method).toBe('Kenward-Roger');
    const c = REF.cases.find((x) => x.name === 'balanced_ri')!;
    close(out.fit.fixed[1].df, c.fixef.df[1], 1e-4);
    writeFileSync(cfg, ['outcome: outcome', 'alliance: alliance', 'model:', '  df: kr', '  ml: true', ''].join('\n'));
    const bad = await runInProcess(['model', 'fixtures/model/balanced.csv', '--config', cfg]);
    expect(bad.code).toBe(2);
    // Set in the config, so named by their config keys, at the line of df (issue 10).
    expect(bad.stderr).toBe(
      'alliance: ' +
        cfg +
        ':4: Kenward-Roger df (model.df kr) are defined for REML fits, and model.ml asks for ML. Drop model.ml, or drop model.df kr for Satterthwaite df.\n',
    );
    const flag = await runInProcess(['model', 'fixtures/model/balanced.csv', '--config', cfg, '--df', 'kr']);
    expect(flag.stderr).toContain('Kenward-Roger df (--df kr) are defined for REML fits, and model.ml asks for ML');
  });
});

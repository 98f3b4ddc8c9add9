/**
 * `alliance model` end to end (CSV reading, flags, rendering) on the fixtures, checked
 * against the lme4 / lmerTest values of test/reference/lmm.R, plus its usage errors.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';
import { REF, close } from '../stats/lmm/reference-data.js';

const refCase = (name: string) => REF.cases.find((c) => c.name === name)!;

interface JsonOut {
  spec: { method: string };
  rows: { read: number; used: number };
  fit: {
    formula: string;
    df_method: string;
    nobs: number;
    clients: number;
    therapists: number | null;
    log_lik: number;
    reml_criterion: number | null;
    aic: number | null;
    bic: number | null;
    singular: boolean;
    converged: boolean;
    optimizer_message: string;
    fixed: { term: string; estimate: number; se: number; df: number; t: number; p: number; lower: number; upper: number }[];
    variance: { group: string; term: string; variance: number; sd: number }[];
    correlation: number | null;
  };
  icc: { value: number };
  notes: string[];
}

async function json(args: string[]): Promise<JsonOut> {
  const r = await runInProcess(['model', ...args, '--format', 'json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as JsonOut;
}

function checkFixed(out: JsonOut, name: string): void {
  const c = refCase(name);
  expect(out.fit.nobs).toBe(c.nobs);
  close(out.fit.log_lik, c.logLik, 0, 1e-3);
  out.fit.fixed.forEach((f, j) => {
    close(f.estimate, c.fixef.estimate[j], 1e-4, 1e-8);
    close(f.se, c.fixef.se[j], 1e-4);
    close(f.df, c.fixef.df[j], 1e-4);
    close(f.p, c.fixef.p[j], 1e-3, 1e-12);
    close(f.lower, c.fixef.lower[j], 1e-4, 1e-8);
    close(f.upper, c.fixef.upper[j], 1e-4, 1e-8);
  });
  close(out.icc.value, c.null_icc, 1e-4);
}

const base = ['--outcome', 'outcome', '--alliance', 'alliance'];

describe('alliance model (CLI) vs lme4/lmerTest', () => {
  it('random intercept, REML, with --time and --covariate', async () => {
    const out = await json(['fixtures/model/balanced.csv', ...base, '--time', '--covariate', 'age']);
    checkFixed(out, 'balanced_ri_time_cov_reml');
    expect(out.fit.df_method).toBe('Satterthwaite');
    expect(out.fit.fixed.map((f) => f.term)).toEqual(['(Intercept)', 'alliance_within', 'alliance_between', 'session', 'age']);
    close(out.fit.reml_criterion!, refCase('balanced_ri_time_cov_reml').REMLcrit!, 0, 1e-3);
    expect(out.fit.aic).toBeNull();
  });

  it('covariate with missing cells, ML: AIC and BIC', async () => {
    const out = await json(['fixtures/model/unbalanced.csv', ...base, '--covariate', 'age', '--ml']);
    checkFixed(out, 'unbalanced_ri_cov_ml');
    const c = refCase('unbalanced_ri_cov_ml');
    close(out.fit.aic!, c.AIC, 0, 1e-3);
    close(out.fit.bic!, c.BIC, 0, 1e-3);
    expect(out.spec.method).toBe('ML');
  });

  it('random slope with its correlation', async () => {
    const out = await json(['fixtures/model/unbalanced.csv', ...base, '--random-slope']);
    checkFixed(out, 'unbalanced_slope_reml');
    const c = refCase('unbalanced_slope_reml');
    close(out.fit.variance[1].variance, c.varcomp.vcov[1], 1e-4);
    close(out.fit.correlation!, c.varcomp.sdcor[2], 1e-4);
    expect(out.fit.formula).toContain('(1 + alliance_within | client)');
  });

  it('lagged, reverse direction; the Nickell note', async () => {
    const out = await json(['fixtures/model/unbalanced.csv', ...base, '--lag', '--reverse']);
    checkFixed(out, 'unbalanced_lag_reverse_reml');
    expect(out.fit.fixed.map((f) => f.term)).toEqual(['(Intercept)', 'outcome_within', 'outcome_between', 'alliance_previous']);
    expect(out.notes.join(' ')).toMatch(/Nickell/);
  });

  it('clients nested in therapists (--group therapist), ML', async () => {
    const out = await json(['fixtures/model/nested.csv', ...base, '--group', 'therapist', '--ml']);
    checkFixed(out, 'nested_ml');
    expect(out.fit.therapists).toBe(12);
    const c = refCase('nested_ml');
    close(out.fit.variance[0].variance, c.varcomp.vcov[0], 1e-4);
    close(out.fit.variance[1].variance, c.varcomp.vcov[1], 1e-4);
  });

  it('singular fit is reported', async () => {
    const out = await json(['fixtures/model/singular.csv', ...base]);
    checkFixed(out, 'singular_ri_reml');
    expect(out.fit.singular).toBe(true);
    expect(out.fit.converged).toBe(true);
    expect(out.notes.join(' ')).toMatch(/Singular fit/);
  });

  it('table, CSV and Markdown come from the same numbers', async () => {
    const args = ['model', 'fixtures/model/balanced.csv', ...base];
    const table = await runInProcess(args);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('df (Satterthwaite)');
    expect(table.stdout).toContain('REML criterion');
    const csv = await runInProcess([...args, '--format', 'csv']);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('term,estimate,se,df,t,p,ci95_low,ci95_high');
    const c = refCase('balanced_ri_reml');
    const within = lines[2].split(',');
    expect(within[0]).toBe('alliance_within');
    close(Number(within[1]), c.fixef.estimate[1], 1e-6);
    close(Number(within[3]), c.fixef.df[1], 1e-4);
    const md = await runInProcess([...args, '--format', 'md']);
    expect(md.stdout).toMatch(/\| alliance_within \| /);
  });
});

describe('alliance model: rows left out are counted', () => {
  it('a row without a client id is counted, and the fit equals the fit without that row', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alliance-model-'));
    const lines = readFileSync('fixtures/model/balanced.csv', 'utf8').trim().split('\n');
    const file = path.join(dir, 'with-blank-client.csv');
    writeFileSync(file, [...lines.slice(0, 5), '"",3,30.1,25.2,40', ...lines.slice(5)].join('\n') + '\n');
    const r = await runInProcess(['model', file, ...base, '--format', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as JsonOut & { rows: { excluded: Record<string, number> } };
    expect(out.rows.excluded['no client id']).toBe(1);
    expect(out.rows.read).toBe(lines.length);
    checkFixed(out, 'balanced_ri_reml');
  });
});

describe('alliance model: config file', () => {
  it('reads the model section (flags still win)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alliance-model-'));
    const cfg = path.join(dir, 'alliance.yaml');
    writeFileSync(cfg, ['outcome: outcome', 'alliance: alliance', 'model:', '  time: true', '  covariates: [age]', '  random-slope: false', ''].join('\n'));
    const out = await json(['fixtures/model/balanced.csv', '--config', cfg]);
    checkFixed(out, 'balanced_ri_time_cov_reml');
  });
  it('an unknown key in the model section names the config line', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alliance-model-'));
    const cfg = path.join(dir, 'alliance.yaml');
    writeFileSync(cfg, ['model:', '  time: true', '  lagged: true', ''].join('\n'));
    const r = await runInProcess(['model', 'fixtures/model/balanced.csv', ...base, '--config', cfg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${cfg}:3: unknown key 'model.lagged' (did you mean 'lag'?). The model section accepts `);
  });
});

describe('alliance model: usage errors', () => {
  it('--reverse without --lag', async () => {
    const r = await runInProcess(['model', 'fixtures/model/balanced.csv', ...base, '--reverse']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--reverse needs --lag/);
  });
  it('unknown covariate column names the file and lists the columns', async () => {
    const r = await runInProcess(['model', 'fixtures/model/balanced.csv', ...base, '--covariate', 'weight']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/fixtures\/model\/balanced.csv:1: covariate column "weight" is not in the header/);
    expect(r.stderr).toMatch(/Columns are: client, session/);
  });
  it('bad --random-slope value', async () => {
    const r = await runInProcess(['model', 'fixtures/model/balanced.csv', ...base, '--random-slope', 'mood']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--random-slope takes "alliance" or "time"/);
  });
  it('--random-slope time without --time', async () => {
    const r = await runInProcess(['model', 'fixtures/model/balanced.csv', ...base, '--random-slope', 'time']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--random-slope time needs --time/);
  });
  it('--group with something other than therapist', async () => {
    const r = await runInProcess(['model', 'fixtures/model/balanced.csv', ...base, '--group', 'site']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--group takes "therapist"/);
  });
  it('--group therapist without a therapist column', async () => {
    const r = await runInProcess(['model', 'fixtures/model/balanced.csv', ...base, '--group', 'therapist']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs a therapist column/);
  });
});

describe('alliance model: --outcome and --alliance match columns as the input options do', () => {
  it('--outcome ORS --alliance SRS finds the columns ors and srs (it said "not among the mapped")', async () => {
    const exact = await runInProcess(['model', 'fixtures/demo.csv', '--outcome', 'ors', '--alliance', 'srs', '--format', 'json']);
    const upper = await runInProcess(['model', 'fixtures/demo.csv', '--outcome', 'ORS', '--alliance', 'SRS', '--format', 'json']);
    expect(upper.code, upper.stderr).toBe(0);
    const fixed = JSON.parse(upper.stdout).fit.fixed;
    expect(fixed.length).toBeGreaterThan(1);
    expect(fixed).toEqual(JSON.parse(exact.stdout).fit.fixed);
  });
});

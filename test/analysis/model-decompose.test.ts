/**
 * `alliance model --decompose therapist` beyond model-stats.test.ts (issue 17), end to end
 * against lme4 / lmerTest / pbkrtest (test/reference/model-decompose.R):
 *  - the lagged decomposition (--lag, with --ml, --time, --reverse) on the nested fixture and
 *    the demo data;
 *  - the client-level variant (--level client: one row per client, final outcome on the
 *    client and therapist components of the early or mean alliance, controlling intake),
 *    REML and ML, Satterthwaite and Kenward-Roger, therapist ICCs;
 * plus the client level's usage errors.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';
import { nestedDecompose, withMapping } from '../helpers/model.js';
import { close } from '../stats/lmm/reference-data.js';

interface Fixef {
  term: string[];
  estimate: number[];
  se: number[];
  df: number[];
  p: number[];
}
interface LagCase {
  name: string;
  args: string[];
  pairs: number;
  fixef: Fixef;
  logLik: number;
  varcomp: { grp: string[]; vcov: number[] };
}
interface ClientCase {
  name: string;
  args: string[];
  clients: number;
  therapists: number;
  ml: boolean;
  fixef: Fixef;
  kr?: Fixef;
  contextual_df: number;
  contextual_se: number;
  logLik: number;
  varcomp: { grp: string[]; vcov: number[] };
  icc_outcome: number;
  icc_alliance: number;
}
const REF = JSON.parse(readFileSync(new URL('../reference/model-decompose.json', import.meta.url), 'utf8')) as {
  versions: Record<string, string>;
  lagged: LagCase[];
  client: ClientCase[];
};

async function run(args: string[]) {
  const r = await runInProcess(['model', ...withMapping(args), '--decompose', 'therapist', '--format', 'json']);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout);
}

/** Variances: relative 1e-4, or absolute 1e-6 of the residual variance for one at the boundary (0). */
function variances(
  fit: { variance: { group: string; variance: number }[] },
  c: { varcomp: { grp: string[]; vcov: number[] } },
  map: Record<string, string>,
): void {
  const resid = c.varcomp.vcov[c.varcomp.grp.indexOf('Residual')];
  for (const [mine, theirs] of Object.entries(map)) {
    const v = fit.variance.find((x) => x.group === mine)!.variance;
    close(v, c.varcomp.vcov[c.varcomp.grp.indexOf(theirs)], 1e-4, 1e-6 * resid);
  }
}

describe(`model --decompose therapist --lag vs lme4 ${REF.versions.lme4} / lmerTest ${REF.versions.lmerTest}`, () => {
  for (const c of REF.lagged) {
    it(c.name, async () => {
      const out = await run(c.args);
      const fit = out.fit;
      expect(out.rows.used).toBe(c.pairs);
      expect(fit.formula).toMatch(/_session\(s\) \+ \w+_client \+ \w+_therapist \+ \w+_previous\(s\) .*\+ \(1 \| therapist\) \+ \(1 \| therapist:client\)$/);
      close(fit.log_lik, c.logLik, 0, 1e-6);
      expect(fit.fixed.length).toBe(c.fixef.term.length);
      c.fixef.estimate.forEach((e, j) => {
        close(fit.fixed[j].estimate, e, 1e-4, 1e-8);
        close(fit.fixed[j].se, c.fixef.se[j], 1e-4);
        close(fit.fixed[j].df, c.fixef.df[j], 1e-4);
        close(fit.fixed[j].p, c.fixef.p[j], 1e-4, 1e-12);
      });
      variances(fit, c, { client: 'therapist:client', therapist: 'therapist', residual: 'Residual' });
    });
  }
});

describe(`model --decompose therapist --level client vs lmerTest ${REF.versions.lmerTest} / pbkrtest ${REF.versions.pbkrtest}`, () => {
  for (const c of REF.client) {
    it(c.name, async () => {
      const out = await run([...c.args, '--level', 'client']);
      const fit = out.fit;
      expect(out.rows.used).toBe(c.clients);
      expect(fit.nobs).toBe(c.clients);
      expect(fit.therapists).toBe(c.therapists);
      expect(fit.method).toBe(c.ml ? 'ML' : 'REML');
      expect(fit.formula).toMatch(/^\w+_final ~ \w+_client \+ \w+_therapist \+ \w+_intake \+ \(1 \| therapist\)$/);
      close(fit.log_lik, c.logLik, 0, 1e-6);
      // demo_mean_reml: the therapist variance (0.0015 of a residual 23.4) is next to the
      // boundary, where the REML deviance is so flat that the two optimizers' theta differ
      // by 3e-5 relative at deviances equal to 1e-11: the df of the therapist-level terms
      // follow to 2e-4, not 1e-4 (everything else to 1e-4)
      const dfTol = c.name === 'demo_mean_reml' ? 3e-4 : 1e-4;
      c.fixef.estimate.forEach((e, j) => {
        close(fit.fixed[j].estimate, e, 1e-4, 1e-8);
        close(fit.fixed[j].se, c.fixef.se[j], 1e-4);
        close(fit.fixed[j].df, c.fixef.df[j], dfTol);
        close(fit.fixed[j].p, c.fixef.p[j], dfTol, 1e-12);
      });
      close(fit.contextual.df, c.contextual_df, dfTol);
      close(fit.contextual.se, c.contextual_se, 1e-4);
      variances(fit, c, { therapist: 'therapist', residual: 'Residual' });
      const d = out.decomposition;
      expect(d.therapists).toBe(c.therapists);
      close(d.icc_outcome, c.icc_outcome, 1e-4, 1e-6);
      close(d.icc_alliance, c.icc_alliance, 1e-4, 1e-6);
      expect(d.sentence).toMatch(/^(The alliance-outcome association is carried by|Neither alliance component is significantly)/);
      expect(d.sentence).toContain('differences between therapists (');
      expect(out.notes.some((n: string) => /poorly estimated/.test(n))).toBe(c.therapists < 10);
      if (c.kr) {
        const kr = await run([...c.args, '--level', 'client', '--df', 'kr']);
        expect(kr.fit.df_method).toBe('Kenward-Roger');
        c.kr.estimate.forEach((_, j) => {
          close(kr.fit.fixed[j].se, c.kr!.se[j], 1e-4);
          close(kr.fit.fixed[j].df, c.kr!.df[j], 1e-4);
          close(kr.fit.fixed[j].p, c.kr!.p[j], 1e-4, 1e-12);
        });
      }
    });
  }

  it('says how the client rows were formed, and why clients were left out', async () => {
    const out = await run(['fixtures/model/nested.csv', '--level', 'client']);
    expect(out.spec).toMatchObject({ level: 'client', client_alliance: 'early', early_sessions: 3 });
    expect(out.rows.clients_read).toBe(60);
    expect(out.rows.excluded).toEqual({ 'no outcome after the intake and the early alliance sessions': 60 - out.rows.used });
    expect(out.notes[0]).toBe(
      "One row per client: alliance = the mean of the client's first 3 rated alliance sessions; outcome_intake and outcome_final = the client's first and last outcome scores.",
    );
    const table = await runInProcess(nestedDecompose('--level', 'client'));
    expect(table.stdout).toContain('clients used: 44 of 60 clients (327 rows read)');
    expect(table.stdout).not.toContain('ICC of the null model');
    const apa = await runInProcess(nestedDecompose('--level', 'client', '--format', 'apa'));
    expect(apa.stdout).toContain('to 44 clients seen by 12 therapists (one row per client:');
    expect(apa.stdout).toContain('The therapist component coefficient minus the client component coefficient was');
    expect(apa.stdout).not.toContain('sessions of 44 clients');
  });

  it('refuses the session-level options and bad values (exit 2)', async () => {
    const base = ['model', 'fixtures/model/nested.csv', '--outcome', 'outcome', '--alliance', 'alliance'];
    const cases: [string[], RegExp][] = [
      [['--level', 'client'], /--level client needs --decompose therapist/],
      [['--decompose', 'therapist', '--level', 'site'], /--level takes "session" or "client", got "site"/],
      [['--decompose', 'therapist', '--level', 'client', '--lag'], /--level client fits one row per client; --lag is for the session-level model/],
      [['--decompose', 'therapist', '--level', 'client', '--compare'], /--compare is for the session-level model/],
      [['--decompose', 'therapist', '--early-sessions', '2'], /--early-sessions needs --level client/],
      [
        ['--decompose', 'therapist', '--level', 'client', '--client-alliance', 'mean', '--early-sessions', '2'],
        /--early-sessions sets the early alliance; --client-alliance mean uses every rated session/,
      ],
      [['--decompose', 'therapist', '--level', 'client', '--early-sessions', '0'], /--early-sessions must be a whole number >= 1, got "0"/],
      [['--decompose', 'therapist', '--level', 'client', '--client-alliance', 'last'], /--client-alliance takes "early" or "mean", got "last"/],
    ];
    for (const [args, msg] of cases) {
      const r = await runInProcess([...base, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.split('\n').filter(Boolean).length).toBe(1);
    }
  });

  it('runs in the report from the model section (level: client, df: kr), same numbers as the command', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alliance-decompose-'));
    const cfg = path.join(dir, 'r.yaml');
    const demo = path.resolve('fixtures/demo.csv');
    writeFileSync(
      cfg,
      [
        `files: [${JSON.stringify(demo)}]`,
        'client: client_id',
        'therapist: therapist_id',
        'alliance: [srs]',
        'outcome: [ors]',
        'report:',
        '  sections: [model]',
        'model:',
        '  decompose: therapist',
        '  level: client',
        '  df: kr',
        '',
      ].join('\n'),
    );
    const res = await runInProcess(['report', '--config', cfg, '--out', path.join(dir, 'out'), '--reproducible']);
    expect(res.code).toBe(0);
    const results = JSON.parse(readFileSync(path.join(dir, 'out', 'results.json'), 'utf8'));
    const section = JSON.stringify(results.sections.model);
    const c = REF.client.find((x) => x.name === 'demo_early3_reml')!;
    const cmd = await run([...c.args, '--level', 'client', '--df', 'kr']);
    expect(cmd.fit.df_method).toBe('Kenward-Roger');
    for (const f of cmd.fit.fixed as { df: number }[]) expect(section).toContain(JSON.stringify(f.df));
    const html = readFileSync(path.join(dir, 'out', 'report.html'), 'utf8');
    expect(html).toContain('One row per client: srs_client');
    expect(html).toContain('Kenward-Roger df');
  });
});

/**
 * `--format apa` for describe, trend and model against hand-checked sentences, written by
 * hand from R's numbers: test/reference/describe.json (describe.R on fixtures/describe/small.csv),
 * trend.json (trend.R on fixtures/trend/synthetic.csv) and lmm-models.json (lme4, lmerTest,
 * performance::r2_nakagawa, anova() and the refitted standardised model on
 * fixtures/model/balanced.csv), rounded by hand to APA's rules; and the model's statistics
 * as R's sprintf formats them (apa.json, written by test/reference/apa.R).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../../helpers/cli.js';

/** test/reference/apa.R: lme4 + lmerTest fits with the statistics formatted by R's sprintf. */
const APA = JSON.parse(readFileSync(new URL('../../reference/apa.json', import.meta.url), 'utf8')) as {
  fixed: Record<string, { text: string }>;
  icc: { text: string };
};

async function apa(args: string[]): Promise<string> {
  const res = await runInProcess([...args, '--format', 'apa']);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  return res.stdout;
}

describe('describe --format apa', () => {
  // R: 13 rows, 5 clients, 2 therapists, 2025-01-06 to 2025-03-08; sessions per client mean 2.6,
  // median 3, range 1-4; 1 single-session client (0.2); srs n 11, missing 2, mean 37.1818,
  // sd 2.97383, intake 5 clients, 0.2 below 36; phq9 n 11, missing 2, mean 10.9091, sd 5.43055,
  // intake 5 clients, 0.6 at or above 10.
  it('the sample in one paragraph', async () => {
    const out = await apa(['describe', 'fixtures/describe/small.csv']);
    expect(out).toContain('The data comprised 13 sessions of 5 clients seen by 2 therapists between 2025-01-06 and 2025-03-08.');
    expect(out).toContain('Clients attended a mean of 2.60 sessions (Mdn = 3, range 1\u20134); 1 client (20.0%) attended only one session.');
    expect(out).toContain('SRS was scored in 11 sessions (M = 37.18, SD = 2.97; 2 missing, 0 unusable).');
    expect(out).toContain('At intake, 20.0% of the 5 clients with a score were below the alert threshold (< 36).');
    expect(out).toContain('PHQ-9 was scored in 11 sessions (M = 10.91, SD = 5.43; 2 missing, 0 unusable).');
    expect(out).toContain('At intake, 60.0% of the 5 clients with a score were at or above the clinical cut-off (\u2265 10).');
  });
});

describe('trend --format apa', () => {
  // R (trend.json summary): 150 clients, 142 used; mean change -3.98592, CI [-4.78509, -3.18674];
  // d -0.784826, dz -0.827433; reliably improved 52/142 = 0.366197 [0.291454, 0.447989]
  // (Wilson); recovered 30 = 0.211268 [0.152187, 0.285558]; deteriorated 2 = 0.0140845
  // [0.00387102, 0.049896]. Reliable change threshold 6 points (the PHQ-9 convention).
  it('change, reliable change and recovery', async () => {
    const out = await apa(['trend', 'fixtures/trend/synthetic.csv']);
    expect(out).toContain('Of the 150 clients, 142 had PHQ-9 scores at two or more sessions.');
    expect(out).toContain(
      'PHQ-9 changed by a mean of -3.99 points from the first to the last assessed session, 95% CI [-4.79, -3.19] (d = -0.78, d_z = -0.83).',
    );
    expect(out).toContain(
      'By a change of at least 6 points, 52 clients (36.6%, 95% CI [29.1%, 44.8%]) reliably improved (recovered clients included), 30 clients (21.1%, 95% CI [15.2%, 28.6%]) recovered, and 2 clients (1.4%, 95% CI [0.4%, 5.0%]) reliably deteriorated.',
    );
    expect(out).toContain('Higher PHQ-9 scores indicate worse outcome.');
  });
});

describe('model --format apa', () => {
  // R (lmm-models.json, balanced_ri_reml): r2_nakagawa marginal 0.130484, conditional 0.406790;
  // anova(): chisq 24.8394 on 2 df, p 4.04e-06, AIC 1466.666 (null) and 1445.826; refitted
  // standardised x_within 0.217937, x_between 0.293197.
  it('R\u00b2, the model comparison and the standardised coefficients', async () => {
    const out = await apa(['model', 'fixtures/model/balanced.csv', '--outcome', 'outcome', '--alliance', 'alliance', '--compare']);
    expect(out).toContain('The fixed effects explained R\u00b2_marginal = .13 of the variance; fixed and random effects together, R\u00b2_conditional = .41.');
    expect(out).toContain(
      'Adding alliance_within + alliance_between to the null model improved the fit, \u03c7\u00b2(2) = 24.84, p < .001; AIC 1445.8 vs 1466.7.',
    );
    expect(out).toContain(`Alliance within clients was positively associated with outcome, ${APA.fixed.alliance_within.text}; standardized \u03b2 = 0.22.`);
    expect(out).toContain(`Alliance between clients was positively associated with outcome, ${APA.fixed.alliance_between.text}; standardized \u03b2 = 0.29.`);
    expect(out).toContain(`The intraclass correlation of outcome in the model without predictors was ${APA.icc.text}.`);
  });

  it('the fixed effects as R formats them (apa.R: b, SE, CI, t(df), p by sprintf)', () => {
    // Hand-checked against the R fit: b = 0.4408, SE = 0.1019, df = 209.0, t = 4.325, p = 2.4e-05.
    expect(APA.fixed.alliance_within.text).toBe('b = 0.44, SE = 0.10, 95% CI [0.24, 0.64], t(209.0) = 4.33, p < .001');
  });
});

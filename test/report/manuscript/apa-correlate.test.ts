/**
 * `alliance correlate --format apa` against hand-checked APA 7 sentences. The expected text is
 * written by hand from R's numbers (test/reference/correlate.json, written by correlate.R;
 * Bakdash & Marusich's published rmcorr result for Bland & Altman 1995), rounded by hand to
 * APA's rules: two decimals, no leading zero for r and p, p to three decimals or "< .001",
 * df in parentheses. Holm-adjusted p computed by hand from R's p values (below).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../../helpers/cli.js';

const FIX = 'fixtures/correlate/therapists.csv';
const BLAND = 'fixtures/reference/bland1995.csv';
const REF = JSON.parse(readFileSync(new URL('../../reference/correlate.json', import.meta.url), 'utf8')) as {
  fixture: {
    all: Record<
      string,
      { r?: number; b?: number; p: number; df: number; ci: number[] } & Record<
        string,
        { b: number; se: number; t: number; p: number; df: number; ci: number[] }
      >
    >;
  };
};

async function apa(args: string[]): Promise<string> {
  const res = await runInProcess(['correlate', ...args, '--format', 'apa']);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  return res.stdout;
}

describe('correlate --format apa: hand-checked sentences', () => {
  // R (correlate.json, fixture.all): pooled r = -0.5857, df 79, p = 9.25e-09, CI [-0.7129, -0.4212];
  // between r = -0.9022, df 13, p = 4.23e-06, CI [-0.9674, -0.7251]; within r = -0.1249, df 65,
  // p = 0.3141, CI [-0.3544, 0.1189]; lagged forward b = 0.3210, SE 0.1942, t(47) = 1.6536,
  // p = 0.1049, CI [-0.0695, 0.7116]; reverse b = 0.0927, SE 0.1173, t(47) = 0.7903, p = 0.4333,
  // CI [-0.1432, 0.3285]. Holm over these 5 p values (ascending, times 5, 4, 3, 2, 1, running
  // max): pooled 4.6e-08, between 1.7e-05, forward 0.1049 x 3 = 0.3146, within 0.3141 x 2 =
  // 0.6281, reverse max(0.4333, 0.6281) = 0.6281.
  it('pooled, between, within and lagged, Holm-adjusted', async () => {
    const all = REF.fixture.all;
    expect(all.within.r).toBeCloseTo(-0.12486265353003, 12); // the numbers the sentences were written from
    const out = await apa([FIX, '--analyses', 'pooled,between,within,lagged']);
    expect(out).toContain('The analyses of SRS and PHQ-9 used 81 sessions of 15 clients with both scores.');
    expect(out).toContain(
      'Pooled over all sessions, SRS was negatively related to PHQ-9, r(79) = -.59, 95% CI [-.71, -.42], p < .001 (Holm-adjusted p < .001).',
    );
    expect(out).toContain(
      'Between clients, mean SRS was negatively related to mean PHQ-9, r(13) = -.90, 95% CI [-.97, -.73], p < .001 (Holm-adjusted p < .001).',
    );
    expect(out).toContain(
      'Within clients, SRS was not significantly related to PHQ-9, r_rm(65) = -.12, 95% CI [-.35, .12], p = .314 (Holm-adjusted p = .628).',
    );
    expect(out).toContain(
      'SRS at one session did not significantly predict PHQ-9 at the next, controlling for PHQ-9 at that session and for stable client differences (client fixed effects), b = 0.32, SE = 0.19, 95% CI [-0.07, 0.71], t(47) = 1.65, p = .105 (Holm-adjusted p = .315).',
    );
    expect(out).toContain('b = 0.09, SE = 0.12, 95% CI [-0.14, 0.33], t(47) = 0.79, p = .433 (Holm-adjusted p = .628).');
    // N and clients once per paragraph, not per sentence.
    expect(out.match(/81 sessions of 15 clients/g)).toHaveLength(1);
  });

  // Bakdash & Marusich (2017), Table/Text for Bland & Altman (1995): r_rm = -0.507, df = 38,
  // p = 0.000847, 95% CI [-0.707, -0.232].
  it('the published rmcorr example, no adjustment', async () => {
    const out = await apa([BLAND, '--client', 'Subject', '--alliance', 'pH', '--outcome', 'PaCO2', '--analyses', 'within', '--adjust', 'none']);
    expect(out).toContain('Within clients, pH was negatively related to PaCO2, r_rm(38) = -.51, 95% CI [-.71, -.23], p < .001.');
    expect(out).not.toContain('adjusted');
  });

  // Gilden (2010) as in Bakdash & Marusich (2017): within r_rm = -0.406097, df 32, p = .01717;
  // R (correlate.json public.gilden2010): pooled r = 0.3773, df 42, p = 0.01158, CI [0.0905,
  // 0.6063]; between r = 0.5908, df 9, p = 0.05565, CI [-0.0141, 0.8791]; within CI [-0.6544,
  // -0.0787]. Between and within have opposite signs (Simpson's paradox).
  it("the published Simpson's-paradox example: the pooled r is said to answer neither question", async () => {
    const out = await apa([
      'fixtures/reference/gilden2010.csv',
      '--client',
      'sub',
      '--session',
      'block',
      '--alliance',
      'rt',
      '--outcome',
      'acc',
      '--analyses',
      'pooled,between,within',
      '--adjust',
      'none',
    ]);
    expect(out).toContain('Pooled over all sessions, rt was positively related to acc, r(42) = .38, 95% CI [.09, .61], p = .012.');
    expect(out).toContain('Between clients, mean rt was not significantly related to mean acc, r(9) = .59, 95% CI [-.01, .88], p = .056.');
    expect(out).toContain('Within clients, rt was negatively related to acc, r_rm(32) = -.41, 95% CI [-.65, -.08], p = .017.');
    expect(out).toContain(
      'The between- and within-client correlations have opposite signs, so the pooled correlation mixes two different relations and answers neither question.',
    );
  });

  it('the lagged analyses name the Nickell bias in the methods', async () => {
    const out = await apa([FIX, '--analyses', 'lagged', '--methods']);
    expect(out).toContain('biased when clients have few sessions (Nickell, 1981)');
    expect(out).toContain(
      'Nickell, S. (1981). Biases in dynamic models with fixed effects. Econometrica, 49(6), 1417\u20131426. https://doi.org/10.2307/1911408',
    );
    expect(out).not.toContain('opposite signs');
  });

  it('Markdown and HTML set the symbols in italics, with the tables', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'apa-'));
    for (const [file, want] of [
      ['r.md', '*r*<sub>rm</sub>(65) = -.12, 95% CI [-.35, .12], *p* = .314 (Holm-adjusted *p* = .628).'],
      ['r.html', '<i>r</i><sub>rm</sub>(65) = -.12, 95% CI [-.35, .12], <i>p</i> = .314 (Holm-adjusted <i>p</i> = .628).'],
    ] as const) {
      const res = await runInProcess(['correlate', FIX, '--analyses', 'pooled,between,within,lagged', '--format', 'apa', '--out', path.join(dir, file)]);
      expect(res.code).toBe(0);
      expect(res.stdout).toBe('');
      const text = readFileSync(path.join(dir, file), 'utf8');
      expect(text).toContain(want);
      expect(text).toContain('Table 1');
      expect(text).toContain('Associations Between Alliance and Outcome');
    }
  });

  it('--methods adds the methods paragraph with the references and the version', async () => {
    const out = await apa([FIX, '--methods']);
    expect(out).toContain('repeated-measures correlations (Bakdash & Marusich, 2017)');
    expect(out).toContain('with the Holm procedure (Holm, 1979)');
    expect(out).toMatch(/alliance-outcome \(Version \d+\.\d+\.\d+\)/);
    expect(out).toContain('https://doi.org/10.3389/fpsyg.2017.00456');
    expect(out).toContain('doi:10.1046/j.1525-1497.2001.016009606.x'); // PHQ-9's source, from the registry
    const bh = await apa([FIX, '--methods', '--adjust', 'bh']);
    expect(bh).toContain('(Benjamini & Hochberg, 1995)');
    expect(bh).toContain('https://doi.org/10.1111/j.2517-6161.1995.tb02031.x');
    expect(bh).toContain('Benjamini\u2013Hochberg-adjusted p');
  });
});

describe('correlate --format apa on a terminal', () => {
  it('wraps at the width, never inside a statistic; a pipe gets one line per paragraph', async () => {
    const one = await apa([FIX, '--methods']);
    const res = await runInProcess(['correlate', FIX, '--format', 'apa', '--methods', '--width', '60']);
    expect(res.code).toBe(0);
    const lines = res.stdout.split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(60);
    for (const l of lines) expect(l).not.toMatch(/(^|\s)(p|=|<|CI|\[\S+,)$/);
    // The same text: only line breaks differ (references get a hanging indent).
    const flat = (s: string): string => s.replace(/\n {4}/g, ' ').replace(/([^\n])\n(?=[^\n])/g, '$1 ');
    expect(flat(res.stdout)).toBe(flat(one));
    expect(one.split('\n').some((l) => l.length > 200)).toBe(true);
  });
});

describe('correlate manuscript formats: usage', () => {
  it('docx is refused on standard output, --methods without a manuscript format is an error', async () => {
    const docx = await runInProcess(['correlate', FIX, '--format', 'docx']);
    expect(docx.code).toBe(2);
    expect(docx.stdout).toBe('');
    expect(docx.stderr).toMatch(/^alliance: a Word document is binary .*--out FILE\.docx\.?\n$/);
    const m = await runInProcess(['correlate', FIX, '--methods']);
    expect(m.code).toBe(2);
    expect(m.stderr).toContain('--methods goes with --format apa, latex or docx');
  });

  it('--out never replaces a file without --force', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'apa-'));
    const file = path.join(dir, 'out.txt');
    writeFileSync(file, 'keep');
    const res = await runInProcess(['correlate', FIX, '--format', 'apa', '--out', file]);
    expect(res.code).toBe(2);
    expect(readFileSync(file, 'utf8')).toBe('keep');
    const forced = await runInProcess(['correlate', FIX, '--format', 'apa', '--out', file, '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('Within clients, SRS');
  });
});

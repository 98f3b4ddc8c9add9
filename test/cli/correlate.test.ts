/**
 * alliance correlate through the CLI (in-process, and once through the built binary):
 * the public rmcorr datasets with their published results, the synthetic therapist fixture
 * against R (test/reference/correlate.R), --by with suppression, the output formats from one
 * model, file splitting, and usage errors.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';
import { runBinary } from '../helpers/spawn.js';

const REF = JSON.parse(readFileSync(new URL('../reference/correlate.json', import.meta.url), 'utf8'));
const BLAND = 'fixtures/reference/bland1995.csv';
const GILDEN = 'fixtures/reference/gilden2010.csv';
const FIX = 'fixtures/correlate/therapists.csv';

interface JsonResult {
  group: string | null;
  analysis: string;
  method: string;
  direction: string | null;
  r: number | null;
  b: number | null;
  se: number | null;
  t: number | null;
  n: number;
  clients: number;
  df: number | null;
  p: number | null;
  p_adjusted: number | null;
  ci: [number, number] | null;
  bootstrap_ci?: [number, number] | null;
  favourable: boolean | null;
  estimable: boolean;
  reason: string | null;
}

async function json(args: string[]) {
  const res = await runInProcess(['correlate', ...args, '--format', 'json']);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  return JSON.parse(res.stdout) as {
    results: JsonResult[];
    warnings: { code: string; message: string }[];
    suppressed: { group: string; clients: number }[];
    groups: unknown[];
    options: Record<string, unknown>;
  };
}

const get = (rs: JsonResult[], analysis: string, method: string, group: string | null = null, direction: string | null = null) => {
  const r = rs.find((x) => x.analysis === analysis && x.method === method && x.group === group && x.direction === direction);
  if (!r) throw new Error(`missing ${analysis}/${method}/${group}`);
  return r;
};

function expectCor(r: JsonResult, want: { r: number; df: number; p: number; ci?: number[] }, tol = 1e-6) {
  expect(r.estimable).toBe(true);
  expect(Math.abs(r.r! - want.r)).toBeLessThan(tol);
  expect(r.df).toBe(want.df);
  expect(Math.abs(r.p! - want.p)).toBeLessThan(Math.max(tol * want.p, 1e-12));
  if (want.ci) {
    expect(Math.abs(r.ci![0] - want.ci[0])).toBeLessThan(tol);
    expect(Math.abs(r.ci![1] - want.ci[1])).toBeLessThan(tol);
  }
}

describe('alliance correlate: public datasets with published results', () => {
  it('bland1995 (rmcorr): within r = -0.5067697, df = 38, p = 0.0008471081, CI [-0.7067146, -0.2318631]', async () => {
    const out = await json([BLAND, '--client', 'Subject', '--alliance', 'pH', '--outcome', 'PaCO2']);
    const w = get(out.results, 'within', 'rmcorr');
    // published to 7 significant digits
    expect(Math.abs(w.r! + 0.5067697)).toBeLessThan(1e-7);
    expect(w.df).toBe(38);
    expect(Math.abs(w.p! - 0.0008471081)).toBeLessThan(1e-10);
    expect(Math.abs(w.ci![0] + 0.7067146)).toBeLessThan(1e-7);
    expect(Math.abs(w.ci![1] + 0.2318631)).toBeLessThan(1e-7);
    expect(w.clients).toBe(8);
    expect(w.n).toBe(47);
    // and against R at full precision
    expectCor(w, REF.public.bland1995.within);
    expectCor(get(out.results, 'pooled', 'pearson'), REF.public.bland1995.pooled);
    expectCor(get(out.results, 'between', 'pearson'), REF.public.bland1995.between);
  });

  it("gilden2010 (rmcorr): within r = -0.406097, df = 32, p = .01717; pooled and between positive; Simpson's warning", async () => {
    const out = await json([GILDEN, '--client', 'sub', '--session', 'block', '--alliance', 'rt', '--outcome', 'acc']);
    const w = get(out.results, 'within', 'rmcorr');
    expect(Math.abs(w.r! + 0.406097)).toBeLessThan(1e-6);
    expect(w.df).toBe(32);
    expect(Math.abs(w.p! - 0.01717)).toBeLessThan(5e-6);
    expectCor(w, REF.public.gilden2010.within);
    const pooled = get(out.results, 'pooled', 'pearson');
    const between = get(out.results, 'between', 'pearson');
    expect(pooled.r!).toBeGreaterThan(0);
    expect(between.r!).toBeGreaterThan(0);
    expectCor(pooled, REF.public.gilden2010.pooled);
    expectCor(between, REF.public.gilden2010.between);
    const simpson = out.warnings.filter((x) => x.code === 'simpson');
    expect(simpson).toHaveLength(1);
    expect(simpson[0].message).toMatch(/opposite signs/);
  });

  it('the built binary gives the same bland1995 result (shebang, ESM, exit 0)', () => {
    const res = runBinary(['correlate', BLAND, '--client', 'Subject', '--alliance', 'pH', '--outcome', 'PaCO2', '--format', 'json', '--analyses', 'within']);
    expect(res.code).toBe(0);
    const w = (JSON.parse(res.stdout) as { results: JsonResult[] }).results[0];
    expectCor(w, REF.public.bland1995.within);
  });
});

describe('alliance correlate: synthetic therapist fixture against R', () => {
  const base = [FIX, '--alliance', 'srs', '--outcome', 'phq9'];

  it('pooled, between, within and lagged match R; scattered and disordered clients are repaired', async () => {
    const out = await json(base);
    const f = REF.fixture.all;
    expectCor(get(out.results, 'pooled', 'pearson'), f.pooled);
    expectCor(get(out.results, 'between', 'pearson'), f.between);
    expectCor(get(out.results, 'within', 'rmcorr'), f.within);
    for (const [dir, want] of [
      ['alliance->outcome', f.lagged.forward],
      ['outcome->alliance', f.lagged.reverse],
    ] as const) {
      const l = get(out.results, 'lagged', 'fixed-effects', null, dir);
      expect(Math.abs(l.b! - want.b)).toBeLessThan(1e-6);
      expect(Math.abs(l.se! - want.se)).toBeLessThan(1e-6);
      expect(l.df).toBe(want.df);
      expect(Math.abs(l.p! - want.p)).toBeLessThan(1e-6);
      expect(l.n).toBe(want.n);
    }
    expect(out.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['scattered', 'disordered', 'nickell']));
    // PHQ-9: lower is better, so a negative r is favourable
    const pooled = get(out.results, 'pooled', 'pearson');
    expect(pooled.favourable).toBe(pooled.r! < 0);
  });

  it('--by therapist repeats the report per group, suppresses and lists small groups', async () => {
    const out = await json([...base, '--by', 'therapist']);
    expect(out.suppressed).toEqual([{ group: 'T3', clients: 3, reason: 'fewer than 5 clients (--min-clients)' }]);
    expect(out.results.some((r) => r.group === 'T3')).toBe(false);
    for (const g of ['T1', 'T2'] as const) {
      expectCor(get(out.results, 'within', 'rmcorr', g), REF.fixture[g].within);
      expectCor(get(out.results, 'between', 'pearson', g), REF.fixture[g].between);
    }
    const table = await runInProcess(['correlate', ...base, '--by', 'therapist', '--min-clients', '6']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/suppressed: therapist = T2 \(5 clients; fewer than 6 clients/);
    expect(table.stdout).toMatch(/suppressed: therapist = T3 \(3 clients/);
  });

  it('p_adjusted: Holm over every p in the report (monotone, >= p)', async () => {
    const out = await json([...base, '--by', 'therapist']);
    const withP = out.results.filter((r) => r.p !== null);
    expect(withP.length).toBeGreaterThan(10);
    for (const r of withP) expect(r.p_adjusted!).toBeGreaterThanOrEqual(r.p!);
    const none = await json([...base, '--adjust', 'none']);
    for (const r of none.results) expect(r.p_adjusted).toBe(r.p);
  });

  it('csv and md come from the same model as JSON (full precision in CSV, rounding only in tables)', async () => {
    const j = await json(base);
    const csv = await runInProcess(['correlate', ...base, '--format', 'csv']);
    expect(csv.code).toBe(0);
    const recs = parse<Record<string, string>>(csv.stdout, { columns: true });
    expect(recs).toHaveLength(j.results.length);
    recs.forEach((rec, i) => {
      const r = j.results[i];
      const est = r.analysis === 'lagged' ? r.b : r.r;
      expect(rec.estimate === '' ? null : Number(rec.estimate)).toBe(est);
      expect(rec.p === '' ? null : Number(rec.p)).toBe(r.p);
      expect(rec.ci_low === '' ? null : Number(rec.ci_low)).toBe(r.ci ? r.ci[0] : null);
    });
    const md = await runInProcess(['correlate', ...base, '--format', 'md']);
    expect(md.stdout).toMatch(/^# alliance correlate/);
    expect(md.stdout).toMatch(/\| srs x phq9 \| within \| rmcorr r \|/);
    const table = await runInProcess(['correlate', ...base]);
    const w = get(j.results, 'within', 'rmcorr');
    expect(table.stdout).toContain(w.r!.toFixed(3));
    expect(table.stdout).not.toContain('\u001b[');
  });

  it('results do not change when the rows are split across two files', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'correlate-'));
    const lines = readFileSync(FIX, 'utf8').trimEnd().split('\n');
    const cut = 37; // inside a client
    writeFileSync(path.join(dir, 'a.csv'), [lines[0], ...lines.slice(1, cut)].join('\n') + '\n');
    writeFileSync(path.join(dir, 'b.csv'), [lines[0], ...lines.slice(cut)].join('\n') + '\n');
    const one = await json(base);
    const two = await json([path.join(dir, 'a.csv'), path.join(dir, 'b.csv'), ...base.slice(1)]);
    expect(two.results.length).toBe(one.results.length);
    one.results.forEach((r, i) => {
      const s = two.results[i];
      expect(s.n).toBe(r.n);
      expect(s.df).toBe(r.df);
      for (const k of ['r', 'b', 'p'] as const) {
        if (r[k] === null) expect(s[k]).toBeNull();
        else expect(Math.abs(s[k]! - r[k])).toBeLessThan(1e-12);
      }
    });
  });

  it('--early-window, --ci, --method both and --bootstrap are reflected in the output', async () => {
    const out = await json([...base, '--early-window', '2', '--ci', '90', '--method', 'both', '--bootstrap', '200', '--seed', '5']);
    expect(out.options).toMatchObject({ ci_level: 0.9, method: 'both', bootstrap: 200, seed: 5, early: { mode: 'window', k: 2 } });
    expect(out.results.some((r) => r.method === 'spearman')).toBe(true);
    const again = await json([...base, '--early-window', '2', '--ci', '90', '--method', 'both', '--bootstrap', '200', '--seed', '5']);
    expect(again).toEqual(out);
    // Every estimable result but Spearman has a bootstrap interval: early and lagged included.
    const withCi = out.results.filter((r) => r.estimable && r.method !== 'spearman');
    expect(withCi.some((r) => r.analysis === 'early')).toBe(true);
    expect(withCi.some((r) => r.analysis === 'lagged')).toBe(true);
    for (const r of withCi) expect(r.bootstrap_ci, `${r.analysis} ${r.method}`).toHaveLength(2);
  });
});

describe('alliance correlate: the correlate section of --config', () => {
  it('reads the section (flags win) and rejects unknown keys with file:line', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'correlate-cfg-'));
    const cfg = path.join(dir, 'c.yaml');
    writeFileSync(cfg, 'alliance: srs\noutcome: phq9\ncorrelate:\n  by: therapist\n  analyses: [within, between]\n  min-clients: 4\n  adjust: bh\n');
    const out = await json([FIX, '--config', cfg, '--adjust', 'none']);
    expect(out.options).toMatchObject({ by: 'therapist', analyses: ['between', 'within'], min_clients: 4, adjust: 'none' });
    expect(out.suppressed.map((s) => s.group)).toEqual(['T3']);
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'correlate:\n  bogus: 1\n');
    const res = await runInProcess(['correlate', FIX, '--config', bad]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/bad\.yaml:2: unknown key 'correlate\.bogus'\. The correlate section accepts /);
  });
});

describe('alliance correlate: usage errors are one line, exit 2', () => {
  const cases: [string[], RegExp][] = [
    [[FIX, '--analyses', 'pooled,bogus'], /unknown analysis "bogus".*Choose from pooled, between, within, early, lagged/],
    [[FIX, '--ci', '1.5'], /--ci must be a level between 0 and 1/],
    [[FIX, '--early-session', '2', '--early-window', '3'], /cannot be combined/],
    [[FIX, '--min-clients', 'x'], /--min-clients must be a whole number/],
    [[FIX, '--by', 'site'], /column 'site' \(from --by\) is not in the header/],
    [[FIX, '--by', 'nosuch'], /column 'nosuch' \(from --by\) is not in the header/],
    [[FIX, '--group', 'nosuch', '--by', 'nosuch'], /column 'nosuch' \(from --group\) is not in the header/],
    [[FIX, '--alliance', 'srs', '--outcome', 'srs'], /./],
  ];
  for (const [args, re] of cases) {
    it(args.slice(1).join(' '), async () => {
      const res = await runInProcess(['correlate', ...args]);
      expect(res.code).toBe(2);
      expect(res.stdout).toBe('');
      expect(res.stderr.trim().split('\n')).toHaveLength(1);
      expect(res.stderr).toMatch(re);
      expect(res.stderr).not.toMatch(/at .*\.ts:\d+/);
    });
  }
});

describe('alliance correlate: a --by column named only in the config', () => {
  it('an absent one is named as the config key, not --group', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'correlate-by-'));
    const cfg = path.join(dir, 'c.yaml');
    writeFileSync(cfg, 'correlate:\n  by: nosuch\n');
    const res = await runInProcess(['correlate', FIX, '--config', cfg]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`column 'nosuch' (from correlate.by in ${cfg}) is not in the header`);
  });
});

/** Eight clients of five sessions with two grouping columns (site, modality). */
function twoGroupCsv(dir: string): string {
  const lines = ['client,session,site,modality,srs,phq9'];
  for (let c = 1; c <= 8; c++) for (let s = 1; s <= 5; s++) lines.push(`k${c},${s},S${c % 2},M${c % 3},${30 + c + (s % 3)},${20 - s - (c % 4)}`);
  const file = path.join(dir, 'two-groups.csv');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

describe('alliance correlate --by with --group', () => {
  it('--group names one column and --by another: both are read, the report is split by --by', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'correlate-by-'));
    const file = twoGroupCsv(dir);
    const res = await runInProcess(['correlate', file, '--group', 'modality', '--by', 'site', '--min-clients', '3', '--format', 'json']);
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out.groups.map((g: any) => g.group)).toEqual(['S0', 'S1']);
  });
});

describe('alliance correlate counts what it leaves out, by reason (issue 9.7)', () => {
  it('JSON input.left_out and the table preface count missing, not numeric, out-of-range and missing-code cells', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'correlate-left-'));
    // Six clients of five sessions; planted by hand: srs "abc" (not numeric, k2 s2), srs -99
    // (missing code, k3 s3), srs blank (k4 s1), ors 55 (out of ORS 0-40, k5 s4), ors blank
    // twice (k6 s2, k6 s5), and one row without a client id.
    const lines = ['client,session,srs,ors'];
    const planted: Record<string, [string?, string?]> = {
      'k2,2': ['abc'],
      'k3,3': ['-99'],
      'k4,1': [''],
      'k5,4': [undefined, '55'],
      'k6,2': [undefined, ''],
      'k6,5': [undefined, ''],
    };
    for (let c = 1; c <= 6; c++) {
      for (let s = 1; s <= 5; s++) {
        const p = planted[`k${c},${s}`] ?? [];
        lines.push(`k${c},${s},${p[0] ?? 30 + ((c * 7 + s * 3) % 10)},${p[1] ?? 10 + ((c * 5 + s * 11) % 25)}`);
      }
    }
    lines.push(',6,35,20');
    const file = path.join(dir, 'left.csv');
    writeFileSync(file, lines.join('\n') + '\n');
    const res = await runInProcess(['correlate', file, '--analyses', 'pooled', '--format', 'json']);
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out.input.left_out).toEqual({
      rows_without_client: 1,
      measures: [
        { column: 'srs', missing: 1, not_numeric: 1, out_of_range: 0, missing_code: 1 },
        { column: 'ors', missing: 2, not_numeric: 0, out_of_range: 1, missing_code: 0 },
      ],
    });
    // 30 rows with a client; 6 planted cells in 6 different rows: the pooled r uses 24.
    expect(out.results[0].n).toBe(24);
    const table = await runInProcess(['correlate', file, '--analyses', 'pooled']);
    expect(table.stdout).toContain('left out: 1 row(s) without a client id');
    expect(table.stdout).toContain('left out of srs: 1 missing (blank or a missing marker), 1 not numeric, 1 missing code');
    expect(table.stdout).toContain("left out of ors: 2 missing (blank or a missing marker), 1 out of the instrument's range");
  });
});

describe('alliance correlate --by the detected therapist column', () => {
  it('--by therapist_id keeps therapist_id as the therapist (it became a group, the therapist unmapped) and equals --by therapist', async () => {
    const byName = await runInProcess(['correlate', 'fixtures/demo.csv', '--by', 'therapist_id', '--format', 'json']);
    const byRole = await runInProcess(['correlate', 'fixtures/demo.csv', '--by', 'therapist', '--format', 'json']);
    expect(byName.code, byName.stderr).toBe(0);
    const a = JSON.parse(byName.stdout);
    const b = JSON.parse(byRole.stdout);
    expect(a.mapping.therapist).toBe('therapist_id');
    expect(a.mapping.groups).toEqual([]);
    expect(a.results).toEqual(b.results);
    expect(a.groups.length).toBeGreaterThan(1);
  });
});

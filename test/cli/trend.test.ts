import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { runInProcess } from '../helpers/cli.js';

const changeRef = JSON.parse(readFileSync('test/reference/change.json', 'utf8'));
const trendRef = JSON.parse(readFileSync('test/reference/trend.json', 'utf8'));

const CLAUS = [
  'trend',
  'fixtures/trend/claus_2020.csv',
  '--client',
  'id',
  '--session',
  'time',
  '--outcome',
  'bdi',
  '--instrument',
  'bdi=BDI-II',
  '--pre',
  '1',
  '--post',
  '4',
  '--reliability',
  '0.801',
  '--functional-mean',
  '7.69',
  '--functional-sd',
  '7.52',
  '--cutoff',
  'c',
];

async function json(args: string[]): Promise<any> {
  const r = await runInProcess([...args, '--format', 'json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

describe('alliance trend: published and reference results through the CLI', () => {
  it('claus_2020 reproduces the clinicalsignificance README (40 of 43, c = 21.02, 10/8/22/0/0)', async () => {
    const j = await json(CLAUS);
    expect(j.command).toBe('trend');
    expect(j.input.clients).toBe(43);
    expect(j.summary.used).toBe(40);
    expect(j.summary.excluded.total).toBe(3);
    expect(j.methods.clinical.type).toBe('c');
    expect(Math.round(j.methods.clinical.cutoff * 100) / 100).toBe(21.02);
    expect(j.summary.categories).toEqual({ recovered: 10, improved: 8, unchanged: 22, deteriorated: 0, harmed: 0 });
    const ref = changeRef.cases.find((c: any) => c.name === 'claus_bdi_t1_t4_c');
    expect(j.methods.change.s_diff).toBeCloseTo(ref.s_diff, 9);
    expect(j.methods.clinical.cutoff).toBeCloseTo(ref.cutoff, 9);
  });

  it('--by a group column (claus_2020 treatment arm) matches test/reference/change.R', async () => {
    const j = await json([...CLAUS, '--by', 'treatment', '--min-clients', '20']);
    expect(j.options.by).toBe('treatment');
    expect(j.groups.suppressed).toEqual([]);
    expect(j.groups.rows.map((g: any) => g.group)).toEqual(changeRef.by_treatment.map((g: any) => g.group));
    j.groups.rows.forEach((g: any, i: number) => {
      const w = changeRef.by_treatment[i];
      expect(g.clients).toBe(w.clients_seen);
      expect(g.completed).toBe(w.n);
      expect(g.mean_change).toBeCloseTo(w.mean_change, 9);
      expect(g.mean_change_ci[0]).toBeCloseTo(w.mean_change_ci[0], 9);
      expect(g.mean_change_ci[1]).toBeCloseTo(w.mean_change_ci[1], 9);
      expect(g.d).toBeCloseTo(w.d, 9);
      expect(g.dz).toBeCloseTo(w.dz, 9);
      expect(g.recovered.x).toBe(w.recovered);
      expect(g.recovered.ci[0]).toBeCloseTo(w.recovered_ci[0], 9);
      expect(g.recovered.ci[1]).toBeCloseTo(w.recovered_ci[1], 9);
    });
    // 20 TAU clients: suppressed (and listed) at --min-clients 21.
    const k = await json([...CLAUS, '--by', 'treatment', '--min-clients', '21']);
    expect(k.groups.suppressed).toEqual(['TAU']);
    expect(k.groups.rows.map((g: any) => g.group)).toEqual(['PA']);
  });

  it('jacobson_1989 (gds, lower is better; das, higher is better) matches test/reference/change.R', async () => {
    for (const name of ['jacobson_gds_c', 'jacobson_das_a', 'jacobson_das_b']) {
      const ref = changeRef.cases.find((c: any) => c.name === name);
      const y = ref.input.outcome;
      const args = ['trend', 'fixtures/trend/jacobson_1989.csv', '--client', 'subject', '--session', 'session', '--outcome', y, '--better', ref.input.better];
      args.push('--pre', '1', '--post', '2', '--reliability', String(ref.input.reliability), '--cutoff', ref.input.cutoff_type, '--clients');
      if (ref.input.m_functional != null) args.push('--functional-mean', String(ref.input.m_functional), '--functional-sd', String(ref.input.sd_functional));
      const j = await json(args);
      expect(j.summary.categories, name).toEqual(ref.counts);
      expect(j.summary.used, name).toBe(ref.n_used);
      expect(j.methods.clinical.cutoff, name).toBeCloseTo(ref.cutoff, 9);
      const byId = new Map(j.clients.map((c: any) => [c.client, c]));
      for (const w of ref.clients) {
        const got = byId.get(w.id) as any;
        expect(got.change.rci, `${name} ${w.id}`).toBeCloseTo(w.rci, 9);
        expect(got.change.category, `${name} ${w.id}`).toBe(w.category);
      }
    }
  });

  it('synthetic.csv: groups with CIs, suppression listed, per-client CSV at full precision', async () => {
    const base = ['trend', 'fixtures/trend/synthetic.csv', '--by', 'therapist', '--period', 'quarter'];
    const j = await json(base);
    expect(j.groups.suppressed).toEqual(trendRef.suppressed);
    expect(j.groups.rows.map((g: any) => g.group)).toEqual(trendRef.groups.map((g: any) => g.group));
    j.groups.rows.forEach((g: any, i: number) => {
      const w = trendRef.groups[i];
      expect(g.mean_change_ci[0]).toBeCloseTo(w.mean_change_ci[0], 9);
      expect(g.recovered.ci[1]).toBeCloseTo(w.recovered.ci[1], 9);
    });
    expect(j.periods.rows.map((p: any) => p.period)).toEqual(['2024-Q1', '2024-Q2', '2024-Q3', '2024-Q4', '2025-Q1']);
    expect(j.periods.rows.reduce((s: number, p: any) => s + p.sessions, 0)).toBe(trendRef.input.rows);

    const table = await runInProcess([...base, '--no-color']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('suppressed (fewer than 5 clients): T6.');
    expect(table.stdout).toContain('not a ranking');
    expect(table.stdout).toMatch(/[▁▂▃▄▅▆▇█]{5}/);
    expect(table.stdout).not.toContain('NaN');
    expect(table.stdout).not.toContain('\u001b[');

    const csv = await runInProcess(['trend', 'fixtures/trend/synthetic.csv', '--clients', '--format', 'csv']);
    expect(csv.code).toBe(0);
    const recs = parse<Record<string, string>>(csv.stdout, { columns: true });
    expect(recs.length).toBe(trendRef.input.clients);
    const ref0 = trendRef.clients[0];
    expect(recs[0].client).toBe(ref0.client);
    expect(Number(recs[0].alliance_slope)).toBeCloseTo(ref0.alliance_slope, 12);
    expect(Number(recs[0].alliance_mean)).toBeCloseTo(ref0.alliance_mean, 12);
    // Nothing identifying beyond the pseudonymous id: no therapist, no free text columns.
    expect(Object.keys(recs[0])).not.toContain('therapist');

    const md = await runInProcess(['trend', 'fixtures/trend/synthetic.csv', '--clients', '--format', 'md']);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('# alliance trend');
    expect(md.stdout).toContain('## Clients');
  });

  it('reads its options from the trend section of --config (flags win)', async () => {
    const dir = await import('node:fs/promises').then((fs) => fs.mkdtemp('/tmp/trend-config-'));
    const cfg = `${dir}/c.yaml`;
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      cfg,
      'client: id\nsession: time\noutcome: [bdi]\ninstruments: { bdi: BDI-II }\ntrend:\n  pre: 1\n  post: 4\n  reliability: 0.801\n  functional-mean: 7.69\n  functionalSd: 7.52\n  cutoff: c\n',
    );
    const j = await json(['trend', 'fixtures/trend/claus_2020.csv', '--config', cfg]);
    expect(j.summary.categories).toEqual({ recovered: 10, improved: 8, unchanged: 22, deteriorated: 0, harmed: 0 });
    const k = await json(['trend', 'fixtures/trend/claus_2020.csv', '--config', cfg, '--cutoff', 'a']);
    expect(k.methods.clinical.type).toBe('a');
    // A reliable-change threshold from instrumentOverrides (BDI-II has none built in).
    await writeFile(cfg, 'client: id\nsession: time\noutcome: [bdi]\ninstruments: { bdi: BDI-II }\ninstrumentOverrides:\n  BDI-II: { reliableChange: 8 }\n');
    const p = await json(['trend', 'fixtures/trend/claus_2020.csv', '--config', cfg, '--clients']);
    expect(p.methods.change).toMatchObject({ method: 'points', threshold: 8 });
    expect(p.methods.clinical).toMatchObject({ source: 'instrument', cutoff: 14, clinical_if: '>=' });
    expect(p.summary.categories).toEqual(changeRef.points.counts);
    const cats = new Map(p.clients.map((c: any) => [c.client, c.change.category]));
    for (const w of changeRef.points.clients) expect(cats.get(w.id), w.id).toBe(w.category);
    // --rc-threshold on the command line wins over the config.
    const q = await json(['trend', 'fixtures/trend/claus_2020.csv', '--config', cfg, '--rc-threshold', '100']);
    expect(q.summary.categories.unchanged).toBe(40);
    await writeFile(cfg, 'client: id\ntrend:\n  reliabilty: 0.8\n');
    const bad = await runInProcess(['trend', 'fixtures/trend/claus_2020.csv', '--config', cfg]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/:3: unknown key 'trend\.reliabilty' \(did you mean 'reliability'\?\)\. The trend section of .*accepts /);
  });
});

describe('alliance trend: options that go together, one in --config and one on the command line', () => {
  it('are combined as if both were flags (pre/post, cutoff and the norms, sd and reliability)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'trend-split-'));
    const cfg = path.join(dir, 'c.yaml');
    writeFileSync(
      cfg,
      'client: id\nsession: time\noutcome: [bdi]\ninstruments: { bdi: BDI-II }\ntrend:\n  pre: 1\n  reliability: 0.801\n  functionalMean: 7.69\n  functionalSd: 7.52\n',
    );
    // The clinicalsignificance README's counts for claus_2020 (pre 1, post 4, JT RCI, cut-off c).
    const j = await json(['trend', 'fixtures/trend/claus_2020.csv', '--config', cfg, '--post', '4', '--cutoff', 'c']);
    expect(j.summary.categories).toEqual({ recovered: 10, improved: 8, unchanged: 22, deteriorated: 0, harmed: 0 });
    // The other way round: post in the config, pre and the cut-off type on the command line.
    writeFileSync(cfg, 'client: id\nsession: time\noutcome: [bdi]\ninstruments: { bdi: BDI-II }\ntrend:\n  post: 4\n  reliability: 0.801\n  cutoff: c\n');
    const k = await json(['trend', 'fixtures/trend/claus_2020.csv', '--config', cfg, '--pre', '1', '--functional-mean', '7.69', '--functional-sd', '7.52']);
    expect(k.summary.categories).toEqual(j.summary.categories);
    // --sd needs reliability, which the config gives.
    const l = await json([
      'trend',
      'fixtures/trend/claus_2020.csv',
      '--config',
      cfg,
      '--pre',
      '1',
      '--functional-mean',
      '7.69',
      '--functional-sd',
      '7.52',
      '--sd',
      '7.5',
    ]);
    expect(l.methods.change.method).not.toBe('points');
    // A pair still missing its half after both are read is still an error.
    writeFileSync(cfg, 'client: id\nsession: time\noutcome: [bdi]\ninstruments: { bdi: BDI-II }\ntrend:\n  pre: 1\n');
    const bad = await runInProcess(['trend', 'fixtures/trend/claus_2020.csv', '--config', cfg]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/go together/);
  });
});

describe('alliance trend: degenerate inputs say what is not estimable', () => {
  async function tmpCsv(text: string): Promise<string> {
    const fs = await import('node:fs/promises');
    const dir = await fs.mkdtemp('/tmp/trend-edge-');
    await fs.writeFile(`${dir}/s.csv`, text);
    return `${dir}/s.csv`;
  }

  it('alliance only: alerts counted by hand, no change table', async () => {
    // A: 37 -> 35.5 (below 36 at 2; drop of 1.5 at 2) -> 36.5; B: 30 (below at 1).
    const f = await tmpCsv('client,session,srs\nA,1,37\nA,2,35.5\nA,3,36.5\nB,1,30\n');
    const j = await json(['trend', f, '--clients']);
    expect(j.summary.alliance_alerts).toEqual({ clients_below_cutoff: 2, sessions_below_cutoff: 2, clients_with_drop: 1, drops: 1 });
    expect(j.clients[0].alliance).toMatchObject({ n: 3, below_cutoff: [2], drops: [2] });
    expect(j.clients[0].alliance.mean).toBeCloseTo(109 / 3, 12);
    expect(j.clients[0].alliance.slope).toBeCloseTo(-0.25, 12); // lm(c(37, 35.5, 36.5) ~ 1:3)
    expect(j.clients[1].alliance.slope).toBeNull();
    expect(j.methods.change.reason).toBe('no outcome measure');
    const t = await runInProcess(['trend', f, '--no-color']);
    expect(t.stdout).not.toContain('Reliable and clinically significant change');
    expect(t.stdout).toContain('no outcome measure');
  });

  it('an outcome without instrument or --better: change not classified, and says how to fix it', async () => {
    const f = await tmpCsv('client,session,score\nA,1,10\nA,2,20\nB,1,12\nB,3,5\n');
    const j = await json(['trend', f, '--outcome', 'score', '--rc-threshold', '5']);
    expect(j.methods.change.reason).toMatch(/--better higher\|lower/);
    expect(j.summary.categories).toEqual({ recovered: 0, improved: 0, unchanged: 0, deteriorated: 0, harmed: 0 });
    const k = await json(['trend', f, '--outcome', 'score', '--rc-threshold', '5', '--better', 'higher']);
    expect(k.summary.categories).toMatchObject({ improved: 1, deteriorated: 1 });
  });

  it('a header-only file gives zero counts and n/e, never NaN', async () => {
    const f = await tmpCsv('client,session,srs,phq9\n');
    for (const format of ['table', 'csv', 'md', 'json']) {
      const r = await runInProcess(['trend', f, '--format', format]);
      expect(r.code).toBe(0);
      expect(r.stdout).not.toMatch(/NaN|undefined/);
    }
    const j = await json(['trend', f]);
    expect(j.summary.overall.not_estimable.mean_change).toBe('no client with a pre and post value');
  });
});

describe('alliance trend: usage errors are one line, exit 2', () => {
  const cases: [string, string[], RegExp][] = [
    ['--pre without --post', ['--pre', '1'], /--pre and --post go together/],
    ['--post before --pre', ['--pre', '4', '--post', '1'], /must be a later session/],
    ['cut-off c without norms', ['--reliability', '0.8', '--cutoff', 'c'], /needs the functional population's mean and SD.*--functional-mean/],
    ['reliability out of range', ['--reliability', '1.2'], /--reliability must be between 0 and 1/],
    ['reliability 0 (pure noise; the range is exclusive)', ['--reliability', '0'], /--reliability must be between 0 and 1 \(exclusive\), got "0"/],
    ['period without dates', ['--period', 'month'], /--period needs session dates/],
    ['unknown --by column', ['--by', 'site'], /site/],
    ['not a number', ['--drop', 'two'], /--drop must be a number > 0, got "two"/],
  ];
  for (const [name, extra, msg] of cases) {
    it(name, async () => {
      const r = await runInProcess(['trend', 'fixtures/trend/claus_2020.csv', '--client', 'id', '--session', 'time', '--outcome', 'bdi', ...extra]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    });
  }
});

describe('alliance trend --by: an absent column is named as --by', () => {
  it('names --by, not --group (which the user did not give)', async () => {
    const r = await runInProcess(['trend', 'fixtures/trend/synthetic.csv', '--by', 'nosuch']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/column 'nosuch' \(from --by\) is not in the header/);
    const g = await runInProcess(['trend', 'fixtures/trend/synthetic.csv', '--group', 'nosuch', '--by', 'nosuch']);
    expect(g.stderr).toMatch(/column 'nosuch' \(from --group\) is not in the header/);
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

describe('alliance trend: a --by column named only in the config', () => {
  it('is read (the input is opened with it as a group column); an absent one is named as trend.by', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'trend-by-'));
    const file = twoGroupCsv(dir);
    const cfg = path.join(dir, 't.yaml');
    writeFileSync(cfg, 'trend:\n  by: site\n');
    const ok = await runInProcess(['trend', file, '--config', cfg, '--format', 'json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).options.by).toBe('site');
    const both = await runInProcess(['trend', file, '--group', 'modality', '--by', 'site', '--format', 'json']);
    expect(both.code, both.stderr).toBe(0);
    expect(JSON.parse(both.stdout).options.by).toBe('site');
    writeFileSync(cfg, 'trend:\n  by: nosuch\n');
    const bad = await runInProcess(['trend', file, '--config', cfg]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`column 'nosuch' (from trend.by in ${cfg}) is not in the header`);
  });
});

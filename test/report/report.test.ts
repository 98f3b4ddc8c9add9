/**
 * `alliance report`: golden report.md / results.json for the demo config, determinism,
 * SOURCE_DATE_EPOCH, atomic write and no-overwrite, config errors, --fail-on, filters.
 *
 * Golden files: the report only assembles documents that the section commands build;
 * every number inside them is checked against R / SciPy by the section tests
 * (test/analysis/*, test/cli/correlate.test.ts, test/cli/trend.test.ts, test/validate/*),
 * so a golden file is acceptable here: it pins the assembly (order, headings, which
 * tables, suppression, filters), and any byte of difference fails the test.
 * After reviewing a difference, regenerate with:
 *
 *   UPDATE_GOLDEN=1 npx vitest run test/report/report.test.ts
 *
 * and review `git diff fixtures/report/golden` before committing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInProcess } from '../helpers/cli.js';
import { expandGlob } from '../../src/report/batch/config.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONFIG = path.join(ROOT, 'fixtures/report.yaml');
const GOLDEN = path.join(ROOT, 'fixtures/report/golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'alliance-report-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function readDir(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const name of readdirSync(dir).sort()) out.set(name, readFileSync(path.join(dir, name)));
  return out;
}

async function report(args: string[], env: Record<string, string> = {}) {
  return runInProcess(['report', ...args], { cwd: tmp, env });
}

describe('alliance report on the demo config', () => {
  it('writes every output and matches the golden report.md and results.json', async () => {
    const out = path.join(tmp, 'golden-run');
    const res = await report(['--config', CONFIG, '--out', out, '--reproducible']);
    expect(res.stderr).toMatch(/wrote .*golden-run \(\d+ files\)/);
    expect(res.code).toBe(0);
    const names = readdirSync(out).sort();
    expect(names).toEqual(
      [
        'correlate-correlations.csv',
        'describe-measures.csv',
        'describe-overview.csv',
        'manifest.json',
        'report.html',
        'report.md',
        'results.json',
        'trend-alerts.csv',
        'trend-change.csv',
        'trend-cohort.csv',
        'trend-groups.csv',
        'trend-series.csv',
        'validate-missingness.csv',
        'validate-summary.csv',
      ].sort(),
    );
    for (const name of ['report.md', 'results.json']) {
      const got = readFileSync(path.join(out, name), 'utf8');
      const file = path.join(GOLDEN, name);
      if (UPDATE) {
        mkdirSync(GOLDEN, { recursive: true });
        writeFileSync(file, got);
      }
      expect(got, `${name} differs from fixtures/report/golden/${name}; review, then UPDATE_GOLDEN=1 npx vitest run test/report/report.test.ts`).toBe(
        readFileSync(file, 'utf8'),
      );
    }
  });

  it('results.json carries the section documents at full precision and no client-level data', async () => {
    const out = path.join(tmp, 'json-run');
    await report(['--config', CONFIG, '--out', out, '--reproducible']);
    const json = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    expect(Object.keys(json.sections)).toEqual(['validate', 'describe', 'correlate', 'trend']);
    expect(json.sections.validate.findings).toBeUndefined();
    expect(json.sections.trend.clients).toBeNull();
    // Full precision: the CSV holds the same estimate as the JSON, digit for digit.
    const within = json.sections.correlate.results.find(
      (r: { group: null; analysis: string; alliance: string; outcome: string }) => r.group === null && r.analysis === 'within' && r.outcome === 'ors',
    );
    expect(String(within.r).length).toBeGreaterThan(8);
    const csv = readFileSync(path.join(out, 'correlate-correlations.csv'), 'utf8');
    expect(csv).toContain(String(within.r));
    // No client ids anywhere without clientTables.
    for (const name of readdirSync(out)) expect(readFileSync(path.join(out, name), 'utf8')).not.toMatch(/C0\d{4}/);
  });

  it('manifest.json: version, resolved config, inputs with size, rows and SHA-256', async () => {
    const out = path.join(tmp, 'manifest-run');
    await report(['--config', CONFIG, '--out', out]);
    const m = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(m.tool.version).toBe(pkg.version);
    expect(typeof m.generated_at).toBe('string');
    expect(m.inputs).toHaveLength(1);
    const demo = readFileSync(path.join(ROOT, 'fixtures/demo.csv'));
    const { createHash } = await import('node:crypto');
    expect(m.inputs[0]).toEqual({
      path: 'demo.csv',
      bytes: demo.length,
      rows: demo.toString('utf8').trimEnd().split('\n').length - 1,
      sha256: createHash('sha256').update(demo).digest('hex'),
    });
    expect(m.config.resolved.correlate.by).toBe('therapist');
    expect(m.config.resolved.trend.period).toBe('quarter');
    expect(m.outputs).toContain('report.html');
  });

  it('two runs with --reproducible give identical bytes for every file', async () => {
    const out = path.join(tmp, 'repro');
    // The same command twice (--force so that the second run may replace the first).
    expect((await report(['--config', CONFIG, '--out', out, '--reproducible', '--force'])).code).toBe(0);
    const first = readDir(out);
    expect((await report(['--config', CONFIG, '--out', out, '--reproducible', '--force'])).code).toBe(0);
    const second = readDir(out);
    expect([...second.keys()]).toEqual([...first.keys()]);
    for (const [name, bytes] of first) expect(second.get(name)!.equals(bytes), name).toBe(true);
    expect(JSON.parse(first.get('manifest.json')!.toString()).generated_at).toBeUndefined();
  });

  it('SOURCE_DATE_EPOCH also leaves the time out (and without it the time is there)', async () => {
    const a = path.join(tmp, 'sde');
    await report(['--config', CONFIG, '--out', a], { SOURCE_DATE_EPOCH: '1700000000' });
    const m = JSON.parse(readFileSync(path.join(a, 'manifest.json'), 'utf8'));
    expect(m.generated_at).toBeUndefined();
    expect(m.tool.node).toBeUndefined();
    const b = path.join(tmp, 'timed');
    await report(['--config', CONFIG, '--out', b]);
    expect(JSON.parse(readFileSync(path.join(b, 'manifest.json'), 'utf8')).generated_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('report.html is self-contained: no script, no external resource', async () => {
    const out = path.join(tmp, 'html');
    await report(['--config', CONFIG, '--out', out, '--reproducible']);
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|url\(|@import/i);
    expect(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '')).not.toMatch(/https?:/);
    expect((html.match(/<svg class="chart"/g) ?? []).length).toBe(11);
  });
});

describe('atomic write and no overwrite', () => {
  it('an existing folder without --force: exit 2, one line, folder untouched', async () => {
    const out = path.join(tmp, 'existing');
    mkdirSync(out);
    writeFileSync(path.join(out, 'keep.txt'), 'mine');
    const res = await report(['--config', CONFIG, '--out', out]);
    expect(res.code).toBe(2);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/existing: already exists\. Use --force/);
    expect(readdirSync(out)).toEqual(['keep.txt']);
    expect(readFileSync(path.join(out, 'keep.txt'), 'utf8')).toBe('mine');
    expect(readdirSync(tmp).filter((n) => n.startsWith('.existing'))).toEqual([]);
  });

  it('with --force the folder is replaced as a whole, and no temporary folder is left', async () => {
    const out = path.join(tmp, 'forced');
    mkdirSync(out);
    writeFileSync(path.join(out, 'old.txt'), 'old');
    // --force replaces only a folder that holds an earlier report (issue 16)
    writeFileSync(path.join(out, 'manifest.json'), '{}');
    const res = await report(['--config', CONFIG, '--out', out, '--force']);
    expect(res.code).toBe(0);
    const names = readdirSync(out);
    expect(names).not.toContain('old.txt');
    expect(names).toContain('report.html');
    expect(readdirSync(tmp).filter((n) => n.startsWith('.forced'))).toEqual([]);
  });

  it('a write that fails part-way (a path component is a file) leaves nothing behind', async () => {
    const dir = mkdtempSync(path.join(tmp, 'notdir-'));
    writeFileSync(path.join(dir, 'file'), 'x');
    const res = await report(['--config', CONFIG, '--out', path.join(dir, 'file', 'out')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/cannot write here/);
    expect(readdirSync(dir)).toEqual(['file']);
  });

  it('a failing run (bad input) writes nothing', async () => {
    const dir = mkdtempSync(path.join(tmp, 'bad-'));
    writeFileSync(path.join(dir, 'r.yaml'), 'files: [nope.csv]\n');
    const out = path.join(dir, 'out');
    const res = await report(['--config', path.join(dir, 'r.yaml'), '--out', out]);
    expect(res.code).toBe(2);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual(['r.yaml']);
  });
});

describe('config errors: exit 2, one line naming the key and line', () => {
  const cases: [string, string, RegExp][] = [
    [
      'unknown report key',
      'files: [demo.csv]\nreport:\n  title: x\n  minClient: 5\n',
      /r\.yaml:4: unknown key 'report\.minClient' \(did you mean 'minClients'\?\)/,
    ],
    ['wrong type', 'files: [demo.csv]\nreport:\n  minClients: five\n', /r\.yaml:3: 'report\.minClients' must be a whole number >= 1/],
    ['unknown filter key', 'files: [demo.csv]\nreport:\n  filters:\n    form: 2024-01-01\n', /r\.yaml:4: unknown key 'report\.filters\.form'/],
    ['bad date', 'files: [demo.csv]\nreport:\n  filters:\n    from: 2024-13-01\n', /r\.yaml:4: 'report\.filters\.from' must be a date YYYY-MM-DD/],
    ['unknown top-level key', 'files: [demo.csv]\nclinet: client_id\n', /r\.yaml:2: unknown key 'clinet' \(did you mean 'client'\?\)/],
    ['unknown section', 'files: [demo.csv]\nreport:\n  sections: [validate, trends]\n', /r\.yaml:3: unknown section 'trends'/],
    [
      'correlate section key',
      'files: [demo.csv]\ncorrelate:\n  by: therapist\n  min-clinets: 3\n',
      /r\.yaml:4: unknown key 'correlate\.minClinets' \(did you mean 'minClients'\?\)/,
    ],
    [
      'correlate section type',
      'files: [demo.csv]\ncorrelate:\n  by: therapist\n  minClients: -3\n',
      /r\.yaml:4: correlate\.minClients must be a whole number >= 1, got "-3"\. For example minClients: 3 under correlate:/,
    ],
    ['trend section type', 'files: [demo.csv]\ntrend:\n  period: week\n', /r\.yaml:3: trend\.period must be month, quarter or year, got "week"/],
    [
      'trend options across keys',
      'files: [demo.csv]\ntrend:\n  post: 4\n',
      /r\.yaml:3: trend\.pre and trend\.post go together\. Give both session numbers, e\.g\. pre: 1 and post: 4 under trend:/,
    ],
    ['validate section type', 'files: [demo.csv]\nvalidate:\n  maxFindings: -1\n', /r\.yaml:3: validate\.maxFindings must be a whole number >= 0, got "-1"/],
    [
      'ruptures options across keys',
      'files: [demo.csv]\nreport:\n  sections: [ruptures]\nruptures:\n  ruptureDrop: 3\n  ruptureSd: 2\n',
      /r\.yaml:5: ruptures\.ruptureDrop and ruptures\.ruptureSd cannot be combined/,
    ],
    ['by column not in the input', 'files: [demo.csv]\ncorrelate:\n  by: modality\n', /r\.yaml:3: correlate\.by: column 'modality' is not in the input/],
    [
      'filter value never seen',
      'files: [demo.csv]\nreport:\n  filters:\n    column: site\n    values: [S1, S9]\n',
      /r\.yaml:5: report\.filters\.values: 'S9' never occurs in column 'site'\. Values found: S1, S2, S3/,
    ],
    ['filters leave nothing', 'files: [demo.csv]\nreport:\n  filters: { from: 2030-01-01 }\n', /r\.yaml:3: the filters leave no sessions/],
    [
      'model section key',
      'files: [demo.csv]\nreport:\n  sections: [model]\nmodel:\n  outcome: ors\n  lagged: true\n',
      /r\.yaml:6: unknown key 'model\.lagged'/,
    ],
    [
      'model section kebab key',
      'files: [demo.csv]\nreport:\n  sections: [model]\nmodel:\n  outcome: ors\n  random-slop: true\n',
      /r\.yaml:6: unknown key 'model\.randomSlop' \(did you mean 'randomSlope'\?\)/,
    ],
    [
      'model section type',
      'files: [demo.csv]\nreport:\n  sections: [model]\nmodel:\n  outcome: ors\n  time: yes please\n',
      /r\.yaml:6: model\.time must be true or false/,
    ],
    [
      'model reverse without lag',
      'files: [demo.csv]\nreport:\n  sections: [model]\nmodel:\n  outcome: ors\n  reverse: true\n',
      /r\.yaml:6: model\.reverse needs model\.lag\. Add lag: true under model:/,
    ],
    [
      'model random slope value',
      'files: [demo.csv]\nreport:\n  sections: [model]\nmodel:\n  outcome: ors\n  randomSlope: session\n',
      /r\.yaml:6: model\.randomSlope takes "alliance" or "time", got "session"/,
    ],
    [
      'model BLUPs by key',
      'files: [demo.csv]\nreport:\n  sections: [model]\nmodel:\n  outcome: ors\n  randomEffects: true\n',
      /r\.yaml:6: model: random effects \(per-client BLUPs\) are set by 'report\.clientTables'/,
    ],
    [
      'model outcome not mapped',
      'files: [demo.csv]\nreport:\n  sections: [model]\nmodel:\n  outcome: wai\n',
      /r\.yaml:5: outcome column "wai" is not among the mapped outcome measures \(ors, phq9\)/,
    ],
    [
      'model with two outcomes and none chosen',
      'files: [demo.csv]\nreport:\n  sections: [model]\n',
      /demo\.csv:1: several outcome columns \(ors, phq9\)\. Name the column with outcome: COL under model:/,
    ],
    ['missing input file', 'files: [demo.csv, missing.csv]\n', /r\.yaml:1: input file 'missing\.csv' not found/],
    ['glob without match', 'files: ["exports/*.csv"]\n', /r\.yaml:1: no file matches 'exports\/\*\.csv'/],
  ];
  for (const [name, text, want] of cases) {
    it(name, async () => {
      const dir = mkdtempSync(path.join(tmp, 'cfg-'));
      copyFileSync(path.join(ROOT, 'fixtures/demo.csv'), path.join(dir, 'demo.csv'));
      writeFileSync(path.join(dir, 'r.yaml'), text);
      const res = await runInProcess(['report', '--config', 'r.yaml', '--out', 'out'], { cwd: dir });
      expect(res.code).toBe(2);
      // Progress lines may come first; the error is one line.
      const errors = res.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('alliance: '));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(want);
      expect(existsSync(path.join(dir, 'out'))).toBe(false);
    });
  }

  it('a missing --config is a usage error', async () => {
    const res = await report(['--out', 'x']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--config is required/);
  });
});

describe('validation outcome and --fail-on', () => {
  function setup(csv: string): string {
    const dir = mkdtempSync(path.join(tmp, 'fail-'));
    copyFileSync(path.join(ROOT, 'fixtures/validate', csv), path.join(dir, 'data.csv'));
    writeFileSync(path.join(dir, 'r.yaml'), 'files: data.csv\ntoday: 2025-01-01\nreport:\n  sections: [validate, describe]\n');
    return dir;
  }

  it('errors without --fail-on: the full report, exit 1', async () => {
    const dir = setup('mixed.csv');
    const res = await runInProcess(['report', '--config', 'r.yaml', '--out', 'out'], { cwd: dir });
    expect(res.code).toBe(1);
    expect(readdirSync(path.join(dir, 'out'))).toContain('describe-overview.csv');
  });

  it('errors with --fail-on error: only the validation section is written, exit 1', async () => {
    const dir = setup('mixed.csv');
    const res = await runInProcess(['report', '--config', 'r.yaml', '--out', 'out', '--fail-on', 'error'], { cwd: dir });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/stopped after validation/);
    const names = readdirSync(path.join(dir, 'out'));
    expect(names.some((n) => n.startsWith('describe-'))).toBe(false);
    expect(names).toContain('validate-codes.csv');
    const json = JSON.parse(readFileSync(path.join(dir, 'out', 'results.json'), 'utf8'));
    expect(json.stopped_after_validation).toBe(true);
    expect(Object.keys(json.sections)).toEqual(['validate']);
    expect(json.sections.validate.summary.findings.errors).toBe(13);
  });

  it('warnings only: --fail-on error runs everything (exit 0), --fail-on warning stops (exit 1)', async () => {
    const dir = setup('warnings.csv');
    const a = await runInProcess(['report', '--config', 'r.yaml', '--out', 'a', '--fail-on', 'error'], { cwd: dir });
    expect(a.code).toBe(0);
    expect(readdirSync(path.join(dir, 'a'))).toContain('describe-overview.csv');
    const b = await runInProcess(['report', '--config', 'r.yaml', '--out', 'b', '--fail-on', 'warning'], { cwd: dir });
    expect(b.code).toBe(1);
    expect(readdirSync(path.join(dir, 'b')).some((n) => n.startsWith('describe-'))).toBe(false);
  });

  it('report.failOn in the config does the same, and --fail-on none on the command line wins over it', async () => {
    const dir = setup('warnings.csv');
    writeFileSync(path.join(dir, 'r.yaml'), 'files: data.csv\ntoday: 2025-01-01\nreport:\n  sections: [validate, describe]\n  failOn: warning\n');
    const a = await runInProcess(['report', '--config', 'r.yaml', '--out', 'a'], { cwd: dir });
    expect(a.code).toBe(1);
    expect(readdirSync(path.join(dir, 'a')).some((n) => n.startsWith('describe-'))).toBe(false);
    const b = await runInProcess(['report', '--config', 'r.yaml', '--out', 'b', '--fail-on', 'none'], { cwd: dir });
    expect(b.code).toBe(0);
    expect(readdirSync(path.join(dir, 'b'))).toContain('describe-overview.csv');
  });

  it('clientTables: true adds the row-level findings table', async () => {
    const dir = setup('mixed.csv');
    writeFileSync(path.join(dir, 'r.yaml'), 'files: data.csv\ntoday: 2025-01-01\nreport:\n  sections: [validate]\n  clientTables: true\n');
    await runInProcess(['report', '--config', 'r.yaml', '--out', 'out'], { cwd: dir });
    expect(readdirSync(path.join(dir, 'out'))).toContain('validate-findings.csv');
  });
});

describe('client-level tables', () => {
  it("trend's client table appears only with report.clientTables: true", async () => {
    const dir = mkdtempSync(path.join(tmp, 'clients-'));
    copyFileSync(path.join(ROOT, 'fixtures/demo.csv'), path.join(dir, 'demo.csv'));
    writeFileSync(path.join(dir, 'r.yaml'), 'files: demo.csv\nreport:\n  sections: [trend]\n  clientTables: true\n');
    expect((await runInProcess(['report', '--config', 'r.yaml', '--out', 'out'], { cwd: dir })).code).toBe(0);
    const csv = readFileSync(path.join(dir, 'out', 'trend-clients.csv'), 'utf8');
    expect(csv.split('\n')[1]).toMatch(/^C00001,/);
    writeFileSync(path.join(dir, 'r2.yaml'), 'files: demo.csv\nreport:\n  sections: [trend]\ntrend:\n  clients: true\n');
    const res = await runInProcess(['report', '--config', 'r2.yaml', '--out', 'out2'], { cwd: dir });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/r2\.yaml:5: trend: client tables are set by 'report\.clientTables'/);
  });
});

describe('filters and globs', () => {
  it('a site filter keeps only that site (client count checked against the CSV itself)', async () => {
    const dir = mkdtempSync(path.join(tmp, 'filter-'));
    copyFileSync(path.join(ROOT, 'fixtures/demo.csv'), path.join(dir, 'demo.csv'));
    writeFileSync(
      path.join(dir, 'r.yaml'),
      'files: "d*.csv"\nreport:\n  sections: [describe]\n  filters: { column: site, values: [S1], from: 2024-03-01, to: 2024-12-31 }\n',
    );
    const res = await runInProcess(['report', '--config', 'r.yaml', '--out', 'out', '--reproducible'], { cwd: dir });
    expect(res.code).toBe(0);
    const lines = readFileSync(path.join(dir, 'demo.csv'), 'utf8')
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    // The period keeps the S1 clients with an S1 session in it, with their S1 sessions up to its end.
    const active = new Set(lines.filter((f) => f[2] === 'S1' && f[4] >= '2024-03-01' && f[4] <= '2024-12-31').map((f) => f[0]));
    const kept = lines.filter((f) => f[2] === 'S1' && active.has(f[0]) && f[4] <= '2024-12-31');
    expect(kept.length).toBeGreaterThan(active.size);
    const json = JSON.parse(readFileSync(path.join(dir, 'out', 'results.json'), 'utf8'));
    expect(json.sections.describe.rows).toBe(kept.length);
    expect(json.sections.describe.clients).toBe(new Set(kept.map((f) => f[0])).size);
    expect(json.sections.describe.date_span ?? json.sections.describe.dateSpan).toEqual({
      first: kept.map((f) => f[4]).sort()[0],
      last: kept
        .map((f) => f[4])
        .sort()
        .at(-1),
    });
  });

  it('expandGlob: * and ? within a segment, sorted, hidden files only for dotted patterns', () => {
    const dir = mkdtempSync(path.join(tmp, 'glob-'));
    for (const n of ['b.csv', 'a.csv', 'ab.csv', '.h.csv', 'x.txt']) writeFileSync(path.join(dir, n), '');
    mkdirSync(path.join(dir, 'sub1'));
    writeFileSync(path.join(dir, 'sub1', 'z.csv'), '');
    expect(expandGlob(path.join(dir, '*.csv')).map((p) => path.basename(p))).toEqual(['a.csv', 'ab.csv', 'b.csv']);
    expect(expandGlob(path.join(dir, '?.csv')).map((p) => path.basename(p))).toEqual(['a.csv', 'b.csv']);
    expect(expandGlob(path.join(dir, '.*.csv')).map((p) => path.basename(p))).toEqual(['.h.csv']);
    expect(expandGlob(path.join(dir, 'sub?', '*.csv'))).toEqual([path.join(dir, 'sub1', 'z.csv')]);
    expect(expandGlob(path.join(dir, 'none*.csv'))).toEqual([]);
    expect(expandGlob(path.join(dir, 'plain.csv'))).toEqual([path.join(dir, 'plain.csv')]);
  });
});

describe('the model section', () => {
  /** A folder with the data file and r.yaml; returns the folder. */
  function setup(csv: string, yaml: string): string {
    const dir = mkdtempSync(path.join(tmp, 'model-'));
    copyFileSync(path.join(ROOT, csv), path.join(dir, path.basename(csv)));
    writeFileSync(path.join(dir, 'r.yaml'), yaml);
    return dir;
  }
  async function both(dir: string, modelArgs: string[]) {
    const rep = await runInProcess(['report', '--config', 'r.yaml', '--out', 'out', '--reproducible'], { cwd: dir });
    expect(rep.stderr).toMatch(/\[\d\/\d\] model done/);
    expect(rep.code).toBe(0);
    const cmd = await runInProcess(['model', ...modelArgs, '--format', 'json'], { cwd: dir });
    expect(cmd.stderr).toBe('');
    expect(cmd.code).toBe(0);
    const results = JSON.parse(readFileSync(path.join(dir, 'out', 'results.json'), 'utf8'));
    return { results, model: JSON.parse(cmd.stdout), out: path.join(dir, 'out') };
  }

  // The numbers are checked against lme4/lmerTest in test/analysis/model*.test.ts; here the
  // report must give exactly what `alliance model` prints for the same data and options.
  it('results.json holds exactly the JSON `alliance model` prints (time, covariate, random slope)', async () => {
    const dir = setup(
      'fixtures/model/balanced.csv',
      'files: balanced.csv\nclient: client\nsession: session\nalliance: alliance\noutcome: outcome\nreport:\n  sections: [describe, model]\nmodel:\n  time: true\n  covariates: [age]\n  random-slope: true\n',
    );
    const { results, model, out } = await both(dir, [
      'balanced.csv',
      '--client',
      'client',
      '--session',
      'session',
      '--outcome',
      'outcome',
      '--alliance',
      'alliance',
      '--time',
      '--covariate',
      'age',
      '--random-slope',
    ]);
    expect(Object.keys(results.sections)).toEqual(['describe', 'model']);
    expect(model.fit).not.toBeNull();
    expect(model.fit.fixed.map((f: { term: string }) => f.term)).toEqual(['(Intercept)', 'alliance_within', 'alliance_between', 'session', 'age']);
    expect(results.sections.model).toEqual(model);
    // One CSV per table, at full precision (the same number as in the JSON).
    const names = readdirSync(out);
    for (const t of ['fixed', 'contextual', 'variance', 'fit']) expect(names).toContain(`model-${t}.csv`);
    expect(names).not.toContain('model-random_effects.csv');
    const within = model.fit.fixed.find((f: { term: string }) => f.term === 'alliance_within');
    expect(readFileSync(path.join(out, 'model-fixed.csv'), 'utf8')).toContain(String(within.estimate));
    // report.md and report.html carry the fixed effects, variance components, fit and notes.
    const md = readFileSync(path.join(out, 'report.md'), 'utf8');
    for (const h of [
      '### Fixed effects',
      '### Contextual effect',
      '### Random effects (variance components)',
      '### Model fit',
      '| df (Satterthwaite) |',
      '| converged | yes |',
      '| singular fit |',
      'fixed-effect df by Satterthwaite',
    ])
      expect(md).toContain(h);
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    for (const id of ['table-fixed', 'table-contextual', 'table-variance', 'table-fit']) expect(html).toContain(`id="${id}"`);
    expect(html).toContain('<section id="model">');
    expect((html.match(/<svg class="chart" data-chart="forest"/g) ?? []).length).toBe(1);
    expect(md).toContain('Kuznetsova');
  });

  it('the same for the therapist level, ML and the lagged form on the demo data, after the report filters', async () => {
    const dir = setup(
      'fixtures/demo.csv',
      'files: demo.csv\ntherapist: therapist_id\ngroups: [site]\nreport:\n  sections: [model]\n  filters: { column: site, values: [S1, S2] }\nmodel:\n  outcome: ors\n  group: therapist\n  ml: true\n  lag: true\n',
    );
    // The command sees the filtered rows (site S1 or S2) as its own input file.
    const lines = readFileSync(path.join(dir, 'demo.csv'), 'utf8').trimEnd().split('\n');
    const kept = [lines[0], ...lines.slice(1).filter((l) => /^[^,]*,[^,]*,S[12],/.test(l))];
    mkdirSync(path.join(dir, 'cmd'));
    writeFileSync(path.join(dir, 'cmd', 'demo.csv'), kept.join('\n') + '\n');
    const rep = await runInProcess(['report', '--config', 'r.yaml', '--out', 'out', '--reproducible'], { cwd: dir });
    expect(rep.code).toBe(0);
    const cmd = await runInProcess(
      ['model', 'demo.csv', '--therapist', 'therapist_id', '--outcome', 'ors', '--group', 'therapist', '--ml', '--lag', '--format', 'json'],
      { cwd: path.join(dir, 'cmd') },
    );
    expect(cmd.code).toBe(0);
    const model = JSON.parse(cmd.stdout);
    const got = JSON.parse(readFileSync(path.join(dir, 'out', 'results.json'), 'utf8')).sections.model;
    expect(model.fit.therapists).toBeGreaterThanOrEqual(5);
    expect(model.fit.aic).not.toBeNull();
    // The report fitted the filtered rows only, exactly as the command on those rows.
    expect(got.rows.read).toBe(kept.length - 1);
    expect(got.rows.read).toBeLessThan(lines.length - 1);
    expect(got).toEqual(model);
  });

  it('random effects (BLUPs) appear only with report.clientTables: true', async () => {
    const yaml = (client: boolean) =>
      `files: balanced.csv\nclient: client\nsession: session\nalliance: alliance\noutcome: outcome\nreport:\n  sections: [model]\n  clientTables: ${client}\n`;
    const without = setup('fixtures/model/balanced.csv', yaml(false));
    expect((await runInProcess(['report', '--config', 'r.yaml', '--out', 'out'], { cwd: without })).code).toBe(0);
    const a = JSON.parse(readFileSync(path.join(without, 'out', 'results.json'), 'utf8')).sections.model;
    expect(a.fit.random_effects).toBeNull();
    expect(readdirSync(path.join(without, 'out'))).not.toContain('model-random_effects.csv');
    for (const name of readdirSync(path.join(without, 'out'))) expect(readFileSync(path.join(without, 'out', name), 'utf8'), name).not.toMatch(/C0\d\d/);

    const withBlups = setup('fixtures/model/balanced.csv', yaml(true));
    const { results, model, out } = await both(withBlups, [
      'balanced.csv',
      '--client',
      'client',
      '--session',
      'session',
      '--outcome',
      'outcome',
      '--alliance',
      'alliance',
      '--random-effects',
    ]);
    const b = results.sections.model;
    expect(b.fit.random_effects.length).toBe(b.fit.clients);
    expect(b).toEqual(model);
    const csv = readFileSync(path.join(out, 'model-random_effects.csv'), 'utf8');
    expect(csv.split('\n')[1]).toMatch(/^client,C001,/);
    expect(readFileSync(path.join(out, 'report.md'), 'utf8')).toContain('Random effects per client');
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('id="table-random_effects"');
  });

  it('is not run unless listed (the default sections stay validate, describe, correlate, trend)', async () => {
    const dir = setup('fixtures/demo.csv', 'files: demo.csv\nmodel:\n  outcome: ors\n');
    const res = await runInProcess(['report', '--config', 'r.yaml', '--out', 'out'], { cwd: dir });
    expect(res.code).toBe(0);
    const json = JSON.parse(readFileSync(path.join(dir, 'out', 'results.json'), 'utf8'));
    expect(Object.keys(json.sections)).toEqual(['validate', 'describe', 'correlate', 'trend']);
  });
});

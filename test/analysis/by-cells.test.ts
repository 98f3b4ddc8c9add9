/**
 * Several grouping columns (`--by site,therapist`, `by: [site, therapist]`): nested cells,
 * each suppressed on its own, in trend, correlate and ruptures. The numbers of every cell are
 * checked against base R (test/reference/by-cells.R -> by-cells.json, which also writes the
 * fixture fixtures/by/cells.csv: therapists at two sites, clients moving site).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';
import { byColumns, byLabel, cellWords, normalizeBy } from '../../src/names.js';

interface RefCell {
  site: string;
  therapist: string;
  sessions: number;
  clients: number;
  alliance_mean: number;
  alliance_below_share: number;
  outcome_mean: number;
  completed: number;
  mean_change: number | null;
  mean_change_ci: [number, number] | null;
  reliably_improved: number;
  recovered: number;
  deteriorated: number;
  within: { r: number; df: number; p: number; n: number };
}
const REF = JSON.parse(readFileSync(new URL('../reference/by-cells.json', import.meta.url), 'utf8')) as { min_clients: number; cells: Record<string, RefCell> };
const FILE = 'fixtures/by/cells.csv';
const cells = Object.entries(REF.cells);
const shown = cells.filter(([, c]) => c.clients >= REF.min_clients);
const hidden = cells.filter(([, c]) => c.clients < REF.min_clients).map(([k]) => k);

async function json(args: string[]): Promise<any> {
  const r = await runInProcess([...args, '--format', 'json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

const close = (a: number, b: number, tol = 1e-9) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));

describe('the fixture has what the test needs', () => {
  it('a therapist at two sites, a suppressed cell, clients in more than one cell', () => {
    expect(cells.map(([k]) => k)).toContain('S1 / T1');
    expect(cells.map(([k]) => k)).toContain('S2 / T1');
    expect(hidden.length).toBeGreaterThan(0);
    const clients = cells.reduce((s, [, c]) => s + c.clients, 0);
    expect(clients).toBeGreaterThan(80); // movers count in both of their cells
  });
});

describe('trend --by site,therapist against R', () => {
  let groups: any;
  let by: unknown;
  beforeAll(async () => {
    const doc = await json(['trend', FILE, '--by', 'site,therapist']);
    groups = doc.groups;
    by = doc.options.by;
  });

  it('names both columns and lists each cell with its levels, ordered by site then therapist', () => {
    expect(by).toEqual(['site', 'therapist_id']);
    expect(groups.rows.map((r: any) => r.group)).toEqual(shown.map(([k]) => k));
    for (const [k, c] of shown) expect(groups.rows.find((r: any) => r.group === k).levels).toEqual([c.site, c.therapist]);
  });

  it('suppresses each cell with fewer than --min-clients clients, and only those', () => {
    expect(groups.suppressed).toEqual(hidden);
    expect(groups.min_clients).toBe(REF.min_clients);
  });

  it("each cell's sessions, clients, alliance, outcome and change match R", () => {
    for (const [k, c] of shown) {
      const r = groups.rows.find((x: any) => x.group === k);
      expect(r.sessions, k).toBe(c.sessions);
      expect(r.clients, k).toBe(c.clients);
      close(r.alliance_mean, c.alliance_mean);
      close(r.alliance_below_share, c.alliance_below_share);
      close(r.outcome_mean, c.outcome_mean);
      expect(r.completed, k).toBe(c.completed);
      close(r.mean_change, c.mean_change!);
      close(r.mean_change_ci[0], c.mean_change_ci![0]);
      close(r.mean_change_ci[1], c.mean_change_ci![1]);
      expect(r.reliably_improved.x, k).toBe(c.reliably_improved);
      expect(r.recovered.x, k).toBe(c.recovered);
      expect(r.deteriorated.x, k).toBe(c.deteriorated);
    }
  });

  it('the order of the columns is the order of nesting', async () => {
    const doc = await json(['trend', FILE, '--by', 'therapist,site']);
    const swapped = doc.groups;
    expect(doc.options.by).toEqual(['therapist_id', 'site']);
    const names = swapped.rows.map((r: any) => r.group);
    expect(names[0]).toBe('T1 / S1');
    expect(names).toEqual([...names].sort());
  });

  it('one column keeps the single-column shape: by is a string and rows have no levels', async () => {
    const doc = await json(['trend', FILE, '--by', 'site']);
    const one = doc.groups;
    expect(doc.options.by).toBe('site');
    expect(one.rows.every((r: any) => !('levels' in r))).toBe(true);
  });
});

describe('correlate --by site,therapist against R', () => {
  let out: any;
  beforeAll(async () => {
    out = await json(['correlate', FILE, '--by', 'site,therapist', '--analyses', 'within']);
  });

  it("each cell's within-client r, df and p match R's lm(ors ~ client + srs)", () => {
    for (const [k, c] of shown) {
      const r = out.results.find((x: any) => x.group === k && x.analysis === 'within');
      expect(r, k).toBeDefined();
      close(r.r, c.within.r);
      close(r.p, c.within.p);
      expect(r.df, k).toBe(c.within.df);
      expect(r.n, k).toBe(c.within.n);
    }
  });

  it('suppressed cells carry their levels and give no results', () => {
    // As every command gives it: the header names (docs/report.md, "`by` in JSON").
    expect(out.options.by).toEqual(['site', 'therapist_id']);
    expect(out.suppressed.map((s: any) => s.group)).toEqual(hidden);
    for (const s of out.suppressed) expect(s.levels).toEqual([REF.cells[s.group].site, REF.cells[s.group].therapist]);
    expect(out.results.some((r: any) => hidden.includes(r.group))).toBe(false);
    expect(out.groups.map((g: any) => g.group)).toEqual(cells.map(([k]) => k));
  });

  it('the terminal table names both columns in its group header', async () => {
    const r = await runInProcess(['correlate', FILE, '--by', 'site,therapist', '--analyses', 'within']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('site / therapist');
    expect(r.stdout).toContain('S2 / T1');
    expect(r.stdout).toMatch(/suppressed: site \/ therapist_id = S2 \/ T3 \(2 clients/);
  });
});

describe('ruptures --by site,therapist', () => {
  it('one row per cell with its levels (a client counts in the cell of their first session); small cells suppressed', async () => {
    const doc = await json(['ruptures', FILE, '--by', 'site,therapist', '--rupture-drop', '3']);
    const g = doc.groups;
    expect(doc.options.by).toEqual(['site', 'therapist_id']);
    for (const r of g.rows) {
      expect(r.levels).toEqual(r.group.split(' / '));
      expect(r.clients).toBeGreaterThanOrEqual(REF.min_clients);
    }
    // S2 / T1 holds 3 clients of its own (its other 2 come from S1 late in their course).
    expect(g.suppressed).toEqual(['S2 / T1']);
    const all = [...g.rows.map((r: any) => r.group), ...g.suppressed];
    for (const k of all) expect(REF.cells[k], k).toBeDefined();
  });
});

describe('several grouping columns: errors and the report config', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'by-cells-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an unknown column in the list is named, exit 2, no stack trace', async () => {
    const r = await runInProcess(['trend', FILE, '--by', 'site,nosuch']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/column 'nosuch' \(from --by\) is not in the header/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('by: [site, therapist] and by: site in a report config: the same cells as the command line', async () => {
    const cfg = path.join(dir, 'r.yaml');
    writeFileSync(
      cfg,
      [
        `files: [${path.resolve(FILE)}]`,
        'groups: [site]',
        'report:',
        '  sections: [correlate, trend, ruptures]',
        '  formats: [json, md, html]',
        'correlate:',
        '  analyses: [within]',
        '  by: [site, therapist]',
        'trend:',
        '  by: [site, therapist]',
        'ruptures:',
        '  ruptureDrop: 3',
        '  by: site',
        '',
      ].join('\n'),
    );
    const out = path.join(dir, 'out');
    const r = await runInProcess(['report', '--config', cfg, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    const trend = results.sections.trend ?? results.trend;
    const cli = (await json(['trend', FILE, '--by', 'site,therapist'])).groups;
    expect(trend.groups).toEqual(cli);
    const ruptures = results.sections.ruptures ?? results.ruptures;
    expect(ruptures.options.by).toBe('site');
    // Charts name each cell in words, one column after the other, by the header names in
    // every section (trend's bars and correlate's forest plot alike).
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).toContain('>site S1, therapist_id T1: ');
    expect(html).toContain('<title>  site S1, therapist_id T1: ');
    expect(html).not.toMatch(/site \/ therapist(_id)? S\d \/ T/);
    const md = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(md).toContain('By site / therapist_id');
    for (const k of hidden) expect(md).not.toMatch(new RegExp(`\\| ${k.replace('/', '\\/')} +\\|`));
  });
});

describe('the names of a by', () => {
  it('one column stays a string; several are a list; empty is none', () => {
    expect(normalizeBy(['site'])).toBe('site');
    expect(normalizeBy(['site', 'therapist'])).toEqual(['site', 'therapist']);
    expect(normalizeBy([])).toBeUndefined();
    expect(byColumns('site')).toEqual(['site']);
    expect(byColumns(null)).toEqual([]);
    expect(byLabel(['site', 'therapist'])).toBe('site / therapist');
  });

  it('cellWords: one column as before, several as column-value pairs', () => {
    expect(cellWords('therapist', 'T01')).toBe('therapist T01');
    expect(cellWords(['site', 'therapist'], 'S1 / T02')).toBe('site S1, therapist T02');
    // A value holding the separator cannot be split back: the label as it is.
    expect(cellWords(['site', 'therapist'], 'S1 / a / b')).toBe('site / therapist S1 / a / b');
  });
});

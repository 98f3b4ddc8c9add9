/**
 * Therapist feedback pages (report.perTherapist: true): one page per therapist in HTML and
 * Markdown, their figures beside the clinic's, never another therapist's; suppression; the
 * pseudonym of an identifier-like id; links from the report; the manifest. The figures are
 * checked against base R (test/reference/therapist-pages.R -> therapist-pages.json, which
 * also writes fixtures/therapists/clinic.csv).
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toFixedR } from '../../src/report/number.js';
import { pageNames, pagesMarkdown } from '../../src/report/batch/therapists.js';
import { runInProcess } from '../helpers/cli.js';
import { validateJsonDocument } from '../helpers/schemas.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
interface Prop {
  x: number;
  n: number;
  share: number;
  ci: [number, number];
}
interface Figures {
  sessions: number;
  clients: number;
  alliance_mean: number;
  alliance_below_share: number;
  outcome_mean: number;
  completed: number;
  mean_change: number;
  mean_change_ci: [number, number];
  reliably_improved: Prop;
  recovered: Prop;
  deteriorated: Prop;
}
const REF = JSON.parse(readFileSync(new URL('../reference/therapist-pages.json', import.meta.url), 'utf8')) as {
  min_clients: number;
  clinic: Figures;
  therapists: Record<string, Figures>;
};

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'alliance-therapist-pages-'));
  copyFileSync(path.join(ROOT, 'fixtures/therapists/clinic.csv'), path.join(tmp, 'clinic.csv'));
  copyFileSync(path.join(ROOT, 'fixtures/demo.csv'), path.join(tmp, 'demo.csv'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function report(name: string, yaml: string, code = 0): Promise<{ out: string; stderr: string }> {
  writeFileSync(path.join(tmp, `${name}.yaml`), yaml);
  const out = path.join(tmp, name);
  const r = await runInProcess(['report', '--config', `${name}.yaml`, '--out', out, '--reproducible'], { cwd: tmp });
  expect(r.code, r.stderr).toBe(code);
  return { out, stderr: r.stderr };
}

/** The feedback table of a Markdown page: figure -> [you, you CI, clinic, clinic CI]. */
function mdTable(md: string): Map<string, string[]> {
  const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| figure') && !l.startsWith('| :') && !/^\|[ :|-]+\|$/.test(l));
  return new Map(
    rows
      .map((l) =>
        l
          .split('|')
          .slice(1, -1)
          .map((c) => c.trim()),
      )
      .map((c) => [c[0], c.slice(1)]),
  );
}

const pct = (x: number) => `${toFixedR(100 * x, 1)}%`;
const pctCi = (ci: [number, number]) => `[${pct(ci[0])}, ${pct(ci[1])}]`;
/** A page's figures as R computed them, formatted as the page formats them. */
function expected(f: Figures): Record<string, string[]> {
  return {
    'clients seen': [String(f.clients), ''],
    sessions: [String(f.sessions), ''],
    'clients with a change in Outcome (ORS)': [String(f.completed), ''],
    'mean change in Outcome (ORS), points (last - first)': [
      toFixedR(f.mean_change, 2),
      `[${toFixedR(f.mean_change_ci[0], 2)}, ${toFixedR(f.mean_change_ci[1], 2)}]`,
    ],
    'reliably improved (incl. recovered)': [pct(f.reliably_improved.share), pctCi(f.reliably_improved.ci)],
    recovered: [pct(f.recovered.share), pctCi(f.recovered.ci)],
    'reliably deteriorated (incl. harmed)': [pct(f.deteriorated.share), pctCi(f.deteriorated.ci)],
    'mean Alliance (SRS)': [toFixedR(f.alliance_mean, 2), ''],
    'rated sessions with an alliance alert (below 36)': [pct(f.alliance_below_share), ''],
    'mean Outcome (ORS)': [toFixedR(f.outcome_mean, 2), ''],
  };
}

const CLINIC_YAML = [
  'files: [clinic.csv]',
  'therapist: therapist',
  'report:',
  '  sections: [trend]',
  '  perTherapist: true',
  '  formats: [html, md, json]',
  '',
].join('\n');

describe('therapist pages of fixtures/therapists/clinic.csv against R', () => {
  let out: string;
  beforeAll(async () => {
    out = (await report('clinic', CLINIC_YAML)).out;
  });
  const shown = Object.entries(REF.therapists).filter(([, f]) => f.clients >= REF.min_clients);

  it('one page per therapist in HTML and Markdown; the person-like id is a pseudonym everywhere', () => {
    const files = readdirSync(path.join(out, 'therapists')).sort();
    expect(files).toEqual(['T01', 'T02', 'T03', 'T04', 'T05', 'T07', 'therapist-1'].flatMap((n) => [`${n}.html`, `${n}.md`]));
    for (const f of [...files.map((x) => `therapists/${x}`), 'report.html', 'report.md', 'results.json', 'manifest.json']) {
      expect(readFileSync(path.join(out, f), 'utf8'), f).not.toContain('Anna');
    }
  });

  it("each shown page's figures and the clinic's match R", () => {
    expect(shown.length).toBe(6);
    for (const [t, f] of shown) {
      const name = t === 'Anna Berg' ? 'therapist-1' : t;
      const table = mdTable(readFileSync(path.join(out, 'therapists', `${name}.md`), 'utf8'));
      const you = expected(f);
      const clinic = expected(REF.clinic);
      expect([...table.keys()], t).toEqual(Object.keys(you));
      for (const [label, cells] of table) expect(cells, `${t}: ${label}`).toEqual([...you[label], ...clinic[label]]);
    }
  });

  it('a therapist with too few clients gets a page without figures', () => {
    expect(REF.therapists.T07.clients).toBeLessThan(REF.min_clients);
    for (const ext of ['md', 'html']) {
      const page = readFileSync(path.join(out, 'therapists', `T07.${ext}`), 'utf8')
        .split('<main>')
        .at(-1)!;
      expect(page).toContain(`Fewer than ${REF.min_clients} of your clients`);
      expect(page).not.toMatch(/\d%|<table|\| figure/);
      expect(page).not.toContain(String(REF.clinic.clients));
    }
  });

  it('the report links every page and the manifest lists them', () => {
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    const md = readFileSync(path.join(out, 'report.md'), 'utf8');
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    for (const n of ['T01', 'T02', 'T03', 'T04', 'T05', 'T07', 'therapist-1']) {
      expect(html).toContain(`href="therapists/${n}.html"`);
      expect(md).toContain(`(therapists/${n}.md)`);
      expect(manifest.outputs).toContain(`therapists/${n}.html`);
      expect(manifest.outputs).toContain(`therapists/${n}.md`);
    }
    expect(md).toMatch(/\[T07\]\(therapists\/T07\.md\) \(fewer than 5 clients: no figures\)/);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    expect(validateJsonDocument('report', results)).toEqual([]);
    expect(results.therapist_pages.min_clients).toBe(5);
    expect(results.therapist_pages.pages).toContainEqual({
      therapist: '[therapist 1]',
      html: 'therapists/therapist-1.html',
      md: 'therapists/therapist-1.md',
      shown: true,
    });
  });
});

describe('a page never holds another therapist', () => {
  it('demo: no other therapist id on any page; the figures are the own row and the clinic', async () => {
    const yaml = ['files: [demo.csv]', 'groups: [site]', 'report:', '  sections: [trend]', '  perTherapist: true', '  formats: [md, html]', ''].join('\n');
    const { out } = await report('demo', yaml);
    const cli = await runInProcess(['trend', 'demo.csv', '--by', 'therapist', '--format', 'json'], { cwd: tmp });
    const groups = JSON.parse(cli.stdout).groups;
    const ids: string[] = groups.rows.map((r: any) => r.group);
    expect(ids.length).toBe(8);
    for (const id of ids) {
      for (const ext of ['md', 'html']) {
        const page = readFileSync(path.join(out, 'therapists', `${id}.${ext}`), 'utf8');
        expect(page).toContain(id);
        for (const other of ids.filter((x) => x !== id)) expect(page, `${id}.${ext} names ${other}`).not.toContain(other);
      }
      const row = groups.rows.find((r: any) => r.group === id);
      const table = mdTable(readFileSync(path.join(out, 'therapists', `${id}.md`), 'utf8'));
      expect(table.get('clients seen')![0]).toBe(String(row.clients));
      expect(table.get('sessions')![0]).toBe(String(row.sessions));
      expect(table.get('reliably improved (incl. recovered)')![0]).toBe(pct(row.reliably_improved.share));
    }
  });

  it('with fewer than three therapists the clinic column is left out', async () => {
    const yaml = [
      'files: [demo.csv]',
      'report:',
      '  sections: [trend]',
      '  perTherapist: true',
      '  formats: [md]',
      '  filters: { column: therapist_id, values: [T01, T02] }',
      '',
    ].join('\n');
    const { out } = await report('two', yaml);
    const md = readFileSync(path.join(out, 'therapists', 'T01.md'), 'utf8');
    expect(md).toContain('| figure | your clients | 95% CI |');
    expect(md).not.toMatch(/\| clinic \|/);
    expect(md).toContain('The clinic column is left out');
  });
});

describe('report.perTherapist: off by default, checked', () => {
  it('no pages without it', async () => {
    const { out } = await report('off', CLINIC_YAML.replace('  perTherapist: true\n', ''));
    expect(existsSync(path.join(out, 'therapists'))).toBe(false);
    expect(readFileSync(path.join(out, 'report.md'), 'utf8')).not.toContain('Therapist feedback');
  });

  it('a value other than true or false names the key and its line', async () => {
    const { stderr } = await report('bad', CLINIC_YAML.replace('perTherapist: true', 'perTherapist: yes please'), 2);
    expect(stderr).toMatch(/bad\.yaml:5:.*'report\.perTherapist' must be true or false/);
  });

  it('without a therapist column: one line naming the key', async () => {
    const csv = readFileSync(path.join(tmp, 'clinic.csv'), 'utf8').replace(/^client_id,therapist,/, 'client_id,clinician_code,');
    writeFileSync(path.join(tmp, 'nother.csv'), csv);
    const yaml = ['files: [nother.csv]', 'report:', '  sections: [trend]', '  perTherapist: true', ''].join('\n');
    const { stderr } = await report('nother', yaml, 2);
    expect(stderr).toMatch(/nother\.yaml:4:.*report\.perTherapist needs a therapist column/);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('hostile therapist ids', () => {
  it('markup in an id is escaped on the pages and never reaches a file name', async () => {
    const lines = readFileSync(path.join(tmp, 'clinic.csv'), 'utf8').split('\n');
    const hostile = lines.map((l) => l.replace(/,T03,/, ',<img src=x onerror=alert(1)>,').replace(/,T05,/, ',../../etc,'));
    writeFileSync(path.join(tmp, 'hostile.csv'), hostile.join('\n'));
    const { out } = await report('hostile', CLINIC_YAML.replace('clinic.csv', 'hostile.csv'));
    const files = readdirSync(path.join(out, 'therapists'));
    for (const f of files) {
      expect(f).toMatch(/^[A-Za-z0-9_-]+\.(html|md)$/);
      const page = readFileSync(path.join(out, 'therapists', f), 'utf8');
      // HTML escapes it (&lt;img); Markdown escapes the bracket (\\<img), so no tag is left.
      expect(page, f).not.toMatch(/(^|[^\\])<img/);
    }
    expect(files).toContain('etc.html');
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).not.toContain('<img');
    expect(readdirSync(out).sort()).toEqual(['manifest.json', 'report.html', 'report.md', 'results.json', 'therapists']);
  });
});

describe('pageNames', () => {
  it('keeps safe ids, replaces the rest, and makes names unique ignoring case', () => {
    expect(pageNames(['T01', '[therapist 1]', 'a/b', 'A-b', '../x', ''])).toEqual(['T01', 'therapist-1', 'a-b', 'A-b-2', 'x', 'therapist']);
  });

  it("report.md's link to a page escapes the id once: brackets and backslashes from the data", () => {
    const pages = [
      { therapist: 'T[1]', name: 'T-1', shown: true },
      { therapist: 'a\\|b', name: 'a-b', shown: true },
    ];
    const md = pagesMarkdown({ pages, files: new Map([['therapists/T-1.md', '']]), minClients: 5 });
    expect(md).toContain('- [T\\[1\\]](therapists/T-1.md)');
    // one backslash in the id: doubled once (CommonMark shows "a\|b"), not twice
    expect(md).toContain('- [a\\\\|b](therapists/a-b.md)');
  });

  it('keeps a name short enough for any file system however long the id (255 bytes with .html)', () => {
    const long = 'T'.repeat(300);
    const names = pageNames([long, `${long}x`, `${'-'.repeat(70)}${'y'.repeat(200)}`]);
    for (const n of names) expect(Buffer.byteLength(`${n}.html`), n).toBeLessThanOrEqual(255);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(3);
    expect(names[0].startsWith('TTTT')).toBe(true);
  });
});

/**
 * report.html in a real browser: headless Chromium (Debian package `chromium`) loads the
 * demo report; the test checks there are no console errors, no exceptions, no network
 * requests beyond the file itself, and that every chart is present, named, described,
 * has its data marks, and keeps its labels inside its drawing area.
 *
 * Runs with `npm run test:browser` (vitest.browser.config.ts), not with `npm test`, which
 * checks the same HTML structurally without a browser (test/report/html-structure.test.ts).
 * Chromium is required: when it is missing this test FAILS (it does not skip); .ci/run
 * installs it (apt-get install chromium). Set CHROMIUM=/path to use another binary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runInProcess } from '../helpers/cli.js';
import { demoConfigWithModel } from '../helpers/demo-config.js';
import { CHROMIUM, inspectPage } from './chromium.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'alliance-browser-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** Run in the page: one entry per chart. */
const CHART_PROBE = `(() => [...document.querySelectorAll('svg.chart')].map((svg) => {
  const box = svg.getBoundingClientRect();
  const outside = [];
  for (const t of svg.querySelectorAll('text')) {
    // Screen boxes include transforms (rotated axis labels), so compare them with the svg's.
    const b = t.getBoundingClientRect();
    if (b.width === 0) continue;
    if (b.left < box.left - 1 || b.top < box.top - 1 || b.right > box.right + 1 || b.bottom > box.bottom + 1) outside.push(t.textContent);
  }
  const labelled = (svg.getAttribute('aria-labelledby') || '').split(' ').every((id) => document.getElementById(id));
  return {
    id: svg.id,
    kind: svg.dataset.chart,
    title: svg.querySelector(':scope > title')?.textContent || '',
    desc: svg.querySelector(':scope > desc')?.textContent || '',
    labelled,
    marks: svg.querySelectorAll('.mark').length,
    width: box.width,
    height: box.height,
    axisTexts: svg.querySelectorAll('text').length,
    outside,
  };
}))()`;

describe('report.html in headless Chromium', () => {
  it('chromium is installed (required; CI installs the Debian package chromium)', () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} not found: install it (apt-get install chromium) or set CHROMIUM`).toBe(true);
  });

  it('the console-error probe itself detects errors, exceptions and requests', async () => {
    const page = path.join(tmp, 'broken.html');
    writeFileSync(
      page,
      '<!DOCTYPE html><html><head><title>x</title></head><body><img src="http://127.0.0.1:9/x.png"><script>console.error("boom"); setTimeout(() => { throw new Error("late"); }, 0);</script></body></html>',
    );
    const r = await inspectPage(pathToFileURL(page).href, '1 + 1');
    expect(r.consoleErrors.join(' ')).toContain('boom');
    expect(r.exceptions.join(' ')).toContain('late');
    expect(r.requests.some((u) => u.startsWith('http://127.0.0.1:9/'))).toBe(true);
    expect(r.value).toBe(2);
  });

  type ChartInfo = {
    id: string;
    kind: string;
    title: string;
    desc: string;
    labelled: boolean;
    marks: number;
    width: number;
    height: number;
    axisTexts: number;
    outside: string[];
  };

  /** Runs the report, loads report.html, checks the page and every chart; returns the charts. */
  async function checkReport(config: string, out: string): Promise<{ charts: ChartInfo[]; expected: number }> {
    const res = await runInProcess(['report', '--config', config, '--out', out, '--reproducible']);
    expect(res.code).toBe(0);
    const file = path.join(out, 'report.html');
    const expected = (readFileSync(file, 'utf8').match(/<svg class="chart"/g) ?? []).length;
    const url = pathToFileURL(file).href;
    const r = await inspectPage(url, CHART_PROBE);
    expect(r.consoleErrors).toEqual([]);
    expect(r.exceptions).toEqual([]);
    expect(r.logErrors).toEqual([]);
    expect(r.requests.filter((u) => u !== url)).toEqual([]);
    const charts = r.value as ChartInfo[];
    expect(charts).toHaveLength(expected);
    for (const c of charts) {
      expect(c.title, c.id).not.toBe('');
      expect(c.desc, c.id).not.toBe('');
      expect(c.labelled, c.id).toBe(true);
      expect(c.marks, `${c.id} (${c.title}) has no data marks`).toBeGreaterThan(0);
      expect(c.width, c.id).toBeGreaterThan(300);
      expect(c.height, c.id).toBeGreaterThan(100);
      expect(c.axisTexts, c.id).toBeGreaterThan(5);
      expect(c.outside, `${c.id} (${c.title}): labels drawn outside the chart`).toEqual([]);
    }
    // n is stated in every chart's title or description.
    for (const c of charts) expect(`${c.title} ${c.desc}`, c.id).toMatch(/\d+ clients|n =|n is|with at least/);
    return { charts, expected };
  }

  it('renders every chart with its marks, and no console errors or network requests', async () => {
    const { charts, expected } = await checkReport(path.join(ROOT, 'fixtures/report.yaml'), path.join(tmp, 'report'));
    // The demo: 2 pairs x (by level + by therapist) forest plots, 3 period line charts,
    // change categories, improved and recovered by site, alerts.
    expect(expected).toBe(11);
    const kinds = charts.map((c) => c.kind);
    expect(kinds.filter((k) => k === 'forest')).toHaveLength(4);
    expect(kinds.filter((k) => k === 'line')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'bar')).toHaveLength(4);
  });

  it('with the model section: the demo charts plus the coefficient plot, all drawn cleanly', async () => {
    // The demo config as its comments say: model added to the sections and the commented
    // model section uncommented (ors on srs, time, therapist level).
    const dir = mkdtempSync(path.join(tmp, 'model-'));
    demoConfigWithModel(dir);
    const { charts, expected } = await checkReport(path.join(dir, 'r.yaml'), path.join(dir, 'out'));
    expect(expected).toBe(12);
    const model = charts.at(-1)!;
    expect(model.kind).toBe('forest');
    expect(model.title).toMatch(/^Mixed model of ors: coefficients \(\d+ clients/);
    // srs_within, srs_between, session and the contextual effect.
    expect(model.marks).toBe(4);
  });

  it('with the ruptures section: the demo charts plus class shares and change by class, drawn cleanly', async () => {
    const dir = mkdtempSync(path.join(tmp, 'ruptures-'));
    copyFileSync(path.join(ROOT, 'fixtures/demo.csv'), path.join(dir, 'demo.csv'));
    const demo = readFileSync(path.join(ROOT, 'fixtures/report.yaml'), 'utf8');
    const m = /\n# ruptures:\n((?:#.*\n)+)/.exec(demo);
    expect(m, 'fixtures/report.yaml has a commented ruptures example').not.toBeNull();
    const yaml =
      demo.replace('sections: [validate, describe, correlate, trend]', 'sections: [validate, describe, correlate, trend, ruptures]') +
      '\nruptures:\n' +
      m![1].replace(/^# {3}/gm, '  ');
    writeFileSync(path.join(dir, 'r.yaml'), yaml);
    const { charts, expected } = await checkReport(path.join(dir, 'r.yaml'), path.join(dir, 'out'));
    expect(expected).toBe(13);
    const [classes, change] = charts.slice(-2);
    expect(classes.kind).toBe('bar');
    expect(classes.title).toMatch(/^Rupture classes of \d+ clients/);
    expect(classes.marks).toBe(4); // none, repaired, unrepaired, unresolved
    expect(change.kind).toBe('forest');
    expect(change.title).toMatch(/^Mean change in ors by rupture class/);
    expect(change.marks).toBe(4);
  });

  it('a therapist feedback page: linked from the report, self-contained, only its own therapist', async () => {
    const dir = mkdtempSync(path.join(tmp, 'therapists-'));
    copyFileSync(path.join(ROOT, 'fixtures/therapists/clinic.csv'), path.join(dir, 'clinic.csv'));
    writeFileSync(
      path.join(dir, 'r.yaml'),
      ['files: [clinic.csv]', 'therapist: therapist', 'report:', '  sections: [trend]', '  perTherapist: true', '  formats: [html]', ''].join('\n'),
    );
    const out = path.join(dir, 'out');
    const res = await runInProcess(['report', '--config', path.join(dir, 'r.yaml'), '--out', out, '--reproducible']);
    expect(res.code, res.stderr).toBe(0);
    const report = await inspectPage(pathToFileURL(path.join(out, 'report.html')).href, `[...document.querySelectorAll('#therapists a')].map((a) => a.href)`);
    const links = report.value as string[];
    expect(links).toHaveLength(7);
    const t01 = links.find((h) => h.endsWith('/therapists/T01.html'))!;
    expect(t01).toBeDefined();
    const PROBE = `(() => ({
      text: document.body.innerText,
      headers: [...document.querySelectorAll('th')].map((t) => t.textContent),
      cards: document.querySelectorAll('.card').length,
      back: document.querySelector('a[href="../report.html"]') !== null,
      wide: document.documentElement.scrollWidth > window.innerWidth,
    }))()`;
    const page = await inspectPage(t01, PROBE);
    expect(page.consoleErrors).toEqual([]);
    expect(page.exceptions).toEqual([]);
    expect(page.requests.filter((u) => u !== t01)).toEqual([]);
    const v = page.value as { text: string; headers: string[]; cards: number; back: boolean; wide: boolean };
    expect(v.headers).toEqual(['figure', 'your clients', '95% CI', 'clinic', '95% CI']);
    expect(v.cards).toBe(4);
    expect(v.back).toBe(true);
    expect(v.wide).toBe(false);
    expect(v.text).toContain('T01');
    for (const other of ['T02', 'T03', 'T04', 'T05', 'T07', 'therapist 1', 'Anna']) expect(v.text).not.toContain(other);
  });

  /** Run in the page: axis labels, clipped text, warning lines and the page's words. */
  const CLINIC_PROBE = `(() => {
    const out = { clipped: [], overlaps: [], labels: [], untitled: 0, hollow: 0, warningLines: 0, details: [], text: document.body.textContent };
    for (const svg of document.querySelectorAll('svg.chart')) {
      for (const t of svg.querySelectorAll('text')) if (t.textContent.includes('\\u2026')) out.clipped.push(t.textContent);
      const xs = [...svg.querySelectorAll('.xaxis text.xlabel')].map((t) => { const b = t.getBoundingClientRect(); return { text: t.textContent, left: b.left, right: b.right, width: b.width }; });
      for (const x of xs) out.labels.push(x);
      for (let i = 1; i < xs.length; i++) if (xs[i].left < xs[i - 1].right + 2) out.overlaps.push(xs[i - 1].text + ' | ' + xs[i].text);
      for (const g of svg.querySelectorAll('.xaxis > g')) if (!g.querySelector(':scope > title')) out.untitled++;
      out.hollow += svg.querySelectorAll('.small').length;
    }
    out.warningLines = document.querySelectorAll('.warnings .warning').length;
    out.details = [...document.querySelectorAll('details.warning')].map((d) => ({ summary: d.querySelector('summary').textContent, items: d.querySelectorAll('li').length }));
    return out;
  })()`;

  it('a realistic clinic export (2 sites, 18 therapists, 24 months): legible month axes, collapsed warnings, one vocabulary', async () => {
    const out = path.join(tmp, 'clinic');
    await checkReport(path.join(ROOT, 'fixtures/clinic/clinic.yaml'), out);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    const months = results.sections.trend.periods.rows.map((r: { period: string }) => r.period);
    expect(months).toHaveLength(24);
    const r = await inspectPage(pathToFileURL(path.join(out, 'report.html')).href, CLINIC_PROBE);
    const p = r.value as {
      clipped: string[];
      overlaps: string[];
      labels: { text: string; width: number }[];
      untitled: number;
      hollow: number;
      warningLines: number;
      details: { summary: string; items: number }[];
      text: string;
    };
    // Three month charts; every label a short month ("Jan 23"), drawn, none cut, none overlapping.
    expect(p.labels.length).toBeGreaterThanOrEqual(3 * 12);
    for (const l of p.labels) {
      expect(l.text).toMatch(/^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) 2[34]$/);
      expect(l.width).toBeGreaterThan(10);
    }
    expect(p.clipped).toEqual([]);
    expect(p.overlaps).toEqual([]);
    expect(p.untitled).toBe(0);
    // The Simpson's paradoxes of the therapists: one line per pair with a details list, not one per therapist.
    const simpson = results.sections.correlate.warnings.filter((w: { code: string; group: string | null }) => w.code === 'simpson' && w.group !== null);
    expect(simpson.length).toBeGreaterThan(10);
    expect(p.details.length).toBe(2);
    expect(p.details.reduce((a, d) => a + d.items, 0)).toBe(simpson.length);
    for (const d of p.details) expect(d.summary).toMatch(/^warning: Simpson's paradox: .* in \d+ groups of therapist_id: T\d\d(, T\d\d)*\.$/);
    expect(p.warningLines).toBeLessThan(simpson.length);
    // One vocabulary: "improved" and "deteriorated" are always "reliably ..." (recovered and harmed included or said).
    expect(p.text.match(/(?<![Rr]eliably )\bimproved\b/g)).toBeNull();
    expect(p.text.match(/(?<![Rr]eliably )\bdeteriorated\b/g)).toBeNull();
    expect(p.text).toContain('reliably improved (incl. recovered)');
    // Shares with their intervals in percent.
    expect(p.text).toMatch(/\d+\.\d%\[\d+\.\d%, \d+\.\d%\]/);
  });

  it('the demo: a quarter with fewer clients than the threshold is a hollow point in each period chart', async () => {
    const out = path.join(tmp, 'demo-small');
    await runInProcess(['report', '--config', path.join(ROOT, 'fixtures/report.yaml'), '--out', out, '--reproducible']);
    const r = await inspectPage(pathToFileURL(path.join(out, 'report.html')).href, CLINIC_PROBE);
    const p = r.value as { hollow: number; clipped: string[]; overlaps: string[] };
    // 2025-Q2 has 4 clients (minClients 5): hollow in the three period charts.
    expect(p.hollow).toBe(3);
    expect(p.clipped).toEqual([]);
    expect(p.overlaps).toEqual([]);
  });
});

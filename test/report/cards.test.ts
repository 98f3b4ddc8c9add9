/**
 * The report's cards in plain language (issue 13): measures by name (config `labels`, else
 * role and instrument), one sentence with the statistic, what is good, "no data" for an
 * empty export; and the period axes: short labels, thinned, never cut, small periods marked.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runInProcess } from '../helpers/cli.js';
import { parseConfig } from '../../src/config/load.js';
import type { UserError } from '../../src/errors.js';
import { measureNames } from '../../src/report/labels.js';
import { shortPeriod } from '../../src/report/html/charts.js';
import { labelEvery, lineChart } from '../../src/report/html/svg.js';

function cards(html: string): { label: string; value: string; good: string; detail: string }[] {
  return [
    ...html.matchAll(
      /<div class="card"><div class="label">(.*?)<\/div><div class="value[^"]*">(.*?)<\/div>(?:<div class="good">(.*?)<\/div>)?(?:<div class="detail">(.*?)<\/div>)?<\/div>/g,
    ),
  ].map((m) => ({
    label: m[1],
    value: m[2],
    good: m[3] ?? '',
    detail: m[4] ?? '',
  }));
}

async function report(dir: string, yaml: string): Promise<{ html: string; results: any }> {
  writeFileSync(path.join(dir, 'r.yaml'), yaml);
  const out = path.join(dir, 'out');
  const r = await runInProcess(['report', '--config', path.join(dir, 'r.yaml'), '--out', out, '--force', '--reproducible']);
  expect(r.code, r.stderr).toBe(0);
  return { html: readFileSync(path.join(out, 'report.html'), 'utf8'), results: JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) };
}

describe('summary cards', () => {
  it('name measures by the config labels and say in one sentence what the within-client r means', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alliance-cards-'));
    copyFileSync('fixtures/demo.csv', path.join(dir, 'demo.csv'));
    const { html, results } = await report(
      dir,
      'files: [demo.csv]\noutcome: [ors]\nlabels:\n  srs: "Alliance (SRS, client-rated)"\nreport:\n  sections: [describe, correlate, trend]\n',
    );
    const within = results.sections.correlate.results.find((r: any) => r.group === null && r.analysis === 'within');
    // The demo's within-client r: positive, its CI above 0, favourable for the ORS (higher is better).
    expect(within.ci[0]).toBeGreaterThan(0);
    expect(within.favourable).toBe(true);
    const c = cards(html).find((x) => x.label.startsWith('Alliance (SRS, client-rated) and Outcome (ORS)'))!;
    expect(c.value).toBe(`r = ${within.r.toFixed(2)}`);
    expect(c.good).toBe('positive = better outcome with better alliance');
    expect(c.detail).toContain('Clients who rated the alliance higher than usual in a session scored better on Outcome (ORS) at that session');
    expect(c.detail).toContain(`${within.clients} clients`);
    const trend = results.sections.trend.summary;
    const ri = cards(html).find((x) => x.label === 'reliably improved (incl. recovered)')!;
    expect(ri.value).toBe(`${(trend.overall.reliably_improved.share * 100).toFixed(1)}%`);
    expect(ri.good).toBe('higher is better');
    expect(ri.detail).toBe(
      `${trend.overall.reliably_improved.x} of ${trend.overall.reliably_improved.n} clients reliably improved on Outcome (ORS) from their first to their last score.`,
    );
    const alerts = cards(html).find((x) => x.label === 'clients with an alliance alert')!;
    expect(alerts.value).toBe(String(trend.alliance_alerts.clients_below_cutoff));
    expect(alerts.good).toBe('fewer is better');
    // No raw "srs x ors" label on a card.
    expect(cards(html).some((x) => / x /.test(x.label))).toBe(false);
  });

  it('an empty export shows "no data", not 0', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alliance-empty-'));
    writeFileSync(path.join(dir, 'e.csv'), 'client_id,session,date,srs,ors\n');
    const { html } = await report(dir, 'files: [e.csv]\nreport:\n  sections: [describe, correlate, trend]\n');
    const all = cards(html);
    expect(all.map((x) => [x.label, x.value])).toEqual([
      ['clients', 'no data'],
      ['reliably improved (incl. recovered)', 'no data'],
      ['recovered', 'no data'],
      ['clients with an alliance alert', 'no data'],
    ]);
  });

  it('labels: a mapping of column to text; anything else names the line', () => {
    expect(parseConfig('labels:\n  srs_total: "Alliance (SRS)"\n', 'c.yaml', '.').labels).toEqual({ srs_total: 'Alliance (SRS)' });
    const message = (text: string): string => {
      try {
        parseConfig(text, 'c.yaml', '.');
      } catch (e) {
        return (e as UserError).format();
      }
      return '';
    };
    expect(message('labels:\n  srs_total: 3\n')).toBe('c.yaml:2: label for column \'srs_total\' must be text. For example srs_total: "Alliance (SRS)".');
    expect(message('labels: [a]\n')).toMatch(/^c\.yaml:1: key 'labels' must be a mapping/);
    const name = measureNames(
      { measures: [{ name: 'phq', role: 'outcome', instrument: { id: 'PHQ-9' } } as never, { name: 'x', role: 'alliance', instrument: null } as never] },
      { SRS: 'Alliance' },
    );
    expect([name('phq'), name('x'), name('srs')]).toEqual(['Outcome (PHQ-9)', 'x', 'Alliance']);
  });
});

describe('period axes', () => {
  it('short labels for months and quarters; years and other labels unchanged', () => {
    expect(['2024-01', '2023-12', '2024-Q3', '2024', '2024-13'].map(shortPeriod)).toEqual(['Jan 24', 'Dec 23', 'Q3 24', '2024', '2024-13']);
  });

  it('thins labels so they cannot overlap, keeps every tick with its full label in a title, cuts none', () => {
    const x = Array.from({ length: 36 }, (_, i) => `${2022 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`);
    const svg = lineChart({
      id: 'c',
      title: 't',
      desc: 'd',
      x,
      xShort: x.map(shortPeriod),
      xNotes: x.map(() => 'n=100'),
      series: [{ name: 's', values: x.map((_, i) => i) }],
      yLabel: 'y',
    });
    const labels = [...svg.matchAll(/<text class="xlabel" x="([\d.]+)"[^>]*>([^<]*)<\/text>/g)].map((m) => ({ x: Number(m[1]), text: m[2] }));
    const every = labelEvery([...x.map(shortPeriod), 'n=100'], (labels[1].x - labels[0].x) / 2);
    expect(every).toBe(2);
    expect(labels.map((l) => l.text)).toEqual(x.filter((_, i) => i % 2 === 0).map(shortPeriod));
    // At 11 px, "Jan 24" is under 6 x 6.6 = 40 px wide: neighbours are further apart.
    for (let i = 1; i < labels.length; i++) expect(labels[i].x - labels[i - 1].x).toBeGreaterThan(6 * 6.6);
    expect(svg).not.toContain('\u2026');
    for (const p of x) expect(svg).toContain(`<title>${p}, n=100</title>`);
  });

  it('a period below the threshold is a hollow point on a dotted segment, with a legend entry', () => {
    const svg = lineChart({
      id: 'c',
      title: 't',
      desc: 'd',
      x: ['2024-01', '2024-02', '2024-03'],
      series: [{ name: 's', values: [1, 2, 3] }],
      yLabel: 'y',
      small: [false, false, true],
      smallNote: 'fewer than 5 clients',
    });
    expect(svg.match(/class="small"/g)).toHaveLength(1);
    expect(svg).toMatch(/<circle [^>]*fill="#fff"[^>]*class="small"><title>s, 2024-03: 3.00 \(fewer than 5 clients\)<\/title>/);
    expect(svg.match(/<polyline [^>]*stroke-dasharray="2 4"/g)).toHaveLength(1);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain('>fewer than 5<');
  });
});

/**
 * A chart draws at most MAX_CHART_GROUPS groups (src/report/html/charts.ts): a forest plot
 * or bar chart of hundreds of therapists is not legible, and one of 200,000 therapists
 * overflowed the call stack (exit 70) before any file was written. The first groups in the
 * table's order are drawn and the caption says how many of how many; the tables keep all.
 * Suppressed groups are listed in a caption up to 20 names, then "and N more".
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chartGroups, MAX_CHART_GROUPS } from '../../src/report/html/charts.js';
import { runInProcess } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'alliance-chart-groups-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `therapists` therapists T001.. with two clients of three sessions each; the last `small` have one client. */
function write(therapists: number, small = 0): string {
  const lines = ['client_id,therapist_id,session,date,srs,ors'];
  let client = 0;
  for (let t = 1; t <= therapists; t++) {
    const clients = t > therapists - small ? 1 : 2;
    for (let k = 0; k < clients; k++) {
      client++;
      for (let s = 1; s <= 3; s++)
        lines.push(
          `C${client},T${String(t).padStart(3, '0')},${s},2024-0${s}-1${client % 10},${30 + ((client * 7 + s * 3) % 10)},${10 + ((client * 13 + s * 5) % 25)}`,
        );
    }
  }
  const file = path.join(dir, `t${therapists}-${small}.csv`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

async function report(file: string, minClients: number): Promise<string> {
  const cfg = path.join(dir, `r-${path.basename(file)}.yaml`);
  writeFileSync(
    cfg,
    [
      `files: [${path.basename(file)}]`,
      'alliance: [srs]',
      'outcome: [ors]',
      'instruments: { srs: SRS, ors: ORS }',
      'today: 2025-07-01',
      'report:',
      '  sections: [correlate, trend]',
      `  minClients: ${minClients}`,
      '  formats: [html]',
      'correlate: { by: therapist }',
      'trend: { by: therapist }',
    ].join('\n') + '\n',
  );
  const out = path.join(dir, `out-${path.basename(file)}`);
  const r = await runInProcess(['report', '--config', cfg, '--out', out, '--force']);
  expect(r.code, r.stderr).toBe(0);
  return readFileSync(path.join(out, 'report.html'), 'utf8');
}

/** The SVG elements of the page whose title contains `title`. */
function svgs(html: string, title: string): string[] {
  return [...html.matchAll(/<svg class="chart"[\s\S]*?<\/svg>/g)].map((m) => m[0]).filter((s) => s.includes(title));
}

describe('charts of many groups', () => {
  it(`draw the first ${MAX_CHART_GROUPS} groups and say so; the tables keep every group`, async () => {
    const html = await report(write(MAX_CHART_GROUPS + 10), 1);
    const forest = svgs(html, 'by therapist_id (60 shown');
    expect(forest).toHaveLength(1);
    expect(forest[0]).toContain('T050');
    expect(forest[0]).not.toContain('T051');
    const bars = svgs(html, 'Reliably improved (incl. recovered) by therapist');
    expect(bars).toHaveLength(1);
    expect(bars[0]).toContain('T050');
    expect(bars[0]).not.toContain('T051');
    // The forest plot's caption and the two bar charts' captions (trend names the column it grouped by).
    const notes = html.match(/Only the first 50 of 60 [\w ]+ groups are drawn \(in the table.{1,6}s order\); the table and the CSV have all\./g);
    expect(notes, html.match(/Only the first[^<]*/g)?.join(' | ')).toHaveLength(3);
    // The tables outside the charts still name the last therapist.
    const outside = html.replace(/<svg class="chart"[\s\S]*?<\/svg>/g, '');
    expect(outside).toContain('T060');
  });

  it('draw every group, without the note, up to the limit', async () => {
    const html = await report(write(MAX_CHART_GROUPS), 1);
    expect(svgs(html, 'by therapist_id (50 shown')[0]).toContain('T050');
    expect(html).not.toContain('Only the first');
  });

  it('list at most 20 suppressed groups in a caption, then how many more', async () => {
    const html = await report(write(30, 25), 2);
    expect(html).toMatch(/Suppressed \(fewer than 2 clients\): T006, T007, [^.]*T025 and 5 more\./);
  });
});

describe('chartGroups (the one place the cap is applied)', () => {
  const cap = MAX_CHART_GROUPS;
  it('keeps every row that is not a group and the first groups of each run, in order', () => {
    // Two runs of cap + 2 group rows, each after a heading (as the forest plot's levels).
    const rows: string[] = [];
    for (const level of ['pooled', 'within']) {
      rows.push(level, `${level} all`);
      for (let g = 1; g <= cap + 2; g++) rows.push(`${level} g${g}`);
    }
    const isGroup = (r: string) => / g\d+$/.test(r);
    const { rows: drawn, note } = chartGroups(rows, isGroup, cap + 2, 'therapist');
    const kept = (level: string) => [level, `${level} all`, ...Array.from({ length: cap }, (_, i) => `${level} g${i + 1}`)];
    expect(drawn).toEqual([...kept('pooled'), ...kept('within')]);
    expect(note).toBe(` Only the first ${cap} of ${cap + 2} therapist groups are drawn (in the table's order); the table and the CSV have all.`);
  });

  it('keeps all and adds nothing up to the cap', () => {
    const rows = Array.from({ length: cap }, (_, i) => i);
    expect(chartGroups(rows, () => true, cap, 'site')).toEqual({ rows, note: '' });
  });
});

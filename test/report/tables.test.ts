/**
 * Tables people read (issue 13): percentages with percentage intervals, counts as whole
 * numbers, wide tables split to fit the page, one word per meaning.
 */
import { describe, expect, it } from 'vitest';
import { formatCell } from '../../src/report/render.js';
import { F, type TableModel } from '../../src/report/model.js';
import { PAGE_CHARS, renderHtmlTable, tableParts } from '../../src/report/html/page.js';
import { CATEGORY_LABEL, SHARE_LABEL } from '../../src/report/vocabulary.js';
import { runInProcess } from '../helpers/cli.js';

const DEMO = 'fixtures/demo.csv';

describe('cells', () => {
  it('a proportion interval is shown in percent with the digits of its share', () => {
    expect(formatCell([0.0256, 0.5134], F.percentInterval(1))).toBe('[2.6%, 51.3%]');
    expect(formatCell(0.1429, F.percent(1))).toBe('14.3%');
    // R: sprintf("%.1f", 0.0125 * 100) == "1.2" (the binary value of 1.25 is exact, ties to even).
    expect(formatCell([0.0125, 1], F.percentInterval(1))).toBe('[1.2%, 100.0%]');
    expect(formatCell([0.0256, 0.5134], F.interval(3))).toBe('[0.026, 0.513]');
  });
});

describe('alliance trend tables', () => {
  it('series rows: counts whole, shares in percent, means with two decimals; CSV/JSON unrounded', async () => {
    const out = (await runInProcess(['trend', DEMO, '--outcome', 'ors', '--period', 'quarter', '--format', 'md'])).stdout;
    const json = JSON.parse((await runInProcess(['trend', DEMO, '--outcome', 'ors', '--period', 'quarter', '--format', 'json'])).stdout);
    const rows = json.periods.rows as { sessions: number; clients: number; reliably_improved: { share: number } }[];
    const line = (name: string) =>
      out
        .split('\n')
        .find((l) => l.startsWith(`| ${name} |`))!
        .split('|')
        .map((s) => s.trim());
    expect(line('sessions').slice(3, 5)).toEqual([String(rows[0].sessions), String(rows[rows.length - 1].sessions)]);
    expect(line('clients')[3]).toBe(String(rows[0].clients));
    expect(line(`${SHARE_LABEL.reliablyImproved} (share)`)[3]).toBe(`${(rows[0].reliably_improved.share * 100).toFixed(1)}%`);
    expect(line('mean alliance')[3]).toMatch(/^\d+\.\d\d$/);
  });

  it('cohort shares come with percent intervals; the categories say what they leave out', async () => {
    const out = (await runInProcess(['trend', DEMO, '--outcome', 'ors', '--format', 'md'])).stdout;
    const cohort = out.split('\n').find((l) => l.startsWith('| all |'))!;
    expect(cohort).toMatch(/\| \d+\.\d% \| \[\d+\.\d%, \d+\.\d%\] \|/);
    expect(cohort).not.toMatch(/\[0\.\d{3}, /);
    for (const c of Object.values(CATEGORY_LABEL)) expect(out).toContain(`| ${c} |`);
    expect(out).toContain('| reliably improved | 95% CI |');
  });
});

describe('HTML tables fit the page', () => {
  const wide: TableModel = {
    id: 'w',
    title: 'wide',
    columns: [
      { key: 'name', header: 'name' },
      ...Array.from({ length: 12 }, (_, i) => [
        { key: `v${i}`, header: `value ${i}`, format: F.percent(1) },
        { key: `v${i}_ci`, header: '95% CI', format: F.percentInterval(1) },
      ]).flat(),
    ],
    rows: [
      Object.fromEntries([
        ['name', 'all'],
        ...Array.from({ length: 12 }, (_, i) => [
          [`v${i}`, 0.5],
          [`v${i}_ci`, [0.25, 0.75] as const],
        ]).flat(),
      ]),
    ],
  };

  it('splits a wide table into parts that start with its first column and keep each CI by its estimate', () => {
    const cells = [...wide.rows].map((r) => wide.columns.map((c) => formatCell(r[c.key] ?? null, c.format)));
    const parts = tableParts(wide, cells);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(p[0]).toBe(0);
      const chars = p.reduce((a, j) => a + Math.max(wide.columns[j].header.length, cells[0][j].length) + 2, 0);
      expect(chars).toBeLessThanOrEqual(PAGE_CHARS);
      for (let k = 1; k < p.length; k++) if (wide.columns[p[k]].format?.kind === 'interval') expect(p[k - 1]).toBe(p[k] - 1);
    }
    expect(parts.flatMap((p) => p.slice(1))).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    const html = renderHtmlTable(wide);
    expect(html.match(/<table>/g)).toHaveLength(parts.length);
    expect(html).toContain(`Part 1 of ${parts.length}`);
    expect(html).toContain('<td class="num">[25.0%, 75.0%]</td>');
  });

  it('a table that fits is one table', () => {
    const narrow: TableModel = { ...wide, columns: wide.columns.slice(0, 3) };
    expect(renderHtmlTable(narrow).match(/<table>/g)).toHaveLength(1);
    expect(renderHtmlTable(narrow)).not.toContain('Part 1');
  });
});

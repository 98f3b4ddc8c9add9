/**
 * Warnings stand out and repeat once (issue 13): prefixed and coloured, never dimmed like the
 * method notes; the same warning for several groups is one line naming the groups, with a
 * <details> element in HTML; a client's rows spread over the file are a note, not a warning.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Chalk } from 'chalk';
import { collapseWarnings } from '../../src/report/warnings.js';
import { renderMarkdown, renderTable } from '../../src/report/render.js';
import { renderHtmlWarnings } from '../../src/report/html/page.js';
import type { DocWarning, ResultDocument } from '../../src/report/model.js';
import { runInProcess } from '../helpers/cli.js';

const simpson = (value: string, r: string): DocWarning => ({
  code: 'simpson',
  message: `Simpson's paradox: r = ${r} for a x b (site = ${value}); read both`,
  group: { column: 'site', value, summary: "Simpson's paradox for a x b; read both" },
});
const WARNINGS: DocWarning[] = [simpson('S1', '0.1'), { code: 'nickell', message: 'Lagged estimates are biased.' }, simpson('S2', '0.2'), simpson('S3', '0.3')];
const DOC: ResultDocument = { title: 't', tables: [], notes: ['a method note'], warnings: WARNINGS, json: {} };

describe('collapseWarnings', () => {
  it('joins warnings with one code and summary over groups into one line, in first-seen order', () => {
    expect(collapseWarnings(WARNINGS)).toEqual([
      {
        text: "Simpson's paradox for a x b; read both; in 3 groups of site: S1, S2, S3",
        details: [
          "Simpson's paradox: r = 0.1 for a x b (site = S1); read both",
          "Simpson's paradox: r = 0.2 for a x b (site = S2); read both",
          "Simpson's paradox: r = 0.3 for a x b (site = S3); read both",
        ],
      },
      { text: 'Lagged estimates are biased', details: [] },
    ]);
  });

  it('keeps a warning for one group as its own sentence', () => {
    expect(collapseWarnings([simpson('S9', '0.5')])).toEqual([{ text: "Simpson's paradox: r = 0.5 for a x b (site = S9); read both", details: [] }]);
  });
});

describe('rendering', () => {
  it('terminal: "warning:" in bold yellow after the notes; notes dimmed, warnings not', () => {
    const chalk = new Chalk({ level: 1 });
    const out = renderTable(DOC, chalk, true);
    expect(out).toContain(
      `${chalk.dim('a method note')}\n\n${chalk.yellow.bold('warning:')} Simpson's paradox for a x b; read both; in 3 groups of site: S1, S2, S3.\n`,
    );
    expect(out).toContain(`${chalk.yellow.bold('warning:')} Lagged estimates are biased.\n`);
    expect(out).not.toContain(chalk.dim('warning:'));
    const plain = renderTable(DOC, new Chalk({ level: 0 }), false);
    expect(plain.split('\n').filter((l) => l.startsWith('warning: '))).toHaveLength(2);
  });

  it('Markdown: one bold-prefixed line per collapsed warning', () => {
    const md = renderMarkdown(DOC);
    expect(md).toContain("**warning:** Simpson's paradox for a x b; read both; in 3 groups of site: S1, S2, S3.  \n**warning:** Lagged estimates are biased.");
  });

  it('HTML: a highlighted line; the collapsed one opens a details element with each sentence', () => {
    const html = renderHtmlWarnings(WARNINGS);
    expect(html).toContain(
      `<details class="warning"><summary><strong>warning:</strong> Simpson's paradox for a x b; read both; in 3 groups of site: S1, S2, S3.</summary>`,
    );
    expect(html).toContain(`<li>Simpson's paradox: r = 0.2 for a x b (site = S2); read both.</li>`);
    expect(html).toContain('<p class="warning"><strong>warning:</strong> Lagged estimates are biased.</p>');
    expect(renderHtmlWarnings([])).toBe('');
  });
});

describe('alliance correlate --by', () => {
  it('a Simpson paradox in every therapist is one warning line listing the therapists', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alliance-warn-'));
    const file = path.join(dir, 'simpson.csv');
    const sim = await runInProcess([
      'simulate',
      '--clients',
      '300',
      '--therapists',
      '12',
      '--between',
      '0.4',
      '--within',
      '-0.3',
      '--seed',
      '3',
      '--out',
      file,
    ]);
    expect(sim.code).toBe(0);
    const json = JSON.parse((await runInProcess(['correlate', file, '--by', 'therapist_id', '--format', 'json'])).stdout);
    const groups = (json.warnings as { code: string; group: string | null }[]).filter((w) => w.code === 'simpson' && w.group !== null).map((w) => w.group);
    expect(groups.length).toBeGreaterThan(5);
    const out = (await runInProcess(['correlate', file, '--by', 'therapist_id'])).stdout;
    const lines = out.split('\n').filter((l) => l.startsWith('warning: Simpson'));
    // The overall result's own warning, and one line for all the therapists.
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`in ${groups.length} groups of therapist_id: ${groups.join(', ')}.`);
  });
});

/**
 * `report.manuscript`: the report writes manuscript.md / .docx / .tex from the sections'
 * manuscripts, with the same sentences as `--format apa` and the tables numbered across the
 * sections; off by default; a wrong value is an error at its line.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../../helpers/cli.js';
import { ROOT } from '../../helpers/spawn.js';

function config(dir: string, extra: string): string {
  const file = path.join(dir, 'r.yaml');
  writeFileSync(
    file,
    [
      `files: [${path.join(ROOT, 'fixtures/correlate/therapists.csv')}]`,
      'alliance: [srs]',
      'outcome: [phq9]',
      'correlate:',
      '  analyses: [pooled, between, within, lagged]',
      'report:',
      '  sections: [describe, correlate]',
      '  formats: [md]',
      extra,
      '',
    ].join('\n'),
  );
  return file;
}

describe('report.manuscript', () => {
  it('writes the three files with the command sentences, tables numbered across sections', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alliance-ms-'));
    const out = path.join(dir, 'out');
    const res = await runInProcess(['report', '--config', config(dir, '  manuscript: true'), '--out', out, '--reproducible']);
    expect(res.code).toBe(0);
    expect(readdirSync(out)).toEqual(expect.arrayContaining(['manuscript.md', 'manuscript.docx', 'manuscript.tex']));
    const md = readFileSync(path.join(out, 'manuscript.md'), 'utf8');
    // R's numbers (correlate.json fixture.all), Holm over the five tests by hand.
    expect(md).toContain('*r*<sub>rm</sub>(65) = -.12, 95% CI [-.35, .12], *p* = .314 (Holm-adjusted *p* = .628).');
    expect(md).toContain('**Table 1**');
    expect(md).toContain('*Descriptive Statistics of the Measures*');
    expect(md).toContain('**Table 2**');
    expect(md).toContain('*Associations Between Alliance and Outcome*');
    expect(md).toContain('# References');
    expect(md.match(/Bakdash, J\. Z\./g)).toHaveLength(1);
    const tex = readFileSync(path.join(out, 'manuscript.tex'), 'utf8');
    expect(tex).toContain('\\textbf{Table 2}');
    const docx = unzipSync(readFileSync(path.join(out, 'manuscript.docx')));
    expect(new TextDecoder().decode(docx['word/document.xml'])).toContain('Associations Between Alliance and Outcome');
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { outputs: string[] };
    expect(manifest.outputs).toEqual(expect.arrayContaining(['manuscript.md', 'manuscript.docx', 'manuscript.tex']));
  });

  it('is off by default, and a wrong value names the key and its line', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alliance-ms-'));
    const off = await runInProcess(['report', '--config', config(dir, ''), '--out', path.join(dir, 'off')]);
    expect(off.code).toBe(0);
    expect(readdirSync(path.join(dir, 'off')).some((f) => f.startsWith('manuscript'))).toBe(false);
    const bad = await runInProcess(['report', '--config', config(dir, '  manuscript: [md, pdf]'), '--out', path.join(dir, 'bad')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/r\.yaml:9: 'report\.manuscript' must be true, false or a list of md, docx, tex \(not 'pdf'\)/);
  });
});

/**
 * `--format latex` and `--format docx`: the APA table of correlate, its numbers written by hand
 * from R's (test/reference/correlate.json, fixture.all; Holm over the five tests by hand, see
 * apa-correlate.test.ts). The Word document is checked structurally: unzipped (fflate), its
 * word/document.xml parsed (fast-xml-parser): the numbered title, horizontal rules only, the
 * note, italic symbols; the same data gives the same bytes. LibreOffice's rendering of it is
 * checked by `npm run test:browser` (test/browser/docx-office.test.ts).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../../helpers/cli.js';

const FIX = 'fixtures/correlate/therapists.csv';
const ARGS = ['correlate', FIX, '--analyses', 'pooled,between,within,lagged'];

type XNode = Record<string, unknown>;
function tag(n: XNode): string {
  return Object.keys(n).find((k) => k !== ':@') ?? '';
}
function kids(n: XNode): XNode[] {
  const v = n[tag(n)];
  return Array.isArray(v) ? (v as XNode[]) : [];
}
function attr(n: XNode, name: string): string | undefined {
  return (n[':@'] as Record<string, string> | undefined)?.[`@_${name}`];
}
function all(nodes: XNode[], name: string, out: XNode[] = []): XNode[] {
  for (const n of nodes) {
    if (tag(n) === name) out.push(n);
    all(kids(n), name, out);
  }
  return out;
}
function text(nodes: XNode[]): string {
  return all(nodes, 'w:t')
    .map((t) =>
      kids(t)
        .map((x) => (typeof x['#text'] === 'string' ? x['#text'] : ''))
        .join(''),
    )
    .join('');
}

describe('correlate --format latex', () => {
  it('booktabs rules, no vertical rules, the numbered title and the note', async () => {
    const res = await runInProcess([...ARGS, '--format', 'latex']);
    expect(res.code).toBe(0);
    const tex = res.stdout;
    expect(tex).toContain('\\usepackage{booktabs}');
    expect(tex).toContain('\\noindent\\textbf{Table 1}');
    expect(tex).toContain('\\noindent\\textit{Associations Between Alliance and Outcome}');
    for (const rule of ['\\toprule', '\\midrule', '\\bottomrule']) expect(tex).toContain(rule);
    expect(tex).not.toMatch(/\\begin\{tabular\}\{[^}]*\|/);
    expect(tex).not.toContain('\\hline');
    // R: within r = -0.1249, CI [-0.3544, 0.1189], df 65, p 0.3141, Holm 0.6281, 81 sessions.
    expect(tex).toContain('Within clients & \\textit{r}\\textsubscript{rm} & $-$.12 & [$-$.35, .12] & 65 & .314 & .628 & 81 \\\\');
    // R: lagged forward b = 0.3210, CI [-0.0695, 0.7116], df 47, p 0.1049, Holm 0.3146, 64 pairs.
    expect(tex).toContain('\\textit{b} & 0.32 & [$-$0.07, 0.71] & 47 & .105 & .315 & 64 \\\\');
    expect(tex).toContain('\\textit{Note.}');
    expect(tex).toContain('Holm-adjusted \\textit{p} over the 5 tests.');
    expect(tex.trimEnd().endsWith('\\end{document}')).toBe(true);
  });
});

describe('correlate --format docx', () => {
  it('a Word document with the APA table, deterministic', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'apa-docx-'));
    const files = ['a.docx', 'b.docx'].map((f) => path.join(dir, f));
    for (const f of files) {
      const res = await runInProcess([...ARGS, '--format', 'docx', '--out', f, '--methods']);
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
    }
    const bytes = readFileSync(files[0]);
    expect(bytes.equals(readFileSync(files[1]))).toBe(true);
    const zip = unzipSync(bytes);
    expect(Object.keys(zip)).toEqual(expect.arrayContaining(['[Content_Types].xml', 'word/document.xml', 'docProps/core.xml']));
    expect(new TextDecoder().decode(zip['docProps/core.xml'])).not.toMatch(/20[2-9]\d-\d\d-\d\dT/);
    const doc = new XMLParser({ preserveOrder: true, ignoreAttributes: false, trimValues: false, parseTagValue: false }).parse(
      new TextDecoder().decode(zip['word/document.xml']),
    ) as XNode[];
    const body = all(doc, 'w:body');
    expect(body).toHaveLength(1);
    const tables = all(body, 'w:tbl');
    expect(tables).toHaveLength(1);
    // Horizontal rules only: the table's top and bottom, no vertical or inner rules.
    const borders = all([tables[0]], 'w:tblBorders')[0];
    const side = (name: string): string | undefined =>
      attr(
        kids(borders).find((n) => tag(n) === name)!,
        'w:val',
      );
    expect(side('w:top')).toBe('single');
    expect(side('w:bottom')).toBe('single');
    for (const n of ['w:left', 'w:right', 'w:insideH', 'w:insideV']) expect(side(n)).toBe('none');
    // The rule under the header row, and only there.
    const rows = all([tables[0]], 'w:tr');
    const bottomRules = rows.map((r) => all([r], 'w:tcBorders').some((b) => kids(b).some((s) => tag(s) === 'w:bottom' && attr(s, 'w:val') === 'single')));
    expect(bottomRules[0]).toBe(true);
    expect(bottomRules.slice(1).every((x) => !x)).toBe(true);
    expect(all([rows[0]], 'w:tblHeader').length).toBeGreaterThan(0);
    // Cells (R's numbers, rounded by hand).
    const cells = (r: XNode): string[] => all([r], 'w:tc').map((c) => text([c]));
    const within = rows.map(cells).find((c) => c[0] === 'Within clients');
    expect(within).toEqual(['Within clients', 'rrm', '-.12', '[-.35, .12]', '65', '.314', '.628', '81']);
    // Numbered title in bold, italic title, the note in italics, after the table.
    const paras = all(body, 'w:p').map((p) => ({ text: text([p]), bold: all([p], 'w:b').length > 0, italic: all([p], 'w:i').length > 0 }));
    const label = paras.findIndex((p) => p.text === 'Table 1');
    expect(label).toBeGreaterThan(-1);
    expect(paras[label].bold).toBe(true);
    expect(paras[label + 1]).toMatchObject({ text: 'Associations Between Alliance and Outcome', italic: true });
    const note = paras.find((p) => p.text.startsWith('Note. '));
    expect(note?.text).toContain('Holm-adjusted p over the 5 tests.');
    // The results text with its italic symbols, and the references.
    const all2 = text(body);
    expect(all2).toContain(
      'Within clients, SRS was not significantly related to PHQ-9, rrm(65) = -.12, 95% CI [-.35, .12], p = .314 (Holm-adjusted p = .628).',
    );
    expect(all2).toContain('https://doi.org/10.3389/fpsyg.2017.00456');
    const italicR = all(body, 'w:r').filter((r) => all([r], 'w:i').length > 0 && text([r]) === 'r');
    expect(italicR.length).toBeGreaterThan(0);
  });
});

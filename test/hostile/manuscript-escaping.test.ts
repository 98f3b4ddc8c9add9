/**
 * Text from the data (group names) in the manuscript formats cannot become markup or
 * commands: escaped for HTML, Markdown and LaTeX (control characters go through the same
 * printable() as every output; a file holding them is refused as binary before this).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';

const EVIL = ['<img src=x onerror=alert(1)>', '\\input{/etc/passwd} $x$ 100% & #1'];

function fixture(dir: string): string {
  const rows = ['client,session,site,srs,phq9'];
  let seed = 7;
  const rnd = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
  EVIL.forEach((site, g) => {
    for (let c = 0; c < 6; c++)
      for (let s = 1; s <= 4; s++) rows.push(`G${g}C${c},${s},"${site}",${(30 + 8 * rnd()).toFixed(1)},${Math.round(5 + 15 * rnd())}`);
  });
  const file = path.join(dir, 'evil.csv');
  writeFileSync(file, rows.join('\n') + '\n');
  return file;
}

describe('manuscript formats escape text from the data', () => {
  it('HTML, Markdown, LaTeX and plain text', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'apa-evil-'));
    const csv = fixture(dir);
    const args = ['correlate', csv, '--group', 'site', '--by', 'site', '--min-clients', '2', '--analyses', 'between,within'];
    const plain = await runInProcess([...args, '--format', 'apa']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('site <img src=x onerror=alert(1)>');
    for (const [file, bad, good] of [
      ['r.html', '<img', '&lt;img src=x onerror=alert(1)&gt;'],
      ['r.md', '<img', '\\<img src=x onerror=alert(1)>'],
    ] as const) {
      const res = await runInProcess([...args, '--format', 'apa', '--out', path.join(dir, file)]);
      expect(res.code).toBe(0);
      const text = readFileSync(path.join(dir, file), 'utf8');
      expect(text.replace(/\\<img/g, '')).not.toContain(bad);
      expect(text).toContain(good);
    }
    const tex = await runInProcess([...args, '--format', 'latex']);
    expect(tex.code).toBe(0);
    expect(tex.stdout).not.toContain('\\input{');
    expect(tex.stdout).toContain('\\textbackslash{}input\\{/etc/passwd\\} \\$x\\$ 100\\% \\& \\#1');
  });

  it('a Word document stays well-formed XML whatever the text (U+FFFE and U+FFFF are not XML characters)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'apa-xml-'));
    const rows = ['client,session,site,srs,phq9'];
    let seed = 11;
    const rnd = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    ['North\uffff', 'South\ufffe'].forEach((site, g) => {
      for (let c = 0; c < 6; c++)
        for (let s = 1; s <= 4; s++) rows.push(`G${g}C${c},${s},"${site}",${(30 + 8 * rnd()).toFixed(1)},${Math.round(5 + 15 * rnd())}`);
    });
    writeFileSync(path.join(dir, 'nonchar.csv'), rows.join('\n') + '\n');
    const out = path.join(dir, 'r.docx');
    const args = ['correlate', path.join(dir, 'nonchar.csv'), '--group', 'site', '--by', 'site', '--min-clients', '2', '--analyses', 'between,within'];
    const res = await runInProcess([...args, '--format', 'docx', '--out', out]);
    expect(res.code, res.stderr).toBe(0);
    const xml = await (await JSZip.loadAsync(readFileSync(out))).file('word/document.xml')!.async('string');
    // XML 1.0's Char production
    // eslint-disable-next-line no-control-regex
    expect(xml).not.toMatch(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u);
    expect(xml).toContain('North\\uffff');
  });

  it('LaTeX: a table row that starts with [ is not read as the optional argument of \\\\ or \\midrule', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'apa-bracket-'));
    const rows = ['client,session,site,srs,phq9'];
    let seed = 5;
    const rnd = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    ['[5cm] A', 'B', '[x] C'].forEach((site, g) => {
      for (let c = 0; c < 6; c++)
        for (let s = 1; s <= 4; s++) rows.push(`G${g}C${c},${s},"${site}",${(30 + 8 * rnd()).toFixed(1)},${Math.round(5 + 15 * rnd())}`);
    });
    writeFileSync(path.join(dir, 'brackets.csv'), rows.join('\n') + '\n');
    const tex = await runInProcess(['trend', path.join(dir, 'brackets.csv'), '--group', 'site', '--by', 'site', '--min-clients', '2', '--format', 'latex']);
    expect(tex.code, tex.stderr).toBe(0);
    // a row's first cell comes after "\\\\" (or \\midrule) and a line break: LaTeX looks past the break for [
    expect(tex.stdout).not.toMatch(/(\\\\|rule)\s*\n\s*\[/);
    expect(tex.stdout).toContain('{}[5cm] A &');
  });
});

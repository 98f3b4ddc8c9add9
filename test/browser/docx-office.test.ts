/**
 * The Word output opened by a Word-compatible reader: LibreOffice (Debian package
 * libreoffice-writer-nogui; `SOFFICE=/path` for another binary) converts the .docx of
 * `alliance correlate --format docx` to PDF, and pdftotext (poppler-utils) reads the PDF back:
 * the numbered table, its title, its cells and its note are there. Without soffice or
 * pdftotext this test FAILS; it never skips (.ci/run installs both).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';

const SOFFICE = process.env.SOFFICE ?? 'soffice';
const PDFTOTEXT = process.env.PDFTOTEXT ?? 'pdftotext';

describe('docx in LibreOffice', () => {
  it('converts to a PDF whose text holds the APA table', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alliance-docx-'));
    try {
      const docx = path.join(dir, 'results.docx');
      const res = await runInProcess([
        'correlate',
        'fixtures/correlate/therapists.csv',
        '--analyses',
        'pooled,between,within,lagged',
        '--format',
        'docx',
        '--out',
        docx,
        '--methods',
      ]);
      expect(res.code).toBe(0);
      // A private profile: a concurrent LibreOffice of the user is not disturbed.
      execFileSync(SOFFICE, [`-env:UserInstallation=file://${path.join(dir, 'profile')}`, '--headless', '--convert-to', 'pdf', '--outdir', dir, docx], {
        stdio: 'pipe',
        timeout: 120_000,
      });
      const pdf = path.join(dir, 'results.pdf');
      expect(existsSync(pdf)).toBe(true);
      expect(readFileSync(pdf).subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const text = execFileSync(PDFTOTEXT, ['-layout', pdf, '-'], { encoding: 'utf8', timeout: 60_000 });
      expect(text).toContain('Table 1');
      expect(text).toContain('Associations Between Alliance and Outcome');
      // One table row as laid out on the page: R's within-client numbers rounded by hand.
      expect(text).toMatch(/Within clients\s+rrm\s+-\.12\s+\[-\.35, \.12\]\s+65\s+\.314\s+\.628\s+81/);
      expect(text).toMatch(/Note\.\s+Pooled and within-client/);
      expect(text).toContain('References');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The report's optional manuscript (`report.manuscript`): every section's Manuscript joined
 * into one (results in the sections' order, tables numbered 1..n across them, the methods,
 * one reference list) and written as manuscript.md, manuscript.docx and/or manuscript.tex.
 * The same builders as `--format apa|latex|docx`, so the texts cannot disagree.
 */
import type { Manuscript } from '../manuscript/model.js';
import { renderManuscriptText } from '../manuscript/text.js';
import { renderLatex } from '../manuscript/latex.js';
import { referenceList } from '../manuscript/references.js';
import type { ManuscriptFile } from './config.js';

/** One manuscript from the sections' manuscripts, in order. */
export function joinManuscripts(parts: Manuscript[]): Manuscript {
  return {
    results: parts.flatMap((m) => m.results),
    tables: parts.flatMap((m) => m.tables),
    methods: parts.flatMap((m) => m.methods),
    references: referenceList(parts.flatMap((m) => m.references.map((entry) => ({ cite: '', entry })))),
  };
}

export async function manuscriptFiles(parts: Manuscript[], which: readonly ManuscriptFile[]): Promise<Map<string, string | Buffer>> {
  const m = joinManuscripts(parts);
  const out = new Map<string, string | Buffer>();
  if (which.includes('md')) out.set('manuscript.md', renderManuscriptText(m, 'md', { tables: true, methods: true }));
  if (which.includes('docx')) {
    // The Word writer loads only when a .docx is asked for.
    const { renderDocx } = await import('../manuscript/docx.js');
    out.set('manuscript.docx', await renderDocx(m, { methods: true }));
  }
  if (which.includes('tex')) out.set('manuscript.tex', renderLatex(m, { methods: true }));
  return out;
}

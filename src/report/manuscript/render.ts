/**
 * `--format apa|latex|docx`: a Manuscript rendered for a file name or a terminal. `apa` is the
 * results text (plain on a terminal; Markdown for a FILE.md, an HTML page for FILE.html), with
 * the tables in the rich flavours; `latex` a LaTeX document (booktabs tables); `docx` a Word
 * document (binary: a file only). `methods` adds the methods paragraphs and the references.
 */
import type { Manuscript } from './model.js';
import { renderManuscriptText, type TextFlavour } from './text.js';

import type { ManuscriptFormat } from './formats.js';

export { MANUSCRIPT_FORMATS, isManuscriptFormat, type ManuscriptFormat } from './formats.js';

/** The text flavour of `--format apa` for an output file name (null: standard output). */
export function apaFlavour(file: string | null): TextFlavour {
  if (file === null) return 'plain';
  if (/\.(md|markdown)$/i.test(file)) return 'md';
  if (/\.html?$/i.test(file)) return 'html';
  return 'plain';
}

/** `width`: the terminal's columns for plain text on standard output (none: a paragraph is one line). */
export async function renderManuscript(
  m: Manuscript,
  format: ManuscriptFormat,
  file: string | null,
  methods: boolean,
  width?: number,
): Promise<string | Buffer> {
  switch (format) {
    case 'latex': {
      const { renderLatex } = await import('./latex.js');
      return renderLatex(m, { methods });
    }
    case 'docx': {
      const { renderDocx } = await import('./docx.js');
      return renderDocx(m, { methods });
    }
    default: {
      const flavour = apaFlavour(file);
      return renderManuscriptText(m, flavour, { tables: flavour !== 'plain', methods, ...(file === null && width !== undefined ? { width } : {}) });
    }
  }
}

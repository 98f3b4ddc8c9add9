/**
 * A Manuscript as a LaTeX document: the results paragraphs, each table in APA layout with
 * booktabs rules (\toprule, \midrule, \bottomrule; no vertical rules), "Table N" in bold
 * above the italic title, the note below; with `methods`, the methods and references. Every
 * run is escaped for LaTeX; the document compiles with pdflatex and the booktabs package.
 */
import { printable } from '../../io/text-safety.js';
import type { ApaTable, Manuscript, Text } from './model.js';

const SPECIAL: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '{': '\\{',
  '}': '\\}',
  $: '\\$',
  '&': '\\&',
  '#': '\\#',
  '^': '\\textasciicircum{}',
  _: '\\_',
  '%': '\\%',
  '~': '\\textasciitilde{}',
  '<': '\\textless{}',
  '>': '\\textgreater{}',
  '|': '\\textbar{}',
  '\u2014': '---',
  '\u2013': '--',
  '\u2212': '$-$',
  '\u2192': '$\\rightarrow$',
  '\u00b2': '\\textsuperscript{2}',
  '\u03b2': '$\\beta$',
  '\u03c7': '$\\chi$',
  '\u2264': '$\\le$',
  '\u2265': '$\\ge$',
};

/** Text for LaTeX: control characters shown escaped (printable), then LaTeX's specials. */
export function latexEscape(s: string): string {
  return printable(s).replace(/[\\{}$&#^_%~<>|\u2014\u2013\u2212\u2192\u00b2\u03b2\u03c7\u2264\u2265]/g, (c) => SPECIAL[c] ?? c);
}

/** A minus sign before a number is set as math minus, not a hyphen. */
function minus(s: string): string {
  return s.replace(/(^|[\s[(=])-(?=[.\d])/g, '$1$$-$$');
}

/** Plain text, with a DOI link set by the url package (it may break there) when it holds nothing url cannot take. */
function textRun(s: string): string {
  return s
    .split(/(https:\/\/doi\.org\/[A-Za-z0-9./_();:-]+[A-Za-z0-9/_()-])/)
    .map((part, k) => (k % 2 === 1 ? `\\url{${part}}` : minus(latexEscape(part))))
    .join('');
}

function runs(t: Text): string {
  return t
    .map((r) => (typeof r === 'string' ? textRun(r) : `\\textit{${latexEscape(r.i)}}${r.sub === undefined ? '' : `\\textsubscript{${latexEscape(r.sub)}}`}`))
    .join('');
}

/**
 * One tabular row. A row follows \\ or \midrule, which look past the line break for an
 * optional [argument]: a first cell starting with [ (a site "[5cm] A") would be taken as one
 * (space added, or a LaTeX error) and vanish, so it gets an empty group {} in front.
 */
function tableRow(cells: string[]): string {
  const line = cells.join(' & ');
  return `${/^\s*\[/.test(line) ? '{}' : ''}${line} \\\\`;
}

function table(tb: ApaTable, n: number): string[] {
  const spec = tb.columns.map((c) => (c.align === 'right' ? 'r' : 'l')).join('');
  const out = [
    `% Table ${n}: ${latexEscape(tb.id)}`,
    '\\begin{table}[htbp]',
    '\\small',
    `\\noindent\\textbf{Table ${n}}\\par\\medskip`,
    `\\noindent\\textit{${latexEscape(tb.title)}}\\par\\medskip`,
    `\\noindent\\begin{tabular}{@{}${spec}@{}}`,
    '\\toprule',
    tableRow(tb.columns.map((c) => runs(c.header))),
    '\\midrule',
  ];
  for (const row of tb.rows) {
    if ('section' in row) out.push(`\\multicolumn{${tb.columns.length}}{@{}l}{\\textit{${latexEscape(row.section)}}} \\\\`);
    else out.push(tableRow(row.cells.map(runs)));
  }
  out.push('\\bottomrule', '\\end{tabular}\\par\\medskip', `\\noindent\\textit{Note.} ${runs(tb.note)}\\par`, '\\end{table}', '');
  return out;
}

export function renderLatex(m: Manuscript, parts: { methods: boolean }, firstTable = 1): string {
  const out = [
    '\\documentclass[12pt]{article}',
    '\\usepackage[T1]{fontenc}',
    '\\usepackage[utf8]{inputenc}',
    '\\usepackage[margin=1in]{geometry}',
    '\\usepackage{booktabs}',
    '\\usepackage{url}',
    '\\begin{document}',
    '',
    '\\section*{Results}',
  ];
  for (const p of m.results) out.push(`\\subsection*{${latexEscape(p.heading)}}`, p.sentences.map(runs).join(' '), '');
  m.tables.forEach((tb, k) => out.push(...table(tb, firstTable + k)));
  if (parts.methods) {
    out.push('\\section*{Method}');
    for (const p of m.methods) out.push(`\\subsection*{${latexEscape(p.heading)}}`, p.sentences.map(runs).join(' '), '');
    out.push('\\section*{References}', '\\begingroup\\setlength{\\parindent}{-2em}\\setlength{\\leftskip}{2em}');
    for (const r of m.references) out.push(runs(r), '');
    out.push('\\endgroup');
  }
  out.push('\\end{document}');
  return out.join('\n') + '\n';
}

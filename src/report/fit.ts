/**
 * Terminal layouts for a table that does not fit the width (as `gh` and `kubectl` do): the
 * boxed table first; when it is wider than the terminal, a compact table (no borders, two
 * spaces between columns); when that is still too wide, one record per row (`label  value`
 * lines, like psql's expanded display), where long values wrap at spaces beside their label.
 * Cells are never wrapped into narrow columns. Prose (titles, notes) wraps at spaces.
 *
 * Widths are measured as cli-table3 measures them (string-width, ANSI codes ignored).
 */
import { createRequire } from 'node:module';

// cli-table3's width measure (string-width without ANSI codes), so every layout matches it.
let measure: ((s: string) => number) | undefined;
/** cli-table3's width measure (loaded on first use, not at startup). */
export const strlen = (s: string): number =>
  PRINTABLE_ASCII.test(s) ? s.length : (measure ??= (createRequire(import.meta.url)('cli-table3/src/utils.js') as { strlen: (s: string) => number }).strlen)(s);
/** Text of printable ASCII only: every character is one column wide (string-width's answer too), measured without it. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** The narrowest width the layouts honour: below it a line may be cut mid-word, never wider. */
export const MIN_WIDTH = 20;

export type Align = 'left' | 'right';
type Paint = (s: string) => string;

/** The widest line of a text block. */
export function widest(text: string): number {
  let w = 0;
  for (const line of text.split('\n')) w = Math.max(w, strlen(line));
  return w;
}

/** Cuts a word that is wider than `width` into pieces of `width` characters. */
function cutWord(word: string, width: number): string[] {
  const out: string[] = [];
  let piece = '';
  for (const ch of word) {
    if (strlen(piece + ch) > width && piece !== '') {
      out.push(piece);
      piece = '';
    }
    piece += ch;
  }
  if (piece !== '') out.push(piece);
  return out;
}

/**
 * Wraps plain text at spaces so that no line is wider than `width` (a word wider than the
 * width is cut). Continuation lines start with `indent`. Existing line breaks are kept.
 */
export function wrapText(text: string, width: number, indent = ''): string[] {
  const out: string[] = [];
  const w = Math.max(width, 1);
  for (const para of text.split('\n')) {
    let line = '';
    let lead = '';
    const flush = () => {
      out.push(line);
      line = '';
      lead = indent.length < w ? indent : '';
    };
    for (const word of para.split(' ')) {
      if (word === '') continue;
      const room = w - (strlen(indent) < w ? strlen(indent) : 0);
      const pieces = strlen(word) > room ? cutWord(word, room) : [word];
      for (const piece of pieces) {
        const next = line === '' ? lead + piece : `${line} ${piece}`;
        if (line !== '' && strlen(next) > w) {
          flush();
          line = lead + piece;
        } else line = next;
      }
    }
    out.push(line);
  }
  return out;
}

function pad(s: string, width: number, align: Align): string {
  const gap = ' '.repeat(Math.max(0, width - strlen(s)));
  return align === 'right' ? gap + s : s + gap;
}

/**
 * A borderless table: header, a rule of dashes under each header, rows; columns two spaces
 * apart, numbers right-aligned. Returns null when it is wider than `width`.
 */
export function compactTable(head: string[], aligns: Align[], rows: string[][], width: number, paintHead: Paint): string | null {
  const widths = head.map((h) => strlen(h));
  for (const r of rows) for (let j = 0; j < widths.length; j++) widths[j] = Math.max(widths[j], strlen(r[j] ?? ''));
  const total = widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  if (total > width) return null;
  const line = (cells: string[], paint: Paint = (s) => s) =>
    cells
      .map((c, j) => paint(pad(c, widths[j], aligns[j])))
      .join('  ')
      .trimEnd();
  const out = [line(head, paintHead), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of rows) out.push(line(r));
  return out.join('\n');
}

/**
 * One record per row: a `-[ row i of n ]---` line, then `label  value` lines with the labels
 * padded to one width. A value wider than the room beside its label wraps at spaces onto
 * lines indented to the value column; when the labels leave less than MIN_WIDTH characters,
 * each value goes on its own lines under its label.
 */
export function recordTable(head: string[], rows: string[][], width: number, paintHead: Paint): string {
  const w = Math.max(width, MIN_WIDTH);
  const labelWidth = Math.max(...head.map((h) => strlen(h)));
  const beside = w - labelWidth - 2 >= MIN_WIDTH;
  const out: string[] = [];
  rows.forEach((r, i) => {
    const mark = `-[ row ${i + 1} of ${rows.length} ]`;
    out.push(mark + '-'.repeat(Math.max(0, Math.min(w, labelWidth + 2 + 24) - strlen(mark))));
    head.forEach((h, j) => {
      const value = r[j] ?? '';
      if (beside) {
        const lines = wrapText(value, w - labelWidth - 2);
        lines.forEach((l, k) => out.push(l === '' ? paintHead(h) : (k === 0 ? paintHead(pad(h, labelWidth, 'left')) : ' '.repeat(labelWidth)) + '  ' + l));
      } else {
        for (const l of wrapText(h, w)) out.push(paintHead(l));
        for (const l of wrapText(value, w - 2)) out.push(`  ${l}`.trimEnd());
      }
    });
  });
  return out.join('\n');
}

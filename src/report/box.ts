/**
 * The boxed terminal table, drawn by us in one pass (issue 15: rendering is linear).
 *
 * The text is what cli-table3 0.6 draws for our settings (no rule between body rows, one
 * space of padding each side, head and border styles), byte for byte:
 * test/report/box.test.ts draws random tables (wide and zero-width characters included)
 * both ways and compares them. cli-table3 laid out each table in time that grew faster than
 * its rows (about 0.5 ms a row even in chunks of 500); this is a fixed amount of work per
 * cell: one width measure and one padded copy.
 *
 * Colour: the border is painted grey and the header cells cyan with the 16-colour codes
 * cli-table3's colours library uses, whenever the caller asks for colour (src/cli/color.ts
 * decides that once per run; cli-table3 also asked its colours library, which ignored
 * `--color` on a pipe).
 */
import { strlen } from './fit.js';

export type BoxAlign = 'left' | 'right';

const GREY = (s: string): string => `\u001b[90m${s}\u001b[39m`;
const CYAN = (s: string): string => `\u001b[36m${s}\u001b[39m`;
const PLAIN = (s: string): string => s;

/** Each column's width as drawn: its widest cell (header included) plus 1 + 1 padding. */
export function boxWidths(head: string[], rows: string[][]): number[] {
  const widths = head.map((h) => strlen(h) + 2);
  const n = widths.length;
  for (const r of rows) {
    for (let j = 0; j < n; j++) {
      const w = strlen(r[j] ?? '') + 2;
      if (w > widths[j]) widths[j] = w;
    }
  }
  return widths;
}

/** The width of a boxed table's lines with these column widths (the borders included). */
export function boxLineWidth(widths: number[]): number {
  return widths.reduce((a, w) => a + w, 0) + widths.length + 1;
}

/** A boxed table: top rule, header, rows, bottom rule; `widths` from boxWidths. */
export function boxTable(head: string[], aligns: BoxAlign[], rows: string[][], widths: number[], color: boolean): string {
  const border = color ? GREY : PLAIN;
  const headPaint = color ? CYAN : PLAIN;
  const n = widths.length;
  const rule = (left: string, cross: string, right: string): string => {
    let s = '';
    for (let j = 0; j < n; j++) s += border((j === 0 ? left : cross) + '─'.repeat(widths[j]) + (j === n - 1 ? right : ''));
    return s;
  };
  const bar = border('│');
  const line = (cells: string[], paint: (s: string) => string): string => {
    let s = bar;
    for (let j = 0; j < n; j++) {
      const c = cells[j] ?? '';
      const gap = ' '.repeat(Math.max(0, widths[j] - 2 - strlen(c)));
      s += paint(aligns[j] === 'right' ? ` ${gap}${c} ` : ` ${c}${gap} `) + bar;
    }
    return s;
  };
  const out: string[] = [rule('┌', '┬', '┐'), line(head, headPaint)];
  for (const r of rows) out.push(line(r, PLAIN));
  out.push(rule('└', '┴', '┘'));
  return out.join('\n');
}

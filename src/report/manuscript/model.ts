/**
 * A manuscript: an analysis's results as APA 7 text (one sentence per result), its tables in
 * APA layout and a methods paragraph with references. Each section builds one from its result
 * (src/report/manuscript/<verb>.ts); text.ts renders it as plain text, Markdown or HTML,
 * latex.ts as LaTeX (booktabs) and docx.ts as a Word document. Numbers are already text here:
 * they are rounded by the renderer's R-sprintf rounding (../number.ts) with the APA rules below.
 *
 * APA 7 number rules applied (Publication Manual, 7th ed., sections 6.36-6.46): no leading
 * zero for a statistic that cannot exceed 1 (r, p); two decimals, p to three with "< .001";
 * statistical symbols in italics; degrees of freedom in parentheses without a thousands
 * separator; other counts of 1,000 or more with one.
 */
import { toFixedR } from '../number.js';

/** A piece of text: plain, or set in italics (a statistical symbol, a journal) with an optional upright subscript. */
export type Run = string | { i: string; sub?: string };
/** A line of text: runs joined without separators. */
export type Text = Run[];

/** One paragraph of results: a heading (for the rich formats) and its sentences. */
export interface Paragraph {
  heading: string;
  sentences: Text[];
}

export interface ApaColumn {
  header: Text;
  align: 'left' | 'right';
}

/** A body row, or a spanning row that labels the rows under it (e.g. "Between clients"). */
export type ApaRow = { cells: Text[] } | { section: string };

/** A table in APA layout: numbered bold label, italic title, horizontal rules only, notes below. */
export interface ApaTable {
  id: string;
  /** The title in title case (rendered in italics under "Table N"). */
  title: string;
  columns: ApaColumn[];
  rows: ApaRow[];
  /** The general note ("Note. ..."): abbreviations, the sample, the adjustment. */
  note: Text;
}

export interface Manuscript {
  results: Paragraph[];
  tables: ApaTable[];
  /** What was computed and how (`--methods`). */
  methods: Paragraph[];
  /** The works cited by the methods, in APA reference-list order (sorted by the caller). */
  references: Text[];
}

/** An italic symbol, e.g. sym('r', 'rm') for r with the subscript rm. */
export function sym(i: string, sub?: string): Run {
  return sub === undefined ? { i } : { i, sub };
}

/** A fixed-decimal number as R's sprintf rounds it; an em dash where it is not finite. */
export function num(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '\u2014';
  return toFixedR(x, digits);
}

/** A statistic bounded by 1 (r, p, a proportion): no leading zero, `-.10`. */
export function noLead(s: string): string {
  return s.replace(/^(-?)0\./, '$1.');
}

/** r with two decimals and no leading zero. */
export function apaR(r: number): string {
  return noLead(toFixedR(r, 2));
}

/** " = .004" or " < .001": the relation and value that follow a p (three decimals). */
export function pValue(p: number): string {
  if (!Number.isFinite(p)) return ' = NA';
  if (p < 0.001) return ' < .001';
  return ` = ${noLead(toFixedR(p, 3))}`;
}

/** p = .004 / p < .001 as Text, with an optional qualifier before it ("Holm-adjusted "). */
export function pText(p: number, before = ''): Text {
  return [...(before ? [before] : []), sym('p'), pValue(p)];
}

/** A count with a thousands separator (APA: 1,000 and more; not for df). */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** A sentence's first letter in upper case (a column named `srs` starting a sentence). */
export function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** "1 client", "1,922 clients": a count with its noun. */
export function nouns(n: number, noun: string): string {
  return `${count(n)} ${noun}${n === 1 ? '' : 's'}`;
}

/** Degrees of freedom: whole numbers as they are, fractional (Satterthwaite) with one decimal; never a separator. */
export function dfText(df: number): string {
  return Number.isInteger(df) ? String(df) : toFixedR(df, 1);
}

/** "[-.15, -.06]" for r-like bounds (noLead) or "[-0.07, 0.71]" for others. */
export function interval(ci: readonly [number, number], bounded: boolean, digits = 2): string {
  const f = (x: number): string => (bounded ? noLead(toFixedR(x, digits)) : toFixedR(x, digits));
  return `[${f(ci[0])}, ${f(ci[1])}]`;
}

/** A percentage of a share (0.25 -> "25.0%"). */
export function percent(share: number, digits = 1): string {
  return `${toFixedR(share * 100, digits)}%`;
}

/** The confidence level as people write it: 0.95 -> "95". */
export function level(l: number): string {
  const v = l * 100;
  return Number.isInteger(Math.round(v * 1e9) / 1e9) ? String(Math.round(v)) : toFixedR(v, 1);
}

/** Joins words as a list: "a", "a and b", "a, b, and c" (APA serial comma). */
export function listWords(xs: string[]): string {
  if (xs.length <= 1) return xs.join('');
  if (xs.length === 2) return `${xs[0]} and ${xs[1]}`;
  return `${xs.slice(0, -1).join(', ')}, and ${xs[xs.length - 1]}`;
}

/** Plain text of a Text (symbols as written, subscripts after an underscore: r_rm). */
export function plain(t: Text): string {
  return t.map((r) => (typeof r === 'string' ? r : r.sub !== undefined ? `${r.i}_${r.sub}` : r.i)).join('');
}

/** The table cell of a plain string. */
export function t(s: string): Text {
  return [s];
}

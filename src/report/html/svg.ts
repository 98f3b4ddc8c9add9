/**
 * Small SVG charts for report.html, generated as strings (no browser, no dependency):
 * forestPlot (estimates with intervals), lineChart (series by period) and barChart
 * (horizontal bars with optional intervals).
 *
 * Every chart is an <svg class="chart" role="img"> with <title> and <desc> (the accessible
 * name and a one-sentence description that states n), axes with ticks and labels, and its
 * data marks tagged class="mark" (the browser test counts them). Colours are a dark blue
 * and a vermilion that differ in lightness, and series also differ by dash and marker
 * shape, so the charts survive greyscale printing.
 */
import { printable } from '../../io/text-safety.js';
import { toFixedR } from '../number.js';

export const INK = '#1b1b1b';
export const GRID = '#d9d9d9';
/** Series colours: dark blue, vermilion, mid grey (distinct in greyscale too). */
export const SERIES = ['#1f4e79', '#c0392b', '#6b6b6b'];
const DASH = ['', '6 3', '2 3'];
/** Light blue for bars that carry an interval whisker. */
const LIGHT = '#9dbad5';
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif"';

/**
 * Text for HTML and SVG (element content and double-quoted attributes): control characters
 * shown as escapes (printable: an ESC, a line break or a bidirectional override from the
 * data must not reach the page, docs/safety.md), then the markup characters escaped.
 */
export function esc(s: string): string {
  return printable(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Coordinates at 0.1 px (short, stable output). */
function c(x: number): string {
  const v = Math.round(x * 10) / 10;
  return Object.is(v, -0) ? '0' : String(v);
}

/** "Nice" ticks covering [lo, hi] (1-2-5 steps), about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / Math.max(1, count);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const norm = raw / mag;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * mag;
  // Integer multiples of the step (no accumulated error), printed to 12 significant digits.
  const k0 = Math.floor(lo / step + 1e-9);
  const k1 = Math.ceil(hi / step - 1e-9);
  const out: number[] = [];
  for (let k = k0; k <= k1; k++) out.push(k === 0 ? 0 : Number((k * step).toPrecision(12)));
  return out;
}

function decimalsOf(ticks: number[]): number {
  let d = 0;
  for (const t of ticks) {
    const s = String(t);
    const i = s.indexOf('.');
    if (i >= 0) d = Math.max(d, s.length - i - 1);
  }
  return Math.min(d, 4);
}

export type ValueFormat = 'number' | 'percent';

/** Shortens a label to `max` characters (with an ellipsis); the full text stays in the mark's tooltip. */
export function clip(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max - 1) + '\u2026';
}

/** The most characters of a bar or forest-plot label on one line (12 px type in 190-200 px). */
const LABEL_LINE = 28;

/**
 * A row label: one line, or two lines split at a space when longer than LABEL_LINE (never
 * cut); a label still too long is clipped with its full text in a <title>.
 */
function labelText(label: string, x: number, yc: number, anchor: 'start' | 'end', attrs = ''): string {
  const anchorAttr = anchor === 'end' ? ' text-anchor="end"' : '';
  if (label.length <= LABEL_LINE) return `<text x="${x}" y="${c(yc + 4)}"${anchorAttr}${attrs}>${esc(label)}</text>`;
  const words = label.split(' ');
  let first = '';
  let k = 0;
  while (k < words.length && (first === '' ? words[k] : `${first} ${words[k]}`).length <= LABEL_LINE)
    first = first === '' ? words[k++] : `${first} ${words[k++]}`;
  const rest = words.slice(k).join(' ');
  if (first === '' || rest.length > LABEL_LINE) {
    return `<text x="${x}" y="${c(yc + 4)}"${anchorAttr}${attrs}><title>${esc(label)}</title>${esc(clip(label, LABEL_LINE))}</text>`;
  }
  return `<text x="${x}" y="${c(yc - 2)}"${anchorAttr}${attrs} font-size="11"><tspan x="${x}">${esc(first)}</tspan><tspan x="${x}" dy="12">${esc(rest)}</tspan></text>`;
}

/** Words in lines of at most `max` characters (a longer word is its own line). */
function wrapWords(text: string, max: number): string[] {
  const lines: string[] = [];
  for (const w of text.split(' ')) {
    const last = lines[lines.length - 1];
    if (last !== undefined && `${last} ${w}`.length <= max) lines[lines.length - 1] = `${last} ${w}`;
    else lines.push(w);
  }
  return lines;
}

function fmtValue(v: number, format: ValueFormat, digits: number): string {
  return format === 'percent' ? `${toFixedR(v * 100, digits)}%` : toFixedR(v, digits);
}

function open(id: string, kind: string, width: number, height: number, title: string, desc: string): string[] {
  return [
    `<svg class="chart" data-chart="${kind}" id="${id}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${id}-t ${id}-d" ${FONT} font-size="12" fill="${INK}">`,
    `<title id="${id}-t">${esc(title)}</title>`,
    `<desc id="${id}-d">${esc(desc)}</desc>`,
    `<text x="8" y="18" font-size="14" font-weight="600">${esc(clip(title, Math.floor((width - 16) / 8.5)))}</text>`,
  ];
}

// ---------------------------------------------------------------------------------------
// Forest plot

export interface ForestRow {
  label: string;
  /** null: not estimable (shown as text, no mark). */
  estimate: number | null;
  ci: readonly [number, number] | null;
  n: number | null;
  /** Shown instead of the numbers when the estimate is missing. */
  note?: string;
  /** Draw the row in bold (e.g. the all-clients row above groups). */
  emphasis?: boolean;
}

export interface ForestOptions {
  /** Element id, unique in the page (the caller numbers charts, so pages are byte-stable). */
  id: string;
  title: string;
  desc: string;
  rows: ForestRow[];
  /** Axis label, with units. */
  xLabel: string;
  /** Header of the numbers column, e.g. "r [95% CI]". */
  valueHeader: string;
  /** Vertical reference lines (0 is always drawn when inside the domain). */
  references?: { value: number; label: string }[];
  /** Fixed domain, e.g. [-1, 1] for correlations (clipped to the data when narrower). */
  domain?: [number, number];
}

export function forestPlot(o: ForestOptions): string {
  const id = o.id;
  const labelW = 190;
  const textW = 240;
  const plotW = 360;
  const rowH = 22;
  const top = 52;
  const width = labelW + plotW + textW + 16;
  const height = top + o.rows.length * rowH + 56;
  const vals: number[] = [];
  for (const r of o.rows) {
    if (r.estimate !== null) vals.push(r.estimate);
    if (r.ci) vals.push(r.ci[0], r.ci[1]);
  }
  for (const ref of o.references ?? []) vals.push(ref.value);
  vals.push(0);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of vals) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (o.domain) {
    lo = Math.max(lo, o.domain[0]);
    hi = Math.min(hi, o.domain[1]);
  }
  const ticks = niceTicks(lo, hi, 6);
  const t0 = ticks[0];
  const t1 = ticks[ticks.length - 1];
  const x0 = labelW;
  const x = (v: number) => x0 + ((v - t0) / (t1 - t0)) * plotW;
  const yBottom = top + o.rows.length * rowH;
  const digits = decimalsOf(ticks);
  const out = open(id, 'forest', width, height, o.title, o.desc);
  out.push(`<text x="${labelW + plotW + 12}" y="${top - 10}" font-weight="600">${esc(o.valueHeader)}</text>`);
  // grid + ticks
  for (const t of ticks) {
    out.push(`<line x1="${c(x(t))}" y1="${top - 4}" x2="${c(x(t))}" y2="${yBottom}" stroke="${GRID}" stroke-width="1"/>`);
    out.push(`<line x1="${c(x(t))}" y1="${yBottom}" x2="${c(x(t))}" y2="${yBottom + 5}" stroke="${INK}"/>`);
    out.push(`<text x="${c(x(t))}" y="${yBottom + 18}" text-anchor="middle">${fmtValue(t, 'number', digits)}</text>`);
  }
  out.push(`<line x1="${x0}" y1="${yBottom}" x2="${x0 + plotW}" y2="${yBottom}" stroke="${INK}"/>`);
  out.push(`<text x="${c(x0 + plotW / 2)}" y="${yBottom + 38}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  if (0 >= t0 && 0 <= t1) out.push(`<line x1="${c(x(0))}" y1="${top - 4}" x2="${c(x(0))}" y2="${yBottom}" stroke="${INK}" stroke-width="1.2"/>`);
  for (const ref of o.references ?? []) {
    if (ref.value < t0 || ref.value > t1) continue;
    out.push(
      `<line x1="${c(x(ref.value))}" y1="${top - 4}" x2="${c(x(ref.value))}" y2="${yBottom}" stroke="${SERIES[2]}" stroke-width="1.2" stroke-dasharray="4 3"/>`,
      `<text x="${c(x(ref.value))}" y="${top - 10}" text-anchor="middle" font-size="11" fill="${SERIES[2]}">${esc(ref.label)}</text>`,
    );
  }
  o.rows.forEach((r, i) => {
    const y = top + i * rowH + rowH / 2;
    if (i % 2 === 1) out.push(`<rect x="0" y="${c(y - rowH / 2)}" width="${width}" height="${rowH}" fill="#000" fill-opacity="0.035"/>`);
    const weight = r.emphasis ? ' font-weight="600"' : '';
    out.push(labelText(r.label, 8, y, 'start', weight));
    if (r.estimate === null) {
      out.push(`<text x="${labelW + plotW + 12}" y="${c(y + 4)}" font-style="italic">${esc(r.note ?? 'not estimable')}</text>`);
      return;
    }
    const colour = SERIES[0];
    const parts: string[] = [];
    if (r.ci) {
      const a = Math.max(r.ci[0], t0);
      const b = Math.min(r.ci[1], t1);
      parts.push(`<line x1="${c(x(a))}" y1="${c(y)}" x2="${c(x(b))}" y2="${c(y)}" stroke="${colour}" stroke-width="2"/>`);
      parts.push(`<line x1="${c(x(a))}" y1="${c(y - 4)}" x2="${c(x(a))}" y2="${c(y + 4)}" stroke="${colour}" stroke-width="1.5"/>`);
      parts.push(`<line x1="${c(x(b))}" y1="${c(y - 4)}" x2="${c(x(b))}" y2="${c(y + 4)}" stroke="${colour}" stroke-width="1.5"/>`);
    }
    const s = r.emphasis ? 6 : 5;
    parts.push(
      `<rect x="${c(x(r.estimate) - s)}" y="${c(y - s)}" width="${2 * s}" height="${2 * s}" fill="${colour}" transform="rotate(45 ${c(x(r.estimate))} ${c(y)})"/>`,
    );
    const ciText = r.ci ? ` [${toFixedR(r.ci[0], 3)}, ${toFixedR(r.ci[1], 3)}]` : '';
    const label = `${r.label}: ${toFixedR(r.estimate, 3)}${ciText}${r.n !== null ? `, n = ${r.n}` : ''}`;
    out.push(`<g class="mark"><title>${esc(label)}</title>${parts.join('')}</g>`);
    out.push(`<text x="${labelW + plotW + 12}" y="${c(y + 4)}"${weight}>${toFixedR(r.estimate, 3)}${ciText}${r.n !== null ? `  n=${r.n}` : ''}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------
// Line chart

export interface LineSeries {
  name: string;
  values: (number | null)[];
}

export interface LineOptions {
  /** Element id, unique in the page (the caller numbers charts, so pages are byte-stable). */
  id: string;
  title: string;
  desc: string;
  /** Category labels along x (periods), in order. */
  x: string[];
  series: LineSeries[];
  yLabel: string;
  format?: ValueFormat;
  /** Fixed y domain (widened to the data when needed). */
  domain?: [number, number];
  /** Optional horizontal reference line. */
  reference?: { value: number; label: string };
  /** Caption under the x axis (e.g. clients per period). */
  xCaption?: string;
  /** Optional second label row under each x label (e.g. "n=61"). */
  xNotes?: string[];
  /** Short forms of the x labels shown on the axis ("Jan 24" for 2024-01); the full label is in each tick's <title>. */
  xShort?: string[];
  /** Points below the suppression threshold: drawn hollow, their segments dashed, and `smallNote` in the legend. */
  small?: boolean[];
  smallNote?: string;
}

/** Pixels per character of the 11 px axis labels (a generous average for digits and letters). */
const AXIS_CHAR_PX = 6.6;

/**
 * Every k-th x label, k the smallest step at which labels of this length do not overlap:
 * a label is shown at i when i % k == 0. Ticks without a label keep their <title>.
 */
export function labelEvery(labels: string[], step: number): number {
  const widest = Math.max(1, ...labels.map((l) => l.length)) * AXIS_CHAR_PX + 8;
  return Math.max(1, Math.ceil(widest / step));
}

export function lineChart(o: LineOptions): string {
  const id = o.id;
  const left = 64;
  const right = 150;
  const top = 36;
  const plotH = 220;
  // 560 px of plot for a few periods; for many, as wide as the page allows (labels thin out).
  const n = Math.max(1, o.x.length);
  const step = Math.min(90, Math.max(560 / n, Math.min(44, 880 / n)));
  const plotW = Math.max(240, step * o.x.length);
  const width = left + plotW + right;
  const height = top + plotH + 76;
  const format = o.format ?? 'number';
  const vals = o.series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  if (o.reference) vals.push(o.reference.value);
  let lo = vals.length ? Infinity : 0;
  let hi = vals.length ? -Infinity : 1;
  for (const v of vals) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (o.domain) {
    lo = Math.min(lo, o.domain[0]);
    hi = Math.max(hi, o.domain[1]);
  }
  const ticks = niceTicks(lo, hi, 5);
  const t0 = ticks[0];
  const t1 = ticks[ticks.length - 1];
  const y = (v: number) => top + plotH - ((v - t0) / (t1 - t0)) * plotH;
  const xi = (i: number) => left + step * (i + 0.5);
  const digits = format === 'percent' ? Math.max(0, decimalsOf(ticks.map((t) => t * 100))) : decimalsOf(ticks);
  const out = open(id, 'line', width, height, o.title, o.desc);
  for (const t of ticks) {
    out.push(`<line x1="${left}" y1="${c(y(t))}" x2="${left + plotW}" y2="${c(y(t))}" stroke="${GRID}"/>`);
    out.push(`<text x="${left - 8}" y="${c(y(t) + 4)}" text-anchor="end">${fmtValue(t, format, digits)}</text>`);
  }
  out.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="${INK}"/>`);
  out.push(`<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}" stroke="${INK}"/>`);
  out.push(`<text transform="translate(16 ${c(top + plotH / 2)}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`);
  const shown = o.xShort ?? o.x;
  const every = labelEvery([...shown, ...(o.xNotes ?? [])], step);
  out.push('<g class="xaxis">');
  o.x.forEach((label, i) => {
    const tip = `<title>${esc(`${label}${o.xNotes?.[i] ? `, ${o.xNotes[i]}` : ''}${o.small?.[i] && o.smallNote ? ` (${o.smallNote})` : ''}`)}</title>`;
    const parts = [`<line x1="${c(xi(i))}" y1="${top + plotH}" x2="${c(xi(i))}" y2="${top + plotH + (i % every === 0 ? 5 : 3)}" stroke="${INK}"/>`];
    if (i % every === 0) {
      parts.push(`<text class="xlabel" x="${c(xi(i))}" y="${top + plotH + 18}" text-anchor="middle" font-size="11">${esc(shown[i])}</text>`);
      if (o.xNotes?.[i]) parts.push(`<text x="${c(xi(i))}" y="${top + plotH + 32}" text-anchor="middle" font-size="10" fill="#555">${esc(o.xNotes[i])}</text>`);
    }
    out.push(`<g>${tip}${parts.join('')}</g>`);
  });
  out.push('</g>');
  if (o.xCaption) out.push(`<text x="${c(left + plotW / 2)}" y="${top + plotH + 56}" text-anchor="middle">${esc(o.xCaption)}</text>`);
  if (o.reference && o.reference.value >= t0 && o.reference.value <= t1) {
    out.push(
      `<line x1="${left}" y1="${c(y(o.reference.value))}" x2="${left + plotW}" y2="${c(y(o.reference.value))}" stroke="${SERIES[2]}" stroke-dasharray="4 3"/>`,
      `<text x="${left + plotW + 6}" y="${c(y(o.reference.value) + 4)}" font-size="11" fill="${SERIES[2]}">${esc(o.reference.label)}</text>`,
    );
  }
  o.series.forEach((s, k) => {
    const colour = SERIES[k % SERIES.length];
    const dash = DASH[k % DASH.length];
    // Polyline segments break at missing values; a segment touching a small period is dashed.
    const ok = (i: number) => s.values[i] !== null && Number.isFinite(s.values[i]);
    const segs: { points: string[]; thin: boolean }[] = [];
    for (let i = 0; i + 1 < s.values.length; i++) {
      if (!ok(i) || !ok(i + 1)) continue;
      const thin = Boolean(o.small?.[i] || o.small?.[i + 1]);
      const last = segs[segs.length - 1];
      const p1 = `${c(xi(i + 1))},${c(y(s.values[i + 1]!))}`;
      if (last && last.thin === thin && last.points[last.points.length - 1] === `${c(xi(i))},${c(y(s.values[i]!))}`) last.points.push(p1);
      else segs.push({ points: [`${c(xi(i))},${c(y(s.values[i]!))}`, p1], thin });
    }
    const parts: string[] = [];
    for (const sg of segs) {
      const d = sg.thin ? '2 4' : dash;
      parts.push(
        `<polyline points="${sg.points.join(' ')}" fill="none" stroke="${colour}" stroke-width="${sg.thin ? 1.5 : 2}"${d ? ` stroke-dasharray="${d}"` : ''}/>`,
      );
    }
    s.values.forEach((v, i) => {
      if (v === null || !Number.isFinite(v)) return;
      const px = xi(i);
      const py = y(v);
      const hollow = Boolean(o.small?.[i]);
      const tip = `<title>${esc(`${s.name}, ${o.x[i]}: ${fmtValue(v, format, format === 'percent' ? 1 : 2)}${hollow && o.smallNote ? ` (${o.smallNote})` : ''}`)}</title>`;
      parts.push(
        k % 2 === 0
          ? `<circle cx="${c(px)}" cy="${c(py)}" r="4" fill="${hollow ? '#fff' : colour}"${hollow ? ` stroke="${colour}" stroke-width="2" class="small"` : ''}>${tip}</circle>`
          : `<rect x="${c(px - 4)}" y="${c(py - 4)}" width="8" height="8" fill="#fff" stroke="${colour}" stroke-width="${hollow ? 1 : 2}"${hollow ? ' stroke-dasharray="2 2" class="small"' : ''}>${tip}</rect>`,
      );
    });
    out.push(`<g class="mark">${parts.join('')}</g>`);
    // legend
    const ly = top + 10 + k * 20;
    out.push(
      `<line x1="${left + plotW + 12}" y1="${ly}" x2="${left + plotW + 36}" y2="${ly}" stroke="${colour}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`,
    );
    out.push(`<text x="${left + plotW + 42}" y="${ly + 4}" font-size="11">${esc(clip(s.name, 16))}</text>`);
  });
  if (o.small?.some(Boolean) && o.smallNote) {
    // Legend entry for the small periods: a hollow point on a dotted segment, and the rule in words.
    const ly = top + 10 + o.series.length * 20 + 6;
    out.push(`<line x1="${left + plotW + 12}" y1="${ly}" x2="${left + plotW + 36}" y2="${ly}" stroke="${INK}" stroke-width="1.5" stroke-dasharray="2 4"/>`);
    out.push(`<circle cx="${left + plotW + 24}" cy="${ly}" r="4" fill="#fff" stroke="${INK}" stroke-width="2"/>`);
    wrapWords(o.smallNote, 16).forEach((line, j) => out.push(`<text x="${left + plotW + 42}" y="${ly + 4 + j * 13}" font-size="11">${esc(line)}</text>`));
  }
  out.push('</svg>');
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------
// Horizontal bar chart

export interface Bar {
  label: string;
  value: number | null;
  ci?: readonly [number, number] | null;
  /** Text after the bar, e.g. "50 of 214". */
  note?: string;
}

export interface BarOptions {
  /** Element id, unique in the page (the caller numbers charts, so pages are byte-stable). */
  id: string;
  title: string;
  desc: string;
  bars: Bar[];
  xLabel: string;
  format?: ValueFormat;
  /** Fixed domain (e.g. [0, 1] for shares). */
  domain?: [number, number];
}

export function barChart(o: BarOptions): string {
  const id = o.id;
  const labelW = 200;
  const plotW = 360;
  const textW = 170;
  const rowH = 26;
  const top = 34;
  const width = labelW + plotW + textW;
  const height = top + o.bars.length * rowH + 52;
  const format = o.format ?? 'number';
  const vals = o.bars.flatMap((b) => [b.value ?? 0, ...(b.ci ? [b.ci[1]] : [])]);
  let lo = 0;
  let hi = Math.max(0, ...vals);
  if (o.domain) {
    lo = Math.min(lo, o.domain[0]);
    hi = Math.max(hi, o.domain[1]);
  }
  const ticks = niceTicks(lo, hi, 5);
  const t0 = ticks[0];
  const t1 = ticks[ticks.length - 1];
  const x = (v: number) => labelW + ((v - t0) / (t1 - t0)) * plotW;
  const yBottom = top + o.bars.length * rowH;
  const digits = format === 'percent' ? decimalsOf(ticks.map((t) => Number((t * 100).toPrecision(12)))) : decimalsOf(ticks);
  const out = open(id, 'bar', width, height, o.title, o.desc);
  for (const t of ticks) {
    out.push(`<line x1="${c(x(t))}" y1="${top - 4}" x2="${c(x(t))}" y2="${yBottom}" stroke="${GRID}"/>`);
    out.push(`<text x="${c(x(t))}" y="${yBottom + 18}" text-anchor="middle">${fmtValue(t, format, digits)}</text>`);
  }
  out.push(`<line x1="${labelW}" y1="${top - 4}" x2="${labelW}" y2="${yBottom}" stroke="${INK}"/>`);
  out.push(`<line x1="${labelW}" y1="${yBottom}" x2="${labelW + plotW}" y2="${yBottom}" stroke="${INK}"/>`);
  out.push(`<text x="${c(labelW + plotW / 2)}" y="${yBottom + 40}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  o.bars.forEach((b, i) => {
    const yc = top + i * rowH + rowH / 2;
    out.push(labelText(b.label, labelW - 8, yc, 'end'));
    if (b.value === null || !Number.isFinite(b.value)) {
      out.push(`<text x="${labelW + 6}" y="${c(yc + 4)}" font-style="italic">${esc(b.note ?? 'not estimable')}</text>`);
      return;
    }
    // A bar with an interval is drawn light so the black whisker stays visible on it (also in greyscale).
    const parts = [`<rect x="${c(x(0))}" y="${c(yc - 8)}" width="${c(Math.max(0, x(b.value) - x(0)))}" height="16" fill="${b.ci ? LIGHT : SERIES[0]}"/>`];
    if (b.ci) {
      parts.push(
        `<line x1="${c(x(b.ci[0]))}" y1="${c(yc)}" x2="${c(x(b.ci[1]))}" y2="${c(yc)}" stroke="${INK}" stroke-width="1.5"/>`,
        `<line x1="${c(x(b.ci[0]))}" y1="${c(yc - 5)}" x2="${c(x(b.ci[0]))}" y2="${c(yc + 5)}" stroke="${INK}" stroke-width="1.5"/>`,
        `<line x1="${c(x(b.ci[1]))}" y1="${c(yc - 5)}" x2="${c(x(b.ci[1]))}" y2="${c(yc + 5)}" stroke="${INK}" stroke-width="1.5"/>`,
      );
    }
    const valueText = fmtValue(b.value, format, format === 'percent' ? 1 : Number.isInteger(b.value) ? 0 : 2);
    const tip = `${b.label}: ${valueText}${b.ci ? ` [${fmtValue(b.ci[0], format, 1)}, ${fmtValue(b.ci[1], format, 1)}]` : ''}${b.note ? ` (${b.note})` : ''}`;
    out.push(`<g class="mark"><title>${esc(tip)}</title>${parts.join('')}</g>`);
    out.push(`<text x="${labelW + plotW + 10}" y="${c(yc + 4)}">${esc(valueText)}${b.note ? ` <tspan fill="#555">${esc(b.note)}</tspan>` : ''}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

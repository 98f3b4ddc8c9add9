/**
 * report.html checked structurally, without a browser: the page is parsed with parse5 (the
 * WHATWG HTML parsing algorithm, as browsers use it) and must parse with no error; it has
 * no external reference of any kind; ids are unique; and every chart is present, named,
 * described, labelled by elements that exist, sized, and has its data marks and axis text.
 *
 * What needs layout (labels inside the drawing area) and a live page (no console errors,
 * no network requests) is checked in headless Chromium by `npm run test:browser`
 * (test/browser/report-html.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { html as spec, parse, type DefaultTreeAdapterMap } from 'parse5';
import { runInProcess } from '../helpers/cli.js';
import { demoConfigWithModel } from '../helpers/demo-config.js';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SVG_NS = spec.NS.SVG;
let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'alliance-html-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

const isElement = (n: Node): n is Element => 'tagName' in n;
const attr = (e: Element, name: string): string | undefined => e.attrs.find((a) => a.name === name)?.value;
const classes = (e: Element): string[] => (attr(e, 'class') ?? '').split(/\s+/).filter(Boolean);

function elements(n: Node, out: Element[] = []): Element[] {
  if (isElement(n)) out.push(n);
  const kids = 'childNodes' in n ? n.childNodes : [];
  for (const c of kids) elements(c, out);
  if (isElement(n) && n.tagName === 'template') elements((n as DefaultTreeAdapterMap['template']).content, out);
  return out;
}

function text(n: Node): string {
  if (n.nodeName === '#text') return (n as DefaultTreeAdapterMap['textNode']).value;
  return 'childNodes' in n ? n.childNodes.map(text).join('') : '';
}

interface ChartInfo {
  id: string;
  kind: string;
  title: string;
  desc: string;
  labelled: boolean;
  marks: number;
  width: number;
  height: number;
  axisTexts: number;
  inSvgNamespace: boolean;
}

/** Attributes that load something when they hold a URL (HTML and SVG). */
const URL_ATTRS = new Set(['src', 'srcset', 'href', 'xlink:href', 'action', 'formaction', 'poster', 'data', 'background', 'manifest', 'ping', 'cite']);
const LOADING_TAGS = new Set([
  'script',
  'link',
  'img',
  'iframe',
  'frame',
  'object',
  'embed',
  'video',
  'audio',
  'source',
  'track',
  'image',
  'use',
  'foreignObject',
  'base',
  'form',
]);

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

interface PageCheck {
  parseErrors: string[];
  external: string[];
  duplicateIds: string[];
  charts: ChartInfo[];
}

/** Everything the structural test asserts, computed from the markup alone. */
export function checkHtml(html: string): PageCheck {
  const parseErrors: string[] = [];
  const doc = parse(html, {
    sourceCodeLocationInfo: true,
    onParseError: (e) => parseErrors.push(`${e.code} at line ${e.startLine}, column ${e.startCol}`),
  });
  if (!/^<!DOCTYPE html>/i.test(html)) parseErrors.push('no <!DOCTYPE html> at the start');
  const all = elements(doc);
  // parse5 reports tokenizer errors; a tree-construction repair shows as an element that
  // the parser implied or closed itself. Every element must be written with its end tag
  // (void elements and self-closing SVG elements excepted).
  for (const e of all) {
    const loc = e.sourceCodeLocation;
    if (!loc) {
      parseErrors.push(`<${e.tagName}> implied by the parser`);
      continue;
    }
    const selfClosing = e.namespaceURI === SVG_NS && loc.startTag !== undefined && html.slice(loc.startTag.endOffset - 2, loc.startTag.endOffset) === '/>';
    if (!VOID.has(e.tagName) && !selfClosing && !loc.endTag) parseErrors.push(`<${e.tagName}> at line ${loc.startLine} is not closed`);
  }
  const external: string[] = [];
  const ids = new Map<string, number>();
  for (const e of all) {
    const id = attr(e, 'id');
    if (id !== undefined) ids.set(id, (ids.get(id) ?? 0) + 1);
    if (LOADING_TAGS.has(e.tagName)) external.push(`<${e.tagName}>`);
    for (const a of e.attrs) {
      const name = a.prefix ? `${a.prefix}:${a.name}` : a.name;
      if (URL_ATTRS.has(name) && !a.value.startsWith('#')) external.push(`${e.tagName} ${name}="${a.value}"`);
      if (name === 'style' && /url\(|@import/i.test(a.value)) external.push(`${e.tagName} style="${a.value}"`);
    }
    if (e.tagName === 'style' && /url\(|@import/i.test(text(e))) external.push('<style> with url( or @import');
  }
  const charts = all
    .filter((e) => e.tagName === 'svg' && classes(e).includes('chart'))
    .map((svg): ChartInfo => {
      const inside = elements(svg).slice(1);
      const child = (tag: string) => svg.childNodes.find((c): c is Element => isElement(c) && c.tagName === tag);
      const titleEl = child('title');
      const descEl = child('desc');
      return {
        id: attr(svg, 'id') ?? '',
        kind: attr(svg, 'data-chart') ?? '',
        title: titleEl ? text(titleEl).trim() : '',
        desc: descEl ? text(descEl).trim() : '',
        labelled: (attr(svg, 'aria-labelledby') ?? '').split(' ').every((ref) => ref !== '' && ids.has(ref)),
        marks: inside.filter((e) => classes(e).includes('mark')).length,
        width: Number(attr(svg, 'width')),
        height: Number(attr(svg, 'height')),
        axisTexts: inside.filter((e) => e.tagName === 'text').length,
        inSvgNamespace: svg.namespaceURI === SVG_NS && inside.every((e) => e.namespaceURI === SVG_NS),
      };
    });
  const duplicateIds = [...ids].filter(([, n]) => n > 1).map(([id]) => id);
  return { parseErrors, external, duplicateIds, charts };
}

function expectCleanReport(html: string): ChartInfo[] {
  const page = checkHtml(html);
  expect(page.parseErrors).toEqual([]);
  expect(page.external).toEqual([]);
  expect(page.duplicateIds).toEqual([]);
  const expected = (html.match(/<svg class="chart"/g) ?? []).length;
  expect(page.charts).toHaveLength(expected);
  for (const c of page.charts) {
    expect(c.id, 'every chart has an id').not.toBe('');
    expect(['forest', 'line', 'bar'], c.id).toContain(c.kind);
    expect(c.title, c.id).not.toBe('');
    expect(c.desc, c.id).not.toBe('');
    expect(c.labelled, `${c.id}: aria-labelledby names elements that exist`).toBe(true);
    expect(c.marks, `${c.id} (${c.title}) has no data marks`).toBeGreaterThan(0);
    expect(c.width, c.id).toBeGreaterThan(300);
    expect(c.height, c.id).toBeGreaterThan(100);
    expect(c.axisTexts, c.id).toBeGreaterThan(5);
    expect(c.inSvgNamespace, `${c.id}: parsed as inline SVG`).toBe(true);
    // n is stated in every chart's title or description.
    expect(`${c.title} ${c.desc}`, c.id).toMatch(/\d+ clients|n =|n is|with at least/);
  }
  return page.charts;
}

describe('report.html, structurally (no browser)', () => {
  it('the checker itself finds parse errors, external references, duplicate ids and charts without marks', () => {
    const bad = checkHtml(
      '<html><head><title>x</title><link rel="stylesheet" href="https://example.org/a.css"><style>body{background:url(x.png)}</style></head><body>' +
        '<p id="a">one</p><p id="a" id="b">two</p><img src="http://127.0.0.1:9/x.png"><div></span>' +
        '<svg class="chart" data-chart="bar" id="c" width="400" height="200" aria-labelledby="c-t missing"><title id="c-t">T</title><use href="other.svg#x"/></svg>' +
        '</body></html>',
    );
    expect(bad.parseErrors.join(' ')).toMatch(/DOCTYPE/);
    expect(bad.parseErrors).toEqual(
      expect.arrayContaining([expect.stringMatching(/^duplicate-attribute/), expect.stringMatching(/^<div> at line 1 is not closed/)]),
    );
    expect(bad.external).toEqual(
      expect.arrayContaining([
        '<link>',
        'link href="https://example.org/a.css"',
        '<style> with url( or @import',
        '<img>',
        'img src="http://127.0.0.1:9/x.png"',
        '<use>',
        'use href="other.svg#x"',
      ]),
    );
    expect(bad.duplicateIds).toEqual(['a']);
    expect(bad.charts).toEqual([
      { id: 'c', kind: 'bar', title: 'T', desc: '', labelled: false, marks: 0, width: 400, height: 200, axisTexts: 0, inSvgNamespace: true },
    ]);
  });

  it('the demo report: every chart with its marks, valid markup, nothing external', async () => {
    const out = path.join(tmp, 'report');
    const res = await runInProcess(['report', '--config', path.join(ROOT, 'fixtures/report.yaml'), '--out', out, '--reproducible']);
    expect(res.code).toBe(0);
    const charts = expectCleanReport(readFileSync(path.join(out, 'report.html'), 'utf8'));
    // The demo: 2 pairs x (by level + by therapist) forest plots, 3 period line charts,
    // change categories, improved and recovered by site, alerts.
    expect(charts).toHaveLength(11);
    const kinds = charts.map((c) => c.kind);
    expect(kinds.filter((k) => k === 'forest')).toHaveLength(4);
    expect(kinds.filter((k) => k === 'line')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'bar')).toHaveLength(4);
  });

  it('with the model section: the demo charts plus the coefficient plot', async () => {
    // The demo config as its comments say: model added to the sections and the commented
    // model section uncommented (ors on srs, time, therapist level).
    const dir = mkdtempSync(path.join(tmp, 'model-'));
    demoConfigWithModel(dir);
    const res = await runInProcess(['report', '--config', path.join(dir, 'r.yaml'), '--out', path.join(dir, 'out'), '--reproducible']);
    expect(res.code).toBe(0);
    const charts = expectCleanReport(readFileSync(path.join(dir, 'out', 'report.html'), 'utf8'));
    expect(charts).toHaveLength(12);
    const model = charts.at(-1)!;
    expect(model.kind).toBe('forest');
    expect(model.title).toMatch(/^Mixed model of ors: coefficients \(\d+ clients/);
    // srs_within, srs_between, session and the contextual effect.
    expect(model.marks).toBe(4);
  });
});

/**
 * The `report:` section of a --config file and the input list of a report run.
 *
 * A report config is the ordinary config (src/config/load.ts: column mapping, instruments,
 * files, and the validate / correlate / trend / model sections each command reads) plus one
 * `report:` section:
 *
 * ```yaml
 * report:
 *   title: Quarterly alliance report
 *   sections: [validate, describe, correlate, trend]   # and model (not run unless listed)
 *   minClients: 5            # suppression threshold for every group figure
 *   formats: [html, md, csv, json]
 *   clientTables: false      # per-client / per-row tables only when true
 *   failOn: none             # error | warning | none
 *   out: ../report           # default output folder (relative to this file)
 *   filters: { from: 2024-01-01, to: 2024-12-31, column: site, values: [S1, S2] }
 *   manuscript: [md, docx, tex]   # or true: APA results text + tables (manuscript.*)
 *   perTherapist: false      # true: one feedback page per therapist (therapists/*.html, .md)
 * ```
 *
 * Every key is checked here; an unknown key or a wrong type is a UserError naming the key
 * and its line. Globs in `files:` (`*` and `?` within one path segment) are expanded in
 * sorted order.
 */
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { LineCounter, isMap, isScalar, parseDocument, type Node } from 'yaml';
import { UserError } from '../../errors.js';
import type { Config } from '../../config/load.js';
import { camel, checkKey, type KeyPlace } from '../../config/keys.js';
import { RELATIVE_FORMS, resolveDay } from './period.js';
import { SECTIONS, SECTION_NAMES } from '../../sections/registry.js';

/** The sections a report can run, in the order it runs them: the registry's (src/sections/registry.ts). */
export const REPORT_SECTIONS: readonly string[] = SECTION_NAMES;
export type ReportSection = string;
/** Sections run when report.sections is not given (the model runs only when listed: it needs one outcome and one alliance chosen). */
export const DEFAULT_SECTIONS: ReportSection[] = SECTIONS.filter((s) => s.reportDefault).map((s) => s.name);
export const REPORT_FORMATS = ['html', 'md', 'csv', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
export type FailOn = 'error' | 'warning' | 'none';
/** The files report.manuscript may ask for (src/report/batch/manuscript.ts writes them). */
export const MANUSCRIPT_FILES = ['md', 'docx', 'tex'] as const;
export type ManuscriptFile = (typeof MANUSCRIPT_FILES)[number];

export interface ReportFilters {
  /**
   * The period (inclusive): clients with a session in it, with their sessions up to `to`.
   * As written in the config (an ISO date or a relative form, src/report/batch/period.ts);
   * runReport resolves them to ISO dates against the as-of day (`asOf`). null = open.
   */
  from: string | null;
  to: string | null;
  /** The as-of day the relative forms were resolved against, and the forms as written (for the report's words). */
  asOf?: string;
  written?: { from: string | null; to: string | null };
  /** Group column (or the therapist column) whose values are kept. */
  column: string | null;
  values: string[] | null;
}

export interface ReportSettings {
  title: string;
  sections: ReportSection[];
  minClients: number;
  formats: ReportFormat[];
  clientTables: boolean;
  failOn: FailOn;
  /** Absolute output folder from the config, or null. */
  out: string | null;
  filters: ReportFilters;
  /** The manuscript files to write (APA results text and tables; none by default). */
  manuscript: ManuscriptFile[];
  /** One feedback page per therapist (./therapists.ts); off by default. */
  perTherapist: boolean;
}

export const REPORT_KEYS = ['title', 'sections', 'minClients', 'formats', 'clientTables', 'failOn', 'out', 'filters', 'manuscript', 'perTherapist'];
const FILTER_KEYS = ['from', 'to', 'column', 'values'];

export const DEFAULT_SETTINGS: Omit<ReportSettings, 'filters' | 'manuscript'> = {
  title: 'Alliance and outcome report',
  sections: [...DEFAULT_SECTIONS],
  minClients: 5,
  formats: [...REPORT_FORMATS],
  clientTables: false,
  failOn: 'none',
  out: null,
  perTherapist: false,
};

/** 1-based line of every key at any depth, by camelCased dotted path ("report.filters.from"). */
export function keyLines(text: string): Record<string, number> {
  const lc = new LineCounter();
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), { lineCounter: lc, prettyErrors: false });
  const out = Object.create(null) as Record<string, number>;
  const walk = (node: unknown, prefix: string) => {
    if (!isMap(node)) return;
    for (const p of node.items) {
      const k = isScalar(p.key) ? String(p.key.value) : String(p.key);
      const key = prefix ? `${prefix}.${camel(k)}` : camel(k);
      const off = (p.key as Node | null)?.range?.[0];
      if (off !== undefined) out[key] = lc.linePos(off).line;
      walk(p.value, key);
    }
  };
  walk(doc.contents, '');
  return out;
}

export interface SectionCheck {
  config: Config;
  lines: Record<string, number>;
}

/** Where a dotted key of the config stands: its own line, else its section's. */
export function place(ctx: SectionCheck): KeyPlace {
  return { file: ctx.config.path, line: (key) => ctx.lines[key] ?? ctx.config.lines[key] ?? ctx.config.lines[key.split('.')[0]] };
}

function fail(ctx: SectionCheck, key: string, msg: string, hint?: string): never {
  const at = place(ctx);
  throw new UserError(msg, { location: { file: at.file, line: at.line(key) }, hint });
}

function listOf(v: unknown): string[] | null {
  if (typeof v === 'string')
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.map((x) => String(x).trim());
  return null;
}

function periodText(ctx: SectionCheck, key: string, v: unknown): string {
  const s = typeof v === 'string' ? v.trim() : v instanceof Date ? v.toISOString().slice(0, 10) : '';
  if (resolveDay(s, 0, 'from') === null) fail(ctx, key, `'${key}' must be ${RELATIVE_FORMS}`, 'For example 2024-01-01 or last-month');
  return s;
}

/** Reads and checks the `report:` section (absent: the defaults). */
export function reportSettings(ctx: SectionCheck): ReportSettings {
  const sec = ctx.config.sections.report ?? {};
  const s: ReportSettings = {
    ...DEFAULT_SETTINGS,
    sections: [...DEFAULT_SETTINGS.sections],
    formats: [...DEFAULT_SETTINGS.formats],
    filters: { from: null, to: null, column: null, values: null },
    manuscript: [],
  };
  const dir = path.dirname(path.resolve(ctx.config.path));
  for (const [k, v] of Object.entries(sec)) {
    const key = `report.${k}`;
    checkKey(k, { section: 'report', known: REPORT_KEYS, at: place(ctx), style: 'dotted', suggest: true });
    switch (k) {
      case 'title':
        if (typeof v !== 'string' || v.trim() === '') fail(ctx, key, `'${key}' must be text`);
        s.title = v.trim();
        break;
      case 'sections': {
        const list = listOf(v);
        if (!list || list.length === 0) fail(ctx, key, `'${key}' must be a list of sections`, `Choose from ${REPORT_SECTIONS.join(', ')}`);
        const bad = list.find((x) => !REPORT_SECTIONS.includes(x));
        if (bad !== undefined) fail(ctx, key, `unknown section '${bad}' in '${key}'`, `Choose from ${REPORT_SECTIONS.join(', ')}`);
        s.sections = REPORT_SECTIONS.filter((x) => list.includes(x));
        break;
      }
      case 'formats': {
        const list = listOf(v);
        if (!list || list.length === 0) fail(ctx, key, `'${key}' must be a list of formats`, `Choose from ${REPORT_FORMATS.join(', ')}`);
        const bad = list.find((x) => !(REPORT_FORMATS as readonly string[]).includes(x));
        if (bad !== undefined)
          fail(ctx, key, `unknown format '${bad}' in '${key}'`, `Choose from ${REPORT_FORMATS.join(', ')} (manifest.json is always written)`);
        s.formats = REPORT_FORMATS.filter((x) => list.includes(x));
        break;
      }
      case 'minClients':
        if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) fail(ctx, key, `'${key}' must be a whole number >= 1`, 'For example minClients: 5');
        s.minClients = v;
        break;
      case 'manuscript': {
        const list = v === true ? [...MANUSCRIPT_FILES] : v === false ? [] : listOf(v);
        const bad = list?.find((x) => !(MANUSCRIPT_FILES as readonly string[]).includes(x));
        if (!list || bad !== undefined)
          fail(
            ctx,
            key,
            `'${key}' must be true, false or a list of ${MANUSCRIPT_FILES.join(', ')}${bad !== undefined ? ` (not '${bad}')` : ''}`,
            'For example manuscript: [md, docx]',
          );
        s.manuscript = MANUSCRIPT_FILES.filter((x) => list.includes(x));
        break;
      }
      case 'clientTables':
        if (typeof v !== 'boolean') fail(ctx, key, `'${key}' must be true or false`);
        s.clientTables = v;
        break;
      case 'perTherapist':
        if (typeof v !== 'boolean') fail(ctx, key, `'${key}' must be true or false`);
        s.perTherapist = v;
        break;
      case 'failOn':
        if (v !== 'error' && v !== 'warning' && v !== 'none') fail(ctx, key, `'${key}' must be error, warning or none`);
        s.failOn = v;
        break;
      case 'out':
        if (typeof v !== 'string' || v.trim() === '') fail(ctx, key, `'${key}' must be a folder path`);
        s.out = path.resolve(dir, v);
        break;
      case 'filters': {
        if (v === null) break;
        if (typeof v !== 'object' || Array.isArray(v)) fail(ctx, key, `'${key}' must be a mapping (from, to, column, values)`);
        for (const [fk, fv] of Object.entries(v as Record<string, unknown>)) {
          const fkey = `${key}.${camel(fk)}`;
          if (!FILTER_KEYS.includes(camel(fk))) fail(ctx, fkey, `unknown key '${fkey}'`, `Filters accept ${FILTER_KEYS.join(', ')}`);
          if (fk === 'from') s.filters.from = periodText(ctx, fkey, fv);
          else if (fk === 'to') s.filters.to = periodText(ctx, fkey, fv);
          else if (fk === 'column') {
            if (typeof fv !== 'string' || fv.trim() === '') fail(ctx, fkey, `'${fkey}' must be a column name`);
            s.filters.column = fv.trim();
          } else {
            const list = listOf(fv);
            if (!list || list.length === 0) fail(ctx, fkey, `'${fkey}' must be a list of values`, 'For example values: [S1, S2]');
            s.filters.values = list;
          }
        }
        if ((s.filters.column === null) !== (s.filters.values === null))
          fail(ctx, key, `'${key}' needs both column and values`, 'For example filters: { column: site, values: [S1, S2] }');
        break;
      }
    }
  }
  return s;
}

// ---------------------------------------------------------------------------------------
// Globs

const isGlob = (seg: string) => /[*?]/.test(seg);

function segmentRegex(seg: string): RegExp {
  const body = seg
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}

/**
 * Expands `*` (any run of characters) and `?` (one character) within path segments of an
 * absolute path; hidden files match only a pattern that starts with a dot. Results are
 * sorted (byte order) so runs are reproducible. A path without wildcards is returned as is.
 */
export function expandGlob(absPattern: string): string[] {
  const root = path.parse(absPattern).root;
  const segs = absPattern.slice(root.length).split(path.sep).filter(Boolean);
  if (!segs.some(isGlob)) return [absPattern];
  let current = [root];
  segs.forEach((seg, i) => {
    const last = i === segs.length - 1;
    const next: string[] = [];
    for (const base of current) {
      if (!isGlob(seg)) {
        next.push(path.join(base, seg));
        continue;
      }
      let names: string[];
      try {
        names = readdirSync(base);
      } catch {
        continue;
      }
      const re = segmentRegex(seg);
      for (const name of names.sort()) {
        if (name.startsWith('.') && !seg.startsWith('.')) continue;
        if (!re.test(name)) continue;
        const p = path.join(base, name);
        try {
          const st = statSync(p);
          if (last ? st.isFile() : st.isDirectory()) next.push(p);
        } catch {
          /* vanished */
        }
      }
    }
    current = next;
  });
  return current.sort();
}

/**
 * The files of a report, from its section outputs: report.md, one CSV per table,
 * results.json, report.html and the manuscript files (the formats the config asks for).
 * The manifest is written last, by ./manifest.ts, as it lists these.
 */
import type { Mapping } from '../../dataset/types.js';
import type { Verdict } from '../../sections/section.js';
import type { FileContent } from '../../io/atomic.js';
import { csvChunks, mdCell, mdLine, mdText, renderMarkdown, REPORT_TABLE_ROWS, type RowCap } from '../render.js';
import { jsonChunks } from '../stream.js';
import { renderReportHtml, type HtmlSection } from '../html/page.js';
import { measureNames } from '../labels.js';
import { manuscriptFiles } from './manuscript.js';
import type { ReportSettings } from './config.js';
import type { Planned, SectionRuns } from './sections.js';
import { pagesHtmlSection, pagesJson, pagesMarkdown, therapistPages, type TherapistFigures } from './therapists.js';

/** What the files are made of beyond the section outputs. */
export interface OutputParts {
  settings: ReportSettings;
  planned: Planned[];
  runs: SectionRuns;
  /** The inputs as the report names them (relative to the config folder). */
  inputs: string[];
  /** The filters in words (empty: none). */
  filters: string[];
  failOn: string;
  mapping: Mapping;
  labels: Record<string, string> | undefined;
  version: string;
  /** The therapist feedback pages (report.perTherapist), or null. */
  therapists?: TherapistFigures | null;
  /** The most rows a table of report.md and report.html shows (default REPORT_TABLE_ROWS; tests make it small). */
  maxTableRows?: number;
}

/**
 * The report's files other than the manifest, by name. The CSVs and results.json, which
 * grow with the clients (client tables), are given as pieces (csvChunks, jsonChunks: the
 * same bytes as renderCsvTable and JSON.stringify) and written piece by piece, so a report
 * of millions of clients is limited neither by the longest string nor by holding it.
 */
export async function reportFiles(x: OutputParts): Promise<Map<string, FileContent>> {
  const { settings, planned, filters } = x;
  const { sections, stopped, gateVerdict } = x.runs;
  const files = new Map<string, FileContent>();
  const names = { name: measureNames(x.mapping, x.labels) };
  const headline = [...sections.filter((s) => s.section.headlinesFirst), ...sections.filter((s) => !s.section.headlinesFirst)].flatMap(
    (s) => s.section.headlines?.(s.result, names) ?? [],
  );
  const mins = planned.map((p) => p.section.minClients?.(p.opts) ?? null);
  const rules = ruleLines(settings, mins, filters, stopped, x.failOn, gateVerdict);
  const title = settings.title;
  const sub = [`inputs: ${x.inputs.join(', ')}`, `sections: ${sections.map((s) => s.name).join(', ')}${stopped ? ' (stopped after validation)' : ''}`];
  const references = sections.flatMap((s) => s.section.referencesFor?.(s.opts) ?? s.section.references);
  const footer = `alliance-outcome ${x.version}. Every figure is computed from the inputs listed above; results.json holds them at full precision and manifest.json the inputs' checksums.`;
  // report.md and report.html show at most maxRows rows of a table; the CSV (or results.json) has them all.
  const maxRows = x.maxTableRows ?? REPORT_TABLE_ROWS;
  const capFor = (name: string): RowCap => ({
    maxRows,
    fileFor: (t) => (settings.formats.includes('csv') ? `${name}-${t.id}.csv` : settings.formats.includes('json') ? 'results.json' : null),
  });
  const pages = x.therapists ? therapistPages(x.therapists, { title, subtitle: sub, formats: settings.formats, names: names.name, footer }) : null;

  if (settings.formats.includes('md')) {
    const md: string[] = [
      `# ${mdText(title)}`,
      '',
      ...sub.map((s) => `${mdLine(s)}  `),
      '',
      '## Summary',
      '',
      '| figure | value | detail |',
      '|:---|---:|:---|',
    ];
    for (const h of headline) md.push(`| ${mdCell(h.label)} | ${mdCell(String(h.value))} | ${mdCell(h.detail ?? '')} |`);
    md.push('', ...rules.map((r) => `- ${mdText(r)}`), '');
    for (const s of sections) md.push(demote(renderMarkdown(s.doc, capFor(s.name))));
    if (pages) for (const line of pagesMarkdown(pages)) md.push(line);
    md.push('## References', '', ...references.map((r) => `- ${r}`));
    files.set(
      'report.md',
      md
        .join('\n')
        .replace(/\n{3,}/g, '\n\n')
        .trimEnd() + '\n',
    );
  }
  if (settings.formats.includes('csv')) {
    for (const s of sections) for (const t of s.doc.tables) files.set(`${s.name}-${t.id}.csv`, () => csvChunks(t));
  }
  if (settings.formats.includes('json')) {
    const results = {
      command: 'report',
      schema: 3,
      title,
      stopped_after_validation: stopped,
      filters: (({ asOf, written, ...rest }) => ({ ...rest, ...(asOf !== undefined ? { as_of: asOf, written } : {}) }))(settings.filters),
      min_clients: settings.minClients,
      client_tables: settings.clientTables,
      sections: Object.fromEntries(sections.map((s) => [s.name, s.json])),
      ...(pages ? { therapist_pages: pagesJson(pages, settings.formats) } : {}),
    };
    // Non-finite numbers are written as null, as JSON.stringify writes them.
    files.set('results.json', () => jsonChunks(results));
  }
  if (settings.formats.includes('html')) {
    let chartId = 1;
    const htmlSections: HtmlSection[] = [];
    for (const s of sections) {
      const charts = s.section.charts?.(s.result, chartId) ?? [];
      chartId += charts.length;
      const intro = s.section.html.intro?.(s.result, s.opts);
      htmlSections.push({ id: s.section.html.id, heading: s.section.html.heading, ...(intro ? { intro } : {}), charts, doc: s.doc, cap: capFor(s.name) });
    }
    if (pages) htmlSections.push(pagesHtmlSection(pages));
    files.set(
      'report.html',
      renderReportHtml({
        title,
        subtitle: sub,
        headline,
        sections: htmlSections,
        rules,
        references,
        footer,
      }),
    );
  }

  if (pages) for (const [name, data] of pages.files) files.set(name, data);
  if (settings.manuscript.length > 0) {
    const parts = sections.flatMap((s) => (s.section.manuscript ? [s.section.manuscript(s.result, s.dataset, s.opts)] : []));
    for (const [name, data] of await manuscriptFiles(parts, settings.manuscript)) files.set(name, data);
  }
  return files;
}

/** Shifts Markdown headings one level down (a section's "# title" becomes "## title"). */
function demote(md: string): string {
  return md.replace(/^(#+) /gm, '#$1 ');
}

function ruleLines(s: ReportSettings, sectionMins: (number | null)[], filters: string[], stopped: boolean, failOn: string, gate: Verdict | null): string[] {
  const out: string[] = [];
  const mins = [...new Set(sectionMins.filter((x): x is number => x !== null))];
  out.push(
    `Suppression: a group (therapist, site, ...) with fewer than ${mins.length ? mins.join(' / ') : s.minClients} clients is not shown on its own (it still counts in "all clients"); suppressed groups are named with their client counts.`,
  );
  out.push(
    s.clientTables
      ? 'Client-level tables are included (report.clientTables: true); they carry pseudonymous client ids only.'
      : 'No client-level or row-level tables: only aggregates leave the tool (set report.clientTables: true to include them).',
  );
  out.push(filters.length ? `Filters: ${filters.join('; ')}. Validation covers every row.` : 'Filters: none (all sessions).');
  if (stopped && gate) {
    const { errors, warnings } = gate;
    out.push(`Stopped after validation: ${errors} error(s), ${warnings} warning(s) with failOn ${failOn}; fix the data and run again.`);
  }
  return out;
}

/**
 * Therapist feedback pages (`report.perTherapist: true`; docs/report.md, "Therapist
 * feedback pages"): one page per therapist, in HTML and Markdown (as report.formats asks),
 * with their clients' figures beside the clinic's, the way measurement-based-care platforms
 * give clinicians feedback. The figures are trend's cohort figures (src/analysis/trend) of a
 * run by therapist on the report's (filtered) data, with the trend section's options.
 *
 * A page holds one therapist's figures and the clinic's, never another therapist's: no
 * other therapist is named and no other row is shown. A therapist with fewer clients than
 * the suppression threshold gets a page that says so, with no figures. The clinic column is
 * left out when the report has fewer than three therapists: with one other therapist, the
 * clinic minus your own figures would be theirs. Therapist ids are the ids the dataset shows
 * (pseudonyms for identifier-like ids, src/dataset/pseudonyms.ts); file names are made from
 * them with every character other than letters, digits, '-' and '_' replaced.
 */
import { analyzeTrend, type CohortStats, type TrendResult } from '../../analysis/trend/trend.js';
import type { OptionSource } from '../../sections/section.js';
import type { Dataset } from '../../dataset/types.js';
import { UserError } from '../../errors.js';
import { F, type Cell, type Format, type ResultDocument, type TableModel } from '../model.js';
import { mdLine, mdText, renderMarkdown } from '../render.js';
import { NO_DATA, renderReportHtml, type Headline, type HtmlSection } from '../html/page.js';
import { toFixedR } from '../number.js';
import type { NameOf } from '../labels.js';
import { SHARE_DEFINITIONS, SHARE_LABEL } from '../vocabulary.js';
import { trendSection } from '../../sections/trend/index.js';
import { trendRunOptions } from '../../sections/trend/options.js';

/** Why the pages exist: routine outcome feedback to therapists (cited on every page). */
export const FEEDBACK_REFERENCE =
  'Lambert, M. J., Whipple, J. L., & Kleinstäuber, M. (2018). Collecting and delivering progress feedback: A meta-analysis of routine outcome monitoring. Psychotherapy, 55(4), 520-537. doi:10.1037/pst0000167 (feedback to therapists).';

/** The folder of the pages in the output folder. */
export const THERAPIST_DIR = 'therapists';

export interface TherapistPage {
  /** The therapist as the report shows them (a pseudonym for an identifier-like id). */
  therapist: string;
  /** The page's name without extension, under THERAPIST_DIR. */
  name: string;
  /** False: too few clients, the page has no figures. */
  shown: boolean;
}

export interface TherapistPages {
  pages: TherapistPage[];
  /** The files by their path in the output folder. */
  files: Map<string, string>;
  minClients: number;
}

export interface PageContext {
  title: string;
  /** The report's lines under its title (inputs, filters). */
  subtitle: string[];
  formats: readonly string[];
  names: NameOf;
  footer: string;
}

/**
 * The most characters of a therapist's id kept in a page's file name: a name of the file
 * system's 255 bytes (an id can be longer) failed the whole report with ENAMETOOLONG.
 * Room is left for the `-N` that makes names unique and for `.html`.
 */
const MAX_PAGE_NAME = 100;

/** A file name for each therapist, unique (ignoring case), in the order given. */
export function pageNames(therapists: readonly string[]): string[] {
  const used = new Set<string>();
  return therapists.map((t) => {
    const base =
      t
        .replace(/[^A-Za-z0-9_-]+/g, '-')
        .replace(/^-+/, '')
        .slice(0, MAX_PAGE_NAME)
        .replace(/-+$/, '') || 'therapist';
    let name = base;
    for (let k = 2; used.has(name.toLowerCase()); k++) name = `${base}-${k}`;
    used.add(name.toLowerCase());
    return name;
  });
}

/** The figures the pages show: trend by therapist on the report's data. */
export interface TherapistFigures {
  result: TrendResult;
  minClients: number;
  /** The primary sources of the figures' methods (trend's, for its options). */
  references: readonly string[];
}

/**
 * Checks, once the input is open and before any section runs, that the data can give the
 * pages: a UserError at report.perTherapist when there is no therapist or no outcome column.
 */
export function checkPerTherapist(ds: Dataset, at: { file: string; line?: number }): void {
  if (!ds.mapping.therapist) {
    throw new UserError('report.perTherapist needs a therapist column, and none was found', {
      location: at,
      hint: "Name it with 'therapist: COLUMN' in the config",
    });
  }
  if (!ds.mapping.measures.some((m) => m.role === 'outcome')) {
    throw new UserError('report.perTherapist needs an outcome column, and none was found', {
      location: at,
      hint: "Name it with 'outcome: COLUMN' in the config",
    });
  }
}

/** Runs trend by therapist on `ds` with the trend section's options (its config section). */
export async function therapistFigures(ds: Dataset, src: OptionSource, minClientsDefault: number): Promise<TherapistFigures> {
  const trend = trendSection.options(src);
  const minClients = trend.minClients ?? minClientsDefault;
  const result = await analyzeTrend(ds, trendRunOptions({ ...trend, by: 'therapist', period: undefined, clients: false, minClients }));
  return { result, minClients, references: [FEEDBACK_REFERENCE, ...(trendSection.referencesFor?.(trend) ?? trendSection.references)] };
}

/** The pages (and their files) of the figures. */
export function therapistPages(figures: TherapistFigures, ctx: PageContext): TherapistPages {
  const { result, minClients } = figures;
  const groups = result.groups!;
  const all = [...groups.rows.map((r) => ({ therapist: r.group, row: r })), ...groups.suppressed.map((t) => ({ therapist: t, row: null }))].sort((a, b) =>
    a.therapist < b.therapist ? -1 : a.therapist > b.therapist ? 1 : 0,
  );
  const names = pageNames(all.map((x) => x.therapist));
  const withClinic = all.length >= 3;
  const files = new Map<string, string>();
  const pages: TherapistPage[] = [];
  all.forEach(({ therapist, row }, i) => {
    const page = { therapist, name: names[i], shown: row !== null };
    pages.push(page);
    const doc = row ? figuresDocument(result, row, withClinic, ctx) : tooFewDocument(minClients);
    const title = `Feedback for therapist ${therapist}`;
    const sub = [ctx.title, ...ctx.subtitle];
    if (ctx.formats.includes('md')) {
      const md = [
        `# ${mdText(title)}`,
        '',
        ...sub.map((s) => `${mdLine(s)}  `),
        '',
        `[Back to the clinic report](../report.md)`,
        '',
        ...rules(minClients, withClinic).map((r) => `- ${mdText(r)}`),
        '',
        demote(renderMarkdown(doc)),
      ];
      if (row) md.push('## References', '', ...figures.references.map((r) => `- ${r}`));
      files.set(
        `${THERAPIST_DIR}/${page.name}.md`,
        md
          .join('\n')
          .replace(/\n{3,}/g, '\n\n')
          .trimEnd() + '\n',
      );
    }
    if (ctx.formats.includes('html')) {
      files.set(
        `${THERAPIST_DIR}/${page.name}.html`,
        renderReportHtml({
          title,
          subtitle: sub,
          headline: row ? cards(result, row, withClinic ? result.summary.overall : null, ctx.names) : [],
          sections: [
            {
              id: 'figures',
              heading: row ? 'Your clients and the clinic' : 'Too few clients',
              charts: [],
              doc,
              links: [{ href: '../report.html', text: 'Back to the clinic report' }],
            },
          ],
          rules: rules(minClients, withClinic),
          references: row ? [...figures.references] : [],
          footer: ctx.footer,
        }),
      );
    }
  });
  return { pages, files, minClients };
}

function demote(md: string): string {
  return md.replace(/^(#+) /gm, '#$1 ');
}

function rules(minClients: number, withClinic: boolean): string[] {
  return [
    `This page shows your clients' figures${withClinic ? " and the clinic's (all clients of the report, yours included)" : ''}, never another therapist's.`,
    `Suppression: with fewer than ${minClients} clients no figures are shown (too few to tell a pattern from chance, and too few to keep clients unrecognisable).`,
    ...(withClinic ? [] : ["The clinic column is left out: with fewer than three therapists, the clinic's figures minus yours would be another therapist's."]),
  ];
}

function tooFewDocument(minClients: number): ResultDocument {
  return {
    title: 'Too few clients',
    preface: [`Fewer than ${minClients} of your clients are in this report's data, so this page shows no figures. They still count in the clinic's figures.`],
    tables: [],
    json: null,
  };
}

type Figure = { label: string; you: Cell; youCi: Cell; clinic: Cell; clinicCi: Cell; format: Format; ciFormat?: Format };

function figuresDocument(result: TrendResult, row: CohortStats, withClinic: boolean, ctx: PageContext): ResultDocument {
  const clinic = result.summary.overall;
  const a = result.measures.alliance;
  const o = result.measures.outcome!;
  const oName = ctx.names(o.column);
  const cutoff = result.methods.allianceAlerts.cutoff;
  const share = (p: CohortStats['reliablyImproved']) => p.share;
  const ci = (p: CohortStats['reliablyImproved']) => p.ci;
  const figs: Figure[] = [
    { label: 'clients seen', you: row.clients, youCi: null, clinic: clinic.clients, clinicCi: null, format: F.int },
    { label: 'sessions', you: row.sessions, youCi: null, clinic: clinic.sessions, clinicCi: null, format: F.int },
    { label: `clients with a change in ${oName}`, you: row.completed, youCi: null, clinic: clinic.completed, clinicCi: null, format: F.int },
    {
      label: `mean change in ${oName}, points (last - first)`,
      you: row.meanChange,
      youCi: row.meanChangeCi,
      clinic: clinic.meanChange,
      clinicCi: clinic.meanChangeCi,
      format: F.fixed(2),
      ciFormat: F.interval(2),
    },
    ...(['reliablyImproved', 'recovered', 'deteriorated'] as const).map((k): Figure => ({
      label: SHARE_LABEL[k],
      you: share(row[k]),
      youCi: ci(row[k]),
      clinic: share(clinic[k]),
      clinicCi: ci(clinic[k]),
      format: F.percent(1),
      ciFormat: F.percentInterval(1),
    })),
    ...(a
      ? [
          { label: `mean ${ctx.names(a.column)}`, you: row.allianceMean, youCi: null, clinic: clinic.allianceMean, clinicCi: null, format: F.fixed(2) },
          ...(cutoff !== null
            ? [
                {
                  label: `rated sessions with an alliance alert (below ${cutoff})`,
                  you: row.allianceBelowShare,
                  youCi: null,
                  clinic: clinic.allianceBelowShare,
                  clinicCi: null,
                  format: F.percent(1),
                },
              ]
            : []),
        ]
      : []),
    { label: `mean ${oName}`, you: row.outcomeMean, youCi: null, clinic: clinic.outcomeMean, clinicCi: null, format: F.fixed(2) },
  ];
  const fmtOf = (f: Figure, ci: boolean) => (ci ? f.ciFormat : f.format);
  const table: TableModel = {
    id: 'feedback',
    title: 'Figures',
    columns: [
      { key: 'figure', header: 'figure' },
      { key: 'you', header: 'your clients', formatFor: (r) => fmtOf(figs[r.i as number], false), align: 'right' },
      { key: 'you_ci', header: '95% CI', formatFor: (r) => fmtOf(figs[r.i as number], true), align: 'right' },
      ...(withClinic
        ? [
            { key: 'clinic', header: 'clinic', formatFor: (r: Record<string, Cell>) => fmtOf(figs[r.i as number], false), align: 'right' as const },
            { key: 'clinic_ci', header: '95% CI', formatFor: (r: Record<string, Cell>) => fmtOf(figs[r.i as number], true), align: 'right' as const },
          ]
        : []),
    ],
    rows: figs.map((f, i) => ({ i, figure: f.label, you: f.you, you_ci: f.youCi, ...(withClinic ? { clinic: f.clinic, clinic_ci: f.clinicCi } : {}) })),
    notes: [
      `${oName}: ${o.higherIsBetter === false ? 'lower' : 'higher'} scores are better, so a ${o.higherIsBetter === false ? 'negative' : 'positive'} change is improvement. A client's change is from their first to their last ${oName} in the data, counted for the therapist of the last one.`,
      `${SHARE_DEFINITIONS}; shares of the clients with a change, with Wilson 95% intervals (R prop.test, correct = FALSE); the mean change with a t interval.`,
      ...(a && cutoff !== null ? [`Alliance alert: a rated session with ${ctx.names(a.column)} below ${cutoff}; fewer is better.`] : []),
      'A wide interval means few clients: read the direction, not small differences.',
    ],
  };
  return { title: 'Your clients and the clinic', tables: [table], json: null };
}

function pct(x: number | null): string {
  return x === null ? NO_DATA : `${toFixedR(100 * x, 1)}%`;
}

function cards(result: TrendResult, row: CohortStats, clinic: CohortStats | null, names: NameOf): Headline[] {
  const vs = (x: number | null) => (clinic ? `; clinic ${pct(x)}` : '');
  const out: Headline[] = [
    { label: 'Clients seen', value: String(row.clients), detail: `${row.sessions} sessions${clinic ? `; clinic ${clinic.clients} clients` : ''}` },
    {
      label: 'Reliably improved (incl. recovered)',
      value: row.completed > 0 ? pct(row.reliablyImproved.share) : NO_DATA,
      detail: `${row.reliablyImproved.x} of ${row.completed} clients with a change${vs(clinic?.reliablyImproved.share ?? null)}`,
      good: 'higher is better',
    },
    {
      label: 'Reliably deteriorated (incl. harmed)',
      value: row.completed > 0 ? pct(row.deteriorated.share) : NO_DATA,
      detail: `${row.deteriorated.x} of ${row.completed} clients with a change${vs(clinic?.deteriorated.share ?? null)}`,
      good: 'lower is better',
    },
  ];
  const a = result.measures.alliance;
  const cutoff = result.methods.allianceAlerts.cutoff;
  if (a && cutoff !== null) {
    out.push({
      label: 'Alliance alerts',
      value: row.allianceBelowShare === null ? NO_DATA : pct(row.allianceBelowShare),
      detail: `of rated sessions had ${names(a.column)} below ${cutoff}${vs(clinic?.allianceBelowShare ?? null)}`,
      good: 'fewer is better',
    });
  }
  return out;
}

const PAGES_INTRO = "One page per therapist, to hand to them: their clients' figures beside the clinic's, never another therapist's.";

function tooFewNote(minClients: number): string {
  return `(fewer than ${minClients} clients: no figures)`;
}

/** The report.md section listing the pages. */
export function pagesMarkdown(p: TherapistPages): string[] {
  const ext = p.files.has(`${THERAPIST_DIR}/${p.pages[0]?.name}.md`) ? 'md' : 'html';
  return [
    '## Therapist feedback pages',
    '',
    mdText(PAGES_INTRO),
    '',
    ...p.pages.map(
      (g) => `- [${mdText(g.therapist).replace(/[[\]]/g, '\\$&')}](${THERAPIST_DIR}/${g.name}.${ext})${g.shown ? '' : ` ${tooFewNote(p.minClients)}`}`,
    ),
    '',
  ];
}

/** The report.html section linking the pages. */
export function pagesHtmlSection(p: TherapistPages): HtmlSection {
  return {
    id: 'therapists',
    heading: 'Therapist feedback pages',
    intro: [PAGES_INTRO],
    charts: [],
    links: p.pages.map((g) => ({ href: `${THERAPIST_DIR}/${g.name}.html`, text: g.therapist, ...(g.shown ? {} : { note: tooFewNote(p.minClients) }) })),
  };
}

/** results.json's list of the pages (no figures: those are on the pages). */
export function pagesJson(p: TherapistPages, formats: readonly string[]): unknown {
  return {
    min_clients: p.minClients,
    pages: p.pages.map((g) => ({
      therapist: g.therapist,
      html: formats.includes('html') ? `${THERAPIST_DIR}/${g.name}.html` : null,
      md: formats.includes('md') ? `${THERAPIST_DIR}/${g.name}.md` : null,
      shown: g.shown,
    })),
  };
}

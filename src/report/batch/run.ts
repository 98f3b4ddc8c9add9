/**
 * `alliance report`: runs the sections of a report config (validate, describe, correlate,
 * trend, model) on one dataset and assembles every output file in memory; the command writes
 * them with writeDirAtomic.
 *
 * Each section reuses its command's analysis, section options (src/config/sections/*) and
 * ResultDocument builder (src/report/documents/*), so a report table is byte for byte the
 * table `alliance <section> --format md` prints for the same options.
 *
 * Order: inputs (globs, existence) -> open the dataset -> validate on the unfiltered
 * input -> stop here when failOn is met -> filters -> describe, correlate, trend, model ->
 * outputs.
 */
import type { Io } from '../../io/process.js';
import { createHash } from 'node:crypto';
import { createReadStream, realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../../errors.js';
import { mergeReadOptions, type Config } from '../../config/load.js';
import { openDataset } from '../../dataset/open.js';
import { parseDate } from '../../dataset/values.js';
import type { Dataset, ReadOptions, SessionRow } from '../../dataset/types.js';
import { validateDataset, type ValidationResult } from '../../validate/validate.js';
import { validationDocument } from '../../validate/render.js';
import { loadSchema } from '../../validate/schema.js';
import { describe, type DescribeResult } from '../../analysis/describe.js';
import { runCorrelate, type CorrelateReport } from '../../analysis/correlate/index.js';
import { analyzeTrend, type TrendOptions, type TrendResult } from '../../analysis/trend/trend.js';
import { correlateOptions, SECTION_KEYS as CORRELATE_KEYS } from '../../config/sections/correlate.js';
import { trendOptions, SECTION_KEYS as TREND_KEYS } from '../../config/sections/trend.js';
import { validateSettings } from '../../config/sections/validate.js';
import { modelChoices, modelSettings, modelSpec, runModel, SECTION_KEYS as MODEL_KEYS, type ModelPlace, type ModelSettings } from '../../config/sections/model.js';
import { checkKeys } from '../../config/keys.js';
import type { ModelResult } from '../../analysis/model.js';
import { modelDocument } from '../documents/model.js';
import { describeDocument } from '../documents/describe.js';
import { correlateDocument } from '../documents/correlate.js';
import { trendDocument } from '../documents/trend.js';
import type { ResultDocument } from '../model.js';
import { mdCell, mdText, renderCsvTable, renderMarkdown } from '../render.js';
import { toFixedR } from '../number.js';
import { correlateCharts, modelCharts, trendCharts } from '../html/charts.js';
import { renderReportHtml, type Headline, type HtmlSection } from '../html/page.js';
import { checkSection, expandGlob, keyLines, place, reportSettings, type ReportSection, type ReportSettings, type SectionCheck } from './config.js';

export interface ReportRunOptions {
  /** Tool version for the manifest. */
  version: string;
  /** Leave the time of the run out of the manifest. */
  reproducible: boolean;
  /** --fail-on from the command line (wins over report.failOn). */
  failOn?: 'error' | 'warning' | 'none';
  /** The output folder as given (for the manifest). */
  out: string;
  /**
   * The output folder, absolute. When given, a folder that is or holds the config or an
   * input file is refused before any work (with --force it would be deleted).
   */
  outDir?: string;
  force: boolean;
  /** The time of the run (ISO), used when not reproducible. */
  now: Date;
  /** Called when a section starts and ends. */
  progress?: (event: { section: string; index: number; total: number; done: boolean; seconds?: number }) => void;
}

export interface ReportOutput {
  files: Map<string, string>;
  exitCode: number;
  /** True when validation stopped the report before analysis (failOn). */
  stopped: boolean;
  settings: ReportSettings;
}

interface SectionOutput {
  name: ReportSection;
  doc: ResultDocument;
  json: unknown;
}

const DAY_MS = 86_400_000;


/** The config's text and key lines (nested keys included), for errors at the right line. */
export function sectionCheck(config: Config, text: string): SectionCheck {
  return { config, lines: keyLines(text) };
}

/** Inputs: globs expanded, each checked to exist; paths relative to the config folder. */
function resolveInputs(ctx: SectionCheck, configDir: string): { abs: string[]; rel: string[] } {
  const cfg = ctx.config;
  const loc = { file: cfg.path, line: cfg.lines.files };
  if (cfg.files.length === 0) throw new UserError("the report config lists no input files", { location: { file: cfg.path }, hint: "Add files: [export.csv] (relative to the config file's folder; * and ? globs allowed)" });
  const abs: string[] = [];
  for (const f of cfg.files) {
    if (f === '-') throw new UserError('a report cannot read standard input', { location: loc, hint: 'List files under files:' });
    const matches = expandGlob(f);
    const shown = path.relative(configDir, f) || f;
    if (matches.length === 0) throw new UserError(`no file matches '${shown}'`, { location: loc, hint: "Paths and globs resolve against the config file's folder" });
    for (const m of matches) {
      let ok = false;
      try {
        ok = statSync(m).isFile();
      } catch {
        ok = false;
      }
      if (!ok) throw new UserError(`input file '${path.relative(configDir, m) || m}' not found`, { location: loc, hint: "Paths resolve against the config file's folder" });
      if (!abs.includes(m)) abs.push(m);
    }
  }
  return { abs, rel: abs.map((a) => path.relative(configDir, a).split(path.sep).join('/')) };
}

/** Real path when it exists (symlinks resolved), else the absolute path. */
function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/**
 * The output folder replaces whatever is at its path (with --force), so it must not be,
 * or hold, the config or an input file: that would delete the user's data.
 */
function guardOutput(outDir: string, outShown: string, sources: string[], configDir: string): void {
  const out = real(outDir);
  for (const src of sources) {
    const s = real(src);
    const rel = path.relative(out, s);
    if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
      throw new UserError(`the output folder ${rel === '' ? 'is' : 'holds'} '${path.relative(configDir, src) || src}', a file this report reads`, {
        location: { file: outShown },
        hint: 'Choose an output folder outside the folders that hold the config and the input files (it is replaced as a whole)',
      });
    }
  }
}

async function sha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Keeps only the sessions the filters select (validation always sees every row). */
function filteredDataset(ds: Dataset, s: ReportSettings): { dataset: Dataset; describe: string[] } {
  const f = s.filters;
  const from = f.from ? parseDate(f.from, 'iso') : -Infinity;
  const to = f.to ? parseDate(f.to, 'iso') : Infinity;
  const words: string[] = [];
  if (f.from || f.to) words.push(`sessions dated ${f.from ?? 'any time'} to ${f.to ?? 'any time'} (inclusive; sessions without a date are left out)`);
  let pick: ((row: SessionRow) => boolean) | null = null;
  if (f.column && f.values) {
    const want = new Set(f.values);
    const col = f.column.toLowerCase();
    const g = ds.mapping.groups.findIndex((x) => x.name.toLowerCase() === col);
    const isTherapist = g < 0 && (col === 'therapist' || ds.mapping.therapist?.name.toLowerCase() === col);
    if (g < 0 && !isTherapist) throw new UserError(`filter column '${f.column}' is not in the data`, { hint: 'Name a group column (e.g. site) or the therapist column' });
    if (isTherapist && !ds.mapping.therapist) throw new UserError('filter by therapist, but no therapist column was found', { hint: 'Name it with therapist: COLUMN' });
    const cache: (boolean | undefined)[] = [];
    pick = (row) => {
      const level = isTherapist ? row.therapist : row.groups[g];
      if (level < 0) return false;
      let keep = cache[level];
      if (keep === undefined) keep = cache[level] = want.has(isTherapist ? ds.therapists[level] : ds.groupLevels[g][level]);
      return keep;
    };
    words.push(`${f.column} in ${f.values.join(', ')}`);
  }
  if (words.length === 0) return { dataset: ds, describe: [] };
  const keepRow = (row: SessionRow) => {
    if (f.from || f.to) {
      if (!(row.date >= from && row.date <= to)) return false;
    }
    return pick ? pick(row) : true;
  };
  return { dataset: remapped(ds, keepRow), describe: words };
}

/** Growable index map (original index -> dense index among kept rows, -1 = not yet seen). */
class IndexMap {
  private map = new Int32Array(64).fill(-1);
  constructor(readonly names: string[]) {}
  get(i: number, name: () => string): number {
    if (i < 0) return -1;
    if (i >= this.map.length) {
      let size = this.map.length;
      while (size <= i) size *= 2;
      const next = new Int32Array(size).fill(-1);
      next.set(this.map);
      this.map = next;
    }
    let j = this.map[i];
    if (j < 0) {
      j = this.map[i] = this.names.length;
      this.names.push(name());
    }
    return j;
  }
}

/**
 * A Dataset that delivers only the rows `keep` accepts, with clients, therapists and group
 * levels re-interned densely in order of first kept row (analyses count clients as the
 * highest index + 1, so a client with no kept row must not take an index). The indices are
 * stable across scans, as the Dataset contract requires.
 */
function remapped(ds: Dataset, keep: (row: SessionRow) => boolean): Dataset {
  const clients = new IndexMap([]);
  const therapists = new IndexMap([]);
  const levels = ds.mapping.groups.map(() => new IndexMap([]));
  const out: Dataset = {
    files: ds.files,
    mapping: ds.mapping,
    clients: clients.names,
    therapists: therapists.names,
    groupLevels: levels.map((l) => l.names),
    async scan(onRow, onIssue, onRaw) {
      let kept = 0;
      const row: SessionRow = { file: 0, line: 0, client: 0, session: 0, date: NaN, therapist: -1, groups: new Int32Array(levels.length), values: new Float64Array(0) };
      const stats = await ds.scan(
        (r) => {
          if (!keep(r)) return;
          kept++;
          row.file = r.file;
          row.line = r.line;
          row.client = clients.get(r.client, () => ds.clients[r.client]);
          row.session = r.session;
          row.date = r.date;
          row.therapist = therapists.get(r.therapist, () => ds.therapists[r.therapist]);
          for (let g = 0; g < levels.length; g++) row.groups[g] = levels[g].get(r.groups[g], () => ds.groupLevels[g][r.groups[g]]);
          row.values = r.values;
          onRow(row);
        },
        onIssue,
        onRaw,
      );
      return { ...stats, rows: kept };
    },
  };
  return out;
}

/**
 * One counting pass over the filtered data: every filter value must occur in its column,
 * and the filters must leave some sessions (a typo in a scheduled config should fail loudly,
 * not produce an empty report).
 */
async function checkFilters(filtered: Dataset, all: Dataset, s: ReportSettings, at: (key: string) => { file: string; line: number | undefined }): Promise<void> {
  const stats = await filtered.scan(() => undefined);
  const f = s.filters;
  if (f.column && f.values) {
    const col = f.column.toLowerCase();
    const g = all.mapping.groups.findIndex((x) => x.name.toLowerCase() === col);
    const seen = g >= 0 ? all.groupLevels[g] : all.therapists;
    const unknown = f.values.filter((v) => !seen.includes(v));
    if (unknown.length > 0) {
      const shown = [...seen].sort().slice(0, 20).join(', ');
      throw new UserError(`report.filters.values: ${unknown.map((v) => `'${v}'`).join(', ')} never occur${unknown.length === 1 ? 's' : ''} in column '${f.column}'`, {
        location: at('report.filters.values'),
        hint: `Values found: ${shown}${seen.length > 20 ? ', ...' : ''}`,
      });
    }
  }
  if (stats.rows === 0) throw new UserError('the filters leave no sessions', { location: at('report.filters'), hint: 'Check the date range and values under report.filters' });
}

/** Shifts Markdown headings one level down (a section's "# title" becomes "## title"). */
function demote(md: string): string {
  return md.replace(/^(#+) /gm, '#$1 ');
}

function pct(x: number | null, digits = 1): string {
  return x === null || !Number.isFinite(x) ? 'n/e' : `${toFixedR(x * 100, digits)}%`;
}

const REFERENCES: Record<string, string[]> = {
  correlate: [
    'Bakdash, J. Z., & Marusich, L. R. (2017). Repeated measures correlation. Frontiers in Psychology, 8, 456. doi:10.3389/fpsyg.2017.00456 (within-client correlation, rmcorr).',
    'Flückiger, C., Del Re, A. C., Wampold, B. E., & Horvath, A. O. (2018). The alliance in adult psychotherapy: A meta-analytic synthesis. Psychotherapy, 55(4), 316-340. doi:10.1037/pst0000172 (benchmark r = .278).',
    'Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian Journal of Statistics, 6(2), 65-70 (adjusted p).',
    'Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate. Journal of the Royal Statistical Society B, 57(1), 289-300. doi:10.1111/j.2517-6161.1995.tb02031.x (BH adjustment, when chosen).',
  ],
  model: [
    'Curran, P. J., & Bauer, D. J. (2011). The disaggregation of within-person and between-person effects in longitudinal models of change. Annual Review of Psychology, 62, 583-619. doi:10.1146/annurev.psych.093008.100356 (within/between split, contextual effect).',
    'Bates, D., Mächler, M., Bolker, B., & Walker, S. (2015). Fitting linear mixed-effects models using lme4. Journal of Statistical Software, 67(1), 1-48. doi:10.18637/jss.v067.i01 (REML/ML criterion; the fits are checked against lme4).',
    'Kuznetsova, A., Brockhoff, P. B., & Christensen, R. H. B. (2017). lmerTest package: Tests in linear mixed effects models. Journal of Statistical Software, 82(13), 1-26. doi:10.18637/jss.v082.i13 (Satterthwaite degrees of freedom).',
  ],
  trend: [
    'Jacobson, N. S., & Truax, P. (1991). Clinical significance: A statistical approach to defining meaningful change in psychotherapy research. Journal of Consulting and Clinical Psychology, 59(1), 12-19. doi:10.1037/0022-006X.59.1.12 (reliable and clinically significant change).',
    'Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference. Journal of the American Statistical Association, 22(158), 209-212. doi:10.1080/01621459.1927.10502953 (intervals for shares).',
    'Instrument cut-offs and reliable-change thresholds: see the sources named in the trend notes (alliance instruments registry, `alliance instruments`).',
  ],
};

/**
 * Runs the report. Throws UserError (exit 2) for an unusable config or input; returns the
 * files to write and the exit code (1 when validation found errors).
 */
export async function runReport(ctx: SectionCheck, io: Io, opts: ReportRunOptions): Promise<ReportOutput> {
  const config = ctx.config;
  const settings = reportSettings(ctx);
  const failOn = opts.failOn ?? settings.failOn;
  const configDir = path.dirname(path.resolve(io.cwd, config.path));
  const vset = validateSettings(config, place(ctx));

  const wants = (s: ReportSection) => settings.sections.includes(s);
  // Section options are checked before any data is read (config errors first).
  const minDefault = { minClients: settings.minClients };
  const copts = wants('correlate')
    ? checkSection(ctx, 'correlate', CORRELATE_KEYS, (sec) => correlateOptions({ format: 'table' }, { ...minDefault, ...sec }))
    : null;
  const topts: TrendOptions | null = wants('trend')
    ? checkSection(ctx, 'trend', TREND_KEYS, (sec) => {
        if (sec.clients !== undefined) throw new UserError("client tables are set by 'report.clientTables', not 'trend.clients'");
        return trendOptions({ format: 'table' }, { ...minDefault, ...sec, clients: settings.clientTables }, new Set(), config.path, config.lines);
      })
    : null;

  const mopts = wants('model') ? reportModelSettings(ctx, settings.clientTables) : null;

  const inputs = resolveInputs(ctx, configDir);
  if (opts.outDir !== undefined) guardOutput(opts.outDir, opts.out, [path.resolve(io.cwd, config.path), ...inputs.abs], configDir);
  const ioAt: Io = { ...io, cwd: configDir };
  const base = mergeReadOptions(config, {}, new Set());
  // Columns the run must read as groups: the by columns and the filter column, each with
  // the config key it came from (for errors at the right line).
  const needed: [col: string, key: string][] = (
    [
      [copts?.by, 'correlate.by'],
      [topts?.by, 'trend.by'],
      [settings.filters.column, 'report.filters.column'],
    ] as [string | null | undefined, string][]
  ).filter((x): x is [string, string] => typeof x[0] === 'string' && x[0].trim() !== '');
  const at = (key: string) => ({ file: config.path, line: ctx.lines[key] ?? config.lines[key.split('.')[0]] });
  let read: ReadOptions = base;
  let dataset = await openDataset(inputs.rel, read, ioAt);
  const missingGroups: string[] = [];
  for (const [col, key] of needed) {
    const lc = col.toLowerCase();
    const m = dataset.mapping;
    if (lc === 'therapist') {
      if (!m.therapist) throw new UserError(`${key}: therapist, but no therapist column was found`, { location: at(key), hint: 'Name it with therapist: COLUMN' });
      continue;
    }
    if (m.therapist?.name.toLowerCase() === lc || m.groups.some((g) => g.name.toLowerCase() === lc)) continue;
    const inHeader = dataset.files.every((f) => f.header.some((h) => h.trim().toLowerCase() === lc));
    if (!inHeader) {
      const cols = dataset.files[0]?.header.map((h) => `'${h}'`).join(', ') ?? '';
      throw new UserError(`${key}: column '${col}' is not in the input`, { location: at(key), hint: `Available columns: ${cols}` });
    }
    if (!missingGroups.includes(col)) missingGroups.push(col);
  }
  if (missingGroups.length > 0) {
    read = { ...base, groups: [...(base.groups ?? []), ...missingGroups] };
    dataset = await openDataset(inputs.rel, read, ioAt);
  }

  const total = settings.sections.length;
  let index = 0;
  const step = async <T>(section: string, body: () => Promise<T>): Promise<T> => {
    index += 1;
    opts.progress?.({ section, index, total, done: false });
    const t0 = process.hrtime.bigint();
    const value = await body();
    opts.progress?.({ section, index, total, done: true, seconds: Number(process.hrtime.bigint() - t0) / 1e9 });
    return value;
  };

  // The filters are part of the config: a value that never occurs is reported before any
  // section runs (and before its progress line), so the error is the only line on stderr.
  const filtered = filteredDataset(dataset, settings);
  if (filtered.describe.length > 0) await checkFilters(filtered.dataset, dataset, settings, at);

  const sections: SectionOutput[] = [];
  let validation: ValidationResult | null = null;
  let exitCode = 0;
  let stopped = false;
  if (wants('validate')) {
    validation = await step('validate', async () => {
      const schema = vset.schema ? await loadSchema(vset.schema, io.cwd) : null;
      const todayText = read.today ?? (io.env.SOURCE_DATE_EPOCH ? new Date(Number(io.env.SOURCE_DATE_EPOCH) * 1000).toISOString().slice(0, 10) : undefined);
      let today = Math.floor(opts.now.getTime() / DAY_MS);
      if (todayText !== undefined) {
        today = /^\d{4}-\d{2}-\d{2}$/.test(todayText) ? parseDate(todayText, 'iso') : NaN;
        if (Number.isNaN(today)) throw new UserError(`today must be a date YYYY-MM-DD (got '${todayText}')`, { location: { file: config.path, line: config.lines.today } });
      }
      return validateDataset(dataset, { today, missing: read.missing ?? [], schema });
    });
    const doc = validationDocument(validation, { maxFindings: vset.maxFindings, strict: vset.strict, notes: [] });
    // Row-level findings (file:line and masked values) only when client-level tables are asked for.
    if (!settings.clientTables) doc.tables = doc.tables.filter((t) => t.id !== 'findings');
    const json = settings.clientTables ? doc.json : { summary: validation.summary };
    doc.json = json;
    sections.push({ name: 'validate', doc, json });
    const { errors, warnings } = validation.summary.findings;
    if (errors > 0 || (vset.strict && warnings > 0)) exitCode = 1;
    if ((failOn === 'error' && errors > 0) || (failOn === 'warning' && errors + warnings > 0)) {
      exitCode = 1;
      stopped = true;
    }
  }

  let described: DescribeResult | null = null;
  let correlated: CorrelateReport | null = null;
  let trended: TrendResult | null = null;
  let modeled: ModelResult | null = null;
  if (!stopped) {
    const ds = filtered.dataset;
    if (wants('describe')) {
      described = await step('describe', () => describe(ds));
      const doc = describeDocument(described, ds);
      if (filtered.describe.length > 0) {
        // The scanner counts missing and unusable cells for the whole input; say so.
        const measures = doc.tables.find((t) => t.id === 'measures');
        measures?.notes?.push('With filters: n, mean, SD, min, max and intake figures cover the selected sessions; the missing and unusable counts cover the whole input.');
      }
      sections.push({ name: 'describe', doc, json: doc.json });
    }
    if (copts) {
      correlated = await step('correlate', () => runCorrelate(ds, copts));
      const doc = correlateDocument(correlated, ds);
      sections.push({ name: 'correlate', doc, json: doc.json });
    }
    if (topts) {
      const m = ds.mapping;
      if (!m.measures.some((x) => x.role === 'outcome') && !m.measures.some((x) => x.role === 'alliance'))
        throw new UserError('no alliance or outcome column found', { location: { file: config.path }, hint: 'Name them with alliance: COL and/or outcome: COL' });
      if (topts.period && !m.date) throw new UserError('trend.period needs session dates, and no date column was found', { location: { file: config.path, line: ctx.lines['trend.period'] }, hint: 'Name it with date: COL' });
      trended = await step('trend', () => analyzeTrend(ds, topts));
      const doc = trendDocument(trended, ds, topts);
      sections.push({ name: 'trend', doc, json: doc.json });
    }
    if (mopts) {
      // The same settings -> spec -> fit as `alliance model` (src/config/sections/model.ts).
      modeled = await step('model', () => runModel(ds, modelSpec(ds, mopts.set, mopts.place)));
      const doc = modelDocument(modeled, ds);
      sections.push({ name: 'model', doc, json: doc.json });
    }
  }

  // ---- outputs
  const files = new Map<string, string>();
  const headline = headlines(validation, described, correlated, trended, modeled);
  const rules = ruleLines(settings, copts?.minClients ?? null, topts?.minClients ?? null, filtered.describe, stopped, failOn, validation);
  const title = settings.title;
  const sub = [`inputs: ${inputs.rel.join(', ')}`, `sections: ${sections.map((s) => s.name).join(', ')}${stopped ? ' (stopped after validation)' : ''}`];

  if (settings.formats.includes('md')) {
    const md: string[] = [`# ${mdText(title)}`, '', ...sub.map((s) => `${mdText(s)}  `), '', '## Summary', '', '| figure | value | detail |', '|:---|---:|:---|'];
    for (const h of headline) md.push(`| ${mdCell(h.label)} | ${mdCell(String(h.value))} | ${mdCell(h.detail ?? '')} |`);
    md.push('', ...rules.map((r) => `- ${mdText(r)}`), '');
    for (const s of sections) md.push(demote(renderMarkdown(s.doc)));
    md.push('## References', '', ...referenceList(sections).map((r) => `- ${r}`));
    files.set('report.md', md.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n');
  }
  if (settings.formats.includes('csv')) {
    for (const s of sections) for (const t of s.doc.tables) files.set(`${s.name}-${t.id}.csv`, renderCsvTable(t));
  }
  if (settings.formats.includes('json')) {
    const results = {
      report: 'alliance report',
      schema: 1,
      title,
      stopped_after_validation: stopped,
      filters: settings.filters,
      min_clients: settings.minClients,
      client_tables: settings.clientTables,
      sections: Object.fromEntries(sections.map((s) => [s.name, s.json])),
    };
    files.set('results.json', JSON.stringify(results, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n');
  }
  if (settings.formats.includes('html')) {
    let chartId = 1;
    const htmlSections: HtmlSection[] = [];
    for (const s of sections) {
      if (s.name === 'validate') htmlSections.push({ id: 'validation', heading: 'Data checks', intro: [`Validation of the whole input (before filters). ${validation ? verdictLine(validation, vset.strict) : ''}`], charts: [], doc: s.doc });
      else if (s.name === 'describe') htmlSections.push({ id: 'data', heading: 'Data', charts: [], doc: s.doc });
      else if (s.name === 'correlate' && correlated) {
        const charts = correlateCharts(correlated, chartId);
        chartId += charts.length;
        htmlSections.push({ id: 'correlations', heading: 'Alliance and outcome', intro: ['How strongly alliance scores go with outcome scores, at each level: across all sessions (pooled), between clients (client averages), within clients (session to session), and early alliance with later outcome.'], charts, doc: s.doc });
      } else if (s.name === 'trend' && trended) {
        const charts = trendCharts(trended, chartId);
        chartId += charts.length;
        htmlSections.push({ id: 'trends', heading: 'Trends, change and alerts', charts, doc: s.doc });
      } else if (s.name === 'model' && modeled) {
        const charts = modelCharts(modeled, chartId);
        chartId += charts.length;
        htmlSections.push({
          id: 'model',
          heading: 'Mixed model',
          intro: ['A linear mixed model separates the session-to-session (within-client) association of alliance with outcome from the client-average (between-client) one, with a random intercept per client; fixed-effect tests use Satterthwaite degrees of freedom.'],
          charts,
          doc: s.doc,
        });
      }
    }
    files.set(
      'report.html',
      renderReportHtml({
        title,
        subtitle: sub,
        headline,
        sections: htmlSections,
        rules,
        references: referenceList(sections),
        footer: `alliance-outcome ${opts.version}. Every figure is computed from the inputs listed above; results.json holds them at full precision and manifest.json the inputs' checksums.`,
      }),
    );
  }

  // Manifest last: it lists the other files.
  const inputsInfo = [];
  for (let i = 0; i < inputs.abs.length; i++) {
    const info = dataset.files[i];
    inputsInfo.push({ path: inputs.rel[i], bytes: statSync(inputs.abs[i]).size, rows: info?.rows ?? null, sha256: await sha256(inputs.abs[i]) });
  }
  const reproducible = opts.reproducible || io.env.SOURCE_DATE_EPOCH !== undefined;
  const manifest: Record<string, unknown> = {
    tool: { name: 'alliance-outcome', version: opts.version, node: reproducible ? undefined : process.version },
    ...(reproducible ? {} : { generated_at: opts.now.toISOString() }),
    config: {
      path: path.relative(io.cwd, path.resolve(io.cwd, config.path)).split(path.sep).join('/'),
      read: { ...read, origin: undefined },
      files: inputs.rel,
      sections: config.sections,
      report: { ...settings, out: settings.out ? path.relative(configDir, settings.out).split(path.sep).join('/') : null },
      resolved: { correlate: copts, trend: topts, model: mopts?.set ?? null, validate: wants('validate') ? vset.schema ? { ...vset, schema: path.relative(configDir, vset.schema) } : vset : null },
    },
    inputs: inputsInfo,
    options: { out: opts.out, force: opts.force, reproducible: opts.reproducible, fail_on: failOn },
    exit_code: exitCode,
    outputs: [...files.keys(), 'manifest.json'].sort(),
  };
  files.set('manifest.json', JSON.stringify(manifest, null, 2) + '\n');
  const sorted = new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { files: sorted, exitCode, stopped, settings };
}

function verdictLine(v: ValidationResult, strict: boolean): string {
  const { errors, warnings } = v.summary.findings;
  const fails = errors > 0 || (strict && warnings > 0);
  return `${fails ? 'Failed' : 'Passed'}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}.`;
}

function referenceList(sections: SectionOutput[]): string[] {
  return sections.flatMap((s) => REFERENCES[s.name] ?? []);
}

function ruleLines(
  s: ReportSettings,
  correlateMin: number | null,
  trendMin: number | null,
  filters: string[],
  stopped: boolean,
  failOn: string,
  validation: ValidationResult | null,
): string[] {
  const out: string[] = [];
  const mins = [...new Set([correlateMin, trendMin].filter((x): x is number => x !== null))];
  out.push(
    `Suppression: a group (therapist, site, ...) with fewer than ${mins.length ? mins.join(' / ') : s.minClients} clients is not shown on its own (it still counts in "all clients"); suppressed groups are named with their client counts.`,
  );
  out.push(
    s.clientTables
      ? 'Client-level tables are included (report.clientTables: true); they carry pseudonymous client ids only.'
      : 'No client-level or row-level tables: only aggregates leave the tool (set report.clientTables: true to include them).',
  );
  out.push(filters.length ? `Filters: ${filters.join('; ')}. Validation covers every row.` : 'Filters: none (all sessions).');
  if (stopped && validation) {
    const { errors, warnings } = validation.summary.findings;
    out.push(`Stopped after validation: ${errors} error(s), ${warnings} warning(s) with failOn ${failOn}; fix the data and run again.`);
  }
  return out;
}

function headlines(v: ValidationResult | null, d: DescribeResult | null, c: CorrelateReport | null, t: TrendResult | null, m: ModelResult | null): Headline[] {
  const out: Headline[] = [];
  if (d) {
    out.push({ label: 'clients', value: String(d.clients), detail: `${d.rows} sessions, ${d.therapists} therapists` });
    if (d.dateSpan) out.push({ label: 'period', value: `${d.dateSpan.first.slice(0, 7)} to ${d.dateSpan.last.slice(0, 7)}`, detail: `${d.dateSpan.first} to ${d.dateSpan.last}` });
    if (d.sessionsPerClient) out.push({ label: 'sessions per client', value: toFixedR(d.sessionsPerClient.mean, 1), detail: `median ${d.sessionsPerClient.median}` });
  }
  if (v) {
    const { errors, warnings } = v.summary.findings;
    out.push({ label: 'data checks', value: `${errors} error${errors === 1 ? '' : 's'}`, detail: `${warnings} warning${warnings === 1 ? '' : 's'}` });
  }
  if (c) {
    const first = c.results.find((r) => r.group === null && r.analysis === 'within' && r.estimable && r.r !== null);
    const between = c.results.find((r) => r.group === null && r.analysis === 'between' && r.estimable && r.r !== null && first && r.alliance === first.alliance && r.outcome === first.outcome);
    if (first && first.r !== null) {
      out.push({
        label: `${first.alliance} x ${first.outcome} within clients`,
        value: `r = ${toFixedR(first.r, 2)}`,
        detail: `${first.ci ? `95% CI [${toFixedR(first.ci[0], 2)}, ${toFixedR(first.ci[1], 2)}], ` : ''}${first.clients} clients${between && between.r !== null ? `; between clients r = ${toFixedR(between.r, 2)}` : ''}`,
      });
    }
  }
  if (t) {
    const s = t.summary;
    if (t.measures.outcome && s.used > 0 && t.methods.change.reason === undefined) {
      out.push({ label: 'reliably improved', value: pct(s.overall.reliablyImproved.share), detail: `${s.overall.reliablyImproved.x} of ${s.overall.reliablyImproved.n} clients (${t.measures.outcome.column})` });
      out.push({ label: 'recovered', value: pct(s.overall.recovered.share), detail: `${s.overall.recovered.x} of ${s.overall.recovered.n} clients` });
    }
    if (t.measures.alliance && t.methods.allianceAlerts.cutoff !== null) {
      out.push({ label: 'alliance alerts', value: String(s.allianceAlerts.clientsBelowCutoff), detail: `clients with ${t.measures.alliance.column} below ${t.methods.allianceAlerts.cutoff} at least once` });
    }
  }
  if (m && m.fit) {
    const x = m.spec.lag && m.spec.reverse ? m.spec.outcome : m.spec.alliance;
    const w = m.fit.fixed.find((f) => f.term === `${x}_within`);
    if (w) {
      out.push({
        label: `${x} within clients (mixed model)`,
        value: `b = ${toFixedR(w.estimate, 2)}`,
        detail: `${w.lower !== null && w.upper !== null ? `95% CI [${toFixedR(w.lower, 2)}, ${toFixedR(w.upper, 2)}], ` : ''}${m.fit.clients} clients${m.fit.converged ? '' : '; did not converge'}${m.fit.singular ? '; singular fit' : ''}`,
      });
    }
  }
  return out;
}

/**
 * The report's model section: the same keys as `alliance model`'s flags (read by the
 * command's modelSettings), checked before any data is read. Random effects (BLUPs) are
 * per-client figures, so they follow report.clientTables, not model.randomEffects.
 */
function reportModelSettings(ctx: SectionCheck, clientTables: boolean): { set: ModelSettings; place: ModelPlace } {
  const sec = ctx.config.sections.model ?? {};
  const at = place(ctx);
  checkKeys(sec, { section: 'model', known: MODEL_KEYS, at, camelCase: true, style: 'dotted', suggest: true });
  if (sec.randomEffects !== undefined) {
    throw new UserError("model: random effects (per-client BLUPs) are set by 'report.clientTables', not 'model.randomEffects'", {
      location: { file: at.file, line: at.line('model.randomEffects') },
      hint: 'Remove randomEffects and set clientTables: true under report: to include them',
    });
  }
  const set = modelSettings({}, new Set(), ctx.config);
  set.randomEffects = clientTables;
  const mplace: ModelPlace = {
    config: true,
    at: (attr) => ({ file: at.file, line: at.line(`model.${attr === 'covariate' && ctx.lines['model.covariates'] !== undefined ? 'covariates' : attr}`) }),
  };
  modelChoices(set, mplace);
  return { set, place: mplace };
}

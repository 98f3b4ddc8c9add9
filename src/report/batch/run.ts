/**
 * `alliance report`: runs the sections of a report config (those of the registry,
 * src/sections/registry.ts) on one dataset and assembles every output file in memory; the
 * command writes them with writeDirAtomic.
 *
 * Each section is the Section its command runs (options, checks, analysis,
 * ResultDocument), so a report table is byte for byte the table `alliance <section>
 * --format md` prints for the same options. Nothing here names a section.
 *
 * Order: inputs (globs, existence) -> open the dataset -> gates (validate) on the
 * unfiltered input -> stop here when failOn is met -> filters -> the other sections in
 * registry order -> outputs.
 */
import type { Io } from '../../io/process.js';
import { createHash } from 'node:crypto';
import { createReadStream, realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../../errors.js';
import { mergeReadOptions, type Config } from '../../config/load.js';
import { openDataset } from '../../dataset/open.js';
import { sharedScans } from '../../dataset/shared-scan.js';
import { parseDate } from '../../dataset/values.js';
import type { Dataset, ReadOptions, SessionRow } from '../../dataset/types.js';
import { SECTIONS } from '../../sections/registry.js';
import type { DocumentContext, OptionSource, RunContext, Section, Verdict } from '../../sections/section.js';
import type { ResultDocument } from '../model.js';
import { mdCell, mdText, renderCsvTable, renderMarkdown } from '../render.js';
import { renderReportHtml, type HtmlSection } from '../html/page.js';
import { manuscriptFiles } from './manuscript.js';
import { expandGlob, keyLines, place, reportSettings, type ReportSettings, type SectionCheck } from './config.js';
import { measureNames } from '../labels.js';
import { asOfDay, resolvePeriod, type PeriodFlags } from './period.js';

export interface ReportRunOptions {
  /** Tool version for the manifest. */
  version: string;
  /** Leave the time of the run out of the manifest. */
  reproducible: boolean;
  /** --fail-on from the command line (wins over report.failOn). */
  failOn?: 'error' | 'warning' | 'none';
  /** --from / --to / --as-of (win over report.filters.from / to). */
  period?: PeriodFlags;
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
  files: Map<string, string | Buffer>;
  exitCode: number;
  /** True when validation stopped the report before analysis (failOn). */
  stopped: boolean;
  settings: ReportSettings;
}

/** A section the config asks for, with its options (read before any data). */
interface Planned {
  section: Section;
  opts: unknown;
}

interface SectionOutput {
  name: string;
  section: Section;
  opts: unknown;
  result: unknown;
  doc: ResultDocument;
  json: unknown;
  /** The data the section ran on (its manuscript names the measures from it). */
  dataset: Dataset;
}


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
      let kind: 'file' | 'missing' | 'other' = 'missing';
      try {
        kind = statSync(m).isFile() ? 'file' : 'other';
      } catch {
        kind = 'missing';
      }
      const name = path.relative(configDir, m) || m;
      if (kind === 'other') throw new UserError(`input '${name}' is not a regular file (a device, pipe or folder)`, { location: loc, hint: 'A report reads CSV files; list files under files:' });
      if (kind === 'missing') throw new UserError(`input file '${name}' not found`, { location: loc, hint: "Paths resolve against the config file's folder" });
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

/**
 * SHA-256 and size of an input for the manifest. The bytes hashed must be as many as the
 * analysis read (its size when opened; the reader checks that each pass read exactly that):
 * otherwise the file changed during the run and the manifest would describe another version.
 * A file removed meanwhile is a one-line error.
 */
async function checksum(file: string, shown: string, analysedBytes: number | undefined): Promise<{ sha256: string; bytes: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of createReadStream(file)) {
      h.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? 'the file was removed or renamed during the report' : `cannot read the file again for its checksum (${code ?? String(e)})`, {
      location: { file: shown },
      hint: 'Run again once nothing else is changing the inputs',
    });
  }
  if (analysedBytes !== undefined && bytes !== analysedBytes)
    throw new UserError(`the file changed during the report (${analysedBytes.toLocaleString('en')} bytes analysed, ${bytes.toLocaleString('en')} now)`, {
      location: { file: shown },
      hint: 'Run again once nothing else is writing the inputs (or copy them first)',
    });
  return { sha256: h.digest('hex'), bytes };
}

/**
 * Keeps only the sessions the filters select (validation always sees every row). A period
 * (from/to) selects the clients with a session dated in it and keeps each one's sessions up
 * to the period's end, earlier ones included: change is measured over a client's course up
 * to the end of the period, never inside one month. Sessions without a date are left out.
 */
export async function filteredDataset(ds: Dataset, s: Pick<ReportSettings, 'filters'>, scanFrom: Dataset = ds): Promise<{ dataset: Dataset; describe: string[] }> {
  const f = s.filters;
  const from = f.from ? parseDate(f.from, 'iso') : -Infinity;
  const to = f.to ? parseDate(f.to, 'iso') : Infinity;
  const words: string[] = [];
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
  const period = Boolean(f.from || f.to);
  let active: Set<number> | null = null;
  if (period) {
    const written = f.written && (f.written.from !== f.from || f.written.to !== f.to) ? ` (${f.written.from ?? 'any time'} to ${f.written.to ?? 'any time'} as of ${f.asOf})` : '';
    words.push(
      `clients with a session dated ${f.from ?? 'any time'} to ${f.to ?? 'any time'}${written}, each with all their dated sessions up to ${f.to ?? 'the last'}: change is measured over the client's course up to the end of the period, not inside it (sessions without a date are left out)`,
    );
    // Client indices are dense but grow while the data is read: a set, not a sized array.
    const seen = new Set<number>();
    await scanFrom.scan(
      (row) => {
        if (row.date >= from && row.date <= to && (!pick || pick(row))) seen.add(row.client);
      },
      { need: { date: true, therapist: pick !== null, groups: pick !== null } },
    );
    active = seen;
  }
  if (words.length === 0) return { dataset: ds, describe: [] };
  const keepRow = (row: SessionRow) => {
    if (active) {
      if (!(row.date <= to) || !active.has(row.client)) return false;
    }
    return pick ? pick(row) : true;
  };
  // The parts of a row the filters read, whatever a scan's `need` says.
  const reads = { date: Boolean(f.from || f.to), therapist: pick !== null, groups: pick !== null };
  return { dataset: remapped(ds, keepRow, reads), describe: words };
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
 * stable across scans, as the Dataset contract requires. A scan's options pass through;
 * `reads` are the parts of a row `keep` reads, which are parsed even when the scan's `need`
 * leaves them out (the caller then still sees them blank, as `need` promises).
 */
function remapped(ds: Dataset, keep: (row: SessionRow) => boolean, reads: { date: boolean; therapist: boolean; groups: boolean }): Dataset {
  const clients = new IndexMap([]);
  const therapists = new IndexMap([]);
  const levels = ds.mapping.groups.map(() => new IndexMap([]));
  const out: Dataset = {
    files: ds.files,
    mapping: ds.mapping,
    clients: clients.names,
    therapists: therapists.names,
    groupLevels: levels.map((l) => l.names),
    columnCells: ds.columnCells?.bind(ds),
    async scan(onRow, options = {}) {
      let kept = 0;
      const need = options.need;
      const date = need?.date !== false;
      const therapist = need?.therapist !== false;
      const groups = need?.groups !== false;
      const inner = need ? { date: date || reads.date, therapist: therapist || reads.therapist, groups: groups || reads.groups } : undefined;
      const row: SessionRow = { file: 0, line: 0, client: 0, session: 0, date: NaN, therapist: -1, groups: new Int32Array(levels.length), values: new Float64Array(0) };
      const stats = await ds.scan(
        (r) => {
          if (!keep(r)) return;
          kept++;
          row.file = r.file;
          row.line = r.line;
          row.client = clients.get(r.client, () => ds.clients[r.client]);
          row.session = r.session;
          row.date = date ? r.date : NaN;
          row.therapist = therapist ? therapists.get(r.therapist, () => ds.therapists[r.therapist]) : -1;
          for (let g = 0; g < levels.length; g++) row.groups[g] = groups ? levels[g].get(r.groups[g], () => ds.groupLevels[g][r.groups[g]]) : -1;
          row.values = r.values;
          onRow(row);
        },
        { ...options, need: inner },
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

/**
 * Runs the report. Throws UserError (exit 2) for an unusable config or input; returns the
 * files to write and the exit code (1 when validation found errors).
 *
 * Every section is a Section of the registry (src/sections/registry.ts): its options are
 * read from its config section in report mode, the columns it needs are read as groups,
 * a gate section (validate) runs on the whole input before the filters, the others on
 * the filtered data; each gives its document, charts, headlines and references.
 */
export async function runReport(ctx: SectionCheck, io: Io, opts: ReportRunOptions): Promise<ReportOutput> {
  const config = ctx.config;
  const settings = reportSettings(ctx);
  if (settings.filters.from !== null || settings.filters.to !== null || opts.period?.from !== undefined || opts.period?.to !== undefined) {
    const asOf = asOfDay(opts.period?.asOf, config.read.today, io.env, opts.now);
    settings.filters = { ...settings.filters, ...resolvePeriod(settings.filters, opts.period ?? {}, asOf) };
  }
  const failOn = opts.failOn ?? settings.failOn;
  const configDir = path.dirname(path.resolve(io.cwd, config.path));
  const at = place(ctx);

  // Section options are checked before any data is read (config errors first).
  const src: OptionSource = {
    mode: 'report',
    flags: {},
    explicit: new Set(),
    config,
    report: { minClients: settings.minClients, clientTables: settings.clientTables, at },
  };
  const planned: Planned[] = SECTIONS.filter((s) => settings.sections.includes(s.name)).map((section) => ({ section, opts: section.options(src) }));

  const inputs = resolveInputs(ctx, configDir);
  if (opts.outDir !== undefined) guardOutput(opts.outDir, opts.out, [path.resolve(io.cwd, config.path), ...inputs.abs], configDir);
  const ioAt: Io = { ...io, cwd: configDir };
  const base = mergeReadOptions(config, {}, new Set());
  // Columns the run must read as groups: each section's (its by column) and the filter
  // column, each with the config key it came from (for errors at the right line).
  const needed: [col: string, key: string][] = [
    ...planned.flatMap((p) => (p.section.groups?.(p.opts) ?? []).map((g): [string, string] => [g.column, `${p.section.name}.${g.option}`])),
    ...(settings.filters.column ? [[settings.filters.column, 'report.filters.column'] as [string, string]] : []),
  ].filter(([col]) => col.trim() !== '');
  const keyAt = (key: string) => ({ file: config.path, line: ctx.lines[key] ?? config.lines[key.split('.')[0]] });
  let read: ReadOptions = base;
  let dataset = await openDataset(inputs.rel, read, ioAt);
  const missingGroups: string[] = [];
  for (const [col, key] of needed) {
    const lc = col.toLowerCase();
    const m = dataset.mapping;
    if (lc === 'therapist') {
      if (!m.therapist) throw new UserError(`${key}: therapist, but no therapist column was found`, { location: keyAt(key), hint: 'Name it with therapist: COLUMN' });
      continue;
    }
    if (m.therapist?.name.toLowerCase() === lc || m.groups.some((g) => g.name.toLowerCase() === lc)) continue;
    const inHeader = dataset.files.every((f) => f.header.some((h) => h.trim().toLowerCase() === lc));
    if (!inHeader) {
      const cols = dataset.files[0]?.header.map((h) => `'${h}'`).join(', ') ?? '';
      throw new UserError(`${key}: column '${col}' is not in the input`, { location: keyAt(key), hint: `Available columns: ${cols}` });
    }
    if (!missingGroups.includes(col)) missingGroups.push(col);
  }
  if (missingGroups.length > 0) {
    read = { ...base, groups: [...(base.groups ?? []), ...missingGroups] };
    dataset = await openDataset(inputs.rel, read, ioAt);
  }

  const total = planned.length;
  let index = 0;

  // The filters are part of the config: a value that never occurs is reported before any
  // section runs (and before its progress line), so the error is the only line on stderr.
  // Every section's scans go through one shared reader: sections running together read
  // the input once (src/dataset/shared-scan.ts).
  const shared = sharedScans(dataset);
  // The period's clients are found with a scan of the underlying data (same client indices).
  const filtered = await filteredDataset(shared.dataset, settings, dataset);
  if (filtered.describe.length > 0) await checkFilters(filtered.dataset, dataset, settings, keyAt);

  const runCtx: RunContext = { io, now: opts.now, read, config };
  const docCtx: DocumentContext = { mode: 'report', filtered: filtered.describe.length > 0, clientTables: settings.clientTables };
  const sections: SectionOutput[] = [];
  let exitCode = 0;
  let stopped = false;
  let gateVerdict: Verdict | null = null;
  /**
   * Runs sections together, each as its command would (check, run, document), sharing
   * their reads of the input; progress and results stay in the given order, and the
   * first failure in that order is the one reported.
   */
  const runTogether = async (list: { p: Planned; ds: Dataset }[]): Promise<void> => {
    const first = index;
    list.forEach(({ p }, i) => opts.progress?.({ section: p.section.name, index: first + i + 1, total, done: false }));
    index += list.length;
    const settled = await Promise.allSettled(
      list.map(({ p, ds }) =>
        shared.join(async (): Promise<SectionOutput & { seconds: number }> => {
          const { section, opts: o } = p;
          const t0 = process.hrtime.bigint();
          section.check?.(ds, o, src);
          const result = await section.run(ds, o, runCtx);
          const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
          const doc = section.document(result, ds, o, docCtx);
          return { name: section.name, section, opts: o, result, doc, json: doc.json, dataset: ds, seconds };
        }),
      ),
    );
    for (const [i, r] of settled.entries()) {
      if (r.status === 'rejected') throw r.reason;
      const { seconds, ...out } = r.value;
      opts.progress?.({ section: out.name, index: first + i + 1, total, done: true, seconds });
      sections.push(out);
    }
  };
  const gates = planned.filter((x) => x.section.gate !== undefined);
  const rest = planned.filter((x) => !x.section.gate).map((p) => ({ p, ds: filtered.dataset }));
  // Gates (validation) see every row, before the filters, and may stop the report: with
  // failOn they run first; otherwise nothing can stop the report and all sections read
  // the input together.
  const canStop = failOn === 'error' || failOn === 'warning';
  await runTogether([...gates.map((p) => ({ p, ds: shared.dataset })), ...(canStop ? [] : rest)]);
  for (const [i, p] of gates.entries()) {
    const out = sections[i];
    const v = p.section.gate!(out.result, p.opts);
    gateVerdict = v;
    if (v.fails) exitCode = 1;
    if ((failOn === 'error' && v.errors > 0) || (failOn === 'warning' && v.errors + v.warnings > 0)) {
      exitCode = 1;
      stopped = true;
    }
  }
  if (canStop && !stopped) await runTogether(rest);

  // ---- outputs
  const files = new Map<string, string | Buffer>();
  const names = { name: measureNames(dataset.mapping, config.labels) };
  const headline = [...sections.filter((s) => s.section.headlinesFirst), ...sections.filter((s) => !s.section.headlinesFirst)].flatMap((s) => s.section.headlines?.(s.result, names) ?? []);
  const mins = planned.map((p) => p.section.minClients?.(p.opts) ?? null);
  const rules = ruleLines(settings, mins, filtered.describe, stopped, failOn, gateVerdict);
  const title = settings.title;
  const sub = [`inputs: ${inputs.rel.join(', ')}`, `sections: ${sections.map((s) => s.name).join(', ')}${stopped ? ' (stopped after validation)' : ''}`];
  const references = sections.flatMap((s) => s.section.referencesFor?.(s.opts) ?? s.section.references);

  if (settings.formats.includes('md')) {
    const md: string[] = [`# ${mdText(title)}`, '', ...sub.map((s) => `${mdText(s)}  `), '', '## Summary', '', '| figure | value | detail |', '|:---|---:|:---|'];
    for (const h of headline) md.push(`| ${mdCell(h.label)} | ${mdCell(String(h.value))} | ${mdCell(h.detail ?? '')} |`);
    md.push('', ...rules.map((r) => `- ${mdText(r)}`), '');
    for (const s of sections) md.push(demote(renderMarkdown(s.doc)));
    md.push('## References', '', ...references.map((r) => `- ${r}`));
    files.set('report.md', md.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n');
  }
  if (settings.formats.includes('csv')) {
    for (const s of sections) for (const t of s.doc.tables) files.set(`${s.name}-${t.id}.csv`, renderCsvTable(t));
  }
  if (settings.formats.includes('json')) {
    const results = {
      command: 'report',
      schema: 2,
      title,
      stopped_after_validation: stopped,
      filters: (({ asOf, written, ...rest }) => ({ ...rest, ...(asOf !== undefined ? { as_of: asOf, written } : {}) }))(settings.filters),
      min_clients: settings.minClients,
      client_tables: settings.clientTables,
      sections: Object.fromEntries(sections.map((s) => [s.name, s.json])),
    };
    files.set('results.json', JSON.stringify(results, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n');
  }
  if (settings.formats.includes('html')) {
    let chartId = 1;
    const htmlSections: HtmlSection[] = [];
    for (const s of sections) {
      const charts = s.section.charts?.(s.result, chartId) ?? [];
      chartId += charts.length;
      const intro = s.section.html.intro?.(s.result, s.opts);
      htmlSections.push({ id: s.section.html.id, heading: s.section.html.heading, ...(intro ? { intro } : {}), charts, doc: s.doc });
    }
    files.set(
      'report.html',
      renderReportHtml({
        title,
        subtitle: sub,
        headline,
        sections: htmlSections,
        rules,
        references,
        footer: `alliance-outcome ${opts.version}. Every figure is computed from the inputs listed above; results.json holds them at full precision and manifest.json the inputs' checksums.`,
      }),
    );
  }

  if (settings.manuscript.length > 0) {
    const parts = sections.flatMap((s) => (s.section.manuscript ? [s.section.manuscript(s.result, s.dataset, s.opts)] : []));
    for (const [name, data] of await manuscriptFiles(parts, settings.manuscript)) files.set(name, data);
  }

  // Manifest last: it lists the other files.
  const inputsInfo = [];
  for (let i = 0; i < inputs.abs.length; i++) {
    const info = dataset.files[i];
    const h = await checksum(inputs.abs[i], inputs.rel[i], info?.bytes);
    inputsInfo.push({ path: inputs.rel[i], bytes: h.bytes, rows: info?.rows ?? null, sha256: h.sha256 });
  }
  const reproducible = opts.reproducible || io.env.SOURCE_DATE_EPOCH !== undefined;
  // The options each section ran with (null: not run); a section without options is left out.
  const resolved: Record<string, unknown> = {};
  for (const s of SECTIONS) {
    const p = planned.find((x) => x.section === s);
    if (s.keys.length === 0) continue;
    resolved[s.name] = p ? (s.resolved ? s.resolved(p.opts, configDir) : p.opts) : null;
  }
  const manifest: Record<string, unknown> = {
    tool: { name: 'alliance-outcome', version: opts.version, node: reproducible ? undefined : process.version },
    ...(reproducible ? {} : { generated_at: opts.now.toISOString() }),
    config: {
      // Paths are recorded relative to the config file (inputs) or by name (the config),
      // never as absolute paths and never the output folder: a manifest handed on does not
      // reveal the user's directory layout, and reruns into another folder are identical.
      path: path.basename(config.path),
      read: { ...read, origin: undefined },
      files: inputs.rel,
      sections: config.sections,
      report: { ...settings, out: undefined },
      resolved,
    },
    inputs: inputsInfo,
    options: { force: opts.force, reproducible: opts.reproducible, fail_on: failOn },
    exit_code: exitCode,
    outputs: [...files.keys(), 'manifest.json'].sort(),
  };
  files.set('manifest.json', JSON.stringify(manifest, null, 2) + '\n');
  const sorted = new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { files: sorted, exitCode, stopped, settings };
}

function ruleLines(
  s: ReportSettings,
  sectionMins: (number | null)[],
  filters: string[],
  stopped: boolean,
  failOn: string,
  gate: Verdict | null,
): string[] {
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

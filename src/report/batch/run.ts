/**
 * `alliance report`: runs the sections of a report config (those of the registry,
 * src/sections/registry.ts) on one dataset and assembles every output file (the large ones
 * as pieces made while they are written: ./outputs.ts); the command writes them with
 * writeDirAtomic.
 *
 * Each section is the Section its command runs (options, checks, analysis,
 * ResultDocument), so a report table is byte for byte the table `alliance <section>
 * --format md` prints for the same options. Nothing here names a section.
 *
 * Order: inputs (globs, existence) -> open the dataset -> gates (validate) on the
 * unfiltered input -> stop here when failOn is met -> filters -> the other sections in
 * registry order -> outputs. The steps live beside this file: inputs.ts (input files,
 * output guard, opening), filter.ts (report.filters), sections.ts (the section runs),
 * outputs.ts (the files), therapists.ts (report.perTherapist's feedback pages) and
 * manifest.ts (checksums, manifest.json).
 */
import { checkDirTarget, type FileContent } from '../../io/atomic.js';
import type { Io } from '../../io/process.js';
import type { ScanProgress } from '../../dataset/types.js';
import type { Machine } from '../../io/parallel/pool.js';
import * as path from 'node:path';
import { mergeReadOptions, type Config } from '../../config/load.js';
import { sharedScans } from '../../dataset/shared-scan.js';
import { SECTIONS } from '../../sections/registry.js';
import type { DocumentContext, OptionSource, RunContext } from '../../sections/section.js';
import { keyLines, place, reportSettings, type ReportSettings, type SectionCheck } from './config.js';
import { asOfDay, resolvePeriod, type PeriodFlags } from './period.js';
import { guardOutput, openInputs, resolveInputs } from './inputs.js';
import { checkFilters, filteredDataset } from './filter.js';
import { runSections, type Planned, type ReportProgress } from './sections.js';
import { reportFiles } from './outputs.js';
import { manifestJson } from './manifest.js';
import { checkPerTherapist, therapistFigures } from './therapists.js';
import { checkSameBytes, splitElsewhere, type Elsewhere } from './split.js';

/** The report up to its opened dataset (./run.ts prepare). */
export type Prepared = Awaited<ReturnType<typeof prepare>>;

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
  /** Progress of the reads of the input (src/cli/input.ts scanProgress). */
  scanProgress?: ScanProgress;
  /** Called when a section starts and ends. */
  progress?: ReportProgress;
  /** The most rows a table of report.md / report.html shows (default REPORT_TABLE_ROWS: for tests). */
  maxTableRows?: number;
  /** Inputs at least this large may have sections run on a worker thread (./split.ts; default PARALLEL_MIN_BYTES: for tests). */
  splitMinBytes?: number;
  /** The rows the split assumes (default: estimated from the inputs' bytes; for tests). */
  splitRows?: number;
  /** The cores and load the split sees (default: this machine's now; for tests). */
  machine?: Machine;
}

export interface ReportOutput {
  /** File name -> content (text, bytes, or text in pieces: src/io/atomic.ts FileContent). */
  files: Map<string, FileContent>;
  exitCode: number;
  /** True when validation stopped the report before analysis (failOn). */
  stopped: boolean;
  settings: ReportSettings;
  /** The sections that ran on a worker thread (./split.ts), in report order. */
  workerSections: string[];
}

/** The config's text and key lines (nested keys included), for errors at the right line. */
export function sectionCheck(config: Config, text: string): SectionCheck {
  return { config, lines: keyLines(text) };
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
  const prepared = await prepare(ctx, io, opts, true);
  // Some sections may read the input on a worker thread while this thread reads it for the
  // others (./split.ts); null: all run here, in one shared read.
  const elsewhere = splitElsewhere(ctx, io, opts, prepared);

  try {
    return await finishReport(io, opts, prepared, elsewhere);
  } finally {
    elsewhere?.stop();
  }
}

/** The report from its opened dataset on: the sections and the files. */
async function finishReport(io: Io, opts: ReportRunOptions, prepared: Prepared, elsewhere: Elsewhere | null): Promise<ReportOutput> {
  const { config, settings, failOn, configDir, src, planned, inputs, dataset, read, keyAt } = prepared;
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
  const runs = await runSections(planned, shared, filtered.dataset, src, runCtx, docCtx, failOn, opts.progress, elsewhere);
  if (elsewhere) checkSameBytes(dataset, await elsewhere.digests);
  const { exitCode, stopped } = runs;
  const therapists = settings.perTherapist && !stopped ? await therapistFigures(filtered.dataset, src, settings.minClients) : null;

  // ---- outputs
  const files = await reportFiles({
    settings,
    planned,
    runs,
    inputs: inputs.rel,
    filters: filtered.describe,
    failOn,
    mapping: dataset.mapping,
    labels: config.labels,
    version: opts.version,
    therapists,
    ...(opts.maxTableRows !== undefined ? { maxTableRows: opts.maxTableRows } : {}),
  });
  // Manifest last: it lists the other files.
  const manifest = await manifestJson({
    version: opts.version,
    reproducible: opts.reproducible || io.env.SOURCE_DATE_EPOCH !== undefined,
    reproducibleFlag: opts.reproducible,
    now: opts.now,
    force: opts.force,
    failOn,
    exitCode,
    config,
    configDir,
    read,
    settings,
    planned,
    inputs,
    dataset,
    outputs: [...files.keys()],
  });
  files.set('manifest.json', manifest);
  const sorted = new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { files: sorted, exitCode, stopped, settings, workerSections: planned.map((p) => p.section.name).filter((n) => elsewhere?.results.has(n)) };
}

/** The report up to its opened dataset (a worker running some of its sections prepares the same: ./split-job.ts). */
/** The file that marks a folder as a report this command wrote (--force replaces only such a folder). */
export const REPORT_MARKER = 'manifest.json';

export async function prepare(ctx: SectionCheck, io: Io, opts: ReportRunOptions, guard: boolean) {
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
  if (guard && opts.outDir !== undefined) {
    guardOutput(opts.outDir, opts.out, [path.resolve(io.cwd, config.path), ...inputs.abs], configDir);
    // With --force the folder must be an earlier report's (not a file, not someone's
    // folder): refused before the sections run, and checked again when it is written.
    await checkDirTarget(opts.outDir, { force: opts.force, marker: REPORT_MARKER }, opts.out);
  }
  const ioAt: Io = { ...io, cwd: configDir };
  const base = mergeReadOptions(config, {}, new Set());
  // Columns the run must read as groups: each section's (its by column) and the filter
  // column, each with the config key it came from (for errors at the right line).
  const needed: [col: string, key: string][] = [
    ...planned.flatMap((p) => (p.section.groups?.(p.opts) ?? []).map((g): [string, string] => [g.column, `${p.section.name}.${g.option}`])),
    ...(settings.filters.column ? [[settings.filters.column, 'report.filters.column'] as [string, string]] : []),
  ].filter(([col]) => col.trim() !== '');
  const keyAt = (key: string) => ({ file: config.path, line: ctx.lines[key] ?? config.lines[key.split('.')[0]] });
  // SHA-256: the manifest records it (src/io/digest.ts).
  const { dataset, read } = await openInputs(inputs.rel, base, ioAt, needed, keyAt, {
    digest: 'sha256',
    ...(opts.scanProgress ? { progress: opts.scanProgress } : {}),
  });
  if (settings.perTherapist) checkPerTherapist(dataset, keyAt('report.perTherapist'));
  return { config, settings, failOn, configDir, src, planned, inputs, dataset, read, keyAt };
}

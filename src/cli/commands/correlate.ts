/**
 * `alliance correlate FILE...`: the alliance-outcome correlation report (pooled, between,
 * within, early, lagged) for every alliance x outcome pair. The JSON shape is documented in
 * docs/correlate.md.
 */
import type { Command } from 'commander';
import { buildCommand, type CommandContext } from '../command.js';
import { COLOR_OPTIONS, FORMAT_OPTION, INPUT_OPTIONS, explicitOptions, type OptionSpec } from '../options.js';
import { decideColor, makeChalk } from '../color.js';
import { loadInput } from '../input.js';
import { UserError } from '../../errors.js';
import {
  ANALYSES,
  BENCHMARK,
  DEFAULT_OPTIONS,
  runCorrelate,
  type Analysis,
  type CorrelateOptions,
  type CorrelateReport,
  type CorrelateResult,
} from '../../analysis/correlate/index.js';
import { F, type Cell, type Column, type ResultDocument } from '../../report/model.js';
import { render, type OutputFormat } from '../../report/render.js';
import type { Dataset } from '../../dataset/types.js';
import { toFixedR } from '../../report/number.js';

interface CorrelateFlags {
  format: OutputFormat;
  color?: boolean;
  analyses?: string;
  method?: string;
  ci?: string;
  adjust?: string;
  by?: string;
  minClients?: string;
  earlySession?: string;
  earlyWindow?: string;
  bootstrap?: string;
  seed?: string;
  groups?: string[];
  [key: string]: unknown;
}

/** Keys of the `correlate:` section of a --config file (camelCase, as the flags). */
export const SECTION_KEYS = ['analyses', 'method', 'ci', 'adjust', 'by', 'minClients', 'earlySession', 'earlyWindow', 'bootstrap', 'seed'];

const CORRELATE_OPTIONS: OptionSpec[] = [
  { flags: '--analyses <list>', description: `analyses to run, comma-separated: ${ANALYSES.join(', ')} (default: all)` },
  { flags: '--method <method>', description: 'pooled correlation method (default pearson)', choices: ['pearson', 'spearman', 'both'] },
  { flags: '--ci <level>', description: 'confidence level, e.g. 0.95 or 95 (default 0.95)' },
  { flags: '--adjust <method>', description: 'multiple-testing adjustment over all tests in the report (default holm)', choices: ['holm', 'bh', 'none'] },
  { flags: '--by <col>', description: 'repeat the report for each level of a column (therapist, site, modality, ...)' },
  { flags: '--min-clients <n>', description: 'suppress --by groups with fewer clients than this (default 5)' },
  { flags: '--early-session <k>', description: 'early alliance = alliance at session k (default 3)' },
  { flags: '--early-window <k>', description: 'early alliance = mean alliance over sessions 1..k (instead of --early-session)' },
  { flags: '--bootstrap <n>', description: 'add a cluster-bootstrap CI (resampling clients) with n replicates' },
  { flags: '--seed <s>', description: 'seed for --bootstrap (default 1); same seed, same result' },
];

function parseIntOption(name: string, value: string, min: number): number {
  const v = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(v) || v < min) {
    throw new UserError(`${name} must be a whole number >= ${min}, got "${value}"`, { hint: `For example ${name} ${Math.max(min, 3)}` });
  }
  return v;
}

/** Turns the flags (and the `correlate:` section of --config) into analysis options. */
export function correlateOptions(flags: CorrelateFlags, section: Record<string, unknown> = {}, explicit = new Set<string>()): CorrelateOptions {
  const pick = (key: string): string | undefined => {
    if (explicit.has(key) || section[key] === undefined) {
      const v = flags[key];
      return v === undefined ? undefined : String(v);
    }
    const v = section[key];
    return Array.isArray(v) ? v.join(',') : String(v);
  };
  const opts: CorrelateOptions = { ...DEFAULT_OPTIONS, early: { ...DEFAULT_OPTIONS.early } };
  const analyses = pick('analyses');
  if (analyses !== undefined) {
    const list = analyses.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
    const bad = list.filter((a) => !ANALYSES.includes(a as Analysis));
    if (bad.length > 0 || list.length === 0) {
      throw new UserError(`unknown analysis "${bad[0] ?? analyses}" in --analyses`, { hint: `Choose from ${ANALYSES.join(', ')}` });
    }
    opts.analyses = ANALYSES.filter((a) => list.includes(a));
  }
  const method = pick('method');
  if (method !== undefined) {
    if (!['pearson', 'spearman', 'both'].includes(method)) throw new UserError(`--method must be pearson, spearman or both, got "${method}"`);
    opts.method = method as CorrelateOptions['method'];
  }
  const ci = pick('ci');
  if (ci !== undefined) {
    let level = Number(ci);
    if (Number.isFinite(level) && level >= 50 && level < 100) level /= 100;
    if (!(level > 0 && level < 1)) throw new UserError(`--ci must be a level between 0 and 1 (or a percentage), got "${ci}"`, { hint: 'For example --ci 0.95 or --ci 90' });
    opts.ciLevel = level;
  }
  const adjust = pick('adjust');
  if (adjust !== undefined) {
    if (!['holm', 'bh', 'none'].includes(adjust)) throw new UserError(`--adjust must be holm, bh or none, got "${adjust}"`);
    opts.adjust = adjust as CorrelateOptions['adjust'];
  }
  const by = pick('by');
  if (by !== undefined && by.trim() !== '') opts.by = by.trim();
  const minClients = pick('minClients');
  if (minClients !== undefined) opts.minClients = parseIntOption('--min-clients', minClients, 1);
  const es = pick('earlySession');
  const ew = pick('earlyWindow');
  if (es !== undefined && ew !== undefined) {
    throw new UserError('--early-session and --early-window cannot be combined', { hint: 'Give one: alliance at session k, or the mean over sessions 1..k' });
  }
  if (es !== undefined) opts.early = { mode: 'session', k: parseIntOption('--early-session', es, 1) };
  if (ew !== undefined) opts.early = { mode: 'window', k: parseIntOption('--early-window', ew, 1) };
  const boot = pick('bootstrap');
  if (boot !== undefined) opts.bootstrap = parseIntOption('--bootstrap', boot, 0);
  const seed = pick('seed');
  if (seed !== undefined) opts.seed = parseIntOption('--seed', seed, 0);
  return opts;
}

// ---------------------------------------------------------------------------------------
// Result document

const METHOD_LABEL: Record<string, string> = {
  pearson: 'r',
  spearman: 'rho',
  rmcorr: 'rmcorr r',
  partial: 'partial r',
  semipartial: 'semi-partial r',
};

function methodLabel(r: CorrelateResult): string {
  if (r.analysis === 'early' && r.method === 'pearson') return 'zero-order r';
  if (r.method === 'fixed-effects') return r.direction === 'alliance->outcome' ? 'b A(s)->O(s+1)' : 'b O(s)->A(s+1)';
  return METHOD_LABEL[r.method] ?? r.method;
}

function reading(r: CorrelateResult): string {
  if (!r.estimable) return `not estimable: ${r.reason ?? ''}`;
  if (r.favourable === null) return 'unknown';
  return r.favourable ? 'favourable' : 'unfavourable';
}

function pct(level: number): string {
  const v = level * 100;
  return Number.isInteger(v) ? String(v) : toFixedR(v, 1);
}

export function correlateDocument(report: CorrelateReport, dataset: Dataset): ResultDocument {
  const o = report.options;
  const boot = o.bootstrap > 0;
  const adjustName = o.adjust === 'holm' ? 'Holm' : o.adjust === 'bh' ? 'BH' : 'none';
  const columns: Column[] = [
    ...(o.by ? [{ key: 'group', header: o.by }] : []),
    { key: 'pair', header: 'alliance x outcome' },
    { key: 'analysis', header: 'analysis' },
    { key: 'method', header: 'statistic' },
    { key: 'estimate', header: 'r / b', format: F.fixed(3) },
    { key: 'ci', header: `${pct(o.ciLevel)}% CI`, format: F.interval(3) },
    ...(boot ? [{ key: 'bootstrap_ci', header: `bootstrap ${pct(o.ciLevel)}% CI`, format: F.interval(3) }] : []),
    { key: 'n', header: 'n', format: F.int },
    { key: 'clients', header: 'clients', format: F.int },
    { key: 'df', header: 'df', format: F.int },
    { key: 'p', header: 'p', format: F.p },
    { key: 'p_adjusted', header: o.adjust === 'none' ? 'p (unadjusted)' : `p (${adjustName})`, format: F.p },
    { key: 'reading', header: 'direction' },
    { key: 'benchmark', header: 'vs .278' },
  ];
  const rows: Record<string, Cell>[] = report.results.map((r) => ({
    group: r.group ?? '(all)',
    pair: `${r.alliance} x ${r.outcome}`,
    analysis: r.analysis,
    method: methodLabel(r),
    estimate: r.analysis === 'lagged' ? r.b : r.r,
    ci: r.ci,
    bootstrap_ci: r.bootstrap_ci,
    n: r.n,
    clients: r.clients,
    df: r.df,
    p: r.p,
    p_adjusted: r.p_adjusted,
    reading: reading(r),
    benchmark: r.benchmark ? r.benchmark.comparison : '',
  }));
  const family = report.results.filter((r) => r.p_adjusted !== null).length;
  const early = o.early.mode === 'session' ? `alliance at session ${o.early.k}` : `mean alliance over sessions 1..${o.early.k}`;
  const methodNotes = [
    'pooled: all session rows with both values; it ignores that sessions are nested in clients, so read it beside between and within.',
    'between: Pearson r of the per-client means of the paired rows (n = clients).',
    'within: repeated-measures correlation (rmcorr; Bakdash & Marusich 2017): r of client-mean-centred values, df = rows - clients - 1, CI by Fisher z with n = df + 2; clients with one paired row add nothing.',
    `early: early alliance = ${early}; intake = outcome at the earliest session with an outcome; final = outcome at the last session with an outcome (after session ${o.early.k}). partial r controls intake (df = n - 3, CI SE 1/sqrt(n - 4)); semi-partial r is early alliance with the residualized gain (final residualized on intake); zero-order r ignores intake.`,
    'lagged: consecutive sessions (s, s+1) with both values at both; OLS with client fixed effects. b A(s)->O(s+1): alliance at s predicting outcome at s+1, controlling outcome at s; b O(s)->A(s+1): the reverse. df = pairs - clients - 2.',
    ...(o.method !== 'pearson' ? ['Spearman rho: Pearson r of mid-ranks; p from t with n - 2 df (R cor.test exact = FALSE); CI by Fisher z with the Bonett-Wright SE sqrt((1 + rho^2/2)/(n - 3)).'] : []),
    `p adjusted (${adjustName}) over the ${family} distinct tests in this report.`,
    `direction: whether the sign is favourable given each outcome's instrument (lower is better on symptom scales such as PHQ-9).`,
    `vs .278: the meta-analytic alliance-outcome correlation (${BENCHMARK.source}, 95% CI [${BENCHMARK.ci[0]}, ${BENCHMARK.ci[1]}]), oriented so positive = favourable; 'lower'/'higher' when the benchmark lies outside this result's CI. Shown for pooled, between and early r.`,
    ...(boot ? [`bootstrap: ${o.bootstrap} replicates resampling clients (seed ${o.seed}), percentile interval.`] : []),
  ];
  const warnings = report.warnings.map((w) => `warning: ${w.message}.`);
  const suppressed = report.suppressed.map((s) => `suppressed: ${o.by} = ${s.group} (${s.clients} client${s.clients === 1 ? '' : 's'}; ${s.reason}).`);
  const m = dataset.mapping;
  return {
    title: 'alliance correlate',
    preface: [
      `files: ${dataset.files.map((f) => f.display).join(', ')}`,
      `rows: ${report.data.rows}, clients: ${report.data.clients}`,
      ...m.notes,
    ],
    tables: [
      {
        id: 'correlations',
        title: 'Alliance and outcome',
        columns,
        rows,
        notes: [...suppressed, ...methodNotes],
      },
    ],
    notes: warnings,
    csvTable: 'correlations',
    json: {
      command: 'correlate',
      schema: 1,
      options: {
        analyses: o.analyses,
        method: o.method,
        ci_level: o.ciLevel,
        adjust: o.adjust,
        by: o.by,
        min_clients: o.minClients,
        early: o.early,
        bootstrap: o.bootstrap,
        seed: o.bootstrap > 0 ? o.seed : null,
      },
      input: {
        files: dataset.files.map((f) => ({ path: f.display, rows: f.rows })),
        rows: report.data.rows,
        clients: report.data.clients,
      },
      mapping: {
        client: m.client.name,
        session: m.session?.name ?? null,
        date: m.date?.name ?? null,
        therapist: m.therapist?.name ?? null,
        session_source: m.sessionSource,
        measures: m.measures.map((b) => ({
          column: b.name,
          role: b.role,
          instrument: b.instrument?.id ?? null,
          higher_is_better: b.instrument ? b.instrument.higherIsBetter : null,
        })),
        groups: m.groups.map((g) => g.name),
        notes: m.notes,
      },
      benchmark: BENCHMARK,
      results: report.results,
      warnings: report.warnings,
      groups: report.groups,
      suppressed: report.suppressed,
      notes: methodNotes,
    },
  };
}

export function correlateCommand(ctx: CommandContext): Command {
  return buildCommand<CorrelateFlags>(
    {
      name: 'correlate',
      summary: 'alliance-outcome correlations: pooled, between and within clients, early alliance, lagged',
      args: '[files...]',
      options: [...INPUT_OPTIONS, ...CORRELATE_OPTIONS, FORMAT_OPTION, ...COLOR_OPTIONS],
      examples: [
        'alliance correlate sessions.csv',
        'alliance correlate sessions.csv --alliance srs --outcome phq9 --format json',
        'alliance correlate sessions.csv --by therapist --min-clients 10 --bootstrap 2000 --seed 7',
        'alliance correlate sessions.csv --analyses between,within --method both --adjust bh',
      ],
      async run(files, flags, cmd, io) {
        // The --by column must be read: add it to the grouping columns unless it is the therapist.
        const explicit = explicitOptions(cmd);
        let opts = correlateOptions(flags, {}, explicit);
        if (opts.by && opts.by.toLowerCase() !== 'therapist') {
          const groups = flags.groups ?? [];
          if (!groups.includes(opts.by)) flags.groups = [...groups, opts.by];
        }
        let { dataset, config } = await loadInput(files, flags, cmd, io);
        const section = config?.sections?.correlate;
        if (section && config) {
          for (const key of Object.keys(section)) {
            if (!SECTION_KEYS.includes(key)) {
              throw new UserError(`unknown key '${key}' in the correlate section`, {
                location: { file: config.path, line: config.lines[`correlate.${key}`] },
                hint: `Known keys: ${SECTION_KEYS.join(', ')}`,
              });
            }
          }
          opts = correlateOptions(flags, section, explicit);
          // A --by column named only in the config: open the input again with it as a group column.
          const by = opts.by;
          const m = dataset.mapping;
          const known = m.groups.some((g) => g.name.toLowerCase() === by?.toLowerCase()) || by?.toLowerCase() === 'therapist' || m.therapist?.name.toLowerCase() === by?.toLowerCase();
          if (by && !known) {
            flags.groups = [...(flags.groups ?? []), by];
            ({ dataset, config } = await loadInput(files, flags, cmd, io));
          }
        }
        const report = await runCorrelate(dataset, opts);
        const color = decideColor(flags.color, io);
        io.stdout.write(render(correlateDocument(report, dataset), flags.format, makeChalk(color), color));
        return 0;
      },
    },
    ctx,
  );
}

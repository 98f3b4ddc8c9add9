/**
 * The ResultDocument of `alliance correlate` (and the report's correlate section). The JSON
 * shape is documented in docs/correlate.md.
 */
import { BENCHMARK, type CorrelateReport, type CorrelateResult, type LeftOut } from '../../analysis/correlate/index.js';
import type { Dataset } from '../../dataset/types.js';
import { F, type Cell, type Column, type DocWarning, type ResultDocument } from '../../report/model.js';
import { mappedColumns } from '../../report/mapping.js';
import { toFixedR } from '../../report/number.js';
import { byLabel } from '../../names.js';

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

/** The preface lines that say what was left out, by reason (none when nothing was). */
function leftOutLines(l: LeftOut): string[] {
  const lines: string[] = [];
  if (l.rows_without_client > 0) lines.push(`left out: ${l.rows_without_client} row(s) without a client id`);
  const reasons: [keyof LeftOut['measures'][number], string][] = [
    ['missing', 'missing (blank or a missing marker)'],
    ['not_numeric', 'not numeric'],
    ['out_of_range', "out of the instrument's range"],
    ['missing_code', 'missing code'],
  ];
  for (const m of l.measures) {
    const parts = reasons.filter(([k]) => (m[k] as number) > 0).map(([k, label]) => `${m[k] as number} ${label}`);
    if (parts.length > 0) lines.push(`left out of ${m.column}: ${parts.join(', ')}`);
  }
  return lines;
}

export function correlateDocument(report: CorrelateReport, dataset: Dataset): ResultDocument {
  const o = report.options;
  const boot = o.bootstrap > 0;
  const adjustName = o.adjust === 'holm' ? 'Holm' : o.adjust === 'bh' ? 'BH' : 'none';
  const columns: Column[] = [
    ...(o.by ? [{ key: 'group', header: byLabel(o.by) }] : []),
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
  const family = report.adjusted;
  const early = o.early.mode === 'session' ? `alliance at session ${o.early.k}` : `mean alliance over sessions 1..${o.early.k}`;
  const methodNotes = [
    'pooled: all session rows with both values; it ignores that sessions are nested in clients, so read it beside between and within.',
    'between: Pearson r of the per-client means of the paired rows (n = clients).',
    'within: repeated-measures correlation (rmcorr; Bakdash & Marusich 2017): r of client-mean-centred values, df = rows - clients - 1, CI by Fisher z with n = df + 2; clients with one paired row add nothing.',
    `early: early alliance = ${early}; intake = outcome at the earliest session with an outcome; final = outcome at the last session with an outcome (after session ${o.early.k}). partial r controls intake (df = n - 3, CI SE 1/sqrt(n - 4)); semi-partial r is early alliance with the residualized gain (final residualized on intake); zero-order r ignores intake.`,
    'lagged: consecutive sessions (s, s+1) with both values at both; OLS with client fixed effects. b A(s)->O(s+1): alliance at s predicting outcome at s+1, controlling outcome at s; b O(s)->A(s+1): the reverse. df = pairs - clients - 2.',
    ...(o.method !== 'pearson'
      ? [
          'Spearman rho: Pearson r of mid-ranks; p from t with n - 2 df (R cor.test exact = FALSE); CI by Fisher z with the Bonett-Wright SE sqrt((1 + rho^2/2)/(n - 3)).',
        ]
      : []),
    `p adjusted (${adjustName}) over the ${family} distinct tests in this report.`,
    `direction: whether the sign is favourable given each outcome's instrument (lower is better on symptom scales such as PHQ-9).`,
    `vs .278: the meta-analytic alliance-outcome correlation (${BENCHMARK.source}, 95% CI [${BENCHMARK.ci[0]}, ${BENCHMARK.ci[1]}]), oriented so positive = favourable; 'lower'/'higher' when the benchmark lies outside this result's CI. Shown for pooled, between and early r.`,
    ...(boot ? [`bootstrap: ${o.bootstrap} replicates resampling clients (seed ${o.seed}), percentile interval.`] : []),
  ];
  // A client's rows spread over the input cost a second pass, not a different result: a note.
  const scattered = report.warnings.filter((w) => w.code === 'scattered').map((w) => `${w.message}; the results are the same as for a sorted file.`);
  const warnings: DocWarning[] = report.warnings
    .filter((w) => w.code !== 'scattered')
    .map((w) => ({
      code: w.code,
      message: w.message,
      ...(w.code === 'simpson' && w.group !== null && o.by
        ? {
            group: {
              column: byLabel(o.by),
              value: w.group,
              summary: `Simpson's paradox: between-client and within-client r have opposite signs for ${w.alliance} x ${w.outcome}; the pooled r mixes the two and answers neither question`,
            },
          }
        : {}),
    }));
  const suppressed = report.suppressed.map((s) => `suppressed: ${byLabel(o.by)} = ${s.group} (${s.clients} client${s.clients === 1 ? '' : 's'}; ${s.reason}).`);
  const m = dataset.mapping;
  return {
    title: 'alliance correlate',
    preface: [
      `files: ${dataset.files.map((f) => f.display).join(', ')}`,
      `rows: ${report.data.rows}, clients: ${report.data.clients}`,
      ...leftOutLines(report.data.left_out),
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
    ...(scattered.length > 0 ? { notes: scattered } : {}),
    warnings,
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
        left_out: report.data.left_out,
      },
      mapping: {
        ...mappedColumns(m),
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

/**
 * The report's charts, built from the analysis results (full precision; rounding only in
 * the labels): forest plots of the correlations, cohort line charts by period, change and
 * recovery bars, alert counts, the mixed model's coefficients.
 */
import type { CorrelateReport, CorrelateResult } from '../../analysis/correlate/index.js';
import { BENCHMARK } from '../../analysis/correlate/index.js';
import type { TrendResult, CohortStats } from '../../analysis/trend/trend.js';
import { CHANGE_CATEGORIES } from '../../analysis/change.js';
import type { FixedEffect, ModelResult } from '../../analysis/model.js';
import type { RupturesResult } from '../../analysis/ruptures.js';
import { CATEGORY_LABEL } from '../vocabulary.js';
import { barChart, forestPlot, lineChart, type Bar, type ForestRow } from './svg.js';
import { byLabel, cellWords } from '../../names.js';

export interface Chart {
  /** Short heading shown above the chart. */
  heading: string;
  svg: string;
  /** Caption under the chart (what is shown, n). */
  caption: string;
}

const LEVEL_LABEL: Record<string, string> = {
  pearson: 'r',
  spearman: 'rho',
  rmcorr: 'rmcorr r',
  partial: 'partial r',
  semipartial: 'semi-partial r',
};

function rowLabel(r: CorrelateResult): string {
  const m = r.analysis === 'early' && r.method === 'pearson' ? 'zero-order r' : (LEVEL_LABEL[r.method] ?? r.method);
  return `${r.analysis} (${m})`;
}

function forestRow(r: CorrelateResult, label: string, emphasis = false): ForestRow {
  return {
    label,
    estimate: r.estimable ? r.r : null,
    ci: r.estimable ? r.ci : null,
    n: r.n,
    note: r.estimable ? undefined : 'not estimable',
    emphasis,
  };
}

/** Sign that turns an r into "positive = favourable" for this pair (from the benchmark comparison), or null. */
function orientation(rows: CorrelateResult[]): 1 | -1 | null {
  for (const r of rows) {
    if (r.benchmark && r.r !== null && r.r !== 0 && r.benchmark.r_oriented !== 0) return Math.sign(r.benchmark.r_oriented * r.r) as 1 | -1;
  }
  return null;
}

/**
 * The most groups one chart draws: a forest plot or bar chart of hundreds of therapists is
 * not legible (and of 200,000 is megapixels tall). Larger groupings chart the first ones in
 * the table's order and say so; the tables, CSVs and results.json keep every group.
 */
export const MAX_CHART_GROUPS = 50;
/** The most suppressed group names a caption lists. */
const MAX_LISTED = 20;

/** "a, b, c" of at most MAX_LISTED names, then "and N more". */
function listed(names: readonly string[]): string {
  if (names.length <= MAX_LISTED) return names.join(', ');
  return `${names.slice(0, MAX_LISTED).join(', ')} and ${names.length - MAX_LISTED} more`;
}

/**
 * The one place the chart cap is applied: of `rows`, those a chart draws (every row that is
 * not a group's, and the first MAX_CHART_GROUPS rows of each run of group rows, in order;
 * a run ends at a row that is not a group's), and the sentence the caption adds when
 * groups were left out (`total` groups, grouped by `by`).
 */
export function chartGroups<T>(rows: readonly T[], isGroup: (row: T) => boolean, total: number, by: string): { rows: T[]; note: string } {
  const drawn: T[] = [];
  let inRun = 0;
  for (const row of rows) {
    if (!isGroup(row)) inRun = 0;
    else if (inRun++ >= MAX_CHART_GROUPS) continue;
    drawn.push(row);
  }
  const note =
    total > MAX_CHART_GROUPS
      ? ` Only the first ${MAX_CHART_GROUPS} of ${total} ${by} groups are drawn (in the table's order); the table and the CSV have all.`
      : '';
  return { rows: drawn, note };
}

export function correlateCharts(report: CorrelateReport, firstId: number): Chart[] {
  const charts: Chart[] = [];
  let id = firstId;
  const pct = Math.round(report.options.ciLevel * 1000) / 10;
  const pairs = [...new Set(report.results.map((r) => `${r.alliance}\u0000${r.outcome}`))];
  for (const key of pairs) {
    const [alliance, outcome] = key.split('\u0000');
    const all = report.results.filter((r) => r.alliance === alliance && r.outcome === outcome && r.analysis !== 'lagged');
    const overall = all.filter((r) => r.group === null);
    const sign = orientation(overall);
    const references = sign === null ? [] : [{ value: sign * BENCHMARK.r, label: `meta-analysis r = ${sign < 0 ? '-' : ''}.278` }];
    if (overall.length > 0) {
      const rows = overall.map((r) => forestRow(r, rowLabel(r)));
      const clients = overall.reduce((m, r) => Math.max(m, r.clients), -Infinity);
      charts.push({
        heading: `${alliance} x ${outcome}: correlation by level`,
        svg: forestPlot({
          id: `chart-${id++}`,
          title: `${alliance} and ${outcome}: correlation by level (${clients} clients)`,
          desc: `Forest plot of the alliance-outcome correlation of ${alliance} with ${outcome} at each level of analysis (pooled sessions, between clients, within clients, early alliance), with ${pct}% confidence intervals; n is sessions for pooled and within, clients for between and early.`,
          rows,
          xLabel: 'correlation r (no unit; -1 to 1)',
          valueHeader: `r [${pct}% CI]`,
          references,
          domain: [-1, 1],
        }),
        caption: `Diamonds are estimates, whiskers ${pct}% confidence intervals; n = sessions (pooled, within) or clients (between, early). The dashed line is the meta-analytic alliance-outcome correlation r = .278 (Flückiger et al. 2018, 295 studies), signed for this outcome's direction.`,
      });
    }
    if (report.options.by) {
      const levels = ['pooled', 'between', 'within'] as const;
      const items: { row: ForestRow; group: boolean }[] = [];
      for (const level of levels) {
        const inLevel = all.filter((r) => r.analysis === level && (r.method === 'pearson' || r.method === 'rmcorr'));
        if (inLevel.length === 0) continue;
        items.push({ row: { label: `${level}`, estimate: null, ci: null, n: null, note: '', emphasis: true }, group: false });
        for (const r of inLevel) {
          const row = forestRow(r, r.group === null ? '  all clients' : `  ${cellWords(report.options.by, r.group)}`, r.group === null);
          items.push({ row, group: r.group !== null });
        }
      }
      if (items.length > 0) {
        const groups = report.groups.length;
        const drawn = chartGroups(items, (item) => item.group, groups, byLabel(report.options.by));
        charts.push({
          heading: `${alliance} x ${outcome}: by ${byLabel(report.options.by)}`,
          svg: forestPlot({
            id: `chart-${id++}`,
            title: `${alliance} and ${outcome} by ${byLabel(report.options.by)} (${groups} shown, ${report.suppressed.length} suppressed)`,
            desc: `Forest plot of the pooled, between-client and within-client correlation of ${alliance} with ${outcome} for all clients and for each ${byLabel(report.options.by)} with at least ${report.options.minClients} clients, with ${pct}% confidence intervals.`,
            rows: drawn.rows.map((item) => item.row),
            xLabel: 'correlation r (no unit; -1 to 1)',
            valueHeader: `r [${pct}% CI]`,
            references,
            domain: [-1, 1],
          }),
          caption: `Groups with fewer than ${report.options.minClients} clients are suppressed${report.suppressed.length ? ` (${listed(report.suppressed.map((s) => s.group))})` : ''}. Rows are in alphabetical order, not a ranking; wide intervals mean few clients.${drawn.note}`,
        });
      }
    }
  }
  return charts;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A period label as an axis shows it: 2024-01 -> "Jan 24", 2024-Q1 -> "Q1 24", 2024 stays. */
export function shortPeriod(label: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(label);
  if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12) return `${MONTHS[Number(m[2]) - 1]} ${m[1].slice(2)}`;
  const q = /^(\d{4})-Q([1-4])$/.exec(label);
  if (q) return `Q${q[2]} ${q[1].slice(2)}`;
  return label;
}

function share(p: { share: number | null; ci: [number, number] | null }): Pick<Bar, 'value' | 'ci'> {
  return { value: p.share, ci: p.ci };
}

export function trendCharts(r: TrendResult, firstId: number): Chart[] {
  const charts: Chart[] = [];
  let id = firstId;
  const a = r.measures.alliance;
  const o = r.measures.outcome;
  const aCut = r.methods.allianceAlerts.cutoff;
  const periods = r.periods;
  if (periods && periods.rows.length > 0) {
    const x = periods.rows.map((p) => p.period);
    const clients = periods.rows.map((p) => `n=${p.clients}`);
    const small = periods.rows.map((p) => p.clients < periods.minClients);
    const smallNote = `fewer than ${periods.minClients} clients`;
    const axis = { x, xShort: x.map(shortPeriod), xNotes: clients, small, smallNote };
    const caption = `n under each ${periods.period} = clients with a session in it. Periods come from session dates.${small.some(Boolean) ? ` Hollow points on dotted lines: ${periods.period}s with ${smallNote} (marked in the cohort table too); read them with caution.` : ''} Hover a ${periods.period} for its full label.`;
    if (a) {
      charts.push({
        heading: `Mean alliance by ${periods.period}`,
        svg: lineChart({
          id: `chart-${id++}`,
          title: `Mean alliance (${a.column}${a.instrument ? `, ${a.instrument}` : ''}) by ${periods.period}, ${r.clients} clients`,
          desc: `Line chart of the mean ${a.column} score over rated sessions in each ${periods.period} from ${x[0]} to ${x[x.length - 1]}.`,
          ...axis,
          series: [{ name: `mean ${a.column}`, values: periods.rows.map((p) => p.allianceMean) }],
          yLabel: `${a.column} (score points)`,
          reference: aCut !== null ? { value: aCut, label: `cut-off ${aCut}` } : undefined,
          xCaption: periods.period,
        }),
        caption,
      });
      charts.push({
        heading: `Sessions below the alliance cut-off by ${periods.period}`,
        svg: lineChart({
          id: `chart-${id++}`,
          title: `Sessions with ${a.column} below ${aCut ?? 'the cut-off'} by ${periods.period}, ${r.clients} clients`,
          desc: `Line chart of the share of rated sessions in each ${periods.period} with ${a.column} below the alliance cut-off ${aCut ?? ''}; the clients seen in each ${periods.period} are given under its label.`,
          ...axis,
          series: [{ name: `share < ${aCut ?? 'cut-off'}`, values: periods.rows.map((p) => p.allianceBelowShare) }],
          yLabel: 'share of rated sessions (%)',
          format: 'percent',
          domain: [0, 0],
          xCaption: periods.period,
        }),
        caption,
      });
    }
    if (o) {
      charts.push({
        heading: `Mean outcome by ${periods.period}`,
        svg: lineChart({
          id: `chart-${id++}`,
          title: `Mean outcome (${o.column}${o.instrument ? `, ${o.instrument}` : ''}) by ${periods.period}, ${r.clients} clients`,
          desc: `Line chart of the mean ${o.column} score over scored sessions in each ${periods.period}; ${o.higherIsBetter === false ? 'lower' : 'higher'} is better.`,
          ...axis,
          series: [{ name: `mean ${o.column}`, values: periods.rows.map((p) => p.outcomeMean) }],
          yLabel: `${o.column} (score points; ${o.higherIsBetter === false ? 'lower' : 'higher'} is better)`,
          xCaption: periods.period,
        }),
        caption,
      });
    }
  }
  const s = r.summary;
  if (o && s.used > 0 && r.methods.change.reason === undefined) {
    charts.push({
      heading: 'Reliable and clinically significant change',
      svg: barChart({
        id: `chart-${id++}`,
        title: `Change categories of ${s.used} clients (${o.column})`,
        desc: `Bar chart of the share of the ${s.used} clients with a pre and post ${o.column} score in each change category: ${CHANGE_CATEGORIES.map((cat) => CATEGORY_LABEL[cat]).join(', ')}.`,
        bars: CHANGE_CATEGORIES.map((cat) => ({ label: CATEGORY_LABEL[cat], value: s.categories[cat] / s.used, note: `${s.categories[cat]} of ${s.used}` })),
        xLabel: `share of clients with a pre and post score (%), n = ${s.used}`,
        format: 'percent',
        domain: [0, 0],
      }),
      caption: `Each client is in exactly one category, so "reliably improved, not recovered" leaves out the recovered clients (reliably improved in all: ${s.categories.recovered + s.categories.improved} of ${s.used}); n = ${s.used} clients (${s.excluded.total} left out: fewer than two outcome scores).`,
    });
  }
  const groups = r.groups;
  if (o && groups && groups.rows.length > 0) {
    const drawn = chartGroups(
      groups.rows.map((g) => ({ label: cellWords(groups.by, g.group), c: g })),
      () => true,
      groups.rows.length,
      byLabel(groups.by),
    );
    const rows: { label: string; c: CohortStats }[] = [{ label: 'all clients', c: s.overall }, ...drawn.rows];
    for (const [key, name] of [
      ['reliablyImproved', 'Reliably improved (incl. recovered)'],
      ['recovered', 'Recovered'],
    ] as const) {
      charts.push({
        heading: `${name} by ${byLabel(groups.by)}`,
        svg: barChart({
          id: `chart-${id++}`,
          title: `${name} by ${byLabel(groups.by)}, n = ${s.overall[key].n} clients (share, 95% CI)`,
          desc: `Bar chart of the share of clients ${name.toLowerCase()} for all clients and each ${byLabel(groups.by)} with at least ${groups.minClients} clients, with Wilson 95% intervals.`,
          bars: rows.map(({ label, c }) => ({ label, ...share(c[key]), note: `${c[key].x} of ${c[key].n}` })),
          xLabel: 'share of clients with a classified change (%)',
          format: 'percent',
          domain: [0, 1],
        }),
        caption: `Whiskers are Wilson score 95% intervals; "x of n" counts clients. ${groups.suppressed.length ? `Suppressed (fewer than ${groups.minClients} clients): ${listed(groups.suppressed)}.` : `Groups with fewer than ${groups.minClients} clients would be suppressed; none were.`}${drawn.note}`,
      });
    }
  }
  const al = s.allianceAlerts;
  const nt = s.notOnTrack;
  const bars: Bar[] = [];
  if (a && aCut !== null) bars.push({ label: `alliance below ${aCut}`, value: al.clientsBelowCutoff, note: `${al.sessionsBelowCutoff} sessions` });
  if (a && r.methods.allianceAlerts.drop !== null)
    bars.push({ label: `alliance drop >= ${r.methods.allianceAlerts.drop}`, value: al.clientsWithDrop, note: `${al.drops} sessions` });
  if (o && r.methods.notOnTrack.reason === undefined) {
    bars.push({ label: 'not on track (ever)', value: nt.clientsFlagged, note: `${nt.flags} sessions` });
    bars.push({ label: 'not on track (now)', value: nt.clientsCurrentlyFlagged });
  }
  if (bars.length > 0) {
    charts.push({
      heading: 'Alerts',
      svg: barChart({
        id: `chart-${id++}`,
        title: `Clients with alerts (of ${r.clients} clients)`,
        desc: `Bar chart of the number of clients with each kind of alert among ${r.clients} clients; the sessions flagged are given beside each bar.`,
        bars,
        xLabel: `clients (count, of ${r.clients})`,
        domain: [0, r.clients],
      }),
      caption: `Counts of clients (bars) and of flagged sessions (beside the bars); n = ${r.clients} clients.`,
    });
  }
  return charts;
}

/**
 * The mixed model's coefficients with their 95% CIs (Satterthwaite or Kenward-Roger df): every fixed effect
 * but the intercept (on the outcome's scale it would squash the others), then the
 * contextual effect. No chart when the model was not estimable.
 */
export function modelCharts(result: ModelResult, firstId: number): Chart[] {
  const fit = result.fit;
  if (!fit) return [];
  const predictor = result.spec.lag && result.spec.reverse ? result.spec.outcome : result.spec.alliance;
  const response = result.spec.lag && result.spec.reverse ? result.spec.alliance : result.spec.outcome;
  const terms = [...fit.fixed.filter((f) => f.term !== '(Intercept)'), fit.contextual];
  const df = fit.dfMethod;
  const client = result.spec.level === 'client';
  const contrast = result.spec.decompose ? `the contrast ${fit.contextual.term}` : 'the contextual effect (between minus within)';
  const reading = client
    ? `One row per client: ${predictor}_client is the client's alliance relative to the therapist's clients, ${predictor}_therapist the therapist's mean; the outcome is the final score, controlling intake.`
    : `${predictor}_within is the session-to-session association, ${predictor}_between the client-average one.`;
  const row = (f: FixedEffect): ForestRow => ({
    label: f.term,
    estimate: f.estimate,
    ci: f.lower !== null && f.upper !== null ? [f.lower, f.upper] : null,
    n: null,
    emphasis: f.term === `${predictor}_within`,
  });
  return [
    {
      heading: `${response} on ${predictor}: mixed-model coefficients`,
      svg: forestPlot({
        id: `chart-${firstId}`,
        title: `Mixed model of ${response}: coefficients (${fit.clients} clients, ${fit.nobs} observations)`,
        desc: `Forest plot of the fixed-effect estimates of the linear mixed model ${fit.formula} (${fit.method}), each with its 95% confidence interval from the ${df} degrees of freedom, and ${contrast}; the intercept is left out.`,
        rows: terms.map(row),
        xLabel: `change in ${response} per unit of the term (points)`,
        valueHeader: 'estimate [95% CI]',
      }),
      caption: `Diamonds are estimates, whiskers 95% confidence intervals (t with ${df} df); ${fit.clients} clients${client ? '' : `, ${fit.nobs} ${result.spec.lag ? 'consecutive-session pairs' : 'sessions'}`}. ${reading} The intercept is in the fixed-effects table.`,
    },
  ];
}

/**
 * Ruptures: aggregates only (no client is drawn). The share of assessed clients in each
 * rupture class (Wilson intervals), and the mean outcome change per class (t intervals).
 */
export function rupturesCharts(r: RupturesResult, firstId: number): Chart[] {
  const charts: Chart[] = [];
  let id = firstId;
  const drop = r.method.drop;
  if (r.assessed === 0 || drop === null) return charts;
  const a = r.measures.alliance.column;
  charts.push({
    heading: 'Clients by rupture class',
    svg: barChart({
      id: `chart-${id++}`,
      title: `Rupture classes of ${r.assessed} clients (${a}; share, 95% CI)`,
      desc: `Bar chart of the share of the ${r.assessed} clients with at least two rated ${a} sessions in each rupture class (none, repaired, unrepaired, unresolved), with Wilson 95% intervals.`,
      bars: r.classes.map((c) => ({ label: c.class, value: c.share, ci: c.shareCi, note: `${c.clients} of ${r.assessed}` })),
      xLabel: `share of assessed clients (%), n = ${r.assessed}`,
      format: 'percent',
      domain: [0, 1],
    }),
    caption: `Each assessed client is in exactly one class; whiskers are Wilson score 95% intervals. Rupture: a drop of at least ${Math.round(drop * 1000) / 1000} points from the previous rated session${r.method.dropSource === 'given' ? '' : ` (${r.method.sdMultiple} x the within-client SD; not the published rule of Stiles et al. 2004)`}; repaired within ${r.method.repairWindow} sessions.`,
  });
  const o = r.measures.outcome;
  const withChange = r.classes.filter((c) => c.meanChange !== null);
  if (o && withChange.length > 0) {
    const dir = o.higherIsBetter === false ? 'lower is better: negative = improvement' : o.higherIsBetter === true ? 'higher is better' : 'direction unknown';
    const n = withChange.reduce((s, c) => s + c.n, 0);
    charts.push({
      heading: 'Outcome change by rupture class',
      svg: forestPlot({
        id: `chart-${id++}`,
        title: `Mean change in ${o.column} by rupture class (${n} clients)`,
        desc: `Forest plot of the mean change (last minus first ${o.column} score) of the clients in each rupture class, with 95% t intervals; ${dir}.`,
        rows: r.classes.map((c) => ({
          label: c.class,
          estimate: c.meanChange,
          ci: c.meanChangeCi,
          n: c.n,
          note: c.meanChange === null ? 'no client with a change' : undefined,
        })),
        xLabel: `mean change in ${o.column} (score points; ${dir})`,
        valueHeader: 'mean [95% CI]',
      }),
      caption: `Diamonds are class means, whiskers 95% t intervals; n = clients with a first and a later ${o.column} score. Observational: the classes differ in more than their ruptures.`,
    });
  }
  return charts;
}

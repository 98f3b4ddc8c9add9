/**
 * The ResultDocument of `alliance trend` (and the report's trend section). The JSON shape
 * and the methods are documented in docs/trend.md.
 */
import { mapSequence } from '../../sequence.js';
import type { CohortStats, TrendOptions, TrendResult } from '../../analysis/trend/trend.js';
import { CHANGE_CATEGORIES } from '../../analysis/change.js';
import { sparkline } from '../../analysis/trend/sparkline.js';
import type { Dataset } from '../../dataset/types.js';
import { F, type Cell, type Column, type Format, type ResultDocument, type TableModel } from '../../report/model.js';
import { cell, NE, shareColumns, snake } from '../../report/cells.js';
import { mappedColumns } from '../../report/mapping.js';
import { CATEGORY_LABEL, SHARE_HEADER, SHARE_LABEL } from '../../report/vocabulary.js';
import { numberList, toFixedR } from '../../report/number.js';
import { byLabel, withoutBy } from '../../names.js';

function list(xs: number[]): string {
  return numberList(xs);
}

function cohortCells(s: CohortStats): Record<string, Cell> {
  return {
    sessions: s.sessions,
    clients: s.clients,
    alliance_mean: cell(s.allianceMean),
    alliance_below: cell(s.allianceBelowShare),
    outcome_mean: cell(s.outcomeMean),
    completed: s.completed,
    mean_change: cell(s.meanChange),
    mean_change_ci: s.meanChangeCi ?? NE,
    d: cell(s.d),
    dz: cell(s.dz),
    improved: cell(s.reliablyImproved.share),
    improved_ci: s.reliablyImproved.ci ?? NE,
    recovered: cell(s.recovered.share),
    recovered_ci: s.recovered.ci ?? NE,
    deteriorated: cell(s.deteriorated.share),
    deteriorated_ci: s.deteriorated.ci ?? NE,
  };
}

function cohortColumns(first: Column, allianceCut: number | null, hasAlliance: boolean, hasOutcome: boolean): Column[] {
  const cut = allianceCut === null ? 'cut-off' : String(allianceCut);
  return [
    first,
    { key: 'sessions', header: 'sessions', format: F.int },
    { key: 'clients', header: 'clients', format: F.int },
    ...(hasAlliance
      ? [
          { key: 'alliance_mean', header: 'alliance', format: F.fixed(2) },
          { key: 'alliance_below', header: `< ${cut}`, format: F.percent(1) },
        ]
      : []),
    ...(hasOutcome
      ? [
          { key: 'outcome_mean', header: 'outcome', format: F.fixed(2) },
          { key: 'completed', header: 'n', format: F.int },
          { key: 'mean_change', header: 'change', format: F.fixed(2) },
          { key: 'mean_change_ci', header: '95% CI', format: F.interval(2) },
          { key: 'd', header: 'd', format: F.fixed(2) },
          { key: 'dz', header: 'd_z', format: F.fixed(2) },
          ...shareColumns('improved', SHARE_HEADER.reliablyImproved),
          ...shareColumns('recovered', SHARE_HEADER.recovered),
          ...shareColumns('deteriorated', SHARE_HEADER.deteriorated),
        ]
      : []),
  ];
}

const COHORT_LEGEND =
  'alliance: mean over rated sessions; < cut-off: share of rated sessions below the alliance cut-off; outcome: mean over scored sessions; n: clients with a change whose post session falls here; change: mean post - pre with t interval; d, d_z: pre-post effect sizes; reliably improved (recovered included), recovered, reliably deteriorated (harmed included): shares of clients with a classified change, in percent with a Wilson score 95% interval (R prop.test, correct = FALSE).';

function fmt(x: number | null, digits = 2): string {
  return x === null || !Number.isFinite(x) ? NE : toFixedR(x, digits);
}

function methodNotes(r: TrendResult): string[] {
  const m = r.methods;
  const notes: string[] = [];
  const oc = r.measures.outcome;
  if (!oc) notes.push('no outcome measure: change, clinical status and not-on-track flags are not assessed.');
  const dirWord = oc?.higherIsBetter === true ? 'higher is better' : oc?.higherIsBetter === false ? 'lower is better' : 'direction unknown';
  if (oc)
    notes.push(
      `outcome: ${oc.column}${oc.instrument ? ` (${oc.instrument})` : ''}, ${dirWord}; change = post - pre, so on a lower-is-better scale a negative change is improvement; d = mean change / SD of pre scores, d_z = mean change / SD of change.`,
    );
  if (oc)
    notes.push(
      m.timePoints.mode === 'fixed'
        ? `time points: pre = session ${m.timePoints.pre}, post = session ${m.timePoints.post}; clients without an outcome at either are left out (counted below).`
        : 'time points: pre = the first session with an outcome (intake), post = the last session with an outcome; clients with one measurement are left out.',
    );
  const c = m.change;
  if (!oc) {
    // nothing more about change
  } else if (c.method === 'points') {
    notes.push(
      c.threshold !== null
        ? `reliable change: a change of >= ${c.threshold} points in the better direction is reliable improvement, >= ${c.threshold} in the worse direction reliable deterioration (${c.source}).`
        : `reliable change: not assessed (${c.reason}).`,
    );
  } else {
    notes.push(
      `reliable change: Jacobson & Truax (1991) RCI = (post - pre) / S_diff, S_diff = sqrt(2) * SD_pre * sqrt(1 - r_xx) = ${fmt(c.sDiff, 3)} (r_xx = ${c.reliability}, SD_pre = ${fmt(c.sdPre, 3)} ${c.sdSource === 'data' ? 'from the pre scores of the clients used' : 'as given'}); reliable when |RCI| > ${toFixedR(c.critical, 6)} (qnorm(0.975), as the clinicalsignificance R package).` +
        (c.reason ? ` Not assessed: ${c.reason}.` : ''),
    );
  }
  const cl = m.clinical;
  if (!oc) {
    // no clinical status without an outcome
  } else if (cl.source === 'instrument')
    notes.push(
      `clinical: score ${cl.clinicalIf} ${cl.cutoff} (${cl.citation}); recovered = reliably improved, clinical at pre and not at post; harmed = reliably deteriorated, not clinical at pre and clinical at post.`,
    );
  else if (cl.source === 'jacobson-truax') {
    const clin = `clinical M ${fmt(cl.clinicalMean, 3)} SD ${fmt(cl.clinicalSd, 3)} (${cl.clinicalNormsSource === 'data' ? 'pre scores' : 'given'})`;
    const func = cl.functionalMean !== null ? `; functional M ${fmt(cl.functionalMean, 3)} SD ${fmt(cl.functionalSd, 3)}` : '';
    const norms = clin + func;
    notes.push(
      `clinical: Jacobson-Truax cut-off ${cl.type} = ${fmt(cl.cutoff, 3)} (${norms}); clinical at pre and functional at post are strict inequalities as in clinicalsignificance; categories recovered / improved / unchanged / deteriorated / harmed as that package names them.` +
        (cl.reason ? ` Not available: ${cl.reason}.` : ''),
    );
  } else notes.push(`clinical: ${cl.reason}; recovered and harmed are not assessed.`);
  const a = m.allianceAlerts;
  if (r.measures.alliance) {
    notes.push(
      `alliance alerts: sessions with ${r.measures.alliance.column} below ${a.cutoff ?? '(no cut-off)'} (${a.cutoffSource}); drops of >= ${a.drop ?? '(none)'} point(s) from the previous rated session (${a.dropSource}).`,
    );
  }
  const t = m.notOnTrack;
  if (!oc) {
    // no expected-response band without an outcome
  } else if (t.reason) notes.push(`not on track: not assessed (${t.reason}).`);
  else {
    notes.push(
      `not on track: an expected-treatment-response band built from this data. Clients are split into ${t.bands} intake-severity band(s) by quantiles of intake${t.bandLimits.length ? ` (limits ${t.bandLimits.map((x) => fmt(x, 2)).join(', ')}; ties go to the lower band)` : ''}. For each band and number of sessions since intake, the change so far (oriented so positive = better) of every client with an outcome there forms the band; a client is flagged at a session where their change is below the band's ${t.quantile} quantile (R type 7), only where the band has >= ${t.minClients} clients (${t.cellsUsed} band cells used, ${t.cellsTooSmall} too small). Each client is part of their own band.`,
    );
  }
  notes.push(
    'clients are attributed to the period and group of their post session; sessions to their own date and group. Shares of sessions below the alliance cut-off count rated sessions.',
  );
  return notes;
}

export function trendDocument(r: TrendResult, dataset: Dataset, o: TrendOptions): ResultDocument {
  const tables: TableModel[] = [];
  const s = r.summary;
  const aCut = r.methods.allianceAlerts.cutoff;
  const hasAlliance = r.measures.alliance !== null;
  const hasOutcome = r.measures.outcome !== null;

  // Change categories.
  const used = s.used;
  const catRows: Record<string, Cell>[] = CHANGE_CATEGORIES.map((c) => ({
    category: CATEGORY_LABEL[c],
    clients: s.categories[c],
    share: used > 0 && r.methods.change.reason === undefined ? s.categories[c] / used : NE,
  }));
  const ex = s.excluded;
  const exParts =
    r.methods.timePoints.mode === 'fixed'
      ? `${ex.missingPre} without an outcome at the pre session, ${ex.missingPost} without one at the post session`
      : `${ex.oneMeasurement} with one outcome measurement, ${ex.noOutcome} with none`;
  if (hasOutcome)
    tables.push({
      id: 'change',
      title: 'Reliable and clinically significant change',
      columns: [
        { key: 'category', header: 'category' },
        { key: 'clients', header: 'clients', format: F.int },
        { key: 'share', header: 'share', format: F.percent(1) },
      ],
      rows: catRows,
      notes: [
        `${used} of ${r.clients} clients used; ${ex.total} left out (${exParts}).`,
        ...(r.methods.change.reason ? [`reliable change not assessed: ${r.methods.change.reason}.`] : []),
      ],
    });

  // Cohort: per period and overall.
  const cohortRows: Record<string, Cell>[] = [];
  // Periods below the suppression threshold stay in the series, marked (the charts draw them hollow).
  const min = r.periods?.minClients ?? 0;
  const small = (p: CohortStats) => p.clients < min;
  const anySmall = r.periods !== null && r.periods.rows.some(small);
  if (r.periods)
    for (const p of r.periods.rows)
      cohortRows.push({ period: p.period, ...cohortCells(p), ...(anySmall ? { caution: small(p) ? `fewer than ${min} clients` : '' } : {}) });
  cohortRows.push({ period: 'all', ...cohortCells(s.overall), ...(anySmall ? { caution: '' } : {}) });
  const cohortNotes: string[] = [];
  if (anySmall)
    cohortNotes.push(
      `caution: a ${r.periods!.period} with fewer than ${min} clients (the suppression threshold) is shown but marked, here and as a hollow point in the report's charts; its figures rest on few clients.`,
    );
  if (r.periods && (r.periods.sessionsWithoutDate > 0 || r.periods.clientsWithoutPostDate > 0)) {
    cohortNotes.push(
      `${r.periods.sessionsWithoutDate} session(s) and ${r.periods.clientsWithoutPostDate} client post session(s) have no date and are only in 'all'.`,
    );
  }
  cohortNotes.push(COHORT_LEGEND);
  tables.push({
    id: 'cohort',
    title: r.periods ? `Cohort by ${r.periods.period}` : 'Cohort',
    columns: [
      ...cohortColumns({ key: 'period', header: r.periods ? r.periods.period : 'period' }, aCut, hasAlliance, hasOutcome),
      ...(anySmall ? [{ key: 'caution', header: 'caution' }] : []),
    ],
    rows: cohortRows,
    notes: cohortNotes,
  });

  // Sparklines of the cohort series.
  if (r.periods && r.periods.rows.length > 0) {
    const rows = r.periods.rows;
    // [label, value, the measure it needs, how its numbers are shown]
    const count = F.int;
    const mean = F.fixed(2);
    const share = F.percent(1);
    const all: [string, (p: CohortStats) => number | null, 'alliance' | 'outcome' | null, Format][] = [
      ['sessions', (p) => p.sessions, null, count],
      ['clients', (p) => p.clients, null, count],
      ['mean alliance', (p) => p.allianceMean, 'alliance', mean],
      [`alliance < ${aCut ?? 'cut-off'} (share)`, (p) => p.allianceBelowShare, 'alliance', share],
      ['mean outcome', (p) => p.outcomeMean, 'outcome', mean],
      ['mean change', (p) => p.meanChange, 'outcome', mean],
      [`${SHARE_LABEL.reliablyImproved} (share)`, (p) => p.reliablyImproved.share, 'outcome', share],
      [`${SHARE_LABEL.recovered} (share)`, (p) => p.recovered.share, 'outcome', share],
      [`${SHARE_LABEL.deteriorated} (share)`, (p) => p.deteriorated.share, 'outcome', share],
    ];
    const series = all.filter(([, , needs]) => needs === null || (needs === 'alliance' ? hasAlliance : hasOutcome));
    const formatOf = new Map(series.map(([name, , , f]) => [name, f]));
    // Counts as whole numbers, shares in percent, means with two decimals (CSV and JSON: full precision).
    const value = (key: string): Column => ({ key, header: key, format: F.fixed(3), formatFor: (row) => formatOf.get(String(row.series)) });
    tables.push({
      id: 'series',
      title: `Series by ${r.periods.period} (${rows[0].period} to ${rows[rows.length - 1].period})`,
      columns: [{ key: 'series', header: 'series' }, { key: 'trend', header: 'trend' }, value('first'), value('last'), value('min'), value('max')],
      rows: series.map(([name, get]) => {
        const v = rows.map((p) => get(p) ?? NaN);
        const fin = v.filter(Number.isFinite);
        return {
          series: name,
          trend: sparkline(v),
          first: cell(fin.length ? fin[0] : null),
          last: cell(fin.length ? fin[fin.length - 1] : null),
          min: cell(fin.length ? fin.reduce((m, x) => Math.min(m, x)) : null),
          max: cell(fin.length ? fin.reduce((m, x) => Math.max(m, x)) : null),
        };
      }),
      notes: ['each sparkline is scaled from its own minimum to maximum; a blank is a period where the figure is not estimable.'],
    });
  }

  // Groups.
  if (r.groups) {
    const g = r.groups;
    const notes = ['rows in alphabetical order, not a ranking: compare groups by their confidence intervals, which are wide for small groups.', COHORT_LEGEND];
    if (g.suppressed.length > 0) notes.unshift(`suppressed (fewer than ${g.minClients} clients): ${g.suppressed.join(', ')}.`);
    if (g.missingLevel > 0) notes.push(`${g.missingLevel} session(s) without a ${byLabel(g.by)} value are left out of this table.`);
    tables.push({
      id: 'groups',
      title: `By ${byLabel(g.by)}`,
      columns: cohortColumns({ key: 'group', header: byLabel(g.by) }, aCut, hasAlliance, hasOutcome),
      rows: g.rows.map((row) => ({ group: row.group, ...cohortCells(row) })),
      notes,
    });
  }

  // Alerts.
  const al = s.allianceAlerts;
  const nt = s.notOnTrack;
  const alertRows: Record<string, Cell>[] = [];
  if (hasAlliance) {
    const noCut = aCut === null;
    const noDrop = r.methods.allianceAlerts.drop === null;
    alertRows.push(
      { alert: `alliance below ${aCut ?? 'cut-off'}`, clients: noCut ? NE : al.clientsBelowCutoff, events: noCut ? NE : al.sessionsBelowCutoff },
      { alert: `alliance drop >= ${r.methods.allianceAlerts.drop ?? '?'}`, clients: noDrop ? NE : al.clientsWithDrop, events: noDrop ? NE : al.drops },
    );
  }
  if (hasOutcome) {
    const no = r.methods.notOnTrack.reason !== undefined;
    alertRows.push(
      { alert: 'not on track (ever)', clients: no ? NE : nt.clientsFlagged, events: no ? NE : nt.flags },
      { alert: 'not on track (at last assessed session)', clients: no ? NE : nt.clientsCurrentlyFlagged, events: NE },
    );
  }
  tables.push({
    id: 'alerts',
    title: 'Alerts',
    columns: [
      { key: 'alert', header: 'alert' },
      { key: 'clients', header: 'clients', format: F.int },
      { key: 'events', header: 'sessions', format: F.int },
    ],
    rows: alertRows,
  });

  // Clients.
  if (r.clientRows) {
    const aBind = dataset.mapping.measures.find((m) => m.role === 'alliance');
    const oBind = dataset.mapping.measures.find((m) => m.role === 'outcome');
    const aRange = aBind?.instrument?.range.value;
    const oRange = oBind?.instrument?.range.value;
    const jt = r.methods.change.method === 'jacobson-truax';
    tables.push({
      id: 'clients',
      title: 'Clients',
      columns: [
        { key: 'client', header: 'client' },
        { key: 'sessions', header: 'sessions', format: F.int },
        { key: 'first_session', header: 'first', format: F.int },
        { key: 'last_session', header: 'last', format: F.int },
        { key: 'first_date', header: 'first date' },
        { key: 'last_date', header: 'last date' },
        ...(hasAlliance
          ? [
              { key: 'alliance_mean', header: 'mean alliance', format: F.fixed(2) },
              { key: 'alliance_slope', header: 'alliance slope', format: F.fixed(3) },
              { key: 'alliance_trend', header: 'alliance' },
              { key: 'alliance_below', header: 'below cut-off at' },
              { key: 'alliance_drops', header: 'drops at' },
            ]
          : []),
        ...(hasOutcome
          ? [
              { key: 'pre', header: 'pre', format: F.fixed(1) },
              { key: 'post', header: 'post', format: F.fixed(1) },
              { key: 'change', header: 'change', format: F.fixed(1) },
              ...(jt ? [{ key: 'rci', header: 'RCI', format: F.fixed(2) }] : []),
              { key: 'category', header: 'category' },
              { key: 'outcome_slope', header: 'outcome slope', format: F.fixed(3) },
              { key: 'outcome_trend', header: 'outcome' },
              { key: 'not_on_track', header: 'not on track at' },
            ]
          : []),
      ],
      rows: mapSequence(r.clientRows, (c) => ({
        client: c.client,
        sessions: c.sessions,
        first_session: c.firstSession,
        last_session: c.lastSession,
        first_date: c.firstDate ?? '',
        last_date: c.lastDate ?? '',
        alliance_mean: cell(c.alliance.mean),
        alliance_slope: cell(c.alliance.slope),
        alliance_trend: sparkline(c.series.alliance, aRange?.[0], aRange?.[1]),
        alliance_below: list(c.alliance.belowCutoff),
        alliance_drops: list(c.alliance.drops),
        pre: cell(c.change.pre),
        post: cell(c.change.post),
        change: cell(c.change.change),
        rci: cell(c.change.rci),
        category: c.change.category ? CATEGORY_LABEL[c.change.category] : NE,
        outcome_slope: cell(c.outcome.slope),
        outcome_trend: sparkline(c.series.outcome, oRange?.[0], oRange?.[1]),
        not_on_track: list(c.notOnTrack.sessions),
      })),
      notes: [
        "trajectories: one block per session in session order, scaled to the instrument range (else the client's own range); a blank is a session without a value. Slopes: OLS over session number (>= 2 rated sessions).",
      ],
    });
  }

  const notes = methodNotes(r);
  const m = dataset.mapping;
  const measures = [r.measures.alliance, r.measures.outcome].filter((x) => x !== null).map((x) => `${x.column}${x.instrument ? ` (${x.instrument})` : ''}`);
  return {
    title: 'alliance trend',
    preface: [
      `files: ${dataset.files.map((f) => f.display).join(', ')}`,
      `rows: ${r.rows}, clients: ${r.clients}; measures: ${measures.join(', ')}${r.measures.ignored.length ? ` (not used here: ${r.measures.ignored.join(', ')})` : ''}`,
      ...m.notes,
    ],
    tables,
    notes: [...notes, `${NE} = not estimable (the JSON output gives the reason).`],
    csvTable: r.clientRows ? 'clients' : r.groups ? 'groups' : 'cohort',
    // Built when asked for (a table or CSV of a million clients never needs it).
    get json() {
      return trendJson();
    },
  };

  function trendJson(): unknown {
    const json = snake({
      command: 'trend',
      schema: 2,
      // One `by` in every command: options.by, the header name(s) (docs/report.md, "by in JSON").
      options: { ...o, clients: Boolean(o.clients), by: r.groups ? r.groups.by : null },
      input: { files: dataset.files.map((f) => ({ path: f.display, rows: f.rows })), rows: r.rows, clients: r.clients },
      mapping: {
        ...mappedColumns(m),
        sessionSource: m.sessionSource,
        notes: m.notes,
      },
      measures: r.measures,
      methods: r.methods,
      summary: r.summary,
      periods: r.periods,
      groups: r.groups ? withoutBy(r.groups) : null,
      clients: null,
      notes,
    }) as Record<string, unknown>;
    // Client rows are written one at a time as they are made (src/sequence.ts).
    if (r.clientRows) json.clients = mapSequence(r.clientRows, snake);
    return json;
  }
}

/**
 * The ResultDocument of `alliance ruptures` (and the report's ruptures section). The JSON
 * shape and the definitions are documented in docs/ruptures.md.
 */
import type { RupturesOptions, RupturesResult } from '../../analysis/ruptures.js';
import type { RupturesModel } from '../../analysis/ruptures-model.js';
import type { Dataset } from '../../dataset/types.js';
import { F, type Cell, type ResultDocument, type TableModel } from '../../report/model.js';
import { cell, coefficientColumns, coefficientRow, NE, shareColumns, snake } from '../../report/cells.js';
import { mapSequence, sequence } from '../../sequence.js';
import { mappedColumns } from '../../report/mapping.js';
import { toFixedR } from '../../report/number.js';
import { byLabel, withoutBy } from '../../names.js';
import type { DocumentContext } from '../section.js';

/**
 * Where a text goes: a command's renderings, a report's, or the JSON, which is the same
 * document for both (results.json holds `alliance ruptures --format json`), so it names both.
 */
type NoteMode = DocumentContext['mode'] | 'json';

/** How to give the drop: the flag for a command, the config key in a report, both in the JSON. */
export function giveDrop(mode: NoteMode): string {
  if (mode === 'report') return 'ruptures.ruptureDrop: POINTS in the report config';
  return mode === 'command' ? '--rupture-drop POINTS' : '--rupture-drop POINTS (ruptures.ruptureDrop in a config file)';
}

/**
 * Without a drop (none given and none derivable): why, what it means for the clients, and
 * how to give one (the warning of every rendering and a line of the JSON notes).
 */
export function noDropNote(r: RupturesResult, mode: NoteMode, sdGiven = false): string | null {
  const m = r.method;
  if (m.drop !== null) return null;
  const constant = m.withinSdDf > 0;
  return (
    `no rupture drop: ${m.reason ?? 'none given and none derivable'}. No client is classed and all ${r.clients} are counted as not assessed` +
    (constant
      ? '; the clients with two or more rated sessions have the same rating at every session, so no drop of any size would find a rupture in them'
      : '') +
    `. Give the drop in score points with ${giveDrop(mode)}` +
    (sdGiven ? `, instead of ${mode === 'report' ? 'ruptures.ruptureSd' : '--rupture-sd'}, which only sets the multiple of that SD` : '')
  );
}

/** The rule as one sentence (table notes, report intro). */
export function ruleNote(r: RupturesResult, mode: NoteMode = 'command'): string {
  const m = r.method;
  const a = r.measures.alliance;
  const worse = m.allianceHigherIsBetter ? 'below' : 'above';
  const sdText = `${m.sdMultiple} x the pooled within-client SD of ${a.column} (${toFixedR(m.withinSd ?? NaN, 3)}; ${m.withinSdDf} df)`;
  const dropText = m.dropSource === 'given' ? `${m.drop} points (given)` : m.drop === null ? 'the drop' : `${toFixedR(m.drop, 3)} points = ${sdText}`;
  const noDrop = m.drop === null ? ` The drop is ${sdText}, which gives no drop here, so no client is classed.` : '';
  const caveat =
    m.dropSource === 'given'
      ? ''
      : ` The default drop is not the published rule of Stiles et al. (2004), which could not be confirmed from the paper itself; it is a multiple of the within-client SD (see docs/ruptures.md). Give the drop in score points with ${mode === 'report' ? 'ruptures.ruptureDrop in the report config' : '--rupture-drop'}.`;
  return (
    `rupture: a rated session whose ${a.column} is at least ${dropText} ${worse} the previous rated session; pre-rupture level = that previous score.${noDrop} ` +
    `Repaired when a later rated session within ${m.repairWindow} session(s) after the rupture reaches the pre-rupture level; unrepaired when the window passes without that; unresolved when the client's ratings end before the window does. ` +
    'The search for the next rupture starts after the repair (or after the window).' +
    caveat
  );
}

export function rupturesDocument(r: RupturesResult, dataset: Dataset, o: RupturesOptions, mode: DocumentContext['mode'] = 'command'): ResultDocument {
  const tables: TableModel[] = [];
  const noDrop = noDropNote(r, mode, o.ruptureSd !== undefined);
  const oc = r.measures.outcome;
  const dirWord = oc?.higherIsBetter === true ? 'higher is better' : oc?.higherIsBetter === false ? 'lower is better' : 'direction unknown';

  tables.push({
    id: 'classes',
    title: 'Clients by rupture class, and outcome change',
    columns: [
      { key: 'class', header: 'class' },
      { key: 'clients', header: 'clients', format: F.int },
      ...shareColumns('share', 'share'),
      { key: 'n', header: 'n change', format: F.int },
      { key: 'mean_change', header: 'mean change', format: F.fixed(2) },
      { key: 'sd_change', header: 'SD', format: F.fixed(2) },
      { key: 'mean_change_ci', header: '95% CI', format: F.interval(2) },
    ],
    rows: r.classes.map((c) => ({
      class: c.class,
      clients: c.clients,
      share: cell(c.share),
      share_ci: c.shareCi ?? NE,
      n: c.n,
      mean_change: cell(c.meanChange),
      sd_change: cell(c.sdChange),
      mean_change_ci: c.meanChangeCi ?? NE,
    })),
    notes: [
      r.method.drop === null
        ? `0 of ${r.clients} clients assessed: without a rupture drop no client is classed (see the warning); all ${r.notAssessed} are left out.`
        : `${r.assessed} of ${r.clients} clients assessed (at least 2 rated ${r.measures.alliance.column} sessions); ${r.notAssessed} with fewer are left out.`,
      'none: no rupture; repaired: every rupture repaired; unrepaired: at least one rupture not repaired; unresolved: the rest (a rupture whose window the data do not cover). Share: of assessed clients, Wilson score interval.',
      ...(oc
        ? [
            `change: last minus first ${oc.column} score (at a later session), as alliance trend defines it; ${dirWord}${oc.higherIsBetter === false ? ', so a negative change is improvement' : ''}; 95% CI: t interval.`,
          ]
        : []),
      ...(r.outcomeNote ? [`${r.outcomeNote}.`] : []),
    ],
  });

  tables.push({
    id: 'comparisons',
    title: 'Outcome change: repaired against unrepaired and against no rupture (Welch t test)',
    columns: [
      { key: 'contrast', header: 'contrast' },
      { key: 'n1', header: 'n1', format: F.int },
      { key: 'n2', header: 'n2', format: F.int },
      { key: 'difference', header: 'difference', format: F.fixed(2) },
      { key: 'ci', header: '95% CI', format: F.interval(2) },
      { key: 't', header: 't', format: F.fixed(2) },
      { key: 'df', header: 'df', format: F.fixed(1) },
      { key: 'p', header: 'p', format: F.p },
    ],
    rows: r.comparisons.map((c) => ({
      contrast: c.contrast,
      n1: c.n1,
      n2: c.n2,
      difference: cell(c.difference),
      ci: c.ci ?? NE,
      t: cell(c.t),
      df: cell(c.df),
      p: cell(c.p),
    })),
    notes: [
      "difference: mean change of the first class minus the second; Welch's t test with the Welch-Satterthwaite df, as R's t.test(x, y). Observational: clients who repair ruptures differ in other ways too.",
      ...r.comparisons.filter((c) => c.reason).map((c) => `${c.contrast}: not estimable (${c.reason}).`),
    ],
  });

  if (r.model) tables.push(modelTable(r.model));

  const e = r.episodes;
  tables.push({
    id: 'episodes',
    title: 'Rupture episodes',
    columns: [
      { key: 'status', header: 'status' },
      { key: 'episodes', header: 'episodes', format: F.int },
      { key: 'share', header: 'share', format: F.percent(1) },
    ],
    rows: (['repaired', 'unrepaired', 'unresolved'] as const)
      .map((k): Record<string, Cell> => ({ status: k, episodes: e[k], share: e.total > 0 ? e[k] / e.total : NE }))
      .concat([{ status: 'all', episodes: e.total, share: e.total > 0 ? 1 : NE }]),
    notes: [ruleNote(r, mode)],
  });

  if (r.groups) {
    const g = r.groups;
    const notes = [
      'rows in alphabetical order, not a ranking: compare groups by their confidence intervals, which are wide for small groups.',
      'clients: assessed clients, each attributed to the group of their first rated session; with rupture: share of them with at least one rupture (Wilson interval); per 100: episodes per 100 rated sessions; repaired: share of episodes with a known end (repaired or unrepaired) that were repaired (Wilson interval).',
    ];
    if (g.suppressed.length > 0) notes.unshift(`suppressed (fewer than ${g.minClients} assessed clients): ${g.suppressed.join(', ')}.`);
    if (g.withoutLevel > 0) notes.push(`${g.withoutLevel} assessed client(s) without a ${byLabel(g.by)} value are left out of this table.`);
    tables.push({
      id: 'groups',
      title: `Ruptures by ${byLabel(g.by)}`,
      columns: [
        { key: 'group', header: byLabel(g.by) },
        { key: 'clients', header: 'clients', format: F.int },
        { key: 'with_rupture', header: 'with rupture', format: F.int },
        ...shareColumns('share', 'share'),
        { key: 'episodes', header: 'episodes', format: F.int },
        { key: 'per100', header: 'per 100 sessions', format: F.fixed(2) },
        ...shareColumns('repaired', 'repaired'),
        { key: 'unresolved', header: 'unresolved', format: F.int },
      ],
      rows: g.rows.map((x) => ({
        group: x.group,
        clients: x.clients,
        with_rupture: x.withRupture,
        share: cell(x.share),
        share_ci: x.shareCi ?? NE,
        episodes: x.episodes,
        per100: cell(x.per100Sessions),
        repaired: cell(x.repairedShare),
        repaired_ci: x.repairedCi ?? NE,
        unresolved: x.unresolved,
      })),
      notes,
    });
  }

  if (r.clientRows) {
    const clientRows = r.clientRows;
    tables.push({
      id: 'clients',
      title: 'Clients',
      columns: [
        { key: 'client', header: 'client' },
        { key: 'rated', header: 'rated sessions', format: F.int },
        { key: 'class', header: 'class' },
        { key: 'episodes', header: 'episodes', format: F.int },
        { key: 'change', header: 'change', format: F.fixed(1) },
      ],
      rows: mapSequence(r.clientRows, (c) => ({
        client: c.client,
        rated: c.ratedSessions,
        class: c.class ?? 'not assessed',
        episodes: c.episodes.length,
        change: cell(c.change),
      })),
    });
    tables.push({
      id: 'client-episodes',
      title: 'Episodes per client',
      columns: [
        { key: 'client', header: 'client' },
        { key: 'session', header: 'session', format: F.int },
        { key: 'previous', header: 'previous', format: F.int },
        { key: 'pre_level', header: 'pre-level', format: F.fixed(1) },
        { key: 'score', header: 'score', format: F.fixed(1) },
        { key: 'drop', header: 'drop', format: F.fixed(1) },
        { key: 'status', header: 'status' },
        { key: 'repair_session', header: 'repaired at', format: F.int },
      ],
      rows: sequence(r.episodes.total, function* () {
        for (const c of clientRows)
          for (const x of c.episodes)
            yield {
              client: c.client,
              session: x.session,
              previous: x.previousSession,
              pre_level: x.preLevel,
              score: x.score,
              drop: x.drop,
              status: x.status,
              repair_session: x.repairSession ?? '',
            };
      }),
    });
  }

  const m = dataset.mapping;
  const measures = [r.measures.alliance, r.measures.outcome].filter((x) => x !== null).map((x) => `${x.column}${x.instrument ? ` (${x.instrument})` : ''}`);
  // The JSON is the same in a command and a report (results.json): its notes name the flag and the key.
  const jsonNoDrop = noDropNote(r, 'json', o.ruptureSd !== undefined);
  const notes = [ruleNote(r, 'json'), ...(jsonNoDrop ? [`${jsonNoDrop}.`] : [])];
  return {
    title: 'alliance ruptures',
    preface: [
      `files: ${dataset.files.map((f) => f.display).join(', ')}`,
      `rows: ${r.rows}, clients: ${r.clients}; measures: ${measures.join(', ')}`,
      ...m.notes,
    ],
    tables,
    notes: [`${NE} = not estimable (the JSON output gives the reason).`],
    ...(noDrop ? { warnings: [{ code: 'no-rupture-drop', message: noDrop }] } : {}),
    csvTable: r.clientRows ? 'clients' : r.groups ? 'groups' : 'classes',
    json: rupturesJson(
      {
        command: 'ruptures',
        schema: 2,
        // One `by` in every command: options.by, the header name(s) (docs/report.md, "by in JSON").
        options: { ...o, clients: Boolean(o.clients), by: r.groups ? r.groups.by : null },
        input: { files: dataset.files.map((f) => ({ path: f.display, rows: f.rows })), rows: r.rows, clients: r.clients },
        mapping: { ...mappedColumns(m), sessionSource: m.sessionSource, notes: m.notes },
        measures: r.measures,
        method: r.method,
        assessed: r.assessed,
        notAssessed: r.notAssessed,
        episodes: r.episodes,
        classes: r.classes,
        comparisons: r.comparisons,
        groups: r.groups ? withoutBy(r.groups) : null,
        clients: null,
        ...(r.model ? { model: r.model } : {}),
        notes,
      },
      r.clientRows,
    ),
  };
}

/** The JSON document; the client rows are written one at a time as they are made (src/sequence.ts). */
function rupturesJson(doc: Record<string, unknown>, clientRows: RupturesResult['clientRows']): Record<string, unknown> {
  const json = snake(doc) as Record<string, unknown>;
  if (clientRows) json.clients = mapSequence(clientRows, snake);
  return json;
}

/** --model: the fixed effects of outcome ~ session * class + (1 | client), and the slope contrast. */
function modelTable(m: RupturesModel): TableModel {
  return {
    id: 'model',
    title: `Outcome over sessions by rupture class (mixed model: ${m.formula})`,
    columns: coefficientColumns('Satterthwaite'),
    rows: m.notEstimable
      ? [{ term: '(model)', estimate: NE, se: NE, df: NE, t: NE, p: NE, ci95: NE }]
      : [...m.fixed, ...m.contrasts].map((f) => coefficientRow(f, NE)),
    notes: m.notEstimable
      ? [`not estimable: ${m.notEstimable}.`]
      : [
          `REML, Satterthwaite df (as lme4 + lmerTest); ${m.nobs} sessions with an outcome of ${m.clients} assessed clients. class_k: the outcome at session 0 of class k minus that of the reference class (${m.reference}); session:class_k: the difference of its slope per session from the reference class's. slope: repaired - unrepaired: the difference of the two slopes (lmerTest's contest1D). Client variance ${toFixedR(m.clientVariance!, 3)}, residual ${toFixedR(m.residualVariance!, 3)}${m.singular ? ' (singular fit: the client variance is 0)' : ''}. Observational: clients who repair ruptures differ in other ways too.`,
        ],
  };
}

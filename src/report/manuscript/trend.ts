/**
 * The manuscript of `alliance trend`: pre-post change of the outcome (mean change with its
 * interval, d and d_z), reliable and clinically significant change (shares with Wilson
 * intervals), the alliance alerts; one table of the cohort (by period and group when asked);
 * the methods.
 */
import type { CohortStats, Proportion, TrendOptions, TrendResult } from '../../analysis/trend/trend.js';
import type { Dataset } from '../../dataset/types.js';
import { capital, count, interval, nouns, num, percent, sym, t, type ApaRow, type Manuscript, type Paragraph, type Text } from './model.js';
import { directionSentence, instrumentNames, instrumentWorks, measureLabel } from './measures.js';
import { JACOBSON_1991, plainSoftware, referenceList, software, type Work } from './references.js';
import { byLabel } from '../../names.js';

function share(p: Proportion): string {
  if (p.share === null) return `${count(p.x)} of ${count(p.n)}`;
  return `${nouns(p.x, 'client')} (${percent(p.share)}${p.ci ? `, 95% CI [${percent(p.ci[0])}, ${percent(p.ci[1])}]` : ''})`;
}

function shareCell(p: Proportion): Text {
  return t(p.share === null ? '\u2014' : percent(p.share));
}

function changeSentences(r: TrendResult, o: string): Text[] {
  const s = r.summary;
  const c = s.overall;
  const tp = r.methods.timePoints;
  const when = tp.mode === 'fixed' ? `at session ${tp.pre} and at session ${tp.post}` : 'at two or more sessions';
  const out: Text[] = [[`Of the ${nouns(r.clients, 'client')}, ${count(s.used)} had ${o} scores ${when}.`]];
  const span = tp.mode === 'fixed' ? `from session ${tp.pre} to session ${tp.post}` : 'from the first to the last assessed session';
  if (c.meanChange !== null) {
    out.push([
      `${capital(o)} changed by a mean of ${num(c.meanChange)} points ${span}${c.meanChangeCi ? `, 95% CI ${interval(c.meanChangeCi, false)}` : ''} (`,
      sym('d'),
      ` = ${num(c.d)}, `,
      sym('d', 'z'),
      ` = ${num(c.dz)}).`,
    ]);
  }
  const ch = r.methods.change;
  if (ch.reason === undefined && c.classified > 0) {
    const how = ch.method === 'points' ? `a change of at least ${ch.threshold ?? '?'} points` : `the reliable change index (${JACOBSON_1991.cite})`;
    const rec = r.methods.clinical.source === 'none' ? '' : `, ${share(c.recovered)} recovered`;
    out.push([
      `By ${how}, ${share(c.reliablyImproved)} reliably improved (recovered clients included)${rec}, and ${share(c.deteriorated)} reliably deteriorated.`,
    ]);
  }
  if (r.methods.notOnTrack.reason === undefined)
    out.push([
      `Over treatment, ${nouns(s.notOnTrack.clientsFlagged, 'client')} ${s.notOnTrack.clientsFlagged === 1 ? 'was' : 'were'} flagged as not on track at least once.`,
    ]);
  return out;
}

function allianceSentences(r: TrendResult, a: string): Text[] {
  const c = r.summary.overall;
  const al = r.summary.allianceAlerts;
  const cut = r.methods.allianceAlerts.cutoff;
  const out: Text[] = [];
  if (c.allianceMean !== null) {
    out.push([
      `The mean ${a} over the rated sessions was `,
      sym('M'),
      ` = ${num(c.allianceMean)}${cut !== null && c.allianceBelowShare !== null ? `; ${percent(c.allianceBelowShare)} of the rated sessions were below ${cut}, in ${nouns(al.clientsBelowCutoff, 'client')}` : ''}.`,
    ]);
  }
  if (r.methods.allianceAlerts.drop !== null)
    out.push([
      `Over treatment, ${nouns(al.clientsWithDrop, 'client')} had at least one drop of ${r.methods.allianceAlerts.drop} or more points from the previous rated session (${nouns(al.drops, 'drop')}).`,
    ]);
  return out;
}

function cohortRow(label: string, c: CohortStats): ApaRow {
  return {
    cells: [
      t(label),
      t(count(c.clients)),
      t(count(c.completed)),
      t(num(c.meanChange)),
      t(c.meanChangeCi ? interval(c.meanChangeCi, false) : '\u2014'),
      t(num(c.d)),
      shareCell(c.reliablyImproved),
      shareCell(c.recovered),
      shareCell(c.deteriorated),
    ],
  };
}

export function trendManuscript(r: TrendResult, dataset: Dataset, _o: TrendOptions): Manuscript {
  const results: Paragraph[] = [];
  const oc = r.measures.outcome;
  const al = r.measures.alliance;
  const o = oc ? measureLabel(dataset, oc.column) : '';
  const a = al ? measureLabel(dataset, al.column) : '';
  if (oc) {
    const dir = directionSentence(dataset, oc.column);
    const [first, ...rest] = changeSentences(r, o);
    results.push({ heading: `Change in ${o}`, sentences: [first, ...(dir ? [[dir]] : []), ...rest] });
  }
  if (al) results.push({ heading: `${a} over treatment`, sentences: allianceSentences(r, a) });
  const rows: ApaRow[] = [];
  if (r.periods) {
    rows.push({ section: `By ${r.periods.period}` });
    for (const p of r.periods.rows) rows.push(cohortRow(p.period, p));
  }
  if (r.groups) {
    rows.push({ section: `By ${byLabel(r.groups.by)}` });
    for (const g of r.groups.rows) rows.push(cohortRow(g.group, g));
  }
  if (rows.length) rows.push({ section: 'All clients' });
  rows.push(cohortRow('All', r.summary.overall));
  const tables = oc
    ? [
        {
          id: 'change',
          title: `Change in ${o} From First to Last Assessment`,
          columns: [
            { header: t(r.periods ? 'Period' : r.groups ? 'Group' : 'Cohort'), align: 'left' as const },
            { header: t('Clients'), align: 'right' as const },
            { header: [sym('n')], align: 'right' as const },
            { header: [sym('M'), ' change'], align: 'right' as const },
            { header: t('95% CI'), align: 'right' as const },
            { header: [sym('d')], align: 'right' as const },
            { header: t('Improved'), align: 'right' as const },
            { header: t('Recovered'), align: 'right' as const },
            { header: t('Deteriorated'), align: 'right' as const },
          ],
          rows,
          note: [
            'Clients = clients with a session in the row; ',
            sym('n'),
            ' = clients whose last assessed session falls in the row and who have a change; ',
            sym('M'),
            ' change = mean of last minus first score; CI = confidence interval; ',
            sym('d'),
            ' = mean change divided by the ',
            sym('SD'),
            ' of first scores. Improved (recovered included), recovered and deteriorated are shares of the clients with a classified change.',
            ...(r.groups && r.groups.suppressed.length ? [` Not shown (fewer than ${r.groups.minClients} clients): ${r.groups.suppressed.join(', ')}.`] : []),
          ] as Text,
        },
      ]
    : [];
  const works: Work[] = [
    software(),
    ...instrumentWorks(
      dataset,
      [al?.column, oc?.column].filter((x): x is string => Boolean(x)),
    ),
  ];
  const m: Text[] = [];
  const cols = [al?.column, oc?.column].filter((x): x is string => Boolean(x));
  if (cols.length) m.push([`The measures were ${instrumentNames(dataset, cols).join(' and ')}.`]);
  if (oc) {
    m.push([
      'Change is the last minus the first assessed score; ',
      sym('d'),
      ' divides the mean change by the standard deviation of the first scores, ',
      sym('d', 'z'),
      ' by the standard deviation of the change.',
    ]);
    const ch = r.methods.change;
    if (ch.method === 'jacobson-truax') {
      works.push(JACOBSON_1991);
      m.push([
        `Reliable change was assessed with the reliable change index (${JACOBSON_1991.cite}), with a test\u2013retest reliability of ${ch.reliability} and the standard deviation of the first scores; a change is reliable when the index exceeds 1.96 in absolute value.`,
      ]);
    } else if (ch.threshold !== null) {
      works.push({ cite: 'reliable change', entry: [ch.source] });
      m.push([`A change of at least ${ch.threshold} points was counted as reliable (see the references for its source).`]);
    }
    const cl = r.methods.clinical;
    if (cl.source === 'instrument') {
      works.push({ cite: 'cut-off', entry: [cl.citation] });
      m.push([
        `Recovery is reliable improvement from a score ${cl.clinicalIf} ${cl.cutoff} (the clinical range) at the first assessment to a score outside it at the last.`,
      ]);
    } else if (cl.source === 'jacobson-truax' && cl.cutoff !== null) {
      if (!works.includes(JACOBSON_1991)) works.push(JACOBSON_1991);
      m.push([`Recovery is reliable improvement across the cut-off ${cl.type} = ${num(cl.cutoff)} (${JACOBSON_1991.cite}).`]);
    }
    m.push(['Shares of clients are given with Wilson score intervals.']);
  }
  m.push([`The analyses were run with ${plainSoftware()}.`]);
  return { results, tables, methods: [{ heading: 'Change', sentences: m }], references: referenceList(works) };
}

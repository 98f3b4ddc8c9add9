/**
 * The manuscript of `alliance describe`: the sample in one paragraph (sessions, clients,
 * therapists, the period, sessions per client, single-session clients, each measure's M and SD
 * and the share beyond its clinical cut-off at intake), a table of the measures, the methods.
 */
import type { DescribeResult } from '../../analysis/describe.js';
import type { Dataset } from '../../dataset/types.js';
import { toFixedR } from '../number.js';
import { capital, count, listWords, nouns, num, percent, sym, t, type Manuscript, type Text } from './model.js';
import { instrumentNames, instrumentWorks, measureLabel } from './measures.js';
import { plainSoftware, referenceList, software, type Work } from './references.js';

const SIDE: Record<string, string> = { '>=': 'at or above', '>': 'above', '<': 'below', '<=': 'at or below' };
const SIGN: Record<string, string> = { '>=': '\u2265', '>': '>', '<': '<', '<=': '\u2264' };

export function describeManuscript(d: DescribeResult, dataset: Dataset): Manuscript {
  const s: Text[] = [];
  const span = d.dateSpan ? ` between ${d.dateSpan.first} and ${d.dateSpan.last}` : '';
  const th = d.therapists > 0 ? ` seen by ${nouns(d.therapists, 'therapist')}` : '';
  s.push([`The data comprised ${nouns(d.rows, 'session')} of ${nouns(d.clients, 'client')}${th}${span}.`]);
  const spc = d.sessionsPerClient;
  if (spc) {
    s.push([
      `Clients attended a mean of ${toFixedR(spc.mean, 2)} sessions (`,
      sym('Mdn'),
      ` = ${spc.median}, range ${spc.min}\u2013${spc.max}); ${nouns(d.singleSession.clients, 'client')} (${percent(d.singleSession.share)}) attended only one session.`,
    ]);
  }
  for (const m of d.measures) {
    const label = measureLabel(dataset, m.column);
    if (m.n === 0 || m.mean === null) {
      s.push([`${capital(label)} had no usable score.`]);
      continue;
    }
    s.push([
      `${capital(label)} was scored in ${nouns(m.n, 'session')} (`,
      sym('M'),
      ` = ${num(m.mean)}, `,
      sym('SD'),
      ` = ${num(m.sd)}; ${count(m.missing)} missing, ${count(m.unusable)} unusable).`,
    ]);
    if (m.cutoff && m.intakeBeyondCutoff !== null) {
      const side =
        m.role === 'alliance'
          ? m.cutoff.clinicalIf.startsWith('<')
            ? 'below the alert threshold'
            : 'beyond the alert threshold'
          : `${SIDE[m.cutoff.clinicalIf] ?? 'beyond'} the clinical cut-off`;
      s.push([
        `At intake, ${percent(m.intakeBeyondCutoff)} of the ${nouns(m.intakeClients, 'client')} with a score were ${side} (${SIGN[m.cutoff.clinicalIf] ?? m.cutoff.clinicalIf} ${m.cutoff.value}).`,
      ]);
    }
  }
  const cutoffs = d.measures.filter((m) => m.cutoff);
  const note: Text = [
    sym('n'),
    ' = sessions with a usable score; ',
    sym('M'),
    ' = mean; ',
    sym('SD'),
    ' = standard deviation; intake = each client\u2019s earliest session with a score of that measure.',
  ];
  if (cutoffs.length)
    note.push(
      ` Cut-offs: ${cutoffs.map((m) => `${measureLabel(dataset, m.column)} ${SIGN[m.cutoff!.clinicalIf] ?? m.cutoff!.clinicalIf} ${m.cutoff!.value}`).join('; ')} (sources in the references).`,
    );
  const columns = dataset.mapping.measures.map((m) => m.name);
  const works: Work[] = [software(), ...instrumentWorks(dataset, columns), ...cutoffs.map((m) => ({ cite: m.column, entry: [m.cutoff!.source] }))];
  const methods: Text[] = [];
  if (columns.length) methods.push([`The measures were ${listWords(instrumentNames(dataset, columns))}.`]);
  methods.push([
    'Sessions per client count the sessions in the data; a client with one session is counted as having ended after the first session. Unusable cells (not numeric, outside the instrument\u2019s range, missing codes) were left out.',
  ]);
  methods.push([`The data were described with ${plainSoftware()}.`]);
  return {
    results: [{ heading: 'Sample', sentences: s }],
    tables: [
      {
        id: 'measures',
        title: 'Descriptive Statistics of the Measures',
        columns: [
          { header: t('Measure'), align: 'left' },
          { header: t('Role'), align: 'left' },
          { header: [sym('n')], align: 'right' },
          { header: t('Missing'), align: 'right' },
          { header: [sym('M')], align: 'right' },
          { header: [sym('SD')], align: 'right' },
          { header: t('Min'), align: 'right' },
          { header: t('Max'), align: 'right' },
          { header: t('Beyond cut-off at intake'), align: 'right' },
        ],
        rows: d.measures.map((m) => ({
          cells: [
            t(measureLabel(dataset, m.column)),
            t(m.role),
            t(count(m.n)),
            t(count(m.missing)),
            t(num(m.mean)),
            t(num(m.sd)),
            t(num(m.min, 1)),
            t(num(m.max, 1)),
            t(m.intakeBeyondCutoff === null ? '\u2014' : `${percent(m.intakeBeyondCutoff)} of ${count(m.intakeClients)}`),
          ],
        })),
        note,
      },
    ],
    methods: [{ heading: 'Data', sentences: methods }],
    references: referenceList(works),
  };
}

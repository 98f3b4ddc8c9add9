/**
 * The manuscript of `alliance correlate`: one results paragraph per alliance x outcome pair
 * (and --by group), one sentence per result; one table of all associations; the methods.
 */
import type { CorrelateReport, CorrelateResult } from '../../analysis/correlate/index.js';
import type { Dataset } from '../../dataset/types.js';
import { toFixedR } from '../number.js';
import {
  apaR,
  capital,
  count,
  dfText,
  interval,
  level,
  listWords,
  nouns,
  pText,
  pValue,
  sym,
  t,
  type ApaRow,
  type Manuscript,
  type Paragraph,
  type Run,
  type Text,
} from './model.js';
import { directionSentence, instrumentNames, instrumentWorks, measureLabel } from './measures.js';
import { BAKDASH_2017, BH_1995, HOLM_1979, NICKELL_1981, plainSoftware, referenceList, software, type Work } from './references.js';
import { byLabel, cellWords } from '../../names.js';

const ADJUST_NAME = { holm: 'Holm', bh: 'Benjamini\u2013Hochberg', none: '' } as const;

function symbol(r: CorrelateResult): Run {
  switch (r.method) {
    case 'spearman':
      return sym('r', 's');
    case 'rmcorr':
      return sym('r', 'rm');
    case 'partial':
      return sym('pr');
    case 'semipartial':
      return sym('sr');
    case 'fixed-effects':
      return sym('b');
    default:
      return sym('r');
  }
}

function analysisLabel(r: CorrelateResult, a: string, o: string): string {
  switch (r.analysis) {
    case 'pooled':
      return r.method === 'spearman' ? 'Pooled (Spearman)' : 'Pooled';
    case 'between':
      return r.method === 'spearman' ? 'Between clients (Spearman)' : 'Between clients';
    case 'within':
      return 'Within clients';
    case 'early':
      return r.method === 'partial' ? 'Early: partial' : r.method === 'semipartial' ? 'Early: semi-partial' : 'Early: zero-order';
    default:
      return r.direction === 'alliance->outcome' ? `Lagged: ${a} \u2192 ${o}` : `Lagged: ${o} \u2192 ${a}`;
  }
}

/** The p the wording rests on: adjusted where an adjustment was asked for. */
function decisive(r: CorrelateResult, adjust: string): number | null {
  return adjust === 'none' ? r.p : r.p_adjusted;
}

function statistics(r: CorrelateResult, adjust: keyof typeof ADJUST_NAME): Text {
  const ci = r.ci ? `, ${level(r.ci_level)}% CI ${interval(r.ci, r.analysis !== 'lagged')}` : '';
  const boot = r.bootstrap_ci ? `, cluster-bootstrap ${level(r.ci_level)}% CI ${interval(r.bootstrap_ci, r.analysis !== 'lagged')}` : '';
  const adj: Text = adjust !== 'none' && r.p_adjusted !== null ? [' (', ...pText(r.p_adjusted, `${ADJUST_NAME[adjust]}-adjusted `), ')'] : [];
  const p: Text = r.p !== null ? [', ', ...pText(r.p)] : [];
  if (r.analysis === 'lagged') {
    return [
      sym('b'),
      ` = ${toFixedR(r.b ?? NaN, 2)}, `,
      sym('SE'),
      ` = ${toFixedR(r.se ?? NaN, 2)}${ci}${boot}, `,
      sym('t'),
      `(${dfText(r.df ?? NaN)}) = ${toFixedR(r.t ?? NaN, 2)}`,
      ...p,
      ...adj,
    ];
  }
  return [symbol(r), `(${dfText(r.df ?? NaN)}) = ${apaR(r.r ?? NaN)}${ci}${boot}`, ...p, ...adj];
}

function sentence(r: CorrelateResult, a: string, o: string, adjust: keyof typeof ADJUST_NAME): Text {
  const dp = decisive(r, adjust);
  const est = r.analysis === 'lagged' ? r.b : r.r;
  if (!r.estimable || est === null || dp === null) {
    return [
      `${analysisLabel(r, a, o)}: the ${r.analysis === 'lagged' ? 'coefficient' : 'correlation'} could not be estimated (${r.reason ?? 'too few data'}).`,
    ];
  }
  const sig = dp < 0.05 && est !== 0;
  const rel = sig ? `${est > 0 ? 'positively' : 'negatively'} related to` : 'not significantly related to';
  const stats = statistics(r, adjust);
  switch (r.analysis) {
    case 'pooled':
      return [`Pooled over all sessions${r.method === 'spearman' ? ' (rank correlation)' : ''}, ${a} was ${rel} ${o}, `, ...stats, '.'];
    case 'between':
      return [`Between clients${r.method === 'spearman' ? ' (rank correlation)' : ''}, mean ${a} was ${rel} mean ${o}, `, ...stats, '.'];
    case 'within':
      return [`Within clients, ${a} was ${rel} ${o}, `, ...stats, '.'];
    case 'early':
      if (r.method === 'partial') return [`Controlling for intake ${o}, early ${a} was ${rel} final ${o}, `, ...stats, '.'];
      if (r.method === 'semipartial') return [`Early ${a} was ${rel} final ${o} residualized on intake ${o}, `, ...stats, '.'];
      return [`Without controlling for intake, early ${a} was ${rel} final ${o}, `, ...stats, '.'];
    default: {
      const [x, y] = r.direction === 'alliance->outcome' ? [a, o] : [o, a];
      const verb = sig ? (est > 0 ? 'predicted higher' : 'predicted lower') : 'did not significantly predict';
      return [
        `${capital(x)} at one session ${verb} ${y} at the next, controlling for ${y} at that session and for stable client differences (client fixed effects), `,
        ...stats,
        '.',
      ];
    }
  }
}

function earlyText(o: CorrelateReport['options']): string {
  return o.early.mode === 'session' ? `at session ${o.early.k}` : `the mean over sessions 1 to ${o.early.k}`;
}

interface Block {
  group: string | null;
  alliance: string;
  outcome: string;
  results: CorrelateResult[];
}

function blocks(results: CorrelateResult[]): Block[] {
  const out: Block[] = [];
  for (const r of results) {
    let b = out.find((x) => x.group === r.group && x.alliance === r.alliance && x.outcome === r.outcome);
    if (!b) out.push((b = { group: r.group, alliance: r.alliance, outcome: r.outcome, results: [] }));
    b.results.push(r);
  }
  return out;
}

function paragraph(b: Block, report: CorrelateReport, dataset: Dataset): Paragraph {
  const o = report.options;
  const a = measureLabel(dataset, b.alliance);
  const oc = measureLabel(dataset, b.outcome);
  const base = b.results.find((r) => r.analysis === 'pooled' || r.analysis === 'within');
  const between = b.results.find((r) => r.analysis === 'between');
  const sentences: Text[] = [];
  const where = b.group === null ? '' : ` for ${cellWords(o.by, b.group)}`;
  if (base) sentences.push([`The analyses of ${a} and ${oc}${where} used ${nouns(base.n, 'session')} of ${nouns(base.clients, 'client')} with both scores.`]);
  else if (between) sentences.push([`The analyses of ${a} and ${oc}${where} used ${nouns(between.clients, 'client')} with both scores.`]);
  const dir = directionSentence(dataset, b.outcome);
  if (dir) sentences.push([dir]);
  let earlySaid = false;
  let lagSaid = false;
  for (const r of b.results) {
    if (r.analysis === 'early' && !earlySaid) {
      earlySaid = true;
      sentences.push([`Early ${a} (${earlyText(o)}) with an intake and a final ${oc} was available for ${nouns(r.n, 'client')}.`]);
    }
    if (r.analysis === 'lagged' && !lagSaid) {
      lagSaid = true;
      sentences.push([`The lagged analyses used ${count(r.n)} pair${r.n === 1 ? '' : 's'} of consecutive sessions of ${nouns(r.clients, 'client')}.`]);
    }
    sentences.push(sentence(r, a, oc, o.adjust));
  }
  const simpson = report.warnings.some((w) => w.code === 'simpson' && w.group === b.group && w.alliance === b.alliance && w.outcome === b.outcome);
  if (simpson)
    sentences.push([
      'The between- and within-client correlations have opposite signs, so the pooled correlation mixes two different relations and answers neither question.',
    ]);
  return { heading: `${a} and ${oc}${b.group === null ? '' : `: ${cellWords(o.by, b.group)}`}`, sentences };
}

function tableRows(report: CorrelateReport, dataset: Dataset): ApaRow[] {
  const rows: ApaRow[] = [];
  const o = report.options;
  for (const b of blocks(report.results)) {
    const a = measureLabel(dataset, b.alliance);
    const oc = measureLabel(dataset, b.outcome);
    rows.push({ section: `${a} and ${oc}${b.group === null ? '' : `, ${cellWords(o.by, b.group)}`}` });
    for (const r of b.results) {
      const est = r.analysis === 'lagged' ? r.b : r.r;
      const ok = r.estimable && est !== null;
      const pcell = (p: number | null): Text => (p === null ? t('\u2014') : t(pValue(p).replace(/^ = /, '').replace(/^ < /, '< ')));
      rows.push({
        cells: [
          t(analysisLabel(r, a, oc)),
          [symbol(r)],
          t(ok ? (r.analysis === 'lagged' ? toFixedR(est, 2) : apaR(est)) : '\u2014'),
          t(ok && r.ci ? interval(r.ci, r.analysis !== 'lagged') : '\u2014'),
          t(r.df === null ? '\u2014' : dfText(r.df)),
          pcell(ok ? r.p : null),
          ...(o.adjust === 'none' ? [] : [pcell(ok ? r.p_adjusted : null)]),
          t(count(r.n)),
        ],
      });
    }
  }
  return rows;
}

const SYMBOL_NOTES: [string, Text][] = [
  ['pearson', [sym('r'), ' = Pearson correlation']],
  ['spearman', [sym('r', 's'), ' = Spearman rank correlation']],
  ['rmcorr', [sym('r', 'rm'), ' = repeated-measures correlation']],
  ['partial', [sym('pr'), ' = partial correlation controlling for intake']],
  ['semipartial', [sym('sr'), ' = semi-partial correlation (final outcome residualized on intake)']],
  ['fixed-effects', [sym('b'), ' = unstandardized coefficient with client fixed effects']],
];

export function correlateManuscript(report: CorrelateReport, dataset: Dataset): Manuscript {
  const o = report.options;
  const adjustName = ADJUST_NAME[o.adjust];
  const results = blocks(report.results).map((b) => paragraph(b, report, dataset));
  const methods = new Set(report.results.map((r) => r.method));
  const note: Text = [
    'Pooled and within-client ',
    sym('n'),
    ' = sessions; between-client and early ',
    sym('n'),
    ' = clients; lagged ',
    sym('n'),
    ' = pairs of consecutive sessions. ',
  ];
  const defs = SYMBOL_NOTES.filter(([m]) => methods.has(m as CorrelateResult['method']));
  defs.forEach(([, d], k) => note.push(...d, k < defs.length - 1 ? '; ' : ''));
  note.push(`; CI = ${level(o.ciLevel)}% confidence interval.`);
  if (o.adjust !== 'none') note.push(' ', sym('p', 'adj'), ` = ${adjustName}-adjusted `, sym('p'), ` over the ${report.adjusted} tests.`);
  if (report.suppressed.length > 0)
    note.push(` Not shown: ${byLabel(o.by)} ${listWords(report.suppressed.map((s) => s.group))} (fewer than ${o.minClients} clients).`);
  const table = {
    id: 'correlations',
    title: 'Associations Between Alliance and Outcome',
    columns: [
      { header: t('Analysis'), align: 'left' as const },
      { header: t('Statistic'), align: 'left' as const },
      { header: t('Estimate'), align: 'right' as const },
      { header: t(`${level(o.ciLevel)}% CI`), align: 'right' as const },
      { header: [sym('df')], align: 'right' as const },
      { header: [sym('p')], align: 'right' as const },
      ...(o.adjust === 'none' ? [] : [{ header: [sym('p', 'adj')], align: 'right' as const }]),
      { header: [sym('n')], align: 'right' as const },
    ],
    rows: tableRows(report, dataset),
    note,
  };
  const measures = dataset.mapping.measures.filter((m) => report.results.some((r) => r.alliance === m.name || r.outcome === m.name)).map((m) => m.name);
  const works: Work[] = [software(), ...instrumentWorks(dataset, measures)];
  const m: Text[] = [];
  m.push([`Alliance and outcome were measured with ${listWords(instrumentNames(dataset, measures))}.`]);
  const ran = new Set(report.results.map((r) => r.analysis));
  if (ran.has('pooled'))
    m.push([
      'Pooled correlations use every session with both scores and ignore that sessions are nested in clients; they are reported beside the between- and within-client estimates, not instead of them.',
    ]);
  if (ran.has('between')) m.push(['Between-client correlations are Pearson correlations of the client means of the paired sessions.']);
  if (ran.has('within')) {
    works.push(BAKDASH_2017);
    m.push([
      `Within-client associations are repeated-measures correlations (${BAKDASH_2017.cite}): the correlation of client-mean-centered scores, with `,
      sym('df'),
      ' = sessions \u2212 clients \u2212 1.',
    ]);
  }
  if (ran.has('early'))
    m.push([
      `Early alliance (${earlyText(o)}) was related to the outcome at each client's last assessed session, controlling for the outcome at intake (partial correlation) and with the final outcome residualized on intake (semi-partial correlation).`,
    ]);
  if (ran.has('lagged')) {
    works.push(NICKELL_1981);
    m.push([
      'Lagged effects were estimated in both directions over pairs of consecutive sessions by ordinary least squares with client fixed effects: alliance at one session predicting outcome at the next, controlling for outcome at that session, and the reverse.',
    ]);
    m.push([
      `With the earlier score and client fixed effects in one model, these coefficients are biased when clients have few sessions (${NICKELL_1981.cite}); their direction is interpreted, not their size.`,
    ]);
  }
  m.push([
    "Confidence intervals of correlations use Fisher's ",
    sym('z'),
    ` transformation${o.bootstrap > 0 ? `; cluster-bootstrap intervals resample clients (${o.bootstrap} replicates, percentile method)` : ''}.`,
  ]);
  if (o.adjust !== 'none') {
    const w = o.adjust === 'holm' ? HOLM_1979 : BH_1995;
    works.push(w);
    m.push([
      `The `,
      sym('p'),
      ` values were adjusted over the ${report.adjusted} tests with the ${adjustName} procedure (${w.cite}); an association is described as significant when its adjusted `,
      sym('p'),
      ' < .05.',
    ]);
  } else m.push(['No adjustment for multiple tests was made; an association is described as significant when ', sym('p'), ' < .05.']);
  m.push([`The analyses were run with ${plainSoftware()}; its correlations and tests equal R's cor.test, rmcorr and lm.`]);
  return {
    results,
    tables: [table],
    methods: [{ heading: 'Alliance and outcome', sentences: m }],
    references: referenceList(works),
  };
}

/**
 * The manuscript of `alliance model`: the model and sample, one sentence per fixed effect
 * (b, SE, CI, t with its df, p; the standardised coefficient where refitted), the contextual
 * effect, the ICC, marginal and conditional R², the --compare likelihood-ratio tests; one
 * table of the fixed effects; the methods.
 */
import type { FixedEffect, ModelResult } from '../../analysis/model.js';
import type { Dataset } from '../../dataset/types.js';
import { toFixedR } from '../number.js';
import { apaR, capital, count, dfText, interval, num, pText, pValue, sym, t, type Manuscript, type Text } from './model.js';
import { instrumentNames, instrumentWorks, measureLabel } from './measures.js';
import { BATES_2015, KENWARD_1997, KUZNETSOVA_2017, NAKAGAWA_2013, SELF_1987, plainSoftware, referenceList, software, type Work } from './references.js';

/** A model term for people: "within-client SRS" for srs_within. */
function termLabel(term: string, base: string, a: string): string {
  if (term === '(Intercept)') return 'Intercept';
  const map: Record<string, string> = {
    [`${base}_within`]: `${a} within clients`,
    [`${base}_between`]: `${a} between clients`,
    [`${base}_session`]: `${a}, session component`,
    [`${base}_client`]: `${a}, client component`,
    [`${base}_therapist`]: `${a}, therapist component`,
    session: 'Session number',
  };
  return map[term] ?? term;
}

function stats(f: FixedEffect): Text {
  const ci = f.lower !== null && f.upper !== null ? `, 95% CI ${interval([f.lower, f.upper], false)}` : '';
  const df = f.df === null ? '' : `(${dfText(f.df)})`;
  return [
    sym('b'),
    ` = ${num(f.estimate)}, `,
    sym('SE'),
    ` = ${num(f.se)}${ci}, `,
    sym('t'),
    `${df} = ${num(f.t)}`,
    ...(f.p === null ? [] : [', ', ...pText(f.p)]),
  ];
}

function effectSentence(f: FixedEffect, label: string, o: string, std: FixedEffect | undefined): Text {
  const sig = f.p !== null && f.p < 0.05;
  const rel = sig ? `${f.estimate > 0 ? 'positively' : 'negatively'} associated with` : 'not significantly associated with';
  const beta: Text = std ? ['; standardized ', sym('\u03b2'), ` = ${num(std.estimate)}`] : [];
  return [`${capital(label)} was ${rel} ${o}, `, ...stats(f), ...beta, '.'];
}

export function modelManuscript(result: ModelResult, dataset: Dataset): Manuscript {
  const spec = result.spec;
  const fit = result.fit;
  const o = measureLabel(dataset, spec.outcome);
  const a = measureLabel(dataset, spec.alliance);
  const base = spec.lag && spec.reverse ? spec.outcome : spec.alliance;
  const unit = spec.lag ? 'pairs of consecutive sessions' : 'sessions';
  const s: Text[] = [];
  const works: Work[] = [software(), BATES_2015, KUZNETSOVA_2017, ...instrumentWorks(dataset, [spec.alliance, spec.outcome])];
  if (!fit) {
    s.push([`The model of ${o} on ${a} could not be estimated (${result.notEstimable ?? 'too few data'}).`]);
    return { results: [{ heading: `Multilevel model of ${o}`, sentences: s }], tables: [], methods: [], references: referenceList(works) };
  }
  const kr = String(fit.dfMethod) === 'Kenward-Roger';
  const dfName = kr ? 'the Kenward\u2013Roger' : "Satterthwaite's";
  if (kr) works.push(KENWARD_1997);
  const th = fit.therapists !== null ? ` seen by ${count(fit.therapists)} therapists` : '';
  const sample =
    spec.level === 'client'
      ? `${count(fit.clients)} clients${th} (one row per client: final ${o} on the client's alliance, split into the therapist's mean and the client's deviation from it, controlling intake)`
      : `${count(fit.nobs)} ${unit} of ${count(fit.clients)} clients${th}`;
  s.push([`A linear mixed model (${fit.formula}) was fitted by ${fit.method === 'ML' ? 'maximum likelihood' : 'restricted maximum likelihood'} to ${sample}.`]);
  if (result.icc) s.push([`The intraclass correlation of ${o} in the model without predictors was `, sym('ICC'), ` = ${apaR(result.icc.value)}.`]);
  for (const f of fit.fixed) {
    if (f.term === '(Intercept)') continue;
    s.push(
      effectSentence(
        f,
        termLabel(f.term, base, a),
        o,
        fit.standardized?.find((x) => x.term === f.term),
      ),
    );
  }
  const cx = fit.contextual;
  const contrast = spec.decompose
    ? `The ${cx.term
        .split(' - ')
        .map((x) => `${termLabel(x, base, a).replace(/^.*, /, '')} coefficient`)
        .join(' minus the ')} was `
    : 'The contextual effect (between- minus within-client coefficient) was ';
  if (Number.isFinite(cx.estimate)) s.push([contrast, ...stats(cx), '.']);
  s.push([
    'The fixed effects explained ',
    sym('R\u00b2', 'marginal'),
    ` = ${apaR(fit.r2.marginal)} of the variance`,
    ...(fit.r2.conditional !== null ? ['; fixed and random effects together, ', sym('R\u00b2', 'conditional'), ` = ${apaR(fit.r2.conditional)}`] : []),
    '.',
  ]);
  if (fit.singular) s.push(['The fit was singular (a variance component was estimated at zero); the random-effect structure may be simpler than specified.']);
  if (result.comparison) {
    for (let k = 1; k < result.comparison.length; k++) {
      const c = result.comparison[k];
      if (c.chisq === null || c.df === null || c.p === null) continue;
      const prev = result.comparison[k - 1];
      const added = c.model.slice(2).replace(/^random slope/, 'a random slope');
      const what = c.model.startsWith('+ ')
        ? `Adding ${added} to the ${prev.model === 'null' ? 'null' : 'previous'} model`
        : `The model ${c.model}, compared with ${prev.model},`;
      const verb = c.p < 0.05 ? 'improved the fit' : 'did not significantly improve the fit';
      s.push([
        `${what} ${verb}, `,
        sym('\u03c7\u00b2'),
        `(${c.df}) = ${toFixedR(c.chisq, 2)}, `,
        sym('p'),
        pValue(c.p),
        `; AIC ${toFixedR(c.aic, 1)} vs ${toFixedR(prev.aic, 1)}.`,
      ]);
    }
  }
  const stdCol = fit.standardized !== null;
  const rows = fit.fixed.map((f) => {
    const std = fit.standardized?.find((x) => x.term === f.term);
    return {
      cells: [
        t(termLabel(f.term, base, a)),
        t(num(f.estimate)),
        t(num(f.se)),
        t(f.df === null ? '\u2014' : dfText(f.df)),
        t(num(f.t)),
        t(f.p === null ? '\u2014' : pValue(f.p).replace(/^ = /, '').replace(/^ < /, '< ')),
        t(f.lower !== null && f.upper !== null ? interval([f.lower, f.upper], false) : '\u2014'),
        ...(stdCol ? [t(std && f.term !== '(Intercept)' ? num(std.estimate) : '\u2014')] : []),
      ],
    };
  });
  const variances = fit.variance.map((v) => `${v.group} ${v.term === '(Intercept)' ? 'intercept' : v.term} ${num(v.variance)}`).join(', ');
  const note: Text = [
    `${count(fit.nobs)} ${unit}, ${count(fit.clients)} clients${th}; ${fit.method}. `,
    sym('b'),
    ' = unstandardized coefficient; ',
    sym('SE'),
    ' = standard error; ',
    sym('df'),
    ` by ${dfName} approximation${kr ? ' (with its adjusted SE)' : ''}; CI = confidence interval`,
    ...(stdCol ? ['; ', sym('\u03b2'), ' = coefficient with the outcome and predictors standardized (refitted)'] : []),
    `. Variances: ${variances}. `,
    sym('R\u00b2', 'marginal'),
    ` = ${apaR(fit.r2.marginal)}`,
    ...(fit.r2.conditional !== null ? [', ', sym('R\u00b2', 'conditional'), ` = ${apaR(fit.r2.conditional)}`] : []),
    '.',
  ];
  works.push(NAKAGAWA_2013);
  const slopeTested = result.comparison?.some((c) => /random slope/.test(c.model)) ?? false;
  if (slopeTested) works.push(SELF_1987);
  const m: Text[] = [
    [`The measures were ${instrumentNames(dataset, [spec.alliance, spec.outcome]).join(' and ')}.`],
    [
      spec.decompose
        ? `${a} was split into a therapist component (the mean of the therapist's client means), a client component (the client mean minus it) and a session component (the deviation from the client mean).`
        : `${spec.lag && spec.reverse ? o : a} was split into a between-client component (the client's mean over the ${unit} used) and a within-client component (the deviation from it).`,
    ],
    [
      `Linear mixed models with random intercepts for clients${fit.therapists !== null ? ' nested in therapists' : ''}${spec.randomSlope ? ' and a random slope' : ''} were fitted by ${fit.method === 'ML' ? 'maximum likelihood' : 'restricted maximum likelihood'} as lme4 does (${BATES_2015.cite}); fixed effects were tested with ${dfName} degrees of freedom${kr ? ` (${KENWARD_1997.cite})` : ''} as lmerTest does (${KUZNETSOVA_2017.cite}).`,
    ],
    ['Marginal and conditional ', sym('R\u00b2'), ' were computed as described by Nakagawa and Schielzeth (2013).'],
    ...(result.comparison
      ? [
          [
            'Nested models were compared by likelihood-ratio tests on maximum-likelihood fits',
            ...(slopeTested ? [`; the test of the random slope lies on the boundary of the parameter space and is conservative (${SELF_1987.cite})`] : []),
            '.',
          ] as Text,
        ]
      : []),
    [`The models were fitted with ${plainSoftware()}, whose estimates equal lme4 and lmerTest.`],
  ];
  return {
    results: [{ heading: `Multilevel model of ${o}`, sentences: s }],
    tables: [
      {
        id: 'fixed',
        title: `Fixed Effects of the Linear Mixed Model of ${o}`,
        columns: [
          { header: t('Term'), align: 'left' },
          { header: [sym('b')], align: 'right' },
          { header: [sym('SE')], align: 'right' },
          { header: [sym('df')], align: 'right' },
          { header: [sym('t')], align: 'right' },
          { header: [sym('p')], align: 'right' },
          { header: t('95% CI'), align: 'right' },
          ...(stdCol ? [{ header: [sym('\u03b2')], align: 'right' as const }] : []),
        ],
        rows,
        note,
      },
    ],
    methods: [{ heading: 'Multilevel model', sentences: m }],
    references: referenceList(works),
  };
}

/**
 * `--decompose therapist --level client`: the client-level decomposition of Baldwin, Wampold
 * & Imel (2007, doi:10.1037/0022-006X.75.6.842): one row per client, the client's alliance
 * split into a therapist component (the mean alliance of the therapist's clients) and the
 * client's deviation from it, and the final outcome regressed on both, controlling intake:
 *
 *   final ~ alliance_client + alliance_therapist + intake + (1 | therapist)
 *
 * (REML or ML; Satterthwaite or Kenward-Roger tests). The client's alliance is the mean of
 * their first K rated alliance sessions in session order (`earlySessions`, default 3; the
 * client needs K), or with `clientAlliance: 'mean'` the mean over all their rated sessions.
 * Intake is the outcome at the client's earliest session with an outcome, final the outcome
 * at the latest, which must be later than the intake and, for the early alliance, than the
 * K-th alliance session (the predictor comes before the outcome it predicts).
 */
import { standardizeColumns, CrossProductAccumulator, type GroupedCrossProducts } from '../../stats/lmm/data.js';
import { fitLmm, LmmError, FLAT_CURVATURE } from '../../stats/lmm/fit.js';
import { SingleFactorStructure } from '../../stats/lmm/profile.js';
import type { Columns } from './design.js';
import { componentSentence, fitCriteria, fixedTests, nakagawaR2, standardizedRefit } from './statistics.js';
import { MIN_THERAPISTS, type ModelResult, type ModelSpec, type VarianceComponent } from './types.js';
import { UserError } from '../../errors.js';

/** Default K of the early alliance: the mean of the client's first 3 rated alliance sessions. */
export const DEFAULT_EARLY_SESSIONS = 3;

interface ClientRow {
  client: number;
  therapist: number;
  alliance: number;
  intake: number;
  final: number;
}

/** One row per client with its alliance, intake and final outcome; the clients left out by reason. */
function clientRows(spec: ModelSpec, cols: Columns, n: number): { rows: ClientRow[]; excluded: Record<string, number> } {
  const excluded: Record<string, number> = {};
  const bump = (k: string): void => void (excluded[k] = (excluded[k] ?? 0) + 1);
  const k = spec.earlySessions ?? DEFAULT_EARLY_SESSIONS;
  const early = spec.clientAlliance !== 'mean';
  const byClient = new Map<number, number[]>();
  for (let r = 0; r < n; r++) {
    if (!Number.isFinite(cols.session.data[r])) continue;
    const c = cols.client.data[r];
    const list = byClient.get(c);
    if (list) list.push(r);
    else byClient.set(c, [r]);
  }
  const rows: ClientRow[] = [];
  for (const [client, list] of [...byClient].sort((a, b) => a[0] - b[0])) {
    list.sort((a, b) => cols.session.data[a] - cols.session.data[b] || a - b);
    const therapists = new Set(list.map((r) => cols.therapist.data[r]));
    if (therapists.size > 1) {
      throw new UserError('some clients are seen by more than one therapist, so clients are not nested in therapists', {
        hint: "Give each client a single therapist (the first session's therapist, say) before modelling",
      });
    }
    const therapist = cols.therapist.data[list[0]];
    const rated = list.filter((r) => Number.isFinite(cols.x.data[r]));
    const outcomes = list.filter((r) => Number.isFinite(cols.y.data[r]));
    if (!(therapist >= 0)) bump('no therapist id');
    else if (rated.length === 0 || (early && rated.length < k))
      bump(early ? `fewer than ${k} rated ${spec.alliance} sessions` : `no rated ${spec.alliance} session`);
    else if (outcomes.length < 2) bump(`fewer than 2 ${spec.outcome} scores (intake and final)`);
    else {
      const used = early ? rated.slice(0, k) : rated;
      const first = outcomes[0];
      const last = outcomes[outcomes.length - 1];
      const after = early ? cols.session.data[used[used.length - 1]] : -Infinity;
      if (!(cols.session.data[last] > cols.session.data[first]) || !(cols.session.data[last] > after)) {
        bump(early ? `no ${spec.outcome} after the intake and the early ${spec.alliance} sessions` : `no ${spec.outcome} after the intake`);
      } else {
        let s = 0;
        for (const r of used) s += cols.x.data[r];
        rows.push({ client, therapist, alliance: s / used.length, intake: cols.y.data[first], final: cols.y.data[last] });
      }
    }
  }
  let noSession = 0;
  const withSession = new Set(byClient.keys());
  for (let r = 0; r < n; r++) if (!withSession.has(cols.client.data[r])) noSession++;
  if (noSession > 0) excluded['rows without a session number'] = noSession;
  return { rows, excluded };
}

/** The client-level decomposition model (see the file comment). */
export function fitClientLevel(spec: ModelSpec, cols: Columns, nRows: number, clientsRead: number): ModelResult {
  const { rows, excluded } = clientRows(spec, cols, nRows);
  const notes: string[] = [];
  const base = { spec, rows: { read: nRows, used: rows.length, clientsRead, excluded }, comparison: null, decomposition: null, icc: null, notes };
  const therapistIds = [...new Set(rows.map((r) => r.therapist))];
  if (therapistIds.length < MIN_THERAPISTS) {
    return {
      ...base,
      fit: null,
      notEstimable: `--decompose therapist --level client needs at least ${MIN_THERAPISTS} therapists with usable clients (${therapistIds.length} found)`,
    };
  }
  // therapist component: the mean alliance of the therapist's clients
  const sum = new Map<number, { s: number; n: number }>();
  for (const r of rows) {
    const e = sum.get(r.therapist) ?? { s: 0, n: 0 };
    e.s += r.alliance;
    e.n++;
    sum.set(r.therapist, e);
  }
  const a = spec.alliance;
  const terms = ['(Intercept)', `${a}_client`, `${a}_therapist`, `${spec.outcome}_intake`];
  const p = terms.length;
  const design = rows.map((r) => {
    const e = sum.get(r.therapist)!;
    const tm = e.s / e.n;
    return { g: r.therapist, x: [1, r.alliance - tm, tm, r.intake], y: r.final };
  });
  const mean = (f: (d: (typeof design)[number]) => number): number => design.reduce((s, d) => s + f(d), 0) / design.length;
  const shift = [0, mean((d) => d.x[1]), mean((d) => d.x[2]), mean((d) => d.x[3])];
  const acc = new CrossProductAccumulator(p, { shift, yShift: mean((d) => d.y) });
  const nullFinal = new CrossProductAccumulator(1, { yShift: mean((d) => d.y) });
  const nullAlliance = new CrossProductAccumulator(1, { yShift: mean((d) => d.x[1] + d.x[2]) });
  for (const d of design) {
    acc.add(d.g, d.x, d.y);
    nullFinal.add(d.g, [1], d.y);
    nullAlliance.add(d.g, [1], d.x[1] + d.x[2]);
  }
  const data = acc.finish();
  const structure = new SingleFactorStructure(data, [0]);
  let fit;
  try {
    fit = fitLmm(structure, data.nobs, p, !spec.ml, { maxEval: spec.maxEvaluations });
  } catch (e) {
    if (e instanceof LmmError) {
      const why =
        e.reason === 'rank-deficient' && e.column > 0
          ? `${terms[e.column]} is constant or a combination of the other predictors (the fixed-effects design is rank deficient)`
          : e.message;
      return { ...base, fit: null, notEstimable: why };
    }
    throw e;
  }
  if (!(fit.flatness > FLAT_CURVATURE)) {
    return {
      ...base,
      fit: null,
      notEstimable: `the data do not identify the therapist variance: the likelihood is flat in it (smallest curvature of the deviance ${fit.flatness.toExponential(1)} of the largest); too few therapists`,
    };
  }
  const kr = spec.df === 'kr';
  const { fixed, contextual, method: dfMethod } = fixedTests(structure, fit, terms, kr);
  if (kr && dfMethod !== 'Kenward-Roger')
    notes.push('Kenward-Roger df could not be computed for this fit: Satterthwaite df are given instead (as lmerTest does).');
  if (fixed.some((f) => f.df === null)) notes.push(`${dfMethod} df not computable for some terms (p and CI not shown for them).`);
  const s2 = fit.sigma * fit.sigma;
  const variance: VarianceComponent[] = [
    { group: 'therapist', term: '(Intercept)', variance: s2 * fit.theta[0] ** 2, sd: Math.sqrt(s2) * Math.abs(fit.theta[0]) },
    { group: 'residual', term: '', variance: s2, sd: Math.sqrt(s2) },
  ];
  if (fit.singular)
    notes.push('Singular fit: the therapist variance is at the boundary (0); the therapist component is then tested against client-level variation only.');
  if (!fit.converged) notes.push(`The optimizer did not converge: ${fit.optimizerMessage}. Treat the estimates as unreliable.`);
  const standardized = standardizedRefit(new SingleFactorStructure(standardizeColumns(data), [0]), terms, !spec.ml, kr);
  if (standardized === null) notes.push('Standardised coefficients: the refit on z-scored data could not be fitted.');
  const sentence = componentSentence(therapistIds.length, terms, fixed, notes, [
    [1, 'differences between clients of the same therapist'],
    [2, 'differences between therapists'],
  ]);
  const decomposition = {
    iccOutcome: therapistIcc(nullFinal.finish()),
    iccAlliance: therapistIcc(nullAlliance.finish()),
    therapists: therapistIds.length,
    sentence,
  };
  const k = spec.earlySessions ?? DEFAULT_EARLY_SESSIONS;
  return {
    ...base,
    decomposition,
    notEstimable: null,
    fit: {
      method: spec.ml ? 'ML' : 'REML',
      formula: `${spec.outcome}_final ~ ${terms.slice(1).join(' + ')} + (1 | therapist)`,
      fixed,
      contextual,
      dfMethod,
      variance,
      correlation: null,
      ...fitCriteria(fit, spec.ml),
      nobs: data.nobs,
      clients: data.nobs,
      therapists: therapistIds.length,
      singular: fit.singular,
      converged: fit.converged,
      optimizerMessage: fit.optimizerMessage,
      evaluations: fit.evaluations,
      randomEffects: null,
      r2: nakagawaR2(data, fit, variance, -1, null),
      standardized,
    },
    notes: [
      `One row per client: ${a} = ${spec.clientAlliance === 'mean' ? `the mean over the client's rated ${a} sessions` : `the mean of the client's first ${k} rated ${a} sessions`}; ${spec.outcome}_intake and ${spec.outcome}_final = the client's first and last ${spec.outcome} scores.`,
      ...notes,
    ],
  };
}

/** Therapist share of the variance of a client-level value: v ~ 1 + (1 | therapist) (REML). */
function therapistIcc(d: GroupedCrossProducts): number | null {
  try {
    const f = fitLmm(new SingleFactorStructure(d, [0]), d.nobs, 1, true);
    const vt = f.theta[0] ** 2;
    return vt / (vt + 1);
  } catch (e) {
    if (e instanceof LmmError) return null;
    throw e;
  }
}

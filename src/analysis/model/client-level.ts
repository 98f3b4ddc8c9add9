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

/**
 * One row per client, as typed arrays (client order: ascending client number); no
 * per-client objects (README "Performance").
 */
interface ClientRows {
  length: number;
  therapist: Int32Array;
  alliance: Float64Array;
  intake: Float64Array;
  final: Float64Array;
}

/** One row per client with its alliance, intake and final outcome; the clients left out by reason. */
function clientRows(spec: ModelSpec, cols: Columns, n: number): { rows: ClientRows; excluded: Record<string, number> } {
  const excluded: Record<string, number> = {};
  const bump = (k: string): void => void (excluded[k] = (excluded[k] ?? 0) + 1);
  const k = spec.earlySessions ?? DEFAULT_EARLY_SESSIONS;
  const early = spec.clientAlliance !== 'mean';
  const client = cols.client.data;
  const session = cols.session.data;
  const x = cols.x.data;
  const y = cols.y.data;
  const ther = cols.therapist.data;
  // The rows with a session number, by client, then session, then input order.
  let withSessionCount = 0;
  let top = 0;
  for (let r = 0; r < n; r++) {
    if (client[r] >= top) top = client[r] + 1;
    if (Number.isFinite(session[r])) withSessionCount++;
  }
  const order = new Int32Array(withSessionCount);
  const hasSession = new Uint8Array(top);
  let clients = 0;
  for (let r = 0, i = 0; r < n; r++) {
    if (!Number.isFinite(session[r])) continue;
    order[i++] = r;
    if (hasSession[client[r]] === 0) clients++;
    hasSession[client[r]] = 1;
  }
  order.sort((a, b) => client[a] - client[b] || session[a] - session[b] || a - b);
  const rows: ClientRows = {
    length: 0,
    therapist: new Int32Array(clients),
    alliance: new Float64Array(clients),
    intake: new Float64Array(clients),
    final: new Float64Array(clients),
  };
  for (let i0 = 0; i0 < order.length;) {
    const c = client[order[i0]];
    let i1 = i0 + 1;
    while (i1 < order.length && client[order[i1]] === c) i1++;
    const therapist = ther[order[i0]];
    // rated alliance sessions (the first k, or all, summed in session order) and the first
    // and last outcome
    let rated = 0;
    let sum = 0;
    let usedCount = 0;
    let lastUsed = -1;
    let first = -1;
    let last = -1;
    for (let i = i0; i < i1; i++) {
      const r = order[i];
      if (ther[r] !== therapist) {
        throw new UserError('some clients are seen by more than one therapist, so clients are not nested in therapists', {
          hint: "Give each client a single therapist (the first session's therapist, say) before modelling",
        });
      }
      if (Number.isFinite(x[r])) {
        rated++;
        if (!early || usedCount < k) {
          sum += x[r];
          usedCount++;
          lastUsed = r;
        }
      }
      if (Number.isFinite(y[r])) {
        if (first < 0) first = r;
        last = r;
      }
    }
    const outcomes = first < 0 ? 0 : first === last ? 1 : 2;
    if (!(therapist >= 0)) bump('no therapist id');
    else if (rated === 0 || (early && rated < k)) bump(early ? `fewer than ${k} rated ${spec.alliance} sessions` : `no rated ${spec.alliance} session`);
    else if (outcomes < 2) bump(`fewer than 2 ${spec.outcome} scores (intake and final)`);
    else {
      const after = early ? session[lastUsed] : -Infinity;
      if (!(session[last] > session[first]) || !(session[last] > after)) {
        bump(early ? `no ${spec.outcome} after the intake and the early ${spec.alliance} sessions` : `no ${spec.outcome} after the intake`);
      } else {
        const j = rows.length++;
        rows.therapist[j] = therapist;
        rows.alliance[j] = sum / usedCount;
        rows.intake[j] = y[first];
        rows.final[j] = y[last];
      }
    }
    i0 = i1;
  }
  let noSession = 0;
  for (let r = 0; r < n; r++) if (hasSession[client[r]] !== 1) noSession++;
  if (noSession > 0) excluded['rows without a session number'] = noSession;
  return { rows, excluded };
}

/** The client-level decomposition model (see the file comment). */
export function fitClientLevel(spec: ModelSpec, cols: Columns, nRows: number, clientsRead: number): ModelResult {
  const { rows, excluded } = clientRows(spec, cols, nRows);
  const notes: string[] = [];
  const base = { spec, rows: { read: nRows, used: rows.length, clientsRead, excluded }, comparison: null, decomposition: null, icc: null, notes };
  const therapistIds = [...new Set(rows.therapist.subarray(0, rows.length))];
  if (therapistIds.length < MIN_THERAPISTS) {
    return {
      ...base,
      fit: null,
      notEstimable: `--decompose therapist --level client needs at least ${MIN_THERAPISTS} therapists with usable clients (${therapistIds.length} found)`,
    };
  }
  // therapist component: the mean alliance of the therapist's clients (therapists are few:
  // a Map; the clients are read from the typed rows)
  const sum = new Map<number, { s: number; n: number }>();
  for (let i = 0; i < rows.length; i++) {
    const e = sum.get(rows.therapist[i]) ?? { s: 0, n: 0 };
    e.s += rows.alliance[i];
    e.n++;
    sum.set(rows.therapist[i], e);
  }
  const a = spec.alliance;
  const terms = ['(Intercept)', `${a}_client`, `${a}_therapist`, `${spec.outcome}_intake`];
  const p = terms.length;
  // each client's design row [1, alliance - therapist mean, therapist mean, intake], final
  const xr = new Float64Array(p);
  const fill = (i: number): number => {
    const e = sum.get(rows.therapist[i])!;
    const tm = e.s / e.n;
    xr[0] = 1;
    xr[1] = rows.alliance[i] - tm;
    xr[2] = tm;
    xr[3] = rows.intake[i];
    return rows.final[i];
  };
  const mean = (f: () => number): number => {
    let s = 0;
    for (let i = 0; i < rows.length; i++) {
      fill(i);
      s += f();
    }
    return s / rows.length;
  };
  const shift = [0, mean(() => xr[1]), mean(() => xr[2]), mean(() => xr[3])];
  const yMean = (): number => {
    let s = 0;
    for (let i = 0; i < rows.length; i++) s += fill(i);
    return s / rows.length;
  };
  const acc = new CrossProductAccumulator(p, { shift, yShift: yMean() });
  const nullFinal = new CrossProductAccumulator(1, { yShift: yMean() });
  const nullAlliance = new CrossProductAccumulator(1, { yShift: mean(() => xr[1] + xr[2]) });
  const one = [1];
  for (let i = 0; i < rows.length; i++) {
    const yv = fill(i);
    acc.add(rows.therapist[i], xr, yv);
    nullFinal.add(rows.therapist[i], one, yv);
    nullAlliance.add(rows.therapist[i], one, xr[1] + xr[2]);
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

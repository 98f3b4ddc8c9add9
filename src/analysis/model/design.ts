/**
 * The model's design: the rows (or lagged pairs) used, the person-mean centring (or the
 * therapist decomposition) of the predictor, and the per-client cross-products the fit
 * works from; and the lme4 formula of the model fitted.
 */
import { CrossProductAccumulator, GroupSlots, selectColumns, type GroupedCrossProducts } from '../../stats/lmm/data.js';
import type { ModelSpec } from './types.js';

/**
 * A column of one number per row, doubling as it grows: Float64 for values, Int32 for
 * indices (client, therapist, row numbers), which halves the memory of 10M-row models.
 */
export class Growable {
  data: Float64Array | Int32Array;
  length = 0;
  constructor(kind: 'f64' | 'i32' = 'f64') {
    this.data = kind === 'i32' ? new Int32Array(1024) : new Float64Array(1024);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = this.data instanceof Int32Array ? new Int32Array(this.data.length * 2) : new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  /** Frees the values (the column is empty after). */
  release(): void {
    this.data = this.data instanceof Int32Array ? new Int32Array(0) : new Float64Array(0);
    this.length = 0;
  }
  /** The values pushed (a view, no copy). */
  view(): Float64Array | Int32Array {
    return this.data.subarray(0, this.length);
  }
}

export interface Columns {
  client: Growable;
  session: Growable;
  x: Growable;
  y: Growable;
  therapist: Growable;
  covs: Growable[];
}

export interface Design {
  data: GroupedCrossProducts;
  terms: string[];
  /** Client index (dataset) of each group. */
  clientOf: Int32Array;
  /**
   * Per group: therapist index, -1 when none (and for every group unless the model has a
   * therapist level or --decompose), -2 when the client has rows with more than one.
   */
  therapistOf: Int32Array;
  /** The predictor (alliance) alone, for the therapist ICC of the alliance (--decompose only). */
  nullPredictor: GroupedCrossProducts | null;
  excluded: Record<string, number>;
  used: number;
}

export function buildDesign(spec: ModelSpec, cols: Columns, n: number): Design {
  const excluded: Record<string, number> = {};
  const bump = (k: string): void => void (excluded[k] = (excluded[k] ?? 0) + 1);
  const nc = cols.covs.length;
  const { client, session, x, y } = cols;
  const covOk = (r: number): boolean => {
    for (let j = 0; j < nc; j++) if (!Number.isFinite(cols.covs[j].data[r])) return false;
    return true;
  };
  // (response row, predictor row) pairs, as Int32 row numbers; without a lag they are the
  // same rows, kept once.
  const respRows = new Growable('i32');
  const predRows = spec.lag ? new Growable('i32') : respRows;
  if (!spec.lag) {
    for (let r = 0; r < n; r++) {
      if (!Number.isFinite(y.data[r])) bump(`missing or unusable ${spec.outcome}`);
      else if (!Number.isFinite(x.data[r])) bump(`missing or unusable ${spec.alliance}`);
      else if (spec.time && !Number.isFinite(session.data[r])) bump('missing session number');
      else if (!covOk(r)) bump('missing covariate');
      else respRows.push(r);
    }
  } else {
    // predictor variable at s, response variable at s+1
    const pv = spec.reverse ? y : x;
    const rv = spec.reverse ? x : y;
    const order = Array.from({ length: n }, (_, i) => i).filter((r) => Number.isFinite(session.data[r]));
    if (order.length < n) excluded['missing session number'] = n - order.length;
    order.sort((a, b) => client.data[a] - client.data[b] || session.data[a] - session.data[b] || a - b);
    for (let i = 0; i < order.length; i++) {
      const r = order[i];
      const dupPrev = i > 0 && client.data[order[i - 1]] === client.data[r] && session.data[order[i - 1]] === session.data[r];
      const dupNext = i + 1 < order.length && client.data[order[i + 1]] === client.data[r] && session.data[order[i + 1]] === session.data[r];
      if (dupPrev || dupNext) {
        bump('duplicate session number (not paired)');
        continue;
      }
      const nxt = order[i + 1];
      if (nxt === undefined || client.data[nxt] !== client.data[r]) continue; // last session of the client
      if (session.data[nxt] !== session.data[r] + 1) {
        bump('next session not consecutive');
        continue;
      }
      const dupNxt = i + 2 < order.length && client.data[order[i + 2]] === client.data[nxt] && session.data[order[i + 2]] === session.data[nxt];
      if (dupNxt) continue;
      if (!Number.isFinite(pv.data[r]) || !Number.isFinite(rv.data[r]) || !Number.isFinite(rv.data[nxt])) bump('missing value in the pair');
      else if (!covOk(r)) bump('missing covariate');
      else {
        respRows.push(nxt);
        predRows.push(r);
      }
    }
  }
  const respRow = respRows.view();
  const predRow = predRows.view();
  const pv = spec.lag && spec.reverse ? y : x;
  const rv = spec.lag && spec.reverse ? x : y;
  // The clients (groups) in order of first appearance among the rows used, their rows and
  // the predictor's client means: typed arrays by slot, no per-client objects (README
  // "Performance" gives the bytes per client).
  const slots = new GroupSlots(1024);
  for (let i = 0; i < predRow.length; i++) slots.slot(client.data[predRow[i]]);
  const groups = slots.count;
  const counts = new Int32Array(groups);
  const clientMean = new Float64Array(groups);
  const withTherapist = spec.therapistLevel || spec.decompose;
  // each client's therapist: the first seen (--decompose), or -2 once a second one is seen
  const firstTherapist = withTherapist ? new Int32Array(groups) : null;
  const therapistOf = new Int32Array(groups).fill(-1);
  for (let i = 0; i < predRow.length; i++) {
    const r = predRow[i];
    const g = slots.of(client.data[r]);
    clientMean[g] += pv.data[r];
    if (firstTherapist !== null) {
      const t = cols.therapist.data[r];
      if (counts[g] === 0) firstTherapist[g] = therapistOf[g] = t;
      else if (therapistOf[g] !== t) therapistOf[g] = -2; // more than one therapist
    }
    counts[g]++;
  }
  for (let g = 0; g < groups; g++) clientMean[g] /= counts[g];
  // --decompose: the therapist component, the mean over the therapist's clients (by their
  // first-seen therapist) of the client means; by therapist number + 1 (-1: none)
  let therapistMean: Float64Array | null = null;
  if (spec.decompose && firstTherapist !== null) {
    let top = 0;
    for (let g = 0; g < groups; g++) top = Math.max(top, firstTherapist[g] + 1);
    const tSum = new Float64Array(top + 1);
    const tCount = new Int32Array(top + 1);
    for (let g = 0; g < groups; g++) {
      tSum[firstTherapist[g] + 1] += clientMean[g];
      tCount[firstTherapist[g] + 1]++;
    }
    for (let t = 0; t <= top; t++) if (tCount[t] > 0) tSum[t] /= tCount[t];
    therapistMean = tSum;
  }
  const predName = spec.lag && spec.reverse ? spec.outcome : spec.alliance;
  const respName = spec.lag && spec.reverse ? spec.alliance : spec.outcome;
  const terms = spec.decompose
    ? ['(Intercept)', `${predName}_session`, `${predName}_client`, `${predName}_therapist`]
    : ['(Intercept)', `${predName}_within`, `${predName}_between`];
  if (spec.lag) terms.push(`${respName}_previous`);
  if (spec.time) terms.push('session');
  for (const c of spec.covariates ?? []) terms.push(c);
  const p = terms.length;
  const xr = new Float64Array(p);
  const fill = (i: number): number => {
    const r = predRow[i];
    const g = slots.of(client.data[r]);
    const mean = clientMean[g];
    let k = 0;
    xr[k++] = 1;
    xr[k++] = pv.data[r] - mean;
    if (therapistMean !== null && firstTherapist !== null) {
      const tm = therapistMean[firstTherapist[g] + 1];
      xr[k++] = mean - tm;
      xr[k++] = tm;
    } else xr[k++] = mean;
    if (spec.lag) xr[k++] = rv.data[r];
    if (spec.time) xr[k++] = session.data[r];
    for (let j = 0; j < nc; j++) xr[k++] = cols.covs[j].data[r];
    return rv.data[respRow[i]];
  };
  // Column and response means, subtracted before the cross-products are accumulated
  // (numerical accuracy; see CrossProductAccumulator). A column with a random slope is
  // not shifted: that would change the model; nor is the within column (mean 0 already, and
  // its exact zeros tell when the predictor does not vary within any client).
  const shift = new Float64Array(p);
  let yShift = 0;
  for (let i = 0; i < predRow.length; i++) {
    yShift += fill(i);
    for (let j = 1; j < p; j++) shift[j] += xr[j];
  }
  if (predRow.length > 0) {
    yShift /= predRow.length;
    for (let j = 1; j < p; j++) shift[j] /= predRow.length;
  }
  const slopeCol = spec.randomSlope === 'time' ? terms.indexOf('session') : spec.randomSlope ? 1 : -1;
  if (slopeCol > 0) shift[slopeCol] = 0;
  shift[1] = 0;
  // One slot per client for all the accumulators, their arrays allocated once at full size.
  const acc = new CrossProductAccumulator(p, { shift, yShift, counts });
  let nullPred: CrossProductAccumulator | null = null;
  if (spec.decompose) {
    let pShift = 0;
    for (const r of predRow) pShift += pv.data[r];
    nullPred = new CrossProductAccumulator(1, { yShift: predRow.length > 0 ? pShift / predRow.length : 0, counts });
  }
  const one = new Float64Array([1]);
  for (let i = 0; i < predRow.length; i++) {
    const r = predRow[i];
    const g = slots.of(client.data[r]);
    const yv = fill(i);
    acc.addAt(g, xr, yv);
    nullPred?.addAt(g, one, pv.data[r]);
  }
  const clientOf = slots.groupIds();
  const data = acc.finish(clientOf);
  return {
    data,
    terms,
    clientOf,
    therapistOf,
    nullPredictor: nullPred?.finish(clientOf) ?? null,
    excluded,
    used: predRow.length,
  };
}

/**
 * The outcome alone, for the null models (the ICC; --decompose): the intercept and response
 * rows of the design's cross-products. They are the very sums an accumulator of [1, y] would
 * make (same shift, same additions in the same order), so no third array is kept per client.
 */
export function nullModelData(design: Design): GroupedCrossProducts {
  return selectColumns(design.data, [0]);
}

export function formula(spec: ModelSpec, terms: string[], slopeTerm: string | null, therapist: boolean): string {
  const resp = spec.lag ? `${spec.reverse ? spec.alliance : spec.outcome}(s+1)` : spec.outcome;
  // in lagged models every predictor except the client mean is taken at session s
  const rhs = terms.slice(1).map((t) => (spec.lag && !/_(between|client|therapist)$/.test(t) ? `${t}(s)` : t));
  const re = slopeTerm
    ? `(1 + ${slopeTerm} | client)${therapist ? ' + (1 | therapist)' : ''}`
    : therapist
      ? '(1 | therapist) + (1 | therapist:client)'
      : '(1 | client)';
  return `${resp} ~ ${rhs.join(' + ')} + ${re}`;
}

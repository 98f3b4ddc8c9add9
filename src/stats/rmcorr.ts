/**
 * Repeated-measures correlation (rmcorr): the common within-client association of
 * two measures observed repeatedly in each client.
 *
 * Reference values: test/reference/rmcorr.R -> rmcorr.json (R lm ANCOVA + drop1, and
 * psych::r.con with n = df + 2), checked also against the values published by the
 * rmcorr package for bland1995, gilden2010 and raz2005 (fixtures/reference/).
 */

import { CoMoments, type CorrelationTest, type CorrelationTestOptions, correlationFromMoments, correlationTTest } from './correlation.js';

/**
 * Pooled within-client sums: sxx = sum over clients of sum (x - client mean of x)^2,
 * likewise syy and sxy = sum (x - mean x)(y - mean y), over complete pairs only.
 */
export interface RmcorrSums {
  /** Complete (x, y) pairs counted in the sums. */
  nObs: number;
  /** Clients whose pairs are counted in nObs (see rmcorr() on single-pair clients). */
  nClients: number;
  sxx: number;
  syy: number;
  sxy: number;
  /**
   * Raw sums of squares of x and y over the same pairs (sum x^2): the scale of the
   * zero-variance and exact-zero tests of correlationFromMoments. When absent the centred
   * sums stand in (as if every client mean were 0).
   */
  rawXX?: number;
  rawYY?: number;
}

export type RmcorrResult = CorrelationTest & {
  method: 'rmcorr';
  /** Clients used (as passed, or counted by the helpers). */
  nClients: number;
  /** Complete pairs used. */
  nObs: number;
};

/**
 * Repeated-measures correlation from pooled within-client (client-mean-centred) sums.
 *
 * Formula (Bakdash & Marusich 2017): the ANCOVA y ~ client + x gives
 * r = sign(b_x) sqrt(SS_x / (SS_x + SS_resid)), which equals
 * r = sxy / sqrt(sxx syy) on client-mean-centred values (correlationFromMoments, the
 * function behind the tool's within-client r); df = N - k - 1 (N pairs,
 * k clients); t = r sqrt(df / (1 - r^2)) and p from Student t (identical to the
 * drop1 F test rmcorr uses, F = t^2); CI: Fisher z with n = df + 2, i.e.
 * SE = 1/sqrt(df - 1), as rmcorr >= 0.5.4 (psych::r.con(r, df + 2)); earlier versions
 * used n = df and were too wide.
 *
 * Who counts as a client: rmcorr fits lm() on the complete rows, so every
 * participant with at least one complete pair gets a dummy and is counted in k; a
 * participant with a single pair adds 1 to N and 1 to k and 0 to every sum, so df and
 * r are the same whether single-pair clients are included (as rmcorr does) or
 * excluded. Clients with no complete pair are not counted (lm drops unused factor
 * levels). nObs and nClients must be counted consistently. The ">= 3 clients" check
 * uses nClients as passed; the helpers rmcorrFromGroups / rmcorrFromArrays exclude
 * single-pair clients so it counts only clients that carry within-client information.
 *
 * Not estimable (explicit reason): fewer than 3 clients, df < 1, zero within-client
 * variance of x or y, |r| = 1. The interval needs df >= 2.
 *
 * Reference: Bakdash, J. Z. & Marusich, L. R. (2017) Repeated measures correlation.
 * Frontiers in Psychology 8, 456, doi:10.3389/fpsyg.2017.00456; rmcorr 0.5.4 NEWS
 * (confidence interval fix). Validated against R lm(y ~ factor(client) + x) with
 * drop1(test = "F") and psych::r.con, and the published rmcorr results for
 * bland1995 (r = -0.5067697, df = 38, p = 0.0008471081, CI [-0.7067146, -0.2318631]),
 * gilden2010 (r = -0.406097, df = 32, p = 0.01717) and raz2005 (CI [-0.804153, -0.566080]).
 *
 * @example rmcorr({ nObs: 47, nClients: 8, sxx: 1, syy: 4, sxy: -1 }).r // -0.5
 */
export function rmcorr(s: RmcorrSums, opts: CorrelationTestOptions = {}): RmcorrResult {
  const extra = { method: 'rmcorr' as const, nClients: s.nClients, nObs: s.nObs };
  const df = s.nObs - s.nClients - 1;
  // The r of the product's within-client analysis: correlationFromMoments on the client-centred sums.
  const rm = correlationFromMoments(s.nObs, s.sxx, s.syy, s.sxy, s.rawXX ?? s.sxx, s.rawYY ?? s.syy);
  const r = typeof rm === 'number' ? rm : Number.NaN;
  if (s.nClients < 3) {
    return {
      ok: false,
      reason: 'too-few-clients',
      message: `repeated-measures correlation needs at least 3 clients with 2 or more complete pairs (got ${s.nClients})`,
      n: s.nObs,
      ...(Number.isNaN(r) ? {} : { r }),
      ...extra,
    };
  }
  const se = df >= 2 ? 1 / Math.sqrt(df - 1) : null;
  const res = correlationTTest(r, s.nObs, df, se, {
    ...opts,
    ciReason: 'the Fisher z interval (n = df + 2) needs df >= 2',
  });
  if (!res.ok && res.reason === 'zero-variance') {
    res.message = 'x or y does not vary within any client, so the within-client r is undefined';
  }
  return { ...res, ...extra };
}

/**
 * Pooled within-client sums from per-client co-moments (e.g. one CoMoments per
 * client built while streaming). Clients with fewer than 2 pairs are left out of
 * both nObs and nClients (this leaves df and r unchanged; see rmcorr()).
 */
export function rmcorrSumsFromGroups(groups: Iterable<CoMoments>): RmcorrSums {
  let nObs = 0;
  let nClients = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  let rawXX = 0;
  let rawYY = 0;
  for (const g of groups) {
    if (g.n < 2) continue;
    nObs += g.n;
    nClients += 1;
    sxx += g.m2x;
    syy += g.m2y;
    sxy += g.cxy;
    rawXX += g.n * g.meanX * g.meanX + g.m2x;
    rawYY += g.n * g.meanY * g.meanY + g.m2y;
  }
  return { nObs, nClients, sxx, syy, sxy, rawXX, rawYY };
}

/** rmcorr() of per-client co-moments; see rmcorrSumsFromGroups. */
export function rmcorrFromGroups(groups: Iterable<CoMoments>, opts: CorrelationTestOptions = {}): RmcorrResult {
  return rmcorr(rmcorrSumsFromGroups(groups), opts);
}

/**
 * rmcorr() of raw rows: client id, x and y per row. Rows where x or y is NaN are
 * dropped (complete pairs, as rmcorr's na.omit). Client order does not matter.
 *
 * Validated against R as rmcorr().
 */
export function rmcorrFromArrays(
  client: ArrayLike<string | number>,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  opts: CorrelationTestOptions = {},
): RmcorrResult {
  if (client.length !== x.length || x.length !== y.length) {
    throw new RangeError(`client, x and y differ in length (${client.length}, ${x.length}, ${y.length})`);
  }
  const groups = new Map<string | number, CoMoments>();
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i]) || Number.isNaN(y[i])) continue;
    let g = groups.get(client[i]);
    if (g === undefined) {
      g = new CoMoments();
      groups.set(client[i], g);
    }
    g.add(x[i], y[i]);
  }
  return rmcorrFromGroups(groups.values(), opts);
}

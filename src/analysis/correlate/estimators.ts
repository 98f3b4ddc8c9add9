/**
 * The correlate analyses' estimators, as the user reads them: the functions of src/stats
 * on sufficient statistics (correlationFromMoments, partialFromMoments, withinRegression)
 * with their typed problems turned into reason texts that name the measures. Shared by the
 * results (compute.ts) and the bootstrap (bootstrap.ts).
 */
import { correlationFromMoments, type MomentsProblem } from '../../stats/correlation.js';
import { type WithinMoments, withinRegression } from '../../stats/within.js';
import { lxIndex } from './layout.js';
import type { LagDirection } from './types.js';

/**
 * Values whose squares pass the double range (|x| above about 1e154) make the sums of
 * squares Infinity or NaN; a sum that is not finite is named for what it is.
 */
export const huge = (what: string): string =>
  `${what} values too large to compute with (squares beyond the floating-point range); check the data or rescale the measure`;

/** The reason text of a MomentsProblem, naming the variables (x, y, z order) as the user knows them. */
export function problemText(p: MomentsProblem, names: readonly string[]): string {
  return p.problem === 'not-finite' ? huge(names[p.variable]) : `no variation in ${names[p.variable]}`;
}

/** r from the co-moments of n values (stats/correlation.ts), or the reason why it is undefined. */
export function rFromMoments(n: number, sxx: number, syy: number, sxy: number, scaleX: number, scaleY: number): number | string {
  const r = correlationFromMoments(n, sxx, syy, sxy, scaleX, scaleY);
  return typeof r === 'number' ? r : problemText(r, ['alliance', 'outcome']);
}

const EARLY_NAMES = ['early alliance', 'final outcome', 'intake outcome'];

/** A coefficient of partialFromMoments as a number or the reason text. */
export function earlyValue(v: number | MomentsProblem): number | string {
  if (typeof v === 'number') return v;
  return v.problem === 'collinear' ? 'intake is collinear with early alliance or final outcome' : problemText(v, EARLY_NAMES);
}

// Lagged fixed-effects regressions

export interface LagSpec {
  dir: LagDirection;
  y: number;
  x1: number;
  x2: number;
}

// forward: o(s+1) ~ a(s) + o(s); reverse: a(s+1) ~ o(s) + a(s). Slots: 0 a(s), 1 o(s), 2 a(s+1), 3 o(s+1).
export const LAG_SPECS: LagSpec[] = [
  { dir: 'alliance->outcome', y: 3, x1: 0, x2: 1 },
  { dir: 'outcome->alliance', y: 2, x1: 1, x2: 0 },
];

/** The within moments of pair p's lag slots: W packed (lxIndex), rawSq(i) the raw sum of squares of slot i. */
export function lagMoments(W: Float64Array, pairs: number, clients: number, rawSq: (i: number) => number): WithinMoments {
  return { n: pairs, groups: clients, d: 4, w: (i, j) => W[lxIndex(i, j)], raw: rawSq };
}

const SLOT_NAME = ['alliance', 'outcome', 'alliance', 'outcome'];

/**
 * The fixed-effects coefficient of x1 (and its SE, df) from the summed within-client
 * co-moments of (a(s), o(s), a(s+1), o(s+1)) (stats/within.ts); a reason string when not estimable.
 */
export function fixedEffects(m: WithinMoments, sp: LagSpec): { b1: number; se: number; df: number } | string {
  if (m.groups < 3) return `fewer than 3 clients with consecutive sessions (${m.groups})`;
  const f = withinRegression(m, sp.y, [sp.x1, sp.x2]);
  if (!('problem' in f)) return { b1: f.b[0], se: Math.sqrt((f.rss / f.df) * f.unscaled[0]), df: f.df };
  switch (f.problem) {
    case 'no-df':
      return 'too few consecutive-session pairs per client';
    case 'not-finite':
      return huge(SLOT_NAME[f.variable]);
    case 'no-variation':
      return `no within-client variation in ${SLOT_NAME[f.variable]} at s`;
    case 'collinear':
      return 'alliance(s) and outcome(s) are collinear within clients';
    default:
      return 'perfect fit (residual variance is zero)';
  }
}

/**
 * The generative model of `alliance simulate` (documented in docs/simulate.md): per-
 * instrument realism profiles and the calibration that turns the requested between-,
 * within-client and lagged alliance-outcome effects into latent coefficients.
 *
 * Scores are built in each instrument's own points, in the "better" direction for outcomes
 * (so a positive correlation always means "alliance goes with better outcome"):
 *
 *   alliance  A_is = mu_A + sdB_A * u_i   + sdW_A * x_is  + g_A * ln(s)
 *   outcome   O_is = mu_O + sdB_O * v_ik  + sdW_O * w_isk + g_O * ln(s)   (better direction)
 *
 * u_i, v_ik: client levels, N(0,1), corr(u, v_k) = b_k (between, calibrated);
 * x_is, w_isk: session deviations, N(0,1), w_isk = c * w'_isk + B * x_i,s-1 with
 * c = sqrt(1 - B^2) and corr(x_is, w'_isk) = a_k, so corr(x_is, w_isk) = c * a_k = rho_k;
 * B is the lagged effect of session s-1 alliance on session s outcome (x_i0 is a fresh draw).
 * g ln(s): average improvement (outcomes) or growth (alliance), 0 at the first session.
 * Several outcomes share a common factor (lambda) at both levels, so they correlate.
 */
import type { Instrument } from '../instruments/types.js';

export interface Profile {
  /** Mean at the first session (native points). */
  mean: number;
  /** Between-client SD (native points). */
  sdB: number;
  /** Within-client, session-to-session SD (native points). */
  sdW: number;
  /** Average change by session 10, in the better direction (native points). */
  gain10: number;
  /** Decimals written (SRS/ORS/CORE-OM one decimal, sums of items whole numbers). */
  decimals: number;
}

/**
 * Realism profiles. Chosen to look like routine-care data, not estimated from any dataset:
 * SRS mostly 34-40 with many at the ceiling of 40; outcomes start around the clinical
 * cutoff with a wide spread (some clients start non-clinical) and improve by about one
 * intake SD over ten sessions, most of it early (log-shaped dose-response).
 */
export const PROFILES: Record<string, Profile> = {
  SRS: { mean: 36.3, sdB: 2.8, sdW: 1.5, gain10: 1.2, decimals: 1 },
  'WAI-SR': { mean: 45, sdB: 7, sdW: 3, gain10: 3, decimals: 0 },
  'WAI-S': { mean: 63, sdB: 10, sdW: 4, gain10: 4, decimals: 0 },
  SAI: { mean: 26, sdB: 5, sdW: 2.5, gain10: 2, decimals: 0 },
  'HAq-II': { mean: 88, sdB: 11, sdW: 5, gain10: 4, decimals: 0 },
  ORS: { mean: 19.5, sdB: 6.5, sdW: 3.5, gain10: 7, decimals: 1 },
  'PHQ-9': { mean: 14, sdB: 5.5, sdW: 2.8, gain10: 6, decimals: 0 },
  'GAD-7': { mean: 12, sdB: 4.5, sdW: 2.5, gain10: 5, decimals: 0 },
  'OQ-45': { mean: 80, sdB: 22, sdW: 8, gain10: 18, decimals: 0 },
  'CORE-10': { mean: 19, sdB: 7, sdW: 3.5, gain10: 7, decimals: 0 },
  'CORE-OM': { mean: 18, sdB: 6.5, sdW: 3, gain10: 6, decimals: 1 },
  K10: { mean: 28, sdB: 7, sdW: 3.5, gain10: 7, decimals: 0 },
  'BDI-II': { mean: 24, sdB: 10, sdW: 4, gain10: 9, decimals: 0 },
};

/** Share of outcome variance common to all outcome instruments (at each level). */
export const SHARED_OUTCOME = 0.7;

/** Planned number of sessions: uniform on [min, max], or 1 + Poisson(mean - 1). */
export type SessionPlan = { kind: 'range'; min: number; max: number } | { kind: 'mean'; mean: number };

export interface Calibration {
  /** corr(u, v_k): latent between-client coefficient per outcome. */
  between: number[];
  /** corr(x, w'_k): latent within-client coefficient per outcome (before the lag mix). */
  within: number[];
  /** sqrt(1 - lag^2). */
  c: number;
}

/** Largest planned session count considered (the Poisson tail beyond it is negligible). */
export function maxSessions(plan: SessionPlan): number {
  return plan.kind === 'range' ? plan.max : Math.ceil(plan.mean * 3 + 20);
}

/** P(planned = n), n = 0..max (index 0 unused). */
export function plannedPmf(plan: SessionPlan): Float64Array {
  const N = maxSessions(plan);
  const p = new Float64Array(N + 1);
  if (plan.kind === 'range') {
    for (let n = plan.min; n <= plan.max; n++) p[n] = 1 / (plan.max - plan.min + 1);
  } else {
    const lambda = plan.mean - 1;
    let term = Math.exp(-lambda);
    let total = 0;
    for (let k = 0; k + 1 <= N; k++) {
      p[k + 1] = term;
      total += term;
      term *= lambda / (k + 1);
    }
    for (let n = 1; n <= N; n++) p[n] /= total;
  }
  return p;
}

/** P(attended = n) when each session after the first ... is followed by dropout with probability d. */
export function attendedPmf(plan: SessionPlan, dropout: number): Float64Array {
  const planned = plannedPmf(plan);
  const N = planned.length - 1;
  const out = new Float64Array(N + 1);
  // Stop after session k by dropout: (1-d)^(k-1) d, for k < planned; reaching planned ends it.
  for (let m = 1; m <= N; m++) {
    if (planned[m] === 0) continue;
    for (let k = 1; k < m; k++) out[k] += planned[m] * Math.pow(1 - dropout, k - 1) * dropout;
    out[m] += planned[m] * Math.pow(1 - dropout, m - 1);
  }
  return out;
}

export interface CalibrationInput {
  alliance: Profile;
  outcomes: Profile[];
  between: number;
  within: number;
  lag: number;
  pmf: Float64Array;
}

export class CalibrationError extends Error {}

/**
 * Latent coefficients that make the expected pooled within-client (client-mean-centred)
 * correlation and the expected correlation of client means equal the targets, before
 * clamping and rounding. Exact expectations over the attended-session distribution, with
 * the deterministic ln(s) trends and the lag term's centring effects included.
 */
export function calibrate(input: CalibrationInput): Calibration {
  const { alliance: A, outcomes, between: Rb, within: Rw, lag: B, pmf } = input;
  const c = Math.sqrt(1 - B * B);
  const N = pmf.length - 1;
  // Per n: mean and population variance of ln(s), s = 1..n.
  const mLn = new Float64Array(N + 1);
  const vLn = new Float64Array(N + 1);
  let s1 = 0;
  let s2 = 0;
  for (let n = 1; n <= N; n++) {
    const l = Math.log(n);
    s1 += l;
    s2 += l * l;
    mLn[n] = s1 / n;
    vLn[n] = s2 / n - mLn[n] * mLn[n];
  }
  let meanM = 0;
  for (let n = 1; n <= N; n++) meanM += pmf[n] * mLn[n];
  let varM = 0;
  for (let n = 1; n <= N; n++) varM += pmf[n] * (mLn[n] - meanM) ** 2;
  let eNv = 0; // E[n v(n)]
  let eN1 = 0; // E[n - 1]
  let eInvN = 0; // E[1/n]
  for (let n = 1; n <= N; n++) {
    eNv += pmf[n] * n * vLn[n];
    eN1 += pmf[n] * (n - 1);
    eInvN += pmf[n] / n;
  }
  const gA = A.gain10 / Math.log(10);
  const between: number[] = [];
  const within: number[] = [];
  for (const O of outcomes) {
    const gO = O.gain10 / Math.log(10);
    // Within: E[SP] / sqrt(E[SSx] E[SSy]) = Rw, pooled over clients. Per client with n
    // sessions, centring on the client mean gives E[SP] = sdW_A sdW_O ((n-1) rho - B (n-1)/n)
    // + n Cov(trends), E[SSy] = sdW_O^2 (n-1)(1 - 2 B rho / n) + n Var(trend_O); the
    // rho inside SSy makes this a fixed point, solved by iteration.
    if (eN1 === 0) throw new CalibrationError('every client has one session, so there is no within-client variation');
    const SSx = eN1 * A.sdW ** 2 + gA * gA * eNv;
    const SPtrend = gA * gO * eNv;
    let eN1n = 0; // E[(n-1)/n]
    for (let n = 1; n <= N; n++) eN1n += (pmf[n] * (n - 1)) / n;
    let rho = 0;
    for (let it = 0; it < 100; it++) {
      const SSy = O.sdW ** 2 * (eN1 - 2 * B * rho * eN1n) + gO * gO * eNv;
      const next = (Rw * Math.sqrt(SSx * SSy) - SPtrend + A.sdW * O.sdW * B * eN1n) / (eN1 * A.sdW * O.sdW);
      if (Math.abs(next - rho) < 1e-12) {
        rho = next;
        break;
      }
      rho = next;
    }
    const a = rho / c;
    if (!(Math.abs(a) <= 1)) {
      throw new CalibrationError(`--within ${Rw} cannot be reached with --lag ${B} and these instruments (needs a latent correlation of ${round3(a)})`);
    }
    // Between: correlation of client means.
    let eCov = 0;
    let eVarW = 0;
    for (let n = 1; n <= N; n++) {
      eCov += (pmf[n] * (n * rho + B * (n - 1))) / (n * n);
      eVarW += (pmf[n] * (n + 2 * (n - 1) * B * rho)) / (n * n);
    }
    const varA = A.sdB ** 2 + A.sdW ** 2 * eInvN + gA * gA * varM;
    const varO = O.sdB ** 2 + O.sdW ** 2 * eVarW + gO * gO * varM;
    const covRest = A.sdW * O.sdW * eCov + gA * gO * varM;
    const b = (Rb * Math.sqrt(varA * varO) - covRest) / (A.sdB * O.sdB);
    if (!(Math.abs(b) <= 1)) {
      throw new CalibrationError(`--between ${Rb} cannot be reached with --within ${Rw} and these session counts (needs a latent correlation of ${round3(b)})`);
    }
    between.push(b);
    within.push(a);
  }
  return { between, within, c };
}

function round3(x: number): string {
  return Number.isFinite(x) ? x.toFixed(3) : String(x);
}

export function profileFor(inst: Instrument): Profile {
  const p = PROFILES[inst.id];
  if (!p) throw new Error(`no simulation profile for ${inst.id}`);
  return p;
}

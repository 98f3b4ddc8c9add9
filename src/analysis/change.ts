/**
 * Reliable and clinically significant change for one pre/post pair.
 *
 * Two methods:
 *
 * - Points threshold (what services use day to day): a change of at least the instrument's
 *   reliable-change points in the better direction is "reliably improved", at least that
 *   many in the worse direction "reliably deteriorated" (both inclusive, >=).
 * - Jacobson & Truax (1991) reliable change index, with the cut-offs a, b, c, as the
 *   clinicalsignificance R package (Claus, Wager, Bonnet et al., cran/clinicalsignificance,
 *   R/rci-utils.R, R/calc_cutoff.R, R/calc_recovered.R) computes them:
 *
 *     SE_m   = SD_pre * sqrt(1 - r_xx)
 *     S_diff = sqrt(2 * SE_m^2)
 *     RCI    = (post - pre) / S_diff, reliable when |RCI| > z (z = qnorm(0.975) = 1.959964)
 *     a = M_clin + dir * 2 SD_clin;  b = M_func - dir * 2 SD_func;
 *     c = (SD_clin * M_func + SD_func * M_clin) / (SD_clin + SD_func)
 *
 *   where dir = +1 when higher scores are better, -1 when lower are. (The package's cut-off b
 *   uses SD_clin in place of SD_func; we follow Jacobson & Truax 1991, p. 13, which uses the
 *   functional SD: the two agree whenever the SDs are equal. The R reference script computes
 *   both so the difference is visible.)
 *   Clinical at pre: dir * pre < dir * cutoff; functional at post: dir * post > dir * cutoff
 *   (both strict, as the package).
 *
 * Categories (the package's names): recovered = reliably improved and clinical at pre and
 * functional at post; improved = other reliable improvement; unchanged; harmed = reliably
 * deteriorated, not clinical at pre and not functional at post; deteriorated = other
 * reliable deterioration.
 *
 * Reference: Jacobson, N. S. & Truax, P. (1991). Clinical significance: a statistical
 * approach to defining meaningful change in psychotherapy research. J Consult Clin Psychol
 * 59(1), 12-19, doi:10.1037/0022-006X.59.1.12.
 * Validated against test/reference/change.R (a reimplementation of the package's formulas)
 * and the package's published claus_2020 result.
 */

import { beyond, compareDifference } from '../stats/threshold.js';

export type ReliableDirection = 'improved' | 'deteriorated' | 'unchanged';
export type ChangeCategory = 'recovered' | 'improved' | 'unchanged' | 'deteriorated' | 'harmed';
export const CHANGE_CATEGORIES: ChangeCategory[] = ['recovered', 'improved', 'unchanged', 'deteriorated', 'harmed'];

export type CutoffType = 'a' | 'b' | 'c';

/** The two-sided 5% critical value qnorm(0.975), as clinicalsignificance uses. */
export const RCI_CRITICAL = 1.959963984540054;

/** +1 when higher scores are better, -1 when lower are. */
export function direction(higherIsBetter: boolean): 1 | -1 {
  return higherIsBetter ? 1 : -1;
}

/**
 * Reliable change by a fixed points threshold (inclusive in both directions), the change
 * compared at the scores' decimal precision (src/stats/threshold.ts): ORS 7.2 -> 12.2 is a
 * change of exactly 5.
 */
export function pointsChange(pre: number, post: number, threshold: number, higherIsBetter: boolean): ReliableDirection {
  const [better, worse] = higherIsBetter ? [post, pre] : [pre, post];
  if (compareDifference(better, worse, threshold) >= 0) return 'improved';
  if (compareDifference(worse, better, threshold) >= 0) return 'deteriorated';
  return 'unchanged';
}

/** Standard error of the difference S_diff = sqrt(2) * SD_pre * sqrt(1 - r_xx). */
export function sDiff(sdPre: number, reliability: number): number {
  const se = sdPre * Math.sqrt(1 - reliability);
  return Math.sqrt(2 * se * se);
}

/** Reliable change by the Jacobson-Truax RCI. */
export function rciChange(rci: number, higherIsBetter: boolean, critical = RCI_CRITICAL): ReliableDirection {
  const r = direction(higherIsBetter) * rci;
  if (r > critical) return 'improved';
  if (r < -critical) return 'deteriorated';
  return 'unchanged';
}

export interface Norms {
  clinicalMean?: number;
  clinicalSd?: number;
  functionalMean?: number;
  functionalSd?: number;
}

/**
 * Jacobson-Truax cut-off a, b or c. Returns a reason instead of a number when the norms it
 * needs are missing.
 */
export function jtCutoff(type: CutoffType, n: Norms, higherIsBetter: boolean): number | { reason: string } {
  const dir = direction(higherIsBetter);
  const have = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v);
  if (type === 'a') {
    if (!have(n.clinicalMean) || !have(n.clinicalSd)) return { reason: 'cut-off a needs the clinical mean and SD' };
    return n.clinicalMean + dir * 2 * n.clinicalSd;
  }
  if (type === 'b') {
    if (!have(n.functionalMean) || !have(n.functionalSd)) return { reason: 'cut-off b needs the functional mean and SD' };
    return n.functionalMean - dir * 2 * n.functionalSd;
  }
  if (!have(n.clinicalMean) || !have(n.clinicalSd) || !have(n.functionalMean) || !have(n.functionalSd)) {
    return { reason: 'cut-off c needs the clinical and functional means and SDs' };
  }
  const denom = n.clinicalSd + n.functionalSd;
  if (!(denom > 0)) return { reason: 'cut-off c needs a positive clinical or functional SD' };
  return (n.clinicalSd * n.functionalMean + n.functionalSd * n.clinicalMean) / denom;
}

/** A boundary between clinical and non-clinical scores. */
export interface ClinicalBoundary {
  value: number;
  /** The side that is clinical: score `clinicalIf` value. */
  clinicalIf: '<' | '>=' | '>' | '<=';
}

/** The boundary a JT cut-off implies: clinical when dir * x < dir * cutoff (strict). */
export function jtBoundary(cutoff: number, higherIsBetter: boolean): { clinicalPre: ClinicalBoundary; functionalPost: ClinicalBoundary } {
  // Clinical at pre: dir*pre < dir*c  ->  higher better: pre < c; lower better: pre > c.
  // Functional at post: dir*post > dir*c -> not functional: higher better: post <= c; lower: post >= c.
  return higherIsBetter
    ? { clinicalPre: { value: cutoff, clinicalIf: '<' }, functionalPost: { value: cutoff, clinicalIf: '<=' } }
    : { clinicalPre: { value: cutoff, clinicalIf: '>' }, functionalPost: { value: cutoff, clinicalIf: '>=' } };
}

/** Whether score x is on the clinical side of the boundary, at the scores' decimal precision (src/stats/threshold.ts). */
export function isClinical(x: number, b: ClinicalBoundary): boolean {
  return beyond(x, b.clinicalIf, b.value);
}

/**
 * The five categories from a reliable-change direction and clinical status. `clinicalPre`
 * and `clinicalPost` may be undefined (no cut-off known): then only improved / unchanged /
 * deteriorated are possible.
 */
export function categorize(rc: ReliableDirection, clinicalPre: boolean | undefined, clinicalPost: boolean | undefined): ChangeCategory {
  if (rc === 'improved') return clinicalPre === true && clinicalPost === false ? 'recovered' : 'improved';
  if (rc === 'deteriorated') return clinicalPre === false && clinicalPost === true ? 'harmed' : 'deteriorated';
  return 'unchanged';
}

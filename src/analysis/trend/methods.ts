/**
 * trend's change methods (reliable change by points or by the Jacobson-Truax RCI) and
 * clinical boundary (the instrument's cut-off, or a Jacobson-Truax cut-off from norms),
 * decided from the options and, where they ask for it, from the mean and SD of the used
 * clients' pre scores. Methods that do not need those are known before the scan
 * (staticMethods), so the scan can classify each client's change as its run ends (trend.ts).
 */
import { isClinical, jtBoundary, jtCutoff, pointsChange, rciChange, RCI_CRITICAL, sDiff, type ClinicalBoundary, type ReliableDirection } from '../change.js';
import type { Instrument } from '../../instruments/types.js';
import { decimalsOf } from '../../stats/threshold.js';
import { toNull } from './cohort.js';
import { differenceTest, scoreTest } from './exact.js';
import type { TrendResult, TrendRunOptions } from './types.js';

/** Why a method is not applied. */
export const directionReason = 'the better direction of the outcome is unknown: give --better higher|lower or bind an instrument with --instrument COL=ID';
export const noOutcome = 'no outcome measure';

/** What the methods are decided from, besides the pre scores. */
export interface MethodInput {
  opts: TrendRunOptions;
  hasOutcome: boolean;
  outcomeHigher: boolean | undefined;
  outcomeInst: Instrument | null;
  /** Memoise the tests per value (exact.ts; false for tests: the functions each time). */
  tables: boolean;
}

/** The mean and SD of the used clients' pre scores. */
export interface PreStats {
  mean: number;
  sd: number;
}

export interface ChangeMethods {
  method: TrendResult['methods']['change'];
  /** The reliable change of pre -> post (null: none, `method.reason` says why). */
  classify: ((pre: number, post: number) => { rc: ReliableDirection; rci: number } | null) | null;
  clinical: TrendResult['methods']['clinical'];
  /** Clinical at pre and at post (null: no boundary). */
  clinicalPre: ((x: number) => boolean) | null;
  clinicalPost: ((x: number) => boolean) | null;
}

/** The methods before the scan, or null when they depend on the pre scores. */
export function staticMethods(input: MethodInput): ChangeMethods | null {
  let needsData = false;
  const m = methodsOf(input, () => {
    needsData = true;
    return { mean: NaN, sd: NaN };
  });
  return needsData ? null : m;
}

/** The methods; `pre` is called only where a method needs the pre scores. */
export function methodsOf(input: MethodInput, pre: () => PreStats): ChangeMethods {
  const { opts, hasOutcome, outcomeHigher, outcomeInst, tables } = input;
  let method: TrendResult['methods']['change'];
  let classify: ((pre: number, post: number) => { rc: ReliableDirection; rci: number } | null) | null = null;
  if (!hasOutcome) {
    method = { method: 'points', threshold: null, source: '', reason: noOutcome };
  } else if (opts.reliability !== undefined) {
    const sdPre = opts.sd ?? pre().sd;
    const sd = Number.isFinite(sdPre) ? sDiff(sdPre, opts.reliability) : NaN;
    method = {
      method: 'jacobson-truax',
      reliability: opts.reliability,
      sdPre: toNull(sdPre),
      sdSource: opts.sd !== undefined ? 'given' : 'data',
      sDiff: toNull(sd),
      critical: RCI_CRITICAL,
    };
    if (outcomeHigher === undefined) method.reason = directionReason;
    else if (!(sd > 0)) method.reason = 'S_diff is not positive (fewer than 2 clients or SD of pre scores 0)';
    else {
      const higher = outcomeHigher;
      classify = (pre, post) => {
        const rci = (post - pre) / sd;
        return { rc: rciChange(rci, higher), rci };
      };
    }
  } else {
    const threshold = opts.rcThreshold ?? outcomeInst?.reliableChange?.value;
    const source = opts.rcThreshold !== undefined ? 'given' : (outcomeInst?.reliableChange?.source ?? '');
    method = { method: 'points', threshold: threshold ?? null, source };
    if (threshold === undefined) method.reason = 'no reliable-change threshold for this outcome (give --rc-threshold or --reliability)';
    else if (outcomeHigher === undefined) method.reason = directionReason;
    else {
      const higher = outcomeHigher;
      const points = (pre: number, post: number) => pointsChange(pre, post, threshold, higher);
      // At decimal precision the direction depends only on post - pre: memoised (exact.ts).
      const rc = tables && decimalsOf(threshold) >= 0 ? differenceTest(points) : points;
      classify = (pre, post) => ({ rc: rc(pre, post), rci: NaN });
    }
  }

  let clinical: TrendResult['methods']['clinical'];
  let clinicalPreB: ClinicalBoundary | null = null;
  let clinicalPostB: ClinicalBoundary | null = null;
  if (!hasOutcome) {
    clinical = { source: 'none', reason: noOutcome };
  } else if (opts.cutoff !== undefined) {
    const cm = opts.clinicalMean ?? pre().mean;
    const cs = opts.clinicalSd ?? pre().sd;
    clinical = {
      source: 'jacobson-truax',
      type: opts.cutoff,
      cutoff: null,
      clinicalMean: toNull(cm),
      clinicalSd: toNull(cs),
      clinicalNormsSource: opts.clinicalMean !== undefined || opts.clinicalSd !== undefined ? 'given' : 'data',
      functionalMean: opts.functionalMean ?? null,
      functionalSd: opts.functionalSd ?? null,
    };
    if (outcomeHigher === undefined) clinical.reason = directionReason;
    else {
      const c = jtCutoff(
        opts.cutoff,
        { clinicalMean: cm, clinicalSd: cs, functionalMean: opts.functionalMean, functionalSd: opts.functionalSd },
        outcomeHigher,
      );
      if (typeof c === 'number') {
        clinical.cutoff = c;
        const b = jtBoundary(c, outcomeHigher);
        clinicalPreB = b.clinicalPre;
        clinicalPostB = b.functionalPost;
      } else clinical.reason = c.reason;
    }
  } else if (outcomeInst?.cutoff) {
    const cut = outcomeInst.cutoff;
    clinical = { source: 'instrument', cutoff: cut.value, clinicalIf: cut.clinicalIf, citation: cut.source };
    clinicalPreB = { value: cut.value, clinicalIf: cut.clinicalIf };
    clinicalPostB = clinicalPreB;
  } else {
    clinical = { source: 'none', reason: 'no clinical cut-off for this outcome (give --cutoff with norms)' };
  }

  const clinicalTest = (b: ClinicalBoundary | null) => {
    if (b === null) return null;
    const test = (x: number) => isClinical(x, b);
    return tables ? scoreTest(test) : test;
  };
  return { method, classify, clinical, clinicalPre: clinicalTest(clinicalPreB), clinicalPost: clinicalTest(clinicalPostB) };
}

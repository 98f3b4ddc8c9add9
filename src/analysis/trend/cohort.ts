/**
 * Cohort accumulators of `alliance trend` (overall, per period, per group): sessions,
 * means, pre/post change moments and reliable-change shares, and their summary.
 */
import type { Instrument } from '../../instruments/types.js';
import { RunningMoments, tInterval, wilsonInterval } from '../../stats/descriptive.js';
import type { CohortStats, MeasureInfo, Proportion } from './types.js';

/** One cohort's running counts and sums. */
export class Acc {
  sessions = 0;
  clients = 0;
  allianceN = 0;
  allianceSum = 0;
  allianceAssessed = 0;
  allianceBelow = 0;
  outcomeN = 0;
  outcomeSum = 0;
  pre = new RunningMoments();
  change = new RunningMoments();
  classified = 0;
  improved = 0;
  recovered = 0;
  deteriorated = 0;
  /** The last client counted in `clients` (CohortTally numbers them). */
  seen = 0;

  /** One session: its alliance rating and outcome (NaN when absent); `assessed` when there is an alliance cut-off, `below` when the rating is under it. */
  addSession(a: number, o: number, assessed: boolean, below: boolean): void {
    this.sessions++;
    if (!Number.isNaN(a)) {
      this.allianceN++;
      this.allianceSum += a;
      if (assessed) {
        this.allianceAssessed++;
        if (below) this.allianceBelow++;
      }
    }
    if (!Number.isNaN(o)) {
      this.outcomeN++;
      this.outcomeSum += o;
    }
  }
}

function proportion(x: number, n: number): Proportion {
  return { x, n, share: n > 0 ? x / n : null, ci: wilsonInterval(x, n) };
}

/** The cohort statistics of an accumulator: means, change, effect sizes, shares with Wilson intervals. */
export function finalize(a: Acc): CohortStats {
  const notEstimable: Record<string, string> = {};
  const n = a.change.n;
  const meanChange = n > 0 ? a.change.mean : null;
  const sdPre = n >= 2 ? a.pre.sd() : null;
  const sdChange = n >= 2 ? a.change.sd() : null;
  if (n === 0) notEstimable.meanChange = 'no client with a pre and post value';
  let d: number | null = null;
  let dz: number | null = null;
  let ci: [number, number] | null = null;
  if (n < 2) {
    const why = 'needs at least 2 clients with a pre and post value';
    notEstimable.d = why;
    notEstimable.dz = why;
    notEstimable.meanChangeCi = why;
  } else {
    ci = tInterval(meanChange!, sdChange!, n);
    if (sdPre! > 0) d = meanChange! / sdPre!;
    else notEstimable.d = 'SD of pre scores is 0';
    if (sdChange! > 0) dz = meanChange! / sdChange!;
    else notEstimable.dz = 'SD of change is 0';
  }
  if (a.allianceN === 0) notEstimable.allianceMean = 'no alliance ratings';
  if (a.allianceAssessed === 0) notEstimable.allianceBelowShare = a.allianceN === 0 ? 'no alliance ratings' : 'no alliance cut-off';
  if (a.outcomeN === 0) notEstimable.outcomeMean = 'no outcome scores';
  if (a.classified === 0) notEstimable.reliablyImproved = n === 0 ? 'no client with a pre and post value' : 'no reliable-change method';
  return {
    sessions: a.sessions,
    clients: a.clients,
    allianceMean: a.allianceN > 0 ? a.allianceSum / a.allianceN : null,
    allianceBelowShare: a.allianceAssessed > 0 ? a.allianceBelow / a.allianceAssessed : null,
    outcomeMean: a.outcomeN > 0 ? a.outcomeSum / a.outcomeN : null,
    completed: n,
    meanChange,
    meanChangeCi: ci,
    sdPre,
    sdChange,
    d,
    dz,
    classified: a.classified,
    reliablyImproved: proportion(a.improved, a.classified),
    recovered: proportion(a.recovered, a.classified),
    deteriorated: proportion(a.deteriorated, a.classified),
    notEstimable,
  };
}

export function toNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

export function measureInfo(binding: { name: string; instrument: Instrument | null } | undefined, higher: boolean | undefined): MeasureInfo | null {
  if (!binding) return null;
  return {
    column: binding.name,
    instrument: binding.instrument?.id ?? null,
    higherIsBetter: higher ?? binding.instrument?.higherIsBetter ?? null,
  };
}

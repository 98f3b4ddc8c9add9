/**
 * The report's summary cards in plain language (issue 13): measures by their names
 * (src/report/labels.ts), one sentence a manager can read, the statistic beside it, what is
 * good, and "no data" rather than a 0 that stands for nothing measured.
 */
import type { CorrelateReport, CorrelateResult } from '../analysis/correlate/index.js';
import type { TrendResult } from '../analysis/trend/trend.js';
import type { ModelResult } from '../analysis/model.js';
import type { Headline } from './html/page.js';
import { NO_DATA } from './html/page.js';
import type { NameOf } from './labels.js';
import { toFixedR } from './number.js';
import { SHARE_LABEL } from './vocabulary.js';

const pct = (x: number | null): string => (x === null || !Number.isFinite(x) ? NO_DATA : `${toFixedR(x * 100, 1)}%`);
const ci2 = (ci: readonly [number, number] | null): string => (ci ? `95% CI [${toFixedR(ci[0], 2)}, ${toFixedR(ci[1], 2)}]` : 'no CI');

/** -1 / +1 when the interval excludes 0 on that side, 0 when it includes 0 (or is missing). */
function side(ci: readonly [number, number] | null): -1 | 0 | 1 {
  if (!ci) return 0;
  return ci[0] > 0 ? 1 : ci[1] < 0 ? -1 : 0;
}

/** "scored better", "scored worse", "did not clearly score better or worse" (higher / lower when the direction is unknown). */
function how(r: CorrelateResult): string {
  const s = side(r.ci);
  if (s === 0) return r.favourable === null ? 'did not clearly score higher or lower' : 'did not clearly score better or worse';
  if (r.favourable === null) return s > 0 ? 'scored higher' : 'scored lower';
  return r.favourable ? 'scored better' : 'scored worse';
}

/** The same for the client-level (between) result: "had better outcomes", ... */
function overall(r: CorrelateResult): string {
  const s = side(r.ci);
  if (s === 0) return r.favourable === null ? 'did not clearly have higher or lower outcome scores' : 'did not clearly have better or worse outcomes';
  if (r.favourable === null) return s > 0 ? 'had higher outcome scores' : 'had lower outcome scores';
  return r.favourable ? 'had better outcomes' : 'had worse outcomes';
}

export function correlateCards(c: CorrelateReport, name: NameOf): Headline[] {
  const within = c.results.find((r) => r.group === null && r.analysis === 'within' && r.estimable && r.r !== null);
  if (!within || within.r === null) return [];
  const between = c.results.find(
    (r) => r.group === null && r.analysis === 'between' && r.estimable && r.r !== null && r.alliance === within.alliance && r.outcome === within.outcome,
  );
  const A = name(within.alliance);
  const O = name(within.outcome);
  const sentence = `Clients who rated the alliance higher than usual in a session ${how(within)} on ${O} at that session (within clients r = ${toFixedR(within.r, 2)}, ${ci2(within.ci)}, ${within.clients} clients).`;
  const across =
    between && between.r !== null ? ` Clients with a higher alliance overall ${overall(between)} (between clients r = ${toFixedR(between.r, 2)}).` : '';
  return [
    {
      label: `${A} and ${O}, session by session`,
      value: `r = ${toFixedR(within.r, 2)}`,
      good: 'positive = better outcome with better alliance',
      detail: sentence + across,
    },
  ];
}

export function trendCards(t: TrendResult, name: NameOf): Headline[] {
  const out: Headline[] = [];
  const s = t.summary;
  const o = t.measures.outcome;
  if (o && t.methods.change.reason === undefined) {
    const O = name(o.column);
    const ri = s.overall.reliablyImproved;
    const rec = s.overall.recovered;
    const none = s.used === 0;
    out.push({
      label: SHARE_LABEL.reliablyImproved,
      value: none ? NO_DATA : pct(ri.share),
      good: 'higher is better',
      detail: none ? `No client has two ${O} scores yet.` : `${ri.x} of ${ri.n} clients reliably improved on ${O} from their first to their last score.`,
    });
    out.push({
      label: SHARE_LABEL.recovered,
      value: none ? NO_DATA : pct(rec.share),
      good: 'higher is better',
      detail: none ? `No client has two ${O} scores yet.` : `${rec.x} of ${rec.n} clients reliably improved and left the clinical range of ${O}.`,
    });
  }
  const a = t.measures.alliance;
  const cut = t.methods.allianceAlerts.cutoff;
  if (a && cut !== null) {
    const A = name(a.column);
    const rated = s.overall.allianceMean !== null;
    out.push({
      label: 'clients with an alliance alert',
      value: rated ? String(s.allianceAlerts.clientsBelowCutoff) : NO_DATA,
      good: 'fewer is better',
      detail: rated
        ? `${s.allianceAlerts.clientsBelowCutoff} of ${t.clients} clients rated ${A} below ${cut} at least once (${s.allianceAlerts.sessionsBelowCutoff} sessions).`
        : `No session has a rating of ${A}.`,
    });
  }
  return out;
}

export function modelCards(m: ModelResult, name: NameOf): Headline[] {
  if (!m.fit) return [];
  const x = m.spec.lag && m.spec.reverse ? m.spec.outcome : m.spec.alliance;
  const y = m.spec.lag && m.spec.reverse ? m.spec.alliance : m.spec.outcome;
  const w = m.fit.fixed.find((f) => f.term === `${x}_within`);
  if (!w) return [];
  const ci: [number, number] | null = w.lower !== null && w.upper !== null ? [w.lower, w.upper] : null;
  const s = side(ci);
  const then = m.spec.lag ? 'at the next session' : 'at that session';
  const what =
    s === 0
      ? `did not go with a clear change in ${name(y)} ${then}`
      : `went with ${toFixedR(Math.abs(w.estimate), 2)} points ${s > 0 ? 'higher' : 'lower'} ${name(y)} ${then}`;
  const caveats = [
    m.fit.converged ? '' : 'the fit did not converge',
    m.fit.singular ? 'a variance was estimated as zero (singular fit), so read it with care' : '',
  ].filter(Boolean);
  return [
    {
      label: `${name(x)} and ${name(y)}, mixed model`,
      value: `b = ${toFixedR(w.estimate, 2)}`,
      detail: `A session rated one point above the client's usual ${what} (${ci2(ci)}, ${m.fit.clients} clients)${caveats.length ? `; ${caveats.join('; ')}` : ''}.`,
    },
  ];
}

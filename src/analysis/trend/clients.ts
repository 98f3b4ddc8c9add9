/**
 * Pass D of `alliance trend` (trend.ts): one client at a time, from its sessions in session
 * order, the alliance alerts, the not-on-track flags, the change and its category; added
 * to the cohort tallies, and (when asked) the client's row. The rows of `--clients` are
 * made by the same function when they are written (ClientRows), one at a time from the
 * session store, so a million clients are never held as objects.
 */
import { clientCell } from '../by-column.js';
import { categorize, type ReliableDirection } from '../change.js';
import { olsSlope } from '../../stats/descriptive.js';
import { sequence } from '../../sequence.js';
import { Acc, toNull } from './cohort.js';
import { SMALL_OFFSET, STEP_OFF_BITS, STEP_OFF_MASK, type EtrCells, type StepSource } from './etr.js';
import { scoreCode, type DifferenceTest, type ScoreTest } from './exact.js';
import type { ClientSessions } from './store.js';
import { isoDay, periodKey, type ClientRows, type ClientTrend, type ExclusionReason, type Period, type TrendResult } from './types.js';

/** Where a client's intake and pre/post values are (indices into its sorted sessions, -1 when absent). */
export interface Located {
  first: number;
  pre: number;
  post: number;
  reason: ExclusionReason | null;
}

/** A client's pre and post outcome values. */
export interface PrePost {
  pre: number;
  post: number;
}

/** What pass D needs besides the client's sessions (decided once per run). */
export interface ClientSetup {
  hasOutcome: boolean;
  fixed: boolean;
  locate: (s: ClientSessions) => Located;
  /**
   * Alliance below its cut-off (null: no cut-off) and alliance drop tests (exact.ts), given
   * the ratings' scoreCode as well: belowCut(code, a), dropped(prevCode, code, prev, a).
   */
  belowCut: ScoreTest['coded'] | null;
  dropped: DifferenceTest<boolean>['coded'] | null;
  etr: EtrCells | null;
  classify: ((pre: number, post: number) => { rc: ReliableDirection; rci: number } | null) | null;
  /** Why change is not classified when `classify` is null. */
  classifyReason: string | undefined;
  /** Clinical at pre and at post (isClinical with the pre and post boundaries; null: no cut-off). */
  clinicalPre: ((x: number) => boolean) | null;
  clinicalPost: ((x: number) => boolean) | null;
  /** post - pre at the scores' decimal precision (scoreDifference). */
  difference: (post: number, pre: number) => number;
  period: Period | undefined;
  grouped: boolean;
  /** Client ids by index. */
  names: string[];
}

/** The cohort figures pass D adds up over the clients. */
export class CohortTally {
  readonly overall = new Acc();
  readonly periods = new Map<string, Acc>();
  readonly groups = new Map<number, Acc>();
  sessionsWithoutDate = 0;
  clientsWithoutPostDate = 0;
  missingLevel = 0;
  readonly summary: Omit<TrendResult['summary'], 'excluded' | 'overall'> = {
    used: 0,
    categories: { recovered: 0, improved: 0, unchanged: 0, deteriorated: 0, harmed: 0 },
    reliable: { improved: 0, unchanged: 0, deteriorated: 0 },
    allianceAlerts: { clientsBelowCutoff: 0, sessionsBelowCutoff: 0, clientsWithDrop: 0, drops: 0 },
    notOnTrack: { clientsFlagged: 0, clientsCurrentlyFlagged: 0, flags: 0 },
  };
  /** The accumulator of each day's period (one lookup per session instead of key, then accumulator). */
  private readonly dayAcc = new Map<number, Acc>();
  /** Numbers the clients: an accumulator whose `seen` is the current client's has counted it. */
  private client = 0;
  constructor(private readonly period: Period | undefined) {}

  startClient(): void {
    this.overall.clients++;
    this.client++;
  }

  /** The accumulator of the period of `day` (the first session of a client there counts the client). */
  periodAcc(day: number, session: boolean): Acc {
    let a = this.dayAcc.get(day);
    if (a === undefined) {
      a = accFor(this.periods, periodKey(day, this.period!));
      this.dayAcc.set(day, a);
    }
    if (session && a.seen !== this.client) {
      a.seen = this.client;
      a.clients++;
    }
    return a;
  }

  groupAcc(g: number, session: boolean): Acc {
    const a = accFor(this.groups, g);
    if (session && a.seen !== this.client) {
      a.seen = this.client;
      a.clients++;
    }
    return a;
  }
}

function accFor<K>(m: Map<K, Acc>, key: K): Acc {
  let a = m.get(key);
  if (!a) {
    a = new Acc();
    m.set(key, a);
  }
  return a;
}

/** What the session loop of one client counts (reused from client to client). */
export class SessionCounts {
  aN = 0;
  aSum = 0;
  oN = 0;
}

/**
 * The session part of pass D for client sessions `s` (in session order): alliance alerts,
 * the outcome count, and, when `tally` is given, the client and its sessions in the cohort
 * counts. The session numbers of the alerts go to `below` and `drops` when given (rows).
 */
export function addSessions(
  setup: ClientSetup,
  s: ClientSessions,
  tally: CohortTally | null,
  below: number[] | null,
  drops: number[] | null,
  counts: SessionCounts,
): void {
  const { belowCut, dropped } = setup;
  const assessAlliance = belowCut !== null;
  tally?.startClient();
  let nBelow = 0;
  let nDrops = 0;
  let prevA = NaN;
  let aN = 0;
  let aSum = 0;
  let oN = 0;
  const period = tally !== null && setup.period !== undefined;
  const grouped = tally !== null && setup.grouped;
  const n = s.n;
  const { alliance, outcome, session } = s;
  // Outcomes: counted here; their sum, in session order, in the overall tally below.
  let outcomeSum = tally ? tally.overall.outcomeSum : 0;
  for (let k = 0; k < n; k++) {
    const o = outcome[k];
    if (o === o) {
      oN++;
      outcomeSum += o;
    }
  }
  let allianceSum = tally ? tally.overall.allianceSum : 0;
  // Each rating's code (exact.ts) is found once for both tests.
  let prevC = 0;
  for (let k = 0; k < n; k++) {
    const a = alliance[k];
    if (a !== a) continue;
    aN++;
    aSum += a;
    allianceSum += a;
    const c = scoreCode(a);
    if (belowCut !== null && belowCut(c, a)) {
      nBelow++;
      below?.push(session[k]);
    }
    // A drop of exactly `drop` points at the scores' decimal precision counts (16.4 -> 15.4 is 1).
    if (dropped !== null && prevA === prevA && dropped(prevC, c, prevA, a)) {
      nDrops++;
      drops?.push(session[k]);
    }
    prevA = a;
    prevC = c;
  }
  if (tally) {
    // The overall counts of the sessions (Acc.addSession, summed in the same order).
    const acc = tally.overall;
    acc.sessions += n;
    acc.allianceN += aN;
    acc.allianceSum = allianceSum;
    if (assessAlliance) {
      acc.allianceAssessed += aN;
      acc.allianceBelow += nBelow;
    }
    acc.outcomeN += oN;
    acc.outcomeSum = outcomeSum;
  }
  if (period || grouped) {
    for (let k = 0; k < n; k++) {
      const a = alliance[k];
      const o = outcome[k];
      const isBelow = a === a && belowCut !== null && belowCut(scoreCode(a), a);
      if (period) {
        if (Number.isNaN(s.date[k])) tally.sessionsWithoutDate++;
        else tally.periodAcc(s.date[k], true).addSession(a, o, assessAlliance, isBelow);
      }
      if (grouped) {
        const g = s.group[k];
        if (g < 0) tally.missingLevel++;
        else tally.groupAcc(g, true).addSession(a, o, assessAlliance, isBelow);
      }
    }
  }
  counts.aN = aN;
  counts.aSum = aSum;
  counts.oN = oN;
  const summary = tally?.summary;
  if (summary && nBelow > 0) {
    summary.allianceAlerts.clientsBelowCutoff++;
    summary.allianceAlerts.sessionsBelowCutoff += nBelow;
  }
  if (summary && nDrops > 0) {
    summary.allianceAlerts.clientsWithDrop++;
    summary.allianceAlerts.drops += nDrops;
  }
}

/** What the not-on-track test of one client found (reused from client to client). */
export class FlagCounts {
  assessed = 0;
  current = false;
}

/**
 * The not-on-track part of pass D for client `c` (sessions `s`, intake at `first`): the
 * sessions compared with a used cell and flagged, added to `tally` when given; the flagged
 * session numbers go to `sessions` when given.
 */
export function addFlags(
  setup: ClientSetup,
  s: ClientSessions,
  c: number,
  first: number,
  tally: CohortTally | null,
  sessions: number[] | null,
  out: FlagCounts,
): void {
  const etr = setup.etr;
  let nFlags = 0;
  let assessed = 0;
  let current = false;
  const b = etr ? etr.band[c] : -1;
  if (etr && b >= 0) {
    const { session, outcome } = s;
    const intakeSession = session[first];
    const intake = outcome[first];
    const small = etr.smallCells();
    for (let k = first + 1; k < s.n; k++) {
      const o = outcome[k];
      const off = session[k] - intakeSession;
      if (o !== o || !(off > 0)) continue;
      const cell = off < SMALL_OFFSET && (off | 0) === off ? small[b * SMALL_OFFSET + off] : etr.cell(b, off);
      if (cell < 0 || !etr.used[cell]) continue;
      assessed++;
      current = etr.below(cell, o, intake);
      if (current) {
        nFlags++;
        sessions?.push(s.session[k]);
      }
    }
  }
  countFlags(tally, out, assessed, current, nFlags);
}

/**
 * addFlags for every client from the change steps (steps.ts; the thresholds in code steps):
 * the same counts in the summary, without the sessions, in one loop over the clients with a
 * band (pass D without periods, groups or rows; a small function, so it is compiled soon).
 */
export function addFlagsFromSteps(etr: EtrCells | null, steps: StepSource, tally: CohortTally): void {
  if (etr === null) return;
  const { band, used } = etr;
  const small = etr.smallCells();
  const entries = steps.entries;
  const summary = tally.summary.notOnTrack;
  for (let c = 0; c < band.length; c++) {
    const b = band[c];
    if (b < 0) continue;
    const row = b * SMALL_OFFSET;
    let nFlags = 0;
    let current = false;
    for (let e = steps.first(c), end = steps.last(c); e < end; e++) {
      const cell = small[row + (entries[e] & STEP_OFF_MASK)];
      if (cell < 0 || !used[cell]) continue;
      current = etr.belowSteps(cell, entries[e] >> STEP_OFF_BITS);
      if (current) nFlags++;
    }
    if (nFlags > 0) {
      summary.clientsFlagged++;
      summary.flags += nFlags;
    }
    if (current) summary.clientsCurrentlyFlagged++;
  }
}

function countFlags(tally: CohortTally | null, out: FlagCounts, assessed: number, current: boolean, nFlags: number): void {
  out.assessed = assessed;
  out.current = current;
  const summary = tally?.summary;
  if (summary && nFlags > 0) {
    summary.notOnTrack.clientsFlagged++;
    summary.notOnTrack.flags += nFlags;
  }
  if (summary && current) summary.notOnTrack.clientsCurrentlyFlagged++;
}

const scratchCounts = new SessionCounts();
const scratchFlags = new FlagCounts();

/**
 * Pass D for client `c` (sessions `s`, in session order): adds it to `tally` when given and
 * returns its row when `row` is true (else null).
 */
export function passClient(setup: ClientSetup, s: ClientSessions, c: number, tally: CohortTally | null, row: boolean): ClientTrend | null {
  // Session-level series (session numbers of the alerts kept only for the row).
  const below: number[] | null = row ? [] : null;
  const drops: number[] | null = row ? [] : null;
  const counts = scratchCounts;
  addSessions(setup, s, tally, below, drops, counts);
  const { aN, aSum, oN } = counts;

  // Not on track.
  const at = setup.locate(s);
  const ntpSessions: number[] | null = row ? [] : null;
  const flags = scratchFlags;
  addFlags(setup, s, c, at.first, tally, ntpSessions, flags);
  const { assessed, current } = flags;
  const b = setup.etr ? setup.etr.band[c] : -1;
  const intakeSession = at.first >= 0 ? s.session[at.first] : NaN;
  const intake = at.first >= 0 ? s.outcome[at.first] : NaN;

  const change = changeOf(setup, s, at, oN, tally, row);
  if (!row) return null;
  let lastO = -1;
  for (let k = s.n - 1; k >= 0; k--)
    if (!Number.isNaN(s.outcome[k])) {
      lastO = k;
      break;
    }
  return {
    client: setup.names[c] ?? String(c),
    sessions: s.n,
    firstSession: s.session[0],
    lastSession: s.session[s.n - 1],
    firstDate: Number.isNaN(s.date[0]) ? null : isoDay(s.date[0]),
    lastDate: Number.isNaN(s.date[s.n - 1]) ? null : isoDay(s.date[s.n - 1]),
    alliance: {
      n: aN,
      mean: aN > 0 ? aSum / aN : null,
      slope: toNull(olsSlope(s.session, s.alliance, s.n)),
      belowCutoff: below!,
      drops: drops!,
    },
    outcome: {
      n: oN,
      intakeSession: toNull(intakeSession),
      intake: toNull(intake),
      lastSession: lastO >= 0 ? s.session[lastO] : null,
      last: lastO >= 0 ? s.outcome[lastO] : null,
      slope: toNull(olsSlope(s.session, s.outcome, s.n)),
    },
    change: change!,
    notOnTrack: { band: b >= 0 ? b + 1 : null, assessed, sessions: ntpSessions!, current },
    series: {
      session: plain(s.session, s.n),
      alliance: plain(s.alliance, s.n),
      outcome: plain(s.outcome, s.n),
    },
  };
}

/** The first n values of `a` as a plain array (Array.from of a subarray goes through its iterator: slower). */
function plain(a: Float64Array, n: number): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = a[i];
  return out;
}

/**
 * The client's change (pre, post, reliable change, clinical status, category), added to the
 * tallies when given; returned as the row's `change` when `row` is true (else null).
 */
export function changeOf(
  setup: ClientSetup,
  s: ClientSessions | null,
  at: Located,
  oN: number,
  tally: CohortTally | null,
  row = true,
  given: PrePost | null = null,
): ClientTrend['change'] | null {
  // The values come from `s`, or as `given` (then `s` may be null where no period, group or row needs it).
  const used = at.reason === null && setup.hasOutcome;
  const pre = !used ? NaN : given ? given.pre : s!.outcome[at.pre];
  const post = !used ? NaN : given ? given.post : s!.outcome[at.post];
  let ch: number | null = null;
  let res: { rc: ReliableDirection; rci: number } | null = null;
  let clinicalPre: boolean | null = null;
  let clinicalPost: boolean | null = null;
  let category: ClientTrend['change']['category'] = null;
  let reason: string | undefined;
  if (!used) {
    if (setup.fixed) reason = 'no outcome at the pre or post session';
    else reason = oN === 0 ? 'no outcome scores' : 'only one outcome measurement';
  } else {
    ch = setup.difference(post, pre);
    res = setup.classify ? setup.classify(pre, post) : null;
    if (res) {
      if (setup.clinicalPre && setup.clinicalPost) {
        clinicalPre = setup.clinicalPre(pre);
        clinicalPost = setup.clinicalPost(post);
      }
      category = categorize(res.rc, clinicalPre ?? undefined, clinicalPost ?? undefined);
    } else reason = setup.classifyReason ?? 'no reliable-change method';
  }
  if (tally && used) {
    const summary = tally.summary;
    summary.used++;
    if (res) {
      summary.reliable[res.rc]++;
      summary.categories[category!]++;
    }
    // Clients count in the period of their post session, and in the group of their first
    // session with a level (clientCell; the same cell as in ruptures).
    const postIndex = at.post;
    addChange(tally.overall, pre, ch!, category);
    if (setup.period) {
      const day = s!.date[postIndex];
      if (Number.isNaN(day)) tally.clientsWithoutPostDate++;
      else addChange(tally.periodAcc(day, false), pre, ch!, category);
    }
    if (setup.grouped) {
      const cell = clientCell(s!.group, s!.n);
      if (cell >= 0) addChange(tally.groupAcc(cell, false), pre, ch!, category);
    }
  }
  if (!row) return null;
  const change: ClientTrend['change'] = {
    preSession: used ? s!.session[at.pre] : null,
    pre: toNull(pre),
    postSession: used ? s!.session[at.post] : null,
    post: toNull(post),
    change: ch,
    rci: res ? toNull(res.rci) : null,
    reliable: res ? res.rc : null,
    clinicalPre,
    clinicalPost,
    category,
  };
  if (reason !== undefined) change.reason = reason;
  return change;
}

function addChange(acc: Acc, pre: number, ch: number, category: ClientTrend['change']['category']): void {
  acc.pre.add(pre);
  acc.change.add(ch);
  if (category) {
    acc.classified++;
    if (category === 'recovered' || category === 'improved') acc.improved++;
    if (category === 'recovered') acc.recovered++;
    if (category === 'deteriorated' || category === 'harmed') acc.deteriorated++;
  }
}

/**
 * The rows of `--clients`, made one at a time from the store whenever they are iterated
 * (`read` is a reader of its own: iterating does not disturb another pass). `length` is the
 * number of clients with a session.
 */
export function clientRows(setup: ClientSetup, nClients: number, length: number, read: (c: number) => ClientSessions): ClientRows {
  return sequence(length, function* () {
    for (let c = 0; c < nClients; c++) {
      const s = read(c);
      if (s.n > 0) yield passClient(setup, s, c, null, true)!;
    }
  });
}

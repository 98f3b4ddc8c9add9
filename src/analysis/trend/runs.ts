/**
 * trend's scan (trend.ts): each client's rows are gathered while they come one after the
 * other (a run), written to the session store at the end of the run in one go
 * (SessionStore.addRun: the store that row-by-row adds would make), then put in session
 * order and handed to `onRun`, so the work that needs only the client's own sessions is
 * done while they are at hand instead of in a later pass over the store.
 *
 * That is the later passes' work, in their order, only while the runs come in increasing
 * client order (each client's rows together, clients in the order their ids were given:
 * an export sorted by client). From the first row that breaks it, every row goes to the
 * store as it comes and `inOrder` turns false: the caller then drops what the runs gave
 * and makes every pass from the store, as for any file.
 *
 * Streamed: when the caller's passes need nothing of the store but the outcome column's
 * codes (trend.ts: no periods, groups or client rows), the store stops keeping the runs
 * once `streamAfter` rows have come in order (an export not sorted by client shows it in
 * its first rows, which are still kept): what the runs give is then all there is. Should
 * the order break after that, the store misses sessions (`lost`): the rest of the scan is
 * ignored and the caller reads the input again into a new store.
 */
import { grow } from '../../dataset/intern.js';
import type { Located, PrePost } from './clients.js';
import { SessionSorter } from './sorter.js';
import type { ClientSessions, SessionStore } from './store.js';
import type { ExclusionReason } from './types.js';

/** Rows in order after which a streamed scan's store stops keeping the runs (about 0.2 MB of store). */
export const STREAM_AFTER = 1 << 16;

/** All columns move when a run is put in session order (a column not kept holds NaN). */
const ALL = { date: true, alliance: true, outcome: true, group: true };

export class RunCollector {
  inOrder = true;
  /** Whether the store stopped keeping the runs (streamed; see above). */
  streamed = false;
  /** Whether the order broke after the store stopped keeping the runs: it misses sessions. */
  lost = false;
  /** Clients seen in runs: the highest client index + 1. */
  clients = 0;
  private readonly run: ClientSessions;
  private readonly sorter = new SessionSorter(64);
  private client = -1;
  /** Rows kept in the store so far, in runs. */
  private kept = 0;

  /** `streamAfter`: rows in order after which the store stops keeping runs (Infinity: never). */
  constructor(
    private readonly store: SessionStore,
    private readonly onRun: (client: number, s: ClientSessions) => void,
    private readonly streamAfter = Infinity,
  ) {
    this.run = newRun(64);
  }

  add(client: number, session: number, date: number, alliance: number, outcome: number, group: number): void {
    if (client !== this.client && this.inOrder) {
      this.end();
      if (client < this.client) {
        this.inOrder = false;
        this.lost = this.streamed;
      } else this.clients = client + 1;
      this.client = client;
    }
    if (!this.inOrder) {
      if (!this.lost) this.store.add(client, session, date, alliance, outcome, group);
      return;
    }
    let r = this.run;
    const n = r.n;
    if (n === r.session.length) r = this.grow();
    r.session[n] = session;
    r.date[n] = date;
    r.alliance[n] = alliance;
    r.outcome[n] = outcome;
    r.group[n] = group;
    r.n = n + 1;
  }

  /** Ends the current run (call once more after the last row). */
  end(): void {
    const r = this.run;
    if (r.n === 0 || !this.inOrder) return;
    if (this.streamed) this.store.noteOutcomes(r.outcome, r.n);
    else {
      this.store.addRun(this.client, r, r.n);
      this.kept += r.n;
      if (this.kept >= this.streamAfter) {
        this.streamed = true;
        this.store.stopKeeping();
      }
    }
    const sn = r.session;
    for (let k = 1; k < r.n; k++)
      if (sn[k - 1] > sn[k]) {
        this.sorter.sort(r, r.n, ALL);
        break;
      }
    this.onRun(this.client, r);
    r.n = 0;
  }

  private grow(): ClientSessions {
    const r = this.run;
    const cap = 2 * r.session.length;
    const session = new Float64Array(cap);
    const date = new Float64Array(cap);
    const alliance = new Float64Array(cap);
    const outcome = new Float64Array(cap);
    const group = new Int32Array(cap);
    session.set(r.session);
    date.set(r.date);
    alliance.set(r.alliance);
    outcome.set(r.outcome);
    group.set(r.group);
    Object.assign(r, { session, date, alliance, outcome, group });
    return r;
  }
}

function newRun(cap: number): ClientSessions {
  return {
    n: 0,
    session: new Float64Array(cap),
    date: new Float64Array(cap),
    alliance: new Float64Array(cap),
    outcome: new Float64Array(cap),
    group: new Int32Array(cap),
  };
}

/** Exclusion reasons by code (0: used). */
const REASONS: (ExclusionReason | null)[] = [null, 'missingBoth', 'missingPre', 'missingPost', 'oneMeasurement', 'noOutcome'];

/**
 * Where each client's intake and pre/post values are (Located, by client index), those
 * values themselves, and its outcome count, found once in pass A and read by the later passes.
 */
export class LocatedClients {
  private first = new Int32Array(1024);
  private pre = new Int32Array(1024);
  private post = new Int32Array(1024);
  private reason = new Uint8Array(1024);
  private oN = new Int32Array(1024);
  private sessionsN = new Int32Array(1024);
  private values = new Float64Array(3 * 1024);

  /** Client c's Located `at` in its sorted sessions `s`, and its outcome count. */
  set(c: number, at: Located, oN: number, s: ClientSessions): void {
    if (c >= this.first.length) {
      this.first = grow(this.first, c + 1);
      this.pre = grow(this.pre, c + 1);
      this.post = grow(this.post, c + 1);
      this.reason = grow(this.reason, c + 1);
      this.oN = grow(this.oN, c + 1);
      this.sessionsN = grow(this.sessionsN, c + 1);
      this.values = grow(this.values, 3 * this.first.length);
    }
    this.first[c] = at.first;
    this.pre[c] = at.pre;
    this.post[c] = at.post;
    this.reason[c] = REASONS.indexOf(at.reason);
    this.oN[c] = oN;
    this.sessionsN[c] = s.n;
    const v = 3 * c;
    this.values[v] = at.first >= 0 ? s.outcome[at.first] : NaN;
    this.values[v + 1] = at.pre >= 0 ? s.outcome[at.pre] : NaN;
    this.values[v + 2] = at.post >= 0 ? s.outcome[at.post] : NaN;
  }

  /** Client c's intake (NaN: none). */
  intake(c: number): number {
    return this.values[3 * c];
  }

  /** Client c's pre and post values (NaN where absent), into `out`. */
  prePost(c: number, out: PrePost): PrePost {
    out.pre = this.values[3 * c + 1];
    out.post = this.values[3 * c + 2];
    return out;
  }

  /** Index of client c's intake (-1: none); c must have been set. */
  firstOf(c: number): number {
    return this.first[c];
  }

  outcomes(c: number): number {
    return this.oN[c];
  }

  /** Client c's sessions (0: not set). */
  sessions(c: number): number {
    return c < this.sessionsN.length ? this.sessionsN[c] : 0;
  }

  /** Client c's Located, into `out`. */
  get(c: number, out: Located): Located {
    out.first = this.first[c];
    out.pre = this.pre[c];
    out.post = this.post[c];
    out.reason = REASONS[this.reason[c]];
    return out;
  }
}

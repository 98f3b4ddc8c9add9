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
 * Streamed: when the caller's passes need nothing of the store while the runs come in
 * order (trend.ts: no periods, groups or client rows), the runs are not written to the
 * store. The first `streamAfter` rows are logged as they came (an export not sorted by
 * client shows it in its first rows): should the order break among them, the log goes to
 * the store, which then is the store of a file not in order. Past them the log is let go
 * (`streamed`): what the runs give is all there is, and should the order break after
 * that, the store misses sessions (`lost`): the rest of the scan is ignored and the caller
 * reads the input again into a new store.
 */
import { grow } from '../../dataset/intern.js';
import type { SessionRow } from '../../dataset/types.js';
import type { Located, PrePost } from './clients.js';
import { SessionSorter } from './sorter.js';
import type { ClientSessions, RowPick, SessionStore } from './store.js';
import type { ExclusionReason } from './types.js';

/** Rows in order after which a streamed scan lets go of its log of them (at most about 2.8 MB). */
export const STREAM_AFTER = 1 << 16;

/** All columns move when a run is put in session order (a column not kept holds NaN). */
const ALL = { date: true, alliance: true, outcome: true, group: true };

export class RunCollector {
  inOrder = true;
  /** Whether the runs are no longer logged (streamed; see above): the store holds none of them. */
  streamed = false;
  /** Whether the order broke after the runs stopped being logged: the store misses sessions. */
  lost = false;
  /** Clients seen in runs: the highest client index + 1. */
  clients = 0;
  private readonly run: ClientSessions;
  private readonly sorter = new SessionSorter(64);
  private client = -1;
  /** The runs so far, as they came, while streamable and not yet streamed (null: runs go to the store). */
  private log: RunLog | null;

  /** `streamAfter`: rows in order after which the runs are not kept anywhere (Infinity: every run goes to the store). */
  constructor(
    private readonly store: SessionStore,
    private readonly onRun: (client: number, s: ClientSessions) => void,
    private readonly streamAfter = Infinity,
  ) {
    this.run = newRun(64);
    this.log = Number.isFinite(streamAfter) ? new RunLog() : null;
  }

  /**
   * add() of what `pick` keeps of a session row, read off the row here: the scan's row
   * handler passes the row itself because a call V8 does not inline boxes each number it
   * passes (a heap object per fractional score), and add()'s six numbers then cost the read
   * about 26 bytes of garbage per row (issue 15: measured with V8's sampling heap profiler).
   */
  addRow(row: SessionRow, pick: RowPick): void {
    const client = row.client;
    if (client !== this.client && this.inOrder) this.enter(client);
    if (!this.inOrder) {
      if (!this.lost) this.store.addRow(row, pick);
      return;
    }
    const r = this.run;
    const n = r.n;
    if (n === r.session.length) growRun(r, n + 1);
    const v = row.values;
    r.session[n] = row.session;
    r.date[n] = pick.date ? row.date : NaN;
    r.alliance[n] = pick.alliance >= 0 ? v[pick.alliance] : NaN;
    r.outcome[n] = pick.outcome >= 0 ? v[pick.outcome] : NaN;
    r.group[n] = pick.group !== null ? pick.group.read(row) : -1;
    r.n = n + 1;
  }

  add(client: number, session: number, date: number, alliance: number, outcome: number, group: number): void {
    if (client !== this.client && this.inOrder) this.enter(client);
    if (!this.inOrder) {
      if (!this.lost) this.store.add(client, session, date, alliance, outcome, group);
      return;
    }
    const r = this.run;
    const n = r.n;
    if (n === r.session.length) growRun(r, n + 1);
    r.session[n] = session;
    r.date[n] = date;
    r.alliance[n] = alliance;
    r.outcome[n] = outcome;
    r.group[n] = group;
    r.n = n + 1;
  }

  /** A row of a client other than the run's, while in order: ends the run; the order breaks when `client` comes before it. */
  private enter(client: number): void {
    this.end();
    if (client < this.client) {
      this.inOrder = false;
      this.lost = this.streamed;
      // Out of order within the logged rows: they go to the store, as they came.
      this.log?.replay(this.store);
      this.log = null;
    } else this.clients = client + 1;
    this.client = client;
  }

  /**
   * Ends the scan: the last run, and the log of a scan that was not streamed goes to the
   * store (an input of fewer than `streamAfter` rows has them all there, as when it is not
   * streamable).
   */
  finish(): void {
    this.end();
    this.log?.replay(this.store);
    this.log = null;
  }

  /** Ends the current run. */
  end(): void {
    const r = this.run;
    if (r.n === 0 || !this.inOrder) return;
    if (this.log !== null) {
      this.log.add(this.client, r);
      if (this.log.rows >= this.streamAfter) {
        this.log = null;
        this.streamed = true;
        this.store.stopKeeping();
      }
    } else if (!this.streamed) this.store.addRun(this.client, r, r.n);
    const sn = r.session;
    for (let k = 1; k < r.n; k++)
      if (sn[k - 1] > sn[k]) {
        this.sorter.sort(r, r.n, ALL);
        break;
      }
    this.onRun(this.client, r);
    r.n = 0;
  }
}

/** Grows the columns of `r` (all of one length) to hold at least `need` sessions, keeping what they hold. */
function growRun(r: ClientSessions, need: number): void {
  r.session = grow(r.session, need);
  r.date = grow(r.date, need);
  r.alliance = grow(r.alliance, need);
  r.outcome = grow(r.outcome, need);
  r.group = grow(r.group, need);
}

/** Runs as they came (each before it is put in session order), to be written to a store later. */
class RunLog {
  rows = 0;
  private readonly runs = newRun(1024);
  private clientOf = new Int32Array(64);
  private endOf = new Int32Array(64);
  private count = 0;

  add(client: number, r: ClientSessions): void {
    const log = this.runs;
    const at = this.rows;
    const n = r.n;
    growRun(log, at + n);
    log.session.set(r.session.subarray(0, n), at);
    log.date.set(r.date.subarray(0, n), at);
    log.alliance.set(r.alliance.subarray(0, n), at);
    log.outcome.set(r.outcome.subarray(0, n), at);
    log.group.set(r.group.subarray(0, n), at);
    if (this.count === this.clientOf.length) {
      this.clientOf = grow(this.clientOf, this.count + 1);
      this.endOf = grow(this.endOf, this.count + 1);
    }
    this.clientOf[this.count] = client;
    this.endOf[this.count++] = this.rows = at + n;
  }

  /** Writes the runs to `store` in the order they came (SessionStore.addRun, as a run at a time would have). */
  replay(store: SessionStore): void {
    const log = this.runs;
    let from = 0;
    for (let i = 0; i < this.count; i++) {
      const to = this.endOf[i];
      const view: ClientSessions = {
        n: to - from,
        session: log.session.subarray(from, to),
        date: log.date.subarray(from, to),
        alliance: log.alliance.subarray(from, to),
        outcome: log.outcome.subarray(from, to),
        group: log.group.subarray(from, to),
      };
      store.addRun(this.clientOf[i], view, view.n);
      from = to;
    }
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

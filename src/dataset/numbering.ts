/**
 * Session numbers over the final row stream (Mapping.sessionSource):
 *
 * - 'column' / 'column+date': the session column's numbers as read.
 * - 'date': 1..n by date within client; ties keep the order of appearance; rows without a
 *   valid date get no session number (NaN). One pre-pass (on the first scan, reading only
 *   client, session and date) checks whether each client's dates arrive in order; if not
 *   (the pass stops at the first date out of order), a second pre-pass computes the ranks
 *   (memory: about 20 bytes per row while ranking, 4 bytes per row kept; only in that case).
 * - 'file-order': 1..n in order of appearance within client.
 */
import { grow } from './intern.js';
import { BLANK_REASONS, type BlankReason, type BlankSessions, type SessionRow, type SessionSource } from './types.js';

export { BLANK_REASONS, type BlankReason, type BlankSessions };

/** Streams the rows (client, session and date only) in scan order; may stop by throwing StopPass. */
export type KeyPass = (onRow: (row: SessionRow) => void) => Promise<void>;

export class StopPass extends Error {}

interface DatePlan {
  /** Session number per row ordinal (0: none), or null when dates arrive in order within each client. */
  ranks: Int32Array | null;
}

/** The lines the output shows about blank session numbers (Mapping.notes). */
export function blankSessionNotes(b: BlankSessions): string[] {
  const out: string[] = [];
  if (b.byDateClients > 0) {
    out.push(`${b.byDateClients} client(s) had no session numbers (${b.byDateRows} row(s)): their sessions were numbered 1..n by date`);
  }
  if (b.mixedClients > 0) {
    out.push(`${b.mixedClients} client(s) had some blank session numbers (${b.mixedRows} row(s)): ${b.placed} placed by date between numbered sessions`);
  }
  const left = (Object.keys(BLANK_REASONS) as BlankReason[]).map((k) => [k, b.excluded[k] ?? 0] as const).filter(([, n]) => n > 0);
  if (left.length > 0) {
    const total = left.reduce((a, [, n]) => a + n, 0);
    out.push(`${total} row(s) with a blank session number left out: ${left.map(([k, n]) => `${n} ${BLANK_REASONS[k]}`).join('; ')}`);
  }
  return out;
}

/** The numbers given to the blank rows (by their ordinal among blank rows in scan order). */
interface BlankPlan {
  session: Float64Array;
  summary: BlankSessions;
}

/** Rows held back during a scan (those with a blank session number), columnar. */
class HeldRows {
  n = 0;
  private file = new Int32Array(16);
  private line = new Float64Array(16);
  client = new Int32Array(16);
  private date = new Float64Array(16);
  private therapist = new Int32Array(16);
  private groups: Int32Array;
  private values: Float64Array;
  constructor(
    private readonly G: number,
    private readonly M: number,
  ) {
    this.groups = new Int32Array(16 * Math.max(G, 1));
    this.values = new Float64Array(16 * Math.max(M, 1));
  }

  push(r: SessionRow): void {
    const n = this.n++;
    const cap = n + 1;
    this.file = grow(this.file, cap);
    this.line = grow(this.line, cap);
    this.client = grow(this.client, cap);
    this.date = grow(this.date, cap);
    this.therapist = grow(this.therapist, cap);
    this.groups = grow(this.groups, cap * Math.max(this.G, 1));
    this.values = grow(this.values, cap * Math.max(this.M, 1));
    this.file[n] = r.file;
    this.line[n] = r.line;
    this.client[n] = r.client;
    this.date[n] = r.date;
    this.therapist[n] = r.therapist;
    this.groups.set(r.groups, n * this.G);
    this.values.set(r.values, n * this.M);
  }

  /** Writes held row j into `r` (the scan's reused row object). */
  load(j: number, r: SessionRow): void {
    r.file = this.file[j];
    r.line = this.line[j];
    r.client = this.client[j];
    r.date = this.date[j];
    r.therapist = this.therapist[j];
    for (let g = 0; g < this.G; g++) r.groups[g] = this.groups[j * this.G + g];
    for (let m = 0; m < this.M; m++) r.values[m] = this.values[j * this.M + m];
  }
}

/** A scan's row handler and what to call after the last row. */
export interface NumberedScan {
  deliver: (row: SessionRow) => void;
  /** Delivers rows held back; returns what happened to blank session numbers (if anything). */
  finish: (row: SessionRow) => Promise<BlankSessions | undefined>;
}

export class Numbering {
  private plan: Promise<DatePlan> | null = null;
  private blankPlan: Promise<BlankPlan> | null = null;

  constructor(
    readonly source: SessionSource,
    private readonly keyPass: KeyPass,
    private readonly G: number,
    private readonly M: number,
  ) {}

  /** Wraps onRow so every row carries its session number; call once per scan. */
  async start(onRow: (row: SessionRow) => void): Promise<NumberedScan> {
    const none = async () => undefined;
    if (this.source === 'file-order') {
      let counter = new Int32Array(0);
      const deliver = (row: SessionRow) => {
        counter = grow(counter, row.client + 1);
        row.session = ++counter[row.client];
        onRow(row);
      };
      return { deliver, finish: none };
    }
    if (this.source === 'column+date') {
      // Rows with a blank session number are held back and delivered after the others,
      // numbered by date (see resolveBlanks); the others pass straight through.
      const held = new HeldRows(this.G, this.M);
      const deliver = (row: SessionRow) => {
        if (row.session === row.session) onRow(row);
        else held.push(row);
      };
      const finish = async (row: SessionRow): Promise<BlankSessions | undefined> => {
        if (held.n === 0) return undefined;
        this.blankPlan ??= this.resolveBlanks(held.client.subarray(0, held.n));
        const plan = await this.blankPlan;
        for (let j = 0; j < held.n; j++) {
          held.load(j, row);
          row.session = j < plan.session.length ? plan.session[j] : NaN;
          onRow(row);
        }
        return plan.summary;
      };
      return { deliver, finish };
    }
    if (this.source !== 'date') return { deliver: onRow, finish: none };
    this.plan ??= this.probe();
    const { ranks } = await this.plan;
    if (ranks) {
      let ordinal = 0;
      const deliver = (row: SessionRow) => {
        const k = ranks[ordinal++];
        row.session = k > 0 ? k : NaN;
        onRow(row);
      };
      return { deliver, finish: none };
    }
    let counter = new Int32Array(0);
    const deliver = (row: SessionRow) => {
      if (row.date === row.date) {
        counter = grow(counter, row.client + 1);
        row.session = ++counter[row.client];
      } else row.session = NaN;
      onRow(row);
    };
    return { deliver, finish: none };
  }

  /**
   * Numbers for the rows with a blank session number (one key pass, only when there are
   * any). Per client, with the blank rows' dates and the numbered rows' (session, date):
   *
   * - All blank: numbered 1..n by date, as when a file has no session column. A row whose
   *   date another blank row of the client shares is left out (which of them came first is
   *   not known); the rows after it keep their place in the date order.
   * - Some numbered: the numbered sessions must be in date order (strictly later dates for
   *   higher numbers), else every blank row of the client is left out. A blank row dated
   *   between two numbered sessions s < t (or before the first, t, with s = 0; or after the
   *   last, s, with no t) is placed when the numbers between s and t are exactly as many as
   *   the blank rows dated between them (after the last: always), numbered in date order;
   *   otherwise, or when its date equals another session's, it is left out.
   *
   * Rows without a date are left out. Nothing depends on the order of rows in the file.
   */
  private async resolveBlanks(heldClients: Int32Array): Promise<BlankPlan> {
    // Which clients have blank rows: those of the rows held back in this (complete) scan.
    const nBlank = heldClients.length;
    let hasBlank = new Uint8Array(0);
    for (const c of heldClients) {
      hasBlank = grow(hasBlank, c + 1);
      hasBlank[c] = 1;
    }
    // One key pass: every row of those clients (client, session, date, blank ordinal or -1).
    const cl: number[] = [];
    const se: number[] = [];
    const dt: number[] = [];
    const ord: number[] = [];
    let k = 0;
    await this.keyPass((row) => {
      const blank = row.session !== row.session;
      if (row.client >= hasBlank.length || hasBlank[row.client] === 0) return;
      cl.push(row.client);
      se.push(row.session);
      dt.push(row.date);
      ord.push(blank ? k++ : -1);
    });
    const session = new Float64Array(nBlank).fill(NaN);
    const summary: BlankSessions = { byDateClients: 0, byDateRows: 0, mixedClients: 0, mixedRows: 0, placed: 0, mixed: [], excluded: {} };
    const exclude = (reason: BlankReason, n = 1) => {
      if (n > 0) summary.excluded[reason] = (summary.excluded[reason] ?? 0) + n;
    };
    // Group row indexes by client (in order of first appearance of the client id).
    const byClient = new Map<number, number[]>();
    for (let i = 0; i < cl.length; i++) {
      let list = byClient.get(cl[i]);
      if (!list) byClient.set(cl[i], (list = []));
      list.push(i);
    }
    for (const [client, rows] of byClient) {
      const blanks = rows.filter((i) => ord[i] >= 0);
      const numbered = rows.filter((i) => ord[i] < 0);
      const dated = blanks.filter((i) => dt[i] === dt[i]);
      exclude('noDate', blanks.length - dated.length);
      if (numbered.length === 0) {
        summary.byDateClients++;
        summary.byDateRows += blanks.length;
        dated.sort((a, b) => dt[a] - dt[b]);
        for (let j = 0; j < dated.length; j++) {
          const d = dt[dated[j]];
          const tied = (j > 0 && dt[dated[j - 1]] === d) || (j + 1 < dated.length && dt[dated[j + 1]] === d);
          if (tied) exclude('tie');
          else session[ord[dated[j]]] = j + 1;
        }
        continue;
      }
      summary.mixedClients++;
      summary.mixedRows += blanks.length;
      const entry = { client, blank: blanks.length, placed: 0 };
      summary.mixed.push(entry);
      // Numbered sessions in session order must have strictly increasing dates.
      const known = numbered.filter((i) => dt[i] === dt[i]).sort((a, b) => se[a] - se[b]);
      let ordered = true;
      for (let j = 1; j < known.length; j++) if (!(se[known[j]] > se[known[j - 1]] && dt[known[j]] > dt[known[j - 1]])) ordered = false;
      if (!ordered || known.length === 0) {
        exclude(known.length === 0 ? 'ambiguous' : 'disordered', dated.length);
        continue;
      }
      const takenDates = new Set(known.map((i) => dt[i]));
      const used = new Set(numbered.map((i) => se[i]));
      dated.sort((a, b) => dt[a] - dt[b]);
      // Walk the gaps between numbered sessions: (previous, next].
      let p = 0;
      for (let g = 0; g <= known.length; g++) {
        const lo = g === 0 ? -Infinity : dt[known[g - 1]];
        const hi = g === known.length ? Infinity : dt[known[g]];
        const from = g === 0 ? 0 : se[known[g - 1]];
        const to = g === known.length ? Infinity : se[known[g]];
        const inGap: number[] = [];
        while (p < dated.length && dt[dated[p]] <= hi) {
          if (dt[dated[p]] > lo) inGap.push(dated[p]);
          p++;
        }
        if (inGap.length === 0) continue;
        const clean = inGap.filter(
          (i, j) => !takenDates.has(dt[i]) && !(j > 0 && dt[inGap[j - 1]] === dt[i]) && !(j + 1 < inGap.length && dt[inGap[j + 1]] === dt[i]),
        );
        exclude('tie', inGap.length - clean.length);
        // The numbers free in the gap (not taken by a numbered row, dated or not).
        let free: number[] | null = [];
        if (to === Infinity) {
          if ([...used].some((u) => u > from)) free = null;
          else for (let j = 1; j <= clean.length; j++) free.push(from + j);
        } else if (to - from > 100_000) free = null;
        else for (let u = Math.floor(from) + 1; u < to; u++) if (!used.has(u)) free.push(u);
        if (free !== null && clean.length > 0 && clean.length === inGap.length && free.length === clean.length) {
          clean.forEach((i, j) => (session[ord[i]] = free[j]));
          summary.placed += clean.length;
          entry.placed += clean.length;
        } else exclude('ambiguous', clean.length);
      }
    }
    return { session, summary };
  }
  private async probe(): Promise<DatePlan> {
    let last = new Float64Array(0);
    let sorted = true;
    try {
      await this.keyPass((row) => {
        if (row.date !== row.date) return;
        last = grow(last, row.client + 1, -Infinity);
        if (row.date < last[row.client]) {
          sorted = false;
          throw new StopPass(); // the rank pass below reads everything anyway
        }
        last[row.client] = row.date;
      });
    } catch (e) {
      if (!(e instanceof StopPass)) throw e;
    }
    if (sorted) return { ranks: null };
    let cl = new Int32Array(1024);
    let dt = new Float64Array(1024);
    let n = 0;
    await this.keyPass((row) => {
      cl = grow(cl, n + 1);
      dt = grow(dt, n + 1);
      cl[n] = row.client;
      dt[n] = row.date;
      n++;
    });
    return { ranks: rankWithinClient(cl.subarray(0, n), dt.subarray(0, n)) };
  }
}

/**
 * Session numbers 1..n by date within client; ties keep the order of appearance; rows
 * without a date get 0 (no session number).
 */
export function rankWithinClient(client: Int32Array, date: Float64Array): Int32Array {
  const n = client.length;
  const out = new Int32Array(n);
  let nc = 0;
  for (let i = 0; i < n; i++) if (client[i] + 1 > nc) nc = client[i] + 1;
  const start = new Int32Array(nc + 1);
  for (let i = 0; i < n; i++) if (date[i] === date[i]) start[client[i] + 1]++;
  for (let c = 0; c < nc; c++) start[c + 1] += start[c];
  const order = new Uint32Array(start[nc]);
  const fill = start.slice(0, nc);
  for (let i = 0; i < n; i++) if (date[i] === date[i]) order[fill[client[i]]++] = i;
  for (let c = 0; c < nc; c++) {
    const seg = order.subarray(start[c], start[c + 1]);
    seg.sort((x, y) => date[x] - date[y] || x - y);
    for (let k = 0; k < seg.length; k++) out[seg[k]] = k + 1;
  }
  return out;
}

/**
 * Session rules on interpreted rows (Dataset.scan onRow): duplicate client + session,
 * session numbers that disagree with dates, dates in the future or before 1990, gaps in
 * session numbers, and sessions per client for the summary.
 *
 * Memory is per client, not per row: a few typed-array slots per client (row count,
 * previous session and date) and a 64-bit bitmap of the
 * session numbers 0..63 seen, which makes duplicate detection exact for any arrival
 * order. Session numbers outside 0..63 (or fractional) go into a small per-client Set,
 * created only for clients that have such numbers.
 *
 * Gaps do not depend on row order (issue 9.2): they are read off the seen-session
 * bitmap/Set at the end, between each pair of consecutive session numbers a client has.
 * To place a gap at the row of the session after it, the rules keep the row of each
 * client's lowest session (typed arrays) and, in a Map, of each higher session only while
 * the number just below it is unseen (a "run start"); the row that fills the number below
 * drops it. For sorted input the Map holds only real gaps. Rows arrive in (file, line)
 * order, so with duplicate rows the first one is kept.
 */
import { civilFromDays, daysFromCivil } from '../dataset/values.js';
import type { SessionRow } from '../dataset/types.js';
import type { RuleContext } from './context.js';

/** Dates before this are implausible for routine outcome monitoring. */
export const OLDEST_PLAUSIBLE = daysFromCivil(1990, 1, 1);

/** Where a session row is, as one number: file index * 2^32 + line. */
const LINE_SPAN = 2 ** 32;

function grow<T extends Int32Array | Float64Array | Uint32Array>(a: T, need: number, fill = 0): T {
  if (need <= a.length) return a;
  let n = Math.max(1024, a.length * 2);
  while (n < need) n *= 2;
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}

export interface SessionRuleOptions {
  /** Session numbers come from a column (duplicates and gaps are meaningful). */
  sessionColumn: boolean;
  /** Field index of the session column per file (-1 absent), for locating findings. */
  sessionField: (file: number) => number;
  dateField: (file: number) => number;
  /** Today as days since 1970-01-01. */
  today: number;
  /** Client id text for messages. */
  clientName: (client: number) => string;
}

export class SessionRules {
  private count = new Int32Array(0);
  /** Lowest session number seen so far (+Infinity: none) and its row (a place number). */
  private minSession = new Float64Array(0);
  private minPlace = new Float64Array(0);
  private prevSession = new Float64Array(0);
  private prevDate = new Float64Array(0);
  private bitsLo = new Uint32Array(0);
  private bitsHi = new Uint32Array(0);
  private readonly overflow = new Map<number, Set<number>>();
  /**
   * Per client: session number -> row (place number), for sessions above the client's
   * lowest whose number - 1 is not seen (yet). Empty for sorted input without gaps.
   */
  private readonly runStarts = new Map<number, Map<number, number>>();
  private clientsSeen = 0;

  constructor(
    private readonly ctx: RuleContext,
    private readonly opts: SessionRuleOptions,
  ) {}

  private ensure(c: number): void {
    if (c < this.clientsSeen) return;
    const need = c + 1;
    this.count = grow(this.count, need);
    this.minSession = grow(this.minSession, need, Infinity);
    this.minPlace = grow(this.minPlace, need);
    this.prevSession = grow(this.prevSession, need, NaN);
    this.prevDate = grow(this.prevDate, need, NaN);
    this.bitsLo = grow(this.bitsLo, need);
    this.bitsHi = grow(this.bitsHi, need);
    this.clientsSeen = need;
  }

  /** Has client c had session s? */
  seen(c: number, s: number): boolean {
    if (s >= 0 && s < 64 && s === Math.floor(s)) {
      return s < 32 ? (this.bitsLo[c] & (1 << s)) !== 0 : (this.bitsHi[c] & (1 << (s - 32))) !== 0;
    }
    return this.overflow.get(c)?.has(s) ?? false;
  }

  private mark(c: number, s: number): void {
    if (s >= 0 && s < 64 && s === Math.floor(s)) {
      if (s < 32) this.bitsLo[c] |= 1 << s;
      else this.bitsHi[c] |= 1 << (s - 32);
      return;
    }
    let set = this.overflow.get(c);
    if (!set) this.overflow.set(c, (set = new Set()));
    set.add(s);
  }

  row(r: SessionRow): void {
    const c = r.client;
    this.ensure(c);
    this.count[c]++;
    const { ctx, opts } = this;
    const s = r.session;
    const d = r.date;
    if (opts.sessionColumn && s === s) {
      const sf = opts.sessionField(r.file);
      if (s < 0 || s !== Math.floor(s)) {
        ctx.add('value.invalid-session', r.file, r.line, sf, String(s), () => `session number ${s} is not a whole number >= 0; correct it`);
      } else if (this.seen(c, s)) {
        ctx.add(
          'session.duplicate',
          r.file,
          r.line,
          sf,
          String(s),
          () => `client '${opts.clientName(c)}' has session ${s} more than once; remove the duplicate row or correct its session number`,
        );
      } else {
        this.mark(c, s);
        this.noteRunStart(c, s, r.file * LINE_SPAN + r.line);
        // Order against dates, compared with this client's previous dated row.
        const ps = this.prevSession[c];
        const pd = this.prevDate[c];
        if (d === d && pd === pd && ps === ps) {
          if ((s > ps && d < pd) || (s < ps && d > pd)) {
            const df = opts.dateField(r.file);
            ctx.add(
              'session.order-vs-date',
              r.file,
              r.line,
              df >= 0 ? df : sf,
              `${s} on ${civilFromDays(d)}`,
              () =>
                `client '${opts.clientName(c)}' session ${s} is dated ${civilFromDays(d)}, ${d < pd ? 'before' : 'after'} session ${ps} (${civilFromDays(pd)}); correct the session number or the date`,
            );
          }
        }
        // Remember the client's last dated row (rows without a date are not compared).
        if (d === d) {
          this.prevSession[c] = s;
          this.prevDate[c] = d;
        }
      }
    }
    if (d === d) {
      const df = opts.dateField(r.file);
      if (d > opts.today) {
        ctx.add(
          'session.future-date',
          r.file,
          r.line,
          df,
          civilFromDays(d),
          () => `date ${civilFromDays(d)} is after today (${civilFromDays(opts.today)}); correct it (check the day/month order or --date-format)`,
        );
      } else if (d < OLDEST_PLAUSIBLE) {
        ctx.add(
          'session.old-date',
          r.file,
          r.line,
          df,
          civilFromDays(d),
          () => `date ${civilFromDays(d)} is before 1990-01-01; correct it (a spreadsheet default date usually means the cell was blank)`,
        );
      }
    }
  }

  /** Keeps the row of session s (just marked) while s - 1 is unseen; see runStarts. */
  private noteRunStart(c: number, s: number, place: number): void {
    let starts = this.runStarts.get(c);
    const min = this.minSession[c];
    if (s < min) {
      // A new lowest session: the old lowest becomes a run start unless s is right below it.
      if (min !== Infinity && s < min - 1) {
        if (!starts) this.runStarts.set(c, (starts = new Map<number, number>()));
        starts.set(min, this.minPlace[c]);
      }
      this.minSession[c] = s;
      this.minPlace[c] = place;
      return;
    }
    if (starts?.delete(s + 1) && starts.size === 0) this.runStarts.delete(c);
    if (!this.seen(c, s - 1)) {
      if (!starts || starts.size === 0) this.runStarts.set(c, (starts = new Map<number, number>()));
      starts.set(s, place);
    }
  }

  /**
   * Reports gaps: for each pair of consecutive session numbers a client has (a, b with
   * b > a + 1), one finding at the row of session b naming a+1..b-1. Independent of row order.
   */
  finish(): void {
    const { ctx, opts } = this;
    for (const [c, starts] of this.runStarts) {
      if (starts.size === 0) continue;
      const present = this.present(c);
      for (let k = 1; k < present.length; k++) {
        const a = present[k - 1];
        const b = present[k];
        if (b <= a + 1) continue;
        const at = starts.get(b);
        if (at === undefined) continue; // cannot happen: b - 1 is unseen, so b is still a run start
        const file = Math.floor(at / LINE_SPAN);
        const from = a + 1;
        const to = b - 1;
        const total = to - from + 1;
        let list: string;
        if (total <= 64) {
          const missing: number[] = [];
          for (let s = from; s <= to; s++) missing.push(s);
          list = missing.length > 6 ? `${missing.slice(0, 3).join(', ')}, ..., ${to}` : missing.join(', ');
        } else {
          // A wide jump (e.g. date-like session numbers): a range instead of a list.
          list = `${from}-${to} (${total} numbers)`;
        }
        ctx.add(
          'session.gap',
          file,
          at - file * LINE_SPAN,
          opts.sessionField(file),
          list,
          `client '${opts.clientName(c)}' has no session ${list} before session ${b}; add the missing sessions (ignore if they were not attended)`,
        );
      }
    }
  }

  /** The whole session numbers client c has, ascending. */
  private present(c: number): number[] {
    const out: number[] = [];
    for (let s = 0; s < 64; s++) if (this.seen(c, s)) out.push(s);
    const extra = this.overflow.get(c);
    if (extra) {
      for (const s of extra) if (s > 63 && s === Math.floor(s)) out.push(s);
      out.sort((x, y) => x - y);
    }
    return out;
  }

  /** Rows per client, for clients that have at least one row. */
  sessionsPerClient(): Int32Array {
    const out: number[] = [];
    for (let c = 0; c < this.clientsSeen; c++) if (this.count[c] > 0) out.push(this.count[c]);
    return Int32Array.from(out);
  }
}

/** min / median / max of counts (median as R's median: mean of the two middle values). */
export function countSummary(counts: Int32Array): { min: number; median: number; max: number } | null {
  if (counts.length === 0) return null;
  const s = Int32Array.from(counts).sort();
  const n = s.length;
  const median = n % 2 === 1 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  return { min: s[0], median, max: s[n - 1] };
}

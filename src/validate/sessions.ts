/**
 * Session rules on interpreted rows (Dataset.scan onRow): duplicate client + session,
 * session numbers that disagree with dates, dates in the future or before 1990, gaps in
 * session numbers, and sessions per client for the summary.
 *
 * Memory is per client, not per row: a few typed-array slots per client (row count,
 * highest session so far, previous session and date) and a 64-bit bitmap of the
 * session numbers 0..63 seen, which makes duplicate detection exact for any arrival
 * order. Session numbers outside 0..63 (or fractional) go into a small per-client Set,
 * created only for clients that have such numbers. Gaps are noted when a client's
 * sessions jump (2 -> 5) and confirmed at the end, so a late row that fills the gap
 * cancels it.
 */
import { civilFromDays, daysFromCivil } from '../dataset/values.js';
import type { SessionRow } from '../dataset/types.js';
import type { RuleContext } from './context.js';

/** Dates before this are implausible for routine outcome monitoring. */
export const OLDEST_PLAUSIBLE = daysFromCivil(1990, 1, 1);

interface PendingGap {
  client: number;
  file: number;
  line: number;
  from: number;
  to: number;
}

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
  private maxSession = new Float64Array(0);
  private prevSession = new Float64Array(0);
  private prevDate = new Float64Array(0);
  private bitsLo = new Uint32Array(0);
  private bitsHi = new Uint32Array(0);
  private readonly overflow = new Map<number, Set<number>>();
  private readonly gaps: PendingGap[] = [];
  private clientsSeen = 0;

  constructor(
    private readonly ctx: RuleContext,
    private readonly opts: SessionRuleOptions,
  ) {}

  private ensure(c: number): void {
    if (c < this.clientsSeen) return;
    const need = c + 1;
    this.count = grow(this.count, need);
    this.maxSession = grow(this.maxSession, need, -Infinity);
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
        const max = this.maxSession[c];
        if (max !== -Infinity && s > max + 1) this.gaps.push({ client: c, file: r.file, line: r.line, from: max + 1, to: s - 1 });
        if (s > max) this.maxSession[c] = s;
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
              () => `client '${opts.clientName(c)}' session ${s} is dated ${civilFromDays(d)}, ${d < pd ? 'before' : 'after'} session ${ps} (${civilFromDays(pd)}); correct the session number or the date`,
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

  /** Confirms pending gaps (a later row may have filled them). */
  finish(): void {
    const { ctx, opts } = this;
    for (const g of this.gaps) {
      const total = g.to - g.from + 1;
      let list: string;
      if (total <= 64) {
        const missing: number[] = [];
        for (let s = g.from; s <= g.to; s++) if (!this.seen(g.client, s)) missing.push(s);
        if (missing.length === 0) continue;
        list = missing.length > 6 ? `${missing.slice(0, 3).join(', ')}, ..., ${missing[missing.length - 1]}` : missing.join(', ');
      } else {
        // A wide jump (e.g. date-like session numbers): count what arrived later instead of enumerating.
        const filled = this.countSeen(g.client, g.from, g.to);
        if (filled >= total) continue;
        list = `${g.from}-${g.to} (${total - filled} numbers)`;
      }
      ctx.add(
        'session.gap',
        g.file,
        g.line,
        opts.sessionField(g.file),
        list,
        `client '${opts.clientName(g.client)}' has no session ${list} before session ${g.to + 1}; add the missing sessions (ignore if they were not attended)`,
      );
    }
  }

  /** How many whole session numbers in [from, to] client c has. */
  private countSeen(c: number, from: number, to: number): number {
    let n = 0;
    for (let s = Math.max(0, Math.ceil(from)); s <= Math.min(63, to); s++) if (this.seen(c, s)) n++;
    for (const s of this.overflow.get(c) ?? []) if (s >= from && s <= to && s === Math.floor(s) && (s < 0 || s > 63)) n++;
    return n;
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

/**
 * The report's period filter in words a scheduler can keep (issue 13): `from` / `to` take an
 * ISO date or a form relative to the as-of day, so a monthly cron job needs no config edit:
 *
 *   2024-03-31             that day
 *   today, yesterday       the as-of day, the day before
 *   this-month, last-month, this-quarter, last-quarter, this-year, last-year
 *                          the calendar period (from: its first day; to: its last day)
 *   -3 months, -2 weeks, -10 days, -1 year
 *                          that long before the as-of day (months and years keep the day
 *                          of the month, clamped to the month's last day: -1 month from
 *                          03-31 is 02-29 in a leap year)
 *
 * The as-of day is --as-of, else the config's `today`, else SOURCE_DATE_EPOCH's day (so a
 * reproducible build resolves the same way), else the day of the run (UTC).
 */
import { UserError } from '../../errors.js';
import { sourceDateEpochDay } from '../../io/process.js';
import { parseDate } from '../../dataset/values.js';

const DAY_MS = 86_400_000;

export function dayOf(iso: string): number {
  return /^\d{4}-\d{2}-\d{2}$/.test(iso) ? parseDate(iso, 'iso') : NaN;
}

export function isoOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Days since 1970-01-01 of a calendar date (month 0-based, may overflow; day clamped to the month). */
function ymd(y: number, m: number, d: number): number {
  const first = Date.UTC(y, m, 1) / DAY_MS;
  const last = Date.UTC(y, m + 1, 0) / DAY_MS;
  return Math.min(first + d - 1, last);
}

export const RELATIVE_FORMS =
  'a date YYYY-MM-DD, today, yesterday, this-month, last-month, this-quarter, last-quarter, this-year, last-year, or -N days|weeks|months|years';

/**
 * The day `text` names, as the start (`from`) or the end (`to`) of a period, relative to
 * `asOf` (days since 1970-01-01); null when `text` is none of the forms.
 */
export function resolveDay(text: string, asOf: number, end: 'from' | 'to'): number | null {
  const s = text.trim().toLowerCase();
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
    const d = dayOf(s);
    return Number.isNaN(d) ? null : d;
  }
  if (s === 'today') return asOf;
  if (s === 'yesterday') return asOf - 1;
  const at = new Date(asOf * DAY_MS);
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth();
  const d = at.getUTCDate();
  const period = /^(this|last)-(month|quarter|year)$/.exec(s);
  if (period) {
    const back = period[1] === 'last' ? 1 : 0;
    const span = period[2] === 'month' ? 1 : period[2] === 'quarter' ? 3 : 12;
    const startMonth = period[2] === 'month' ? m - back : period[2] === 'quarter' ? Math.floor(m / 3) * 3 - 3 * back : 0;
    const startYear = period[2] === 'year' ? y - back : y;
    const first = ymd(startYear, startMonth, 1);
    return end === 'from' ? first : ymd(startYear, startMonth + span, 1) - 1;
  }
  const rel = /^-\s*(\d{1,4})\s*(day|week|month|year)s?$/.exec(s);
  if (rel) {
    const n = Number(rel[1]);
    if (rel[2] === 'day') return asOf - n;
    if (rel[2] === 'week') return asOf - 7 * n;
    return rel[2] === 'month' ? ymd(y, m - n, d) : ymd(y - n, m, d);
  }
  return null;
}

/** The as-of day: --as-of, else the config's `today`, else SOURCE_DATE_EPOCH's day, else `now`. */
export function asOfDay(flag: string | undefined, configToday: string | undefined, env: Record<string, string | undefined>, now: Date): number {
  if (flag !== undefined) {
    const d = dayOf(flag.trim());
    if (Number.isNaN(d)) throw new UserError(`--as-of must be a date YYYY-MM-DD (got '${flag}')`, { key: '--as-of', hint: 'For example --as-of 2025-01-31' });
    return d;
  }
  if (configToday !== undefined && !Number.isNaN(dayOf(configToday))) return dayOf(configToday);
  return sourceDateEpochDay(env) ?? Math.floor(now.getTime() / DAY_MS);
}

/** The period's flags (`alliance report --from/--to/--as-of`); they win over report.filters. */
export interface PeriodFlags {
  from?: string;
  to?: string;
  asOf?: string;
}

/**
 * `from` and `to` (flags over config) as ISO dates resolved against the as-of day. A flag
 * that is none of the forms is an error naming it; a period that ends before it starts is
 * an error naming both ends as written and resolved.
 */
export function resolvePeriod(
  filters: { from: string | null; to: string | null },
  flags: PeriodFlags,
  asOf: number,
): { from: string | null; to: string | null; asOf: string; written: { from: string | null; to: string | null } } {
  const one = (flag: string | undefined, written: string | null, end: 'from' | 'to'): [string | null, string | null] => {
    const text = flag ?? written;
    if (text === null) return [null, null];
    const day = resolveDay(text, asOf, end);
    if (day === null)
      throw new UserError(`--${end} must be ${RELATIVE_FORMS} (got '${text}')`, { key: `--${end}`, hint: 'For example --from last-month --to last-month' });
    return [isoOf(day), text];
  };
  const [from, fromText] = one(flags.from, filters.from, 'from');
  const [to, toText] = one(flags.to, filters.to, 'to');
  if (from !== null && to !== null && from > to) {
    throw new UserError(`the period ends before it starts: from ${fromText} (${from}) to ${toText} (${to}), as of ${isoOf(asOf)}`, {
      hint: 'Check --from/--to or report.filters.from/to',
    });
  }
  return { from, to, asOf: isoOf(asOf), written: { from: fromText, to: toText } };
}

/**
 * Cell interpretation: missing-value markers, numbers (with either decimal mark), dates
 * and the numeric "missing codes" some exports use (-9, -99, 999, ...).
 *
 * Everything here is allocation-free on the common path: numbers and dates are parsed
 * from char codes, and a missing-token lookup only lowercases short strings.
 */
import { parseNumberFast } from '../io/number.js';
import type { DateFormat } from './types.js';

/** Tokens that mean "no value", compared trimmed and case-insensitively. */
export const DEFAULT_MISSING_TOKENS = ['', 'NA', 'N/A', 'NaN', 'null', '.', '-'];

/** Numeric sentinels that exports use for "missing" (only treated so outside an instrument's range). */
export const MISSING_CODES = [-9, -99, -999, -9999, 999, 9999];
/** Sentinels treated as missing codes for plain measures (no instrument range to compare with). */
export const PLAIN_MISSING_CODES = [-9, -99, -999];

export class MissingTokens {
  private readonly set: Set<string>;
  private readonly maxLen: number;
  /** Char codes (both cases) a token can start with; other cells are rejected at once. */
  private readonly first = new Uint8Array(128);
  private readonly anyNonAscii: boolean;
  /**
   * True when a declared token reads as a number (e.g. `--missing -99`): such cells parse
   * as numbers, so the hot path must ask `has` before it takes the number.
   */
  readonly numericTokens: boolean;
  constructor(extra: readonly string[] = []) {
    this.set = new Set([...DEFAULT_MISSING_TOKENS, ...extra].map((t) => t.trim().toLowerCase()));
    this.numericTokens = [...this.set].some((t) => t !== '' && Number.isFinite(Number(t.replace(',', '.'))));
    let max = 0;
    let nonAscii = false;
    for (const t of this.set) {
      max = Math.max(max, t.length);
      if (t.length === 0) continue;
      const c = t.charCodeAt(0);
      if (c >= 128) nonAscii = true;
      else {
        this.first[c] = 1;
        this.first[t[0].toUpperCase().charCodeAt(0) & 127] = 1;
      }
    }
    this.first[32] = 1; // leading spaces: trim first
    this.first[9] = 1;
    this.anyNonAscii = nonAscii;
    this.maxLen = max;
  }
  /** The markers (trimmed, lower case): `new MissingTokens(tokens())` is the same set (a worker's copy). */
  tokens(): string[] {
    return [...this.set];
  }
  /** True when the (untrimmed) cell text is a missing-value marker. */
  has(s: string): boolean {
    const n = s.length;
    if (n === 0) return true;
    const c = s.charCodeAt(0);
    if (c < 128 ? this.first[c] === 0 : !this.anyNonAscii) return false;
    if (n > this.maxLen + 8) return false;
    return this.set.has(s.trim().toLowerCase());
  }
}

/**
 * Parses a number written with `decimal` as the decimal mark. Returns NaN for text that is
 * not a finite number (the caller decides whether it is a missing marker). Accepts
 * surrounding spaces, a sign, digits with one decimal mark, and exponents; rejects
 * thousands separators, hex, "Infinity" and empty text. Equal to Number() bit for bit.
 *
 * The common short cell ([-]digits[.digits], at most 15 characters) is parsed here, in a
 * loop small enough to inline into the scan (about 6% of a scan's time); everything else
 * goes to the CSV layer's parseNumberFast (src/io/number.ts), which defines the grammar.
 * Exactness: at most 15 digits make an exact integer mantissa, and one IEEE division by
 * an exact power of ten is correctly rounded (Clinger's fast path).
 */
export function parseNumber(s: string, decimal: '.' | ',' = '.'): number {
  const n = s.length;
  if (n === 0 || n > 15) return parseNumberFast(s, decimal === ',');
  const mark = decimal === ',' ? 44 : 46;
  let i = 0;
  let neg = false;
  if (s.charCodeAt(0) === 45) {
    neg = true;
    i = 1;
  }
  const start = i;
  let m = 0;
  let dot = -1;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) m = m * 10 + (c - 48);
    else if (c === mark && dot < 0) dot = i;
    else return parseNumberFast(s, decimal === ',');
  }
  if (n - start === (dot >= 0 ? 1 : 0)) return NaN; // "-", ".", "-."
  const v = dot < 0 ? m : m / POW10[n - 1 - dot];
  return neg ? -v : v;
}

/**
 * `parseNumber(bytes.toString('utf8', start, end), decimal)` without the string: the same
 * short-cell fast path over a range of UTF-8 bytes (the scanner's range mode), and the same
 * function on the decoded cell for everything else, so the result is identical bit for bit.
 */
export function parseNumberBytes(bytes: Buffer, start: number, end: number, decimal: '.' | ',' = '.'): number {
  const n = end - start;
  if (n === 0 || n > 15) return parseNumber(bytes.toString('utf8', start, end), decimal);
  const mark = decimal === ',' ? 44 : 46;
  let i = start;
  let neg = false;
  if (bytes[i] === 45) {
    neg = true;
    i++;
  }
  const first = i;
  let m = 0;
  let dot = -1;
  for (; i < end; i++) {
    const c = bytes[i];
    if (c >= 48 && c <= 57) m = m * 10 + (c - 48);
    else if (c === mark && dot < 0) dot = i;
    else return parseNumber(bytes.toString('utf8', start, end), decimal);
  }
  if (end - first === (dot >= 0 ? 1 : 0)) return NaN; // "-", ".", "-."
  const v = dot < 0 ? m : m / POW10[end - 1 - dot];
  return neg ? -v : v;
}

/**
 * The short-cell fast path of `parseNumberBytes` alone, writing into `out[i]` instead of
 * returning the number (a returned double is boxed unless the call is inlined; the hot
 * loop parses two or three cells a row). Returns false, leaving `out[i]` alone, for
 * anything but `-?digits(mark digits)?` of 1..15 bytes with at least one digit; the
 * caller then takes the general path. When it returns true, `out[i]` is exactly
 * `parseNumber(text, decimal)` of the cell's text. `mark` is 46 ('.') or 44 (',').
 */
export function parseNumberBytesInto(bytes: Buffer, start: number, end: number, mark: number, out: Float64Array, at: number): boolean {
  const n = end - start;
  if (n === 0 || n > 15) return false;
  let i = start;
  const neg = bytes[i] === 45;
  if (neg) i++;
  const first = i;
  let m = 0;
  let dot = -1;
  for (; i < end; i++) {
    const c = bytes[i];
    if (c >= 48 && c <= 57) m = m * 10 + (c - 48);
    else if (c === mark && dot < 0) dot = i;
    else return false;
  }
  if (end - first === (dot >= 0 ? 1 : 0)) return false; // "-", ".", "-."
  const v = dot < 0 ? m : m / POW10[end - 1 - dot];
  out[at] = neg ? -v : v;
  return true;
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

// ---------------------------------------------------------------------------------------
// Dates

/** Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant, "days_from_civil"). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** ISO yyyy-mm-dd of a day number (for messages and tests). */
export function civilFromDays(z: number): string {
  const ms = z * 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** The shape of a date cell, decided from its text alone. */
export const DateShape = {
  None: 0,
  /** yyyy-mm-dd or yyyy/mm/dd (optionally followed by a time). */
  Iso: 1,
  /** a/b/yyyy: day-first or month-first. */
  Slash: 2,
  /** dd.mm.yyyy */
  Dot: 3,
  /** dd-mm-yyyy (treated like a slash date). */
  Dash: 4,
} as const;
export type DateShape = (typeof DateShape)[keyof typeof DateShape];

/**
 * Scratch result of `scanDate` (module-level so parsing allocates nothing). Valid until
 * the next call.
 */
export const dateParts = { shape: DateShape.None as DateShape, a: 0, b: 0, c: 0 };

/**
 * Splits a date cell into three numeric components and a shape. Accepts an optional time of
 * day after a space or 'T' (isTimeOfDay: read for its shape, not interpreted); any other text
 * after the date (a name, a note) makes the cell no date. Returns the shape (None when the
 * text is not a date).
 */
const COMPS = new Int32Array(3);
const LENS = new Int32Array(3);

export function scanDate(s: string): DateShape {
  const n = s.length;
  let i = 0;
  while (i < n && s.charCodeAt(i) === 32) i++;
  let end = n;
  while (end > i && s.charCodeAt(end - 1) === 32) end--;
  const comps = COMPS;
  const lens = LENS;
  comps[0] = comps[1] = comps[2] = 0;
  lens[0] = lens[1] = lens[2] = 0;
  let k = 0;
  let sep = 0;
  let j = i;
  for (; j < end; j++) {
    const c = s.charCodeAt(j);
    if (c >= 48 && c <= 57) {
      if (lens[k] >= 4) return fail();
      comps[k] = comps[k] * 10 + (c - 48);
      lens[k]++;
    } else if ((c === 45 || c === 47 || c === 46) && k < 2) {
      if (lens[k] === 0) return fail();
      if (sep === 0) sep = c;
      else if (sep !== c) return fail();
      k++;
    } else if ((c === 32 || c === 84) && k === 2) {
      // A time of day follows (not interpreted); anything else is not part of a date.
      if (!isTimeOfDay(s, j, end)) return fail();
      break;
    } else {
      return fail();
    }
  }
  if (k !== 2 || lens[2] === 0) return fail();
  dateParts.a = comps[0];
  dateParts.b = comps[1];
  dateParts.c = comps[2];
  let shape: DateShape;
  if (lens[0] === 4 && lens[1] <= 2 && lens[2] <= 2 && (sep === 45 || sep === 47)) shape = DateShape.Iso;
  else if (lens[2] === 4 && lens[0] <= 2 && lens[1] <= 2) {
    shape = sep === 47 ? DateShape.Slash : sep === 46 ? DateShape.Dot : DateShape.Dash;
  } else return fail();
  dateParts.shape = shape;
  return shape;
}

/** The number of ASCII digits of s from i (at most up to end). */
function digitRun(s: string, i: number, end: number): number {
  let j = i;
  while (j < end) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) break;
    j++;
  }
  return j - i;
}

/** The value of the two ASCII digits of s at i. */
function twoDigits(s: string, i: number): number {
  return (s.charCodeAt(i) - 48) * 10 + (s.charCodeAt(i + 1) - 48);
}

/**
 * Whether s[i, end) is a time of day after a date, as spreadsheets, databases and ISO 8601
 * write it: 'T' or spaces; h:mm (hour 0-24, minutes 0-59), optionally :ss (0-60, a leap
 * second) and a fraction (. or ,); optionally AM or PM; optionally a zone: Z, or an
 * abbreviation of 3-5 capitals (UTC, GMT, CEST, as R's format(usetz = TRUE) writes), and
 * an offset +h, +hh, +hhmm or +hh:mm (or -). ISO 8601-1:2019, 5.3 (time of day) and 5.3.4
 * (UTC and offsets). "2024-03-05 Jane Smith" is no date: the text after it is not a time.
 */
function isTimeOfDay(s: string, i: number, end: number): boolean {
  if (s.charCodeAt(i) === 84) i++;
  else while (i < end && s.charCodeAt(i) === 32) i++;
  let n = digitRun(s, i, end);
  if (n < 1 || n > 2) return false;
  const hour = n === 1 ? s.charCodeAt(i) - 48 : twoDigits(s, i);
  i += n;
  if (hour > 24 || s.charCodeAt(i) !== 58) return false;
  i++;
  if (digitRun(s, i, end) !== 2 || twoDigits(s, i) > 59) return false;
  i += 2;
  if (i < end && s.charCodeAt(i) === 58) {
    i++;
    if (digitRun(s, i, end) !== 2 || twoDigits(s, i) > 60) return false;
    i += 2;
    const c = s.charCodeAt(i);
    if (i < end && (c === 46 || c === 44)) {
      i++;
      n = digitRun(s, i, end);
      if (n === 0) return false;
      i += n;
    }
  }
  let j = i;
  while (j < end && s.charCodeAt(j) === 32) j++;
  // AM / PM (either case).
  if (j + 1 < end) {
    const a = s.charCodeAt(j) | 32;
    if ((a === 97 || a === 112) && (s.charCodeAt(j + 1) | 32) === 109) {
      i = j + 2;
      j = i;
      while (j < end && s.charCodeAt(j) === 32) j++;
    }
  }
  if (j === end) return true;
  // The zone.
  i = j;
  if (s.charCodeAt(i) === 90) return i + 1 === end;
  let letters = 0;
  while (i + letters < end && s.charCodeAt(i + letters) >= 65 && s.charCodeAt(i + letters) <= 90) letters++;
  if (letters > 0 && (letters < 3 || letters > 5)) return false;
  i += letters;
  if (i === end) return true;
  const sign = s.charCodeAt(i);
  if (sign !== 43 && sign !== 45) return false;
  i++;
  n = digitRun(s, i, end);
  if (n === 4) return i + 4 === end && twoDigits(s, i) <= 14 && twoDigits(s, i + 2) <= 59;
  if (n === 1) return i + 1 === end;
  if (n !== 2 || twoDigits(s, i) > 14) return false;
  i += 2;
  if (i === end) return true;
  if (s.charCodeAt(i) !== 58) return false;
  i++;
  return digitRun(s, i, end) === 2 && twoDigits(s, i) <= 59 && i + 2 === end;
}

function fail(): DateShape {
  dateParts.shape = DateShape.None;
  return DateShape.None;
}

function civil(y: number, m: number, d: number): number {
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return NaN;
  return daysFromCivil(y, m, d);
}

const MONTH_DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** Day of year (0-based) of the first of each month in a common year. */
const MONTH_START = [0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
const TABLE_FROM = 1900;
const TABLE_TO = 2200;
/** Days since 1970-01-01 of January 1st, for the years TABLE_FROM..TABLE_TO-1. */
const YEAR_START = Int32Array.from({ length: TABLE_TO - TABLE_FROM }, (_, k) => daysFromCivil(TABLE_FROM + k, 1, 1));

/**
 * Parses a date cell under a known format; NaN when the text is not a valid date in that
 * format. ISO dates are accepted under every format (they are unambiguous).
 */
export function parseDate(s: string, format: DateFormat): number {
  if (s.length === 10 && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45) return parseIso10(s, 0);
  return parseDateGeneral(s, format);
}

/** `parseDate(bytes.toString('utf8', start, end), format)`, without the string for yyyy-mm-dd. */
export function parseDateBytes(bytes: Buffer, start: number, end: number, format: DateFormat): number {
  if (end - start === 10 && bytes[start + 4] === 45 && bytes[start + 7] === 45) {
    const c0 = bytes[start] - 48;
    const c1 = bytes[start + 1] - 48;
    const c2 = bytes[start + 2] - 48;
    const c3 = bytes[start + 3] - 48;
    const c5 = bytes[start + 5] - 48;
    const c6 = bytes[start + 6] - 48;
    const c8 = bytes[start + 8] - 48;
    const c9 = bytes[start + 9] - 48;
    return iso10(c0, c1, c2, c3, c5, c6, c8, c9);
  }
  return parseDateGeneral(bytes.toString('utf8', start, end), format);
}

/** Exactly yyyy-mm-dd (the common case, kept small and branch-light so it inlines). */
function parseIso10(s: string, o: number): number {
  return iso10(
    s.charCodeAt(o) - 48,
    s.charCodeAt(o + 1) - 48,
    s.charCodeAt(o + 2) - 48,
    s.charCodeAt(o + 3) - 48,
    s.charCodeAt(o + 5) - 48,
    s.charCodeAt(o + 6) - 48,
    s.charCodeAt(o + 8) - 48,
    s.charCodeAt(o + 9) - 48,
  );
}

/** The day number of yyyy-mm-dd from its eight digit values (char code - 48; NaN when one is not a digit). */
function iso10(c0: number, c1: number, c2: number, c3: number, c5: number, c6: number, c8: number, c9: number): number {
  // Every one a digit: (c >>> 0) > 9 catches both sides (negative becomes huge).
  if (c0 >>> 0 > 9 || c1 >>> 0 > 9 || c2 >>> 0 > 9 || c3 >>> 0 > 9 || c5 >>> 0 > 9 || c6 >>> 0 > 9 || c8 >>> 0 > 9 || c9 >>> 0 > 9) {
    return NaN;
  }
  const y = c0 * 1000 + c1 * 100 + c2 * 10 + c3;
  const m = c5 * 10 + c6;
  const d = c8 * 10 + c9;
  if (m < 1 || m > 12 || d < 1) return NaN;
  const leap = (y & 3) === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > MONTH_DAYS[m] && !(m === 2 && leap && d === 29)) return NaN;
  const k = y - TABLE_FROM;
  if (k >= 0 && k < TABLE_TO - TABLE_FROM) return YEAR_START[k] + MONTH_START[m] + (leap && m > 2 ? 1 : 0) + d - 1;
  return daysFromCivil(y, m, d);
}

function parseDateGeneral(s: string, format: DateFormat): number {
  const shape = scanDate(s);
  const { a, b, c } = dateParts;
  switch (shape) {
    case DateShape.Iso:
      return civil(a, b, c);
    case DateShape.Slash:
    case DateShape.Dash:
      if (format === 'dmy') return civil(c, b, a);
      if (format === 'mdy') return civil(c, a, b);
      if (format === 'dmy.') return civil(c, b, a);
      return NaN;
    case DateShape.Dot:
      return format === 'mdy' ? civil(c, a, b) : format === 'iso' ? NaN : civil(c, b, a);
    default:
      return NaN;
  }
}

/**
 * Accumulates evidence about day-first vs month-first slash dates. `feed` returns the
 * decided format once the data proves it.
 */
export class DateFormatDetector {
  /** Format decided so far; null while undecided. */
  format: DateFormat | null = null;
  /** True once a slash/dash date has been seen (so ambiguity matters). */
  sawSlash = false;
  sawIso = false;
  sawDot = false;
  /** Line that decided the format (for contradiction messages). */
  decidedAt = 0;
  decidedBy = '';

  /**
   * Looks at one cell. Returns 'contradiction' when the cell proves the opposite of an
   * earlier decision, otherwise null.
   */
  feed(s: string, line: number): 'contradiction' | null {
    const shape = scanDate(s);
    if (shape === DateShape.Iso) {
      this.sawIso = true;
      return null;
    }
    if (shape === DateShape.Dot) {
      this.sawDot = true;
      return null;
    }
    if (shape !== DateShape.Slash && shape !== DateShape.Dash) return null;
    this.sawSlash = true;
    const { a, b } = dateParts;
    let says: DateFormat | null = null;
    if (a > 12 && b <= 12) says = 'dmy';
    else if (b > 12 && a <= 12) says = 'mdy';
    if (says === null) return null;
    if (this.format === null) {
      this.format = says;
      this.decidedAt = line;
      this.decidedBy = s.trim();
      return null;
    }
    return this.format === says ? null : 'contradiction';
  }

  /** The format to use when the evidence is complete; null means ambiguous slash dates. */
  resolve(): DateFormat | null {
    if (this.format) return this.format;
    if (this.sawSlash) return null;
    if (this.sawDot) return 'dmy.';
    return 'iso';
  }
}

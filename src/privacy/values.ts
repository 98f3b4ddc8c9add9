/**
 * Cell values that look like direct identifiers: emails, phone numbers, addresses, national
 * ids, dates of birth, free text, and (for id columns) person names. Used by validate's
 * privacy rules and by the dataset layer, which shows identifier-like client, therapist and
 * group values as pseudonyms (src/dataset/pseudonyms.ts).
 *
 * Value checks are on the hot path (every text cell of every row), so each pattern sits
 * behind a cheap prefilter computed in one pass over the characters: '@' for emails, a
 * digit count for phone and id numbers, a space for addresses and free text. Short cells
 * without any of these never reach a regular expression.
 *
 * Identifiers are never echoed in full: `maskValue` keeps the shape (separators, first
 * letter of each word, the last two digits) so a user can find the cell without the CI
 * log becoming a copy of it.
 */
import { KIND_WORDS, type PrivacyKind } from './words.js';

export type { PrivacyKind };

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[A-Za-z]{2,}$/;
const EMAIL_IN_TEXT_RE = /[^\s@,;<>()]+@[^\s@,;<>()]+\.[A-Za-z]{2,}/;
const SSN_RE = /^(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}$/;
const PHONE_RE = /^(?:\+|00)?\(?\d[\d ().-]{7,22}\d$/;
const ADDRESS_RE =
  /\b\d{1,5}[a-z]?,?\s+(?:[A-Za-z'.-]+\s+){0,4}(?:street|st|road|rd|avenue|ave|lane|ln|drive|dr|close|court|ct|way|place|pl|boulevard|blvd|crescent|terrace|gardens|square|sq|grove|highway|hwy|parkway|row|mews)\b\.?/i;
const UK_POSTCODE_RE = /^[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}$/i;
const ISO_DATE_RE = /^\d{4}[-/]\d{1,2}[-/]\d{1,2}$/;
const DMY_DATE_RE = /^\d{1,2}[-/.]\d{1,2}[-/.]\d{4}$/;

/** Minimum words and characters for a value to count as free text. */
export const FREE_TEXT_MIN_WORDS = 8;
export const FREE_TEXT_MIN_CHARS = 40;

/** Valid UK NHS number: 10 digits, modulus-11 check digit (NHS Data Dictionary). */
export function isNhsNumber(digits: string): boolean {
  if (digits.length !== 10) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (digits.charCodeAt(i) - 48) * (10 - i);
  let check = 11 - (sum % 11);
  if (check === 11) check = 0;
  if (check === 10) return false;
  return check === digits.charCodeAt(9) - 48;
}

/** True for exactly ten ASCII digits (a possible bare NHS number). */
export function bareTenDigits(s: string): boolean {
  if (s.length !== 10) return false;
  for (let i = 0; i < 10; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * A column of bare 10-digit values is reported as NHS numbers when at least this share of
 * them has a valid check digit (random ids pass 1 time in 11, about 9%).
 */
export const NHS_COLUMN_SHARE = 0.9;

/**
 * Classifies one cell. `dobColumn` says the column name suggests dates of birth (then any
 * full date is a hit). Returns null for the overwhelming majority of cells after a single
 * pass over their characters.
 */
export function classifyValue(s: string, dobColumn = false): PrivacyKind | null {
  const n = s.length;
  if (n < 6) return null;
  let at = false;
  let spaces = 0;
  let digits = 0;
  let letters = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 32) spaces++;
    else if (c === 64) at = true;
    else if ((c | 32) >= 97 && (c | 32) <= 122) letters++;
  }
  if (!mayIdentify(n, at, spaces, digits, letters, dobColumn)) return null;
  if (dobColumn && digits >= 6 && n <= 19) {
    const t = s.trim().split(/[ T]/)[0];
    if (ISO_DATE_RE.test(t) || DMY_DATE_RE.test(t)) return 'date-of-birth';
  }
  if (at) {
    if (spaces === 0 ? EMAIL_RE.test(s.trim()) : EMAIL_IN_TEXT_RE.test(s)) return 'email';
  }
  if (digits >= 9 && digits <= 15 && letters === 0) {
    const t = s.trim();
    if (digits === 9 && SSN_RE.test(t)) return 'national-id';
    if (digits === 10) {
      const only = t.replace(/[ -]/g, '');
      // Bare 10-digit values are judged per column (see bareTenDigits): a random id passes the check 1 time in 11.
      if (/^\d{3}[ -]\d{3}[ -]\d{4}$/.test(t) && isNhsNumber(only)) return 'national-id';
    }
    if (PHONE_RE.test(t)) {
      // A bare run of digits is more likely an id than a phone number unless it starts like one.
      // Fewer than 10 digits only with an international prefix (+354 ...).
      const bare = /^\d+$/.test(t);
      const intl = t.charCodeAt(0) === 43;
      if (digits < 10 && !intl) {
        // not a phone number
      } else if (!bare || /^0[1-9]\d{8,9}$/.test(t)) return 'phone'; // bare: UK style 01.../07..., not zero-padded ids (000...)
    }
  }
  if (spaces > 0 && digits > 0 && letters >= 2) {
    if (ADDRESS_RE.test(s)) return 'address';
    if (n <= 9 && UK_POSTCODE_RE.test(s.trim())) return 'address';
  }
  if (spaces >= FREE_TEXT_MIN_WORDS - 1 && n >= FREE_TEXT_MIN_CHARS && letters >= n / 2) {
    let words = 0;
    for (const w of s.split(/\s+/)) if (/[A-Za-z]{2,}/.test(w)) words++;
    if (words >= FREE_TEXT_MIN_WORDS) return 'free-text';
  }
  return null;
}

/**
 * True when a cell of n characters with these counts can be a hit of classifyValue: each of
 * its rules needs one of these conditions (the great majority of cells, ids, codes and
 * numbers, meet none).
 */
function mayIdentify(n: number, at: boolean, spaces: number, digits: number, letters: number, dobColumn: boolean): boolean {
  return (
    (dobColumn && digits >= 6 && n <= 19) ||
    at ||
    (digits >= 9 && digits <= 15 && letters === 0) ||
    (spaces > 0 && digits > 0 && letters >= 2) ||
    (spaces >= FREE_TEXT_MIN_WORDS - 1 && n >= FREE_TEXT_MIN_CHARS && letters >= n / 2)
  );
}

/**
 * classifyValue's prefilter on a cell's UTF-8 bytes [start, end) (the byte read path):
 * false when the cell is ASCII and its counts rule out every rule, so classifyValue would
 * return null; true when the caller must decode the cell and ask classifyValue (a cell
 * with a byte above 127 always, since its character counts differ from its byte counts).
 * Ten bare digits always pass (digits 9-15 and no letters), so the per-column NHS count
 * (bareTenDigits) sees every such cell.
 */
export function mayIdentifyBytes(b: Uint8Array, start: number, end: number, dobColumn = false): boolean {
  let at = false;
  let spaces = 0;
  let digits = 0;
  let letters = 0;
  for (let i = start; i < end; i++) {
    const c = b[i];
    if (c >= 48 && c <= 57) digits++;
    else if (c === 32) spaces++;
    else if (c === 64) at = true;
    else if (c >= 128) return true;
    else if ((c | 32) >= 97 && (c | 32) <= 122) letters++;
  }
  return mayIdentify(end - start, at, spaces, digits, letters, dobColumn);
}

/** "an email address", "free text": how a finding names a value's kind (src/privacy/words.ts). */
export function kindText(kind: PrivacyKind): string {
  return KIND_WORDS[kind].a;
}

/**
 * Masks an identifier for display: emails as "j***@e***.com"; free text as its first word
 * masked plus the word count; everything else keeps separators, the first letter of each
 * word and the last two digits ("12 High Street" -> "** H*** S*****", "123-45-6789" ->
 * "***-**-**89"). At most 40 characters are shown.
 */
export function maskValue(s: string, kind?: PrivacyKind): string {
  const t = s.trim();
  if (kind === 'email' || (kind === undefined && /^[^\s@]+@[^\s@]+$/.test(t))) {
    const m = /^([^\s@]+)@([^\s@]+)$/.exec(t) ?? /([^\s@]+)@([^\s@]+)/.exec(t);
    if (m) {
      const dot = m[2].lastIndexOf('.');
      const tld = dot > 0 ? m[2].slice(dot) : '';
      return `${m[1][0]}***@${m[2][0]}***${tld}`;
    }
  }
  if (kind === 'free-text') {
    const words = t.split(/\s+/).filter(Boolean);
    return `${maskChars(words[0] ?? '')} ... (${words.length} words)`;
  }
  const masked = maskChars(t);
  return masked.length > 40 ? masked.slice(0, 40) + '...' : masked;
}

function maskChars(t: string): string {
  let lastDigits = 0;
  let totalDigits = 0;
  for (let i = 0; i < t.length; i++) if (t.charCodeAt(i) >= 48 && t.charCodeAt(i) <= 57) totalDigits++;
  let out = '';
  let prevWord = false;
  for (let i = 0; i < t.length; i++) {
    const ch = t[i];
    const c = t.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      lastDigits++;
      out += totalDigits > 4 && lastDigits > totalDigits - 2 ? ch : '*';
      prevWord = true;
    } else if (/\p{L}/u.test(ch)) {
      out += prevWord ? '*' : ch;
      prevWord = true;
    } else {
      out += ch;
      prevWord = false;
    }
  }
  return out;
}

/**
 * A person's name as an id: two to four words, each a capital letter followed by lower-case
 * letters (hyphen or apostrophe inside: "O'Neil", "Smith-Jones"), optionally after a title
 * and with middle initials ("Dr Jane Smith", "Jane A. Smith"); the last word is a surname of
 * two or more letters ("Team A" is not a name). It leans to privacy: "Team Blue" is taken
 * for a name and shown as a pseudonym. Only applied to client and
 * therapist ids, where study ids never look like this; site or modality names do, so group
 * columns are not judged by it.
 */
const NAME_WORD = String.raw`\p{Lu}(?:\p{Ll}+(?:['-]\p{Lu}?\p{Ll}+)*|(?:['-]\p{Lu}?\p{Ll}+)+)`;
const PERSON_NAME_RE = new RegExp(
  String.raw`^(?:(?:Dr|Mr|Mrs|Ms|Mx|Miss|Prof)\.?\s+)?(?:\p{Lu}\.?|${NAME_WORD})(?:\s+(?:\p{Lu}\.?|${NAME_WORD})){0,2}\s+${NAME_WORD}$`,
  'u',
);

/** Does an id value look like a person's name ("Jane Smith", "Dr A. Jones")? */
export function looksLikePersonName(s: string): boolean {
  const t = s.trim();
  return t.length >= 5 && t.length <= 60 && t.includes(' ') && PERSON_NAME_RE.test(t);
}

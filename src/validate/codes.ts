/**
 * The catalogue of finding codes: severity, what it means and how to fix it. Codes are
 * stable (never renamed once shipped); docs/validate.md mirrors this table and a test
 * checks that the two agree.
 */
import type { Severity } from './types.js';

export interface CodeInfo {
  code: string;
  severity: Severity;
  /** What the rule checks (one line, for docs and JUnit test case names). */
  title: string;
  /** How to fix it (one line, for docs). */
  fix: string;
}

const C = (code: string, severity: Severity, title: string, fix: string): CodeInfo => ({ code, severity, title, fix });

export const CODES: readonly CodeInfo[] = [
  // the file itself (fatal: nothing else of the file is checked)
  C(
    'file.unreadable',
    'fatal',
    'the file cannot be read (missing, a directory, empty, binary, not in its encoding, or malformed)',
    'correct or export the file again as the message says; its other checks run once it can be read',
  ),
  // structure
  C('structure.header-only', 'error', 'the file has a header but no data rows', 'export the data again with its rows'),
  C('structure.empty-header', 'error', 'a header cell is empty', 'give every column a name in the header line'),
  C('structure.duplicate-header', 'error', 'two columns have the same header', 'rename one of the columns so every header is unique'),
  C(
    'structure.ragged-row',
    'error',
    'a row has more or fewer fields than the header',
    'quote fields that contain the delimiter, or remove the extra/missing fields',
  ),
  C('structure.no-client-column', 'error', 'no client id column was found', 'name the column with --client COL (or rename it client_id)'),
  C(
    'structure.no-measure-columns',
    'warning',
    'no alliance or outcome measure column was found (nothing to analyse)',
    'name the measures with --alliance COL and --outcome COL',
  ),
  // values
  C('value.missing-client', 'error', 'a row has no client id (analyses drop it)', 'fill in the client id or delete the row'),
  C('value.non-numeric', 'error', 'a measure cell is not a number', 'correct the value, or add the token to --missing if it means "no value"'),
  C(
    'value.out-of-range',
    'error',
    "a score lies outside the instrument's range",
    'correct the score, or bind the column to the right instrument with --instrument COL=ID',
  ),
  C(
    'value.fraction',
    'error',
    'an integer-only instrument has a fractional score',
    'correct the score (totals of this instrument are whole numbers), or check the instrument binding',
  ),
  C(
    'value.missing-code',
    'warning',
    'a numeric missing-value code (-9, -99, -999, 999, ...) is used',
    'declare the code with --missing CODE so it is treated as missing',
  ),
  C(
    'value.likely-variant',
    'warning',
    "the observed range fits another scoring variant than the instrument's",
    'rescore the column, or bind it to the matching instrument or range (config instrumentOverrides)',
  ),
  C('value.invalid-date', 'error', 'a date cell is not a valid date', 'correct the date, or give --date-format (iso, dmy, mdy, dmy.)'),
  C('value.invalid-session', 'error', 'a session number is not a whole number >= 0', 'correct the session number'),
  // sessions
  C('session.duplicate', 'error', 'the same client and session number appear twice', 'remove the duplicate row or correct its session number'),
  C(
    'session.order-vs-date',
    'error',
    'session numbers and dates of a client disagree in order',
    'correct the session number or the date so both increase together',
  ),
  C('session.future-date', 'error', 'a session date lies after today (or --today)', 'correct the date (check day/month order, --date-format)'),
  C('session.old-date', 'error', 'a session date lies before 1990-01-01', 'correct the date (spreadsheet default dates such as 1900-01-01 mean it was blank)'),
  C(
    'session.blank',
    'warning',
    'session numbers are blank for some rows (numbered or placed by date where unambiguous)',
    'fill in the session numbers; rows that could not be placed by date are left out of the analyses',
  ),
  C('session.gap', 'warning', 'session numbers of a client skip some numbers (e.g. 1, 2, 5)', 'add the missing sessions, or ignore if they were not attended'),
  // privacy
  C(
    'privacy.identifier-column',
    'error',
    'a column name suggests direct identifiers (name, email, phone, address, date of birth, ...)',
    'drop the column before export; inputs must be de-identified',
  ),
  C('privacy.email', 'error', 'a value looks like an email address', 'remove direct identifiers; replace them with a study id'),
  C('privacy.phone', 'error', 'a value looks like a phone number', 'remove direct identifiers; replace them with a study id'),
  C('privacy.address', 'error', 'a value looks like a street address or postcode', 'remove direct identifiers; replace them with a study id'),
  C('privacy.national-id', 'error', 'a value looks like a national id (US SSN, UK NHS number)', 'remove direct identifiers; replace them with a study id'),
  C('privacy.date-of-birth', 'error', 'a full date of birth in a date-of-birth column', 'drop the column, or keep only age or birth year'),
  C('privacy.free-text', 'error', 'a long free-text value (notes can identify people)', 'drop free-text columns before export'),
  // schema (--schema)
  C('schema.missing-field', 'error', 'a field of the schema is not a column of the file', 'add the column, or remove the field from the schema'),
  C('schema.extra-field', 'warning', 'a column of the file is not a field of the schema', 'add the field to the schema, or drop the column'),
  C('schema.required', 'error', 'a required field is empty', 'fill in the value'),
  C('schema.type', 'error', "a value does not have the field's type", "correct the value, or change the field's type in the schema"),
  C('schema.minimum', 'error', "a value is below the field's minimum", 'correct the value or the constraint'),
  C('schema.maximum', 'error', "a value is above the field's maximum", 'correct the value or the constraint'),
  C('schema.enum', 'error', "a value is not one of the field's allowed values", 'correct the value or extend the enum'),
  C('schema.pattern', 'error', "a value does not match the field's pattern", 'correct the value or the pattern'),
  C('schema.unique', 'error', 'a value of a unique field repeats', 'remove the duplicate or correct the value'),
  C('schema.primary-key', 'error', 'the primary key of a row repeats', 'remove the duplicate row or correct its key'),
];

const BY_CODE = new Map(CODES.map((c) => [c.code, c]));

export function codeInfo(code: string): CodeInfo {
  const info = BY_CODE.get(code);
  if (!info) throw new Error(`unknown finding code ${code}`);
  return info;
}

export function severityOf(code: string): Severity {
  return codeInfo(code).severity;
}

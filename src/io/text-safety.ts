/**
 * Text that came from a user's data or command line, made safe for where it is shown.
 * Two rules, each applied in one place only (docs/safety.md):
 *
 * - `csvCell`: a CSV text cell that a spreadsheet would run as a formula (it starts with
 *   `=`, `+`, `-`, `@`, tab or carriage return) gets a leading `'`, as the OWASP
 *   "CSV Injection" guidance recommends (https://owasp.org/www-community/attacks/CSV_Injection).
 *   Numbers are never changed: a number cell is written as a number, and a text cell that
 *   is a plain decimal number (`-0.10`, `+3`) stays as it is.
 * - `printable`: a value echoed to a terminal, a log or a one-line message shows control
 *   characters as escapes (`\n`, `\r`, `\t`, `\x1b`, `\u202e`), so nothing from the data can
 *   move the cursor, recolour the terminal, forge a second message line or reorder text.
 */

/** Characters a spreadsheet reads as the start of a formula (OWASP CSV Injection). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A plain decimal number (what a spreadsheet reads as a number, not a formula). */
const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A CSV text cell neutralised against formula injection; numbers unchanged. */
export function csvCell(s: string): string {
  // FORMULA_START's characters (= + - @ tab CR) by code first: most cells start with none.
  const c = s.charCodeAt(0);
  if (c !== 61 && c !== 43 && c !== 45 && c !== 64 && c !== 9 && c !== 13) return s;
  if (!FORMULA_START.test(s) || PLAIN_NUMBER.test(s)) return s;
  return `'${s}`;
}

/** True if the cell would be read as a formula (used by tests and the fuzz property). */
export function isFormulaCell(s: string): boolean {
  return FORMULA_START.test(s) && !PLAIN_NUMBER.test(s);
}

/**
 * C0 and C1 control characters, DEL, the Unicode line/paragraph separators, the
 * bidirectional controls (Unicode's Bidi_Control property, U+061C included: a "Trojan
 * Source" reordering, CVE-2021-42574), and the noncharacters U+FFFE and U+FFFF, which XML
 * cannot hold (a Word document with one in its text does not open): printable text is
 * always valid XML character data.
 */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff]/g;
// eslint-disable-next-line no-control-regex
const HAS_UNPRINTABLE = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff]/;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(c: string): string {
  const named = NAMED[c];
  if (named !== undefined) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `s` with every control character shown as an escape; ordinary text unchanged. */
export function printable(s: string): string {
  return HAS_UNPRINTABLE.test(s) ? s.replace(UNPRINTABLE, escapeChar) : s;
}

/** True if `s` holds a character `printable` would escape. */
export function hasUnprintable(s: string): boolean {
  return HAS_UNPRINTABLE.test(s);
}

// eslint-disable-next-line no-control-regex
const JSON_RAW = /[\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff]/g;
// eslint-disable-next-line no-control-regex
const HAS_JSON_RAW = /[\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff]/;

/**
 * JSON text (JSON.stringify's) with the characters `printable` escapes that JSON.stringify
 * writes raw - DEL, the C1 controls (U+009B is a terminal's CSI), U+2028/U+2029 and the
 * bidirectional controls - written as \uXXXX escapes. They can stand only inside JSON
 * strings, so the text parses to the same value; `--format json` on a terminal (or a
 * results.json shown with cat) then holds nothing a terminal acts on.
 */
export function jsonSafe(json: string): string {
  return HAS_JSON_RAW.test(json) ? json.replace(JSON_RAW, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : json;
}

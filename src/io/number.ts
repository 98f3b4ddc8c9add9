/**
 * parseNumberFast: a plain decimal number from a CSV field, for the hot path.
 *
 * Accepts `[+-]? digits [mark digits] [(e|E) [+-]? digits]` with at least one digit and
 * optional surrounding spaces or tabs, where `mark` is '.' or, with `decimalComma`, ','.
 * Anything else (empty, hex, Infinity, thousands separators, a second mark) is NaN, and
 * so is a number too large for a double ("1e400", which Number() reads as Infinity).
 *
 * Exactness: the value equals `Number(s)` (with ',' read as '.') bit for bit. When the
 * digits form an integer mantissa m < 2^53 and there are at most 22 decimals, m and
 * 10^k are both exact doubles, so the single IEEE division m / 10^k is correctly rounded,
 * which is what Number() returns (Clinger's fast path: W. D. Clinger, "How to read
 * floating point numbers accurately", PLDI 1990, https://doi.org/10.1145/93542.93557).
 * Everything else falls back to Number().
 *
 * @example parseNumberFast('36.5', false) // 36.5
 * @example parseNumberFast('36,5', true)  // 36.5
 * @example parseNumberFast('n/a', false)  // NaN
 */
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

export function parseNumberFast(s: string, decimalComma: boolean): number {
  const mark = decimalComma ? 44 : 46;
  let i = 0;
  let n = s.length;
  let c = n > 0 ? s.charCodeAt(0) : 0;
  if (c === 32 || c === 9 || (n > 0 && (s.charCodeAt(n - 1) === 32 || s.charCodeAt(n - 1) === 9))) {
    while (i < n && ((c = s.charCodeAt(i)) === 32 || c === 9)) i++;
    while (n > i && ((c = s.charCodeAt(n - 1)) === 32 || c === 9)) n--;
  }
  if (i >= n) return NaN;
  const begin = i;
  let neg = false;
  c = s.charCodeAt(i);
  if (c === 45) {
    neg = true;
    i++;
  } else if (c === 43) i++;
  let m = 0;
  let digits = 0;
  let frac = 0;
  let seenMark = false;
  for (; i < n; i++) {
    c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
      if (seenMark) frac++;
    } else if (c === mark && !seenMark) {
      seenMark = true;
    } else break;
  }
  if (digits === 0) return NaN;
  if (i < n) {
    // Only an exponent may follow.
    if (c !== 101 && c !== 69) return NaN;
    let k = i + 1;
    if (k < n && (s.charCodeAt(k) === 43 || s.charCodeAt(k) === 45)) k++;
    if (k >= n) return NaN;
    for (; k < n; k++) {
      c = s.charCodeAt(k);
      if (c < 48 || c > 57) return NaN;
    }
    return slow(s, begin, n, decimalComma);
  }
  if (m <= 9007199254740991 && frac <= 22) {
    const v = frac === 0 ? m : m / POW10[frac];
    return neg ? -v : v;
  }
  return slow(s, begin, n, decimalComma);
}

function slow(s: string, begin: number, end: number, decimalComma: boolean): number {
  const t = s.slice(begin, end);
  const v = Number(decimalComma ? t.replace(',', '.') : t);
  // An exponent past the double range ("1e400") overflows to Infinity: not a number
  // anyone can analyse, so it is rejected like the text "Infinity".
  return v === Infinity || v === -Infinity ? NaN : v;
}

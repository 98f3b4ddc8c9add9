/**
 * Rounding for human-facing tables, matching R's sprintf("%.nf") / formatC: the exact
 * binary value is rounded, and an exact tie goes to the even digit (C printf), where
 * JavaScript's toFixed would round the tie up. Full precision never passes through here.
 */

/**
 * Numbers as a space-separated list for a text cell (session lists). A value that is not a
 * finite number (a session whose number could not be read) is shown as `?`, never as the
 * words NaN, Infinity or undefined.
 */
export function numberList(xs: readonly number[]): string {
  let out = '';
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    out += (i > 0 ? ' ' : '') + (typeof x === 'number' && Number.isFinite(x) ? String(x) : '?');
  }
  return out;
}

/** x rounded to `digits` decimals as C's printf("%.*f") prints it. */
export function toFixedR(x: number, digits: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NA' : x > 0 ? 'Inf' : '-Inf';
  const s = x.toFixed(digits);
  // toFixed differs from printf only on exact ties (round-half-up vs half-even).
  // Detect an exact tie using the exact decimal expansion of the binary value.
  const exact = exactDecimal(Math.abs(x));
  const dot = exact.indexOf('.');
  if (dot < 0) return normalizeZero(s);
  const frac = exact.slice(dot + 1);
  if (frac.length !== digits + 1 || frac[digits] !== '5') return normalizeZero(s);
  // Tie: round to even on the kept digit.
  const kept = exact.slice(0, dot + 1 + digits).replace(/\.$/, '');
  const lastDigit = Number(kept[kept.length - 1]);
  if (lastDigit % 2 === 0) {
    return normalizeZero((x < 0 ? '-' : '') + kept);
  }
  return normalizeZero(s);
}

function normalizeZero(s: string): string {
  // printf prints -0.000 for tiny negatives; R's sprintf does too, keep it but avoid "-0" from rounding ties.
  return s;
}

/** The exact decimal expansion of a finite non-negative double (every double is a finite decimal). */
export function exactDecimal(x: number): string {
  if (x === 0) return '0';
  // x = mantissa * 2^exp, mantissa integer.
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const hi = buf.getUint32(0);
  const lo = buf.getUint32(4);
  const expBits = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (expBits === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = expBits - 1075;
  }
  if (exp >= 0) return (mant << BigInt(exp)).toString();
  // mant / 2^-exp = mant * 5^-exp / 10^-exp
  const k = -exp;
  const digits = (mant * 5n ** BigInt(k)).toString().padStart(k + 1, '0');
  const intPart = digits.slice(0, digits.length - k);
  const fracPart = digits.slice(digits.length - k).replace(/0+$/, '');
  return fracPart ? `${intPart}.${fracPart}` : intPart;
}

export function formatP(p: number, digits = 3): string {
  if (!Number.isFinite(p)) return 'NA';
  const floor = Math.pow(10, -digits);
  if (p < floor) return `<${toFixedR(floor, digits)}`;
  return toFixedR(p, digits);
}

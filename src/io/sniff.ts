/**
 * Dialect sniffing from the first block of decoded text: delimiter, decimal mark and
 * line ending.
 *
 * Delimiter: each candidate (, ; tab |) is tried with the real, quote-aware scanner on the
 * sample records; a candidate is consistent when every sample record has the same
 * field count and that count is above one. Among consistent candidates the one giving
 * the most fields wins (ties in the order , ; tab |). When none is consistent, the
 * candidate whose field count matches the header's in the most records wins; a file
 * with a single column gets ','.
 *
 * Decimal mark: ',' when the delimiter is ';' and some sample field looks like a
 * comma-decimal number (3,5) while none looks like a point-decimal number (3.5).
 */
import { RecordScanner } from './scanner.js';

export const CANDIDATES = [',', ';', '\t', '|'] as const;
const MAX_SAMPLE_RECORDS = 50;

/** Records (all fields) from the sample text; the last record is dropped unless `complete`. */
export function sampleRecords(text: string, delimiter: string, complete: boolean): string[][] {
  const out: string[][] = [];
  const sc = new RecordScanner({ delimiter, display: '', limit: MAX_SAMPLE_RECORDS }, (f) => {
    out.push(f.slice());
  });
  try {
    sc.push(text);
    if (complete) sc.end();
  } catch {
    // An unclosed quote within the sample: use what was read so far.
  }
  return out;
}

export function sniffDelimiter(text: string, complete: boolean): string {
  let best: string | null = null;
  let bestFields = 0;
  let fallback: string = ',';
  let fallbackScore = -1;
  for (const cand of CANDIDATES) {
    if (!text.includes(cand)) continue;
    const recs = sampleRecords(text, cand, complete);
    if (recs.length === 0) continue;
    const n0 = recs[0].length;
    let same = 0;
    for (const r of recs) if (r.length === n0) same++;
    if (n0 > 1 && same === recs.length) {
      if (n0 > bestFields) {
        best = cand;
        bestFields = n0;
      }
    } else if (n0 > 1) {
      const score = same / recs.length;
      if (score > fallbackScore) {
        fallback = cand;
        fallbackScore = score;
      }
    }
  }
  return best ?? fallback;
}

const COMMA_DECIMAL = /^[+-]?\d+,\d+$/;
const POINT_DECIMAL = /^[+-]?\d*\.\d+$/;

export function sniffDecimal(records: string[][], delimiter: string): '.' | ',' {
  if (delimiter !== ';') return '.';
  let comma = false;
  for (let r = 1; r < records.length; r++) {
    for (const f of records[r]) {
      const t = f.trim();
      if (POINT_DECIMAL.test(t)) return '.';
      if (!comma && COMMA_DECIMAL.test(t)) comma = true;
    }
  }
  return comma ? ',' : '.';
}

/** The first line break outside quotes ('\n' when there is none). */
export function sniffLineEnding(text: string): '\n' | '\r\n' | '\r' {
  let inQuote = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) inQuote = !inQuote;
    else if (!inQuote) {
      if (c === 10) return '\n';
      if (c === 13) return text.charCodeAt(i + 1) === 10 ? '\r\n' : '\r';
    }
  }
  return '\n';
}

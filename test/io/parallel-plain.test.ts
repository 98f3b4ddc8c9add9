/**
 * The workers' splitter for pieces without a quote byte (src/io/parallel/plain.ts) against
 * the scanner's range mode (RecordScanner.scanBytes, src/io/scanner.ts): for random
 * quote-free bytes (delimiters, LF, CR, CRLF, blank lines, spaces, multi-byte characters)
 * and both ends of a piece (final or not, so a trailing CR, a CR cut from its LF and an
 * unfinished record are covered), the same records (field ranges, counts, first byte, next
 * byte, line), the same bytes used and the same line after. scanPieceInto takes this path
 * for such pieces; test/io/parallel-reduce.test.ts checks whole commands on top of it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanPlain } from '../../src/io/parallel/plain.js';
import { RecordScanner, type RangeRecord } from '../../src/io/scanner.js';

const UNITS = ['a', '7', '2.5', ',', ',', ';', '\n', '\n', '\r\n', '\r', ' ', 'é', '中', '\n\n', '\r\r\n', 'xyz,'];

interface Seen {
  records: string[];
  used: number;
  line: number;
}

const show = (rec: RangeRecord, line: number): string => {
  const f: string[] = [];
  for (let k = 0; k < rec.count; k++) f.push(`${rec.start[k]}-${rec.end[k]}`);
  return `${line}|${rec.at}|${rec.next}|${rec.count}|${f.join(' ')}`;
};

function scanner(buf: Buffer, final: boolean, delimiter: string): Seen {
  const records: string[] = [];
  const sc = new RecordScanner(
    { delimiter, display: 'x' },
    () => undefined,
    (rec, line) => records.push(show(rec, line)),
  );
  const used = sc.scanBytes(buf, buf.length, final);
  return { records, used, line: sc.line };
}

function plain(buf: Buffer, final: boolean, delimiter: string): Seen {
  const records: string[] = [];
  // Small field arrays, so that growing them is covered too.
  const rec: RangeRecord = { bytes: buf, start: new Int32Array(1), end: new Int32Array(1), quoted: [], count: 0, at: -1, next: -1 };
  const state = { line: 0 };
  const used = scanPlain(buf, buf.length, final, delimiter.charCodeAt(0), rec, { record: (r, line) => records.push(show(r, line)) }, state);
  return { records, used, line: state.line };
}

describe('the plain splitter (pieces without quotes)', () => {
  it('finds what the scanner finds, for any quote-free bytes and either end of a piece', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...UNITS), { maxLength: 80 }), fc.boolean(), fc.constantFrom(',', ';'), (units, final, delimiter) => {
        const buf = Buffer.from(units.join(''), 'utf8');
        expect(plain(buf, final, delimiter)).toEqual(scanner(buf, final, delimiter));
      }),
      { numRuns: 3000 },
    );
  });

  it('the edge cases by name', () => {
    for (const text of ['', '\n', '\r', '\r\n', 'a', 'a\r', 'a\r\n', 'a,b\n\nc', ',\n', 'a,', 'a\rb\r', '\n\r\n\ra,b,c\r\nd']) {
      for (const final of [false, true]) {
        const buf = Buffer.from(text, 'utf8');
        expect(plain(buf, final, ','), JSON.stringify([text, final])).toEqual(scanner(buf, final, ','));
      }
    }
  });
});

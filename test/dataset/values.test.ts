import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_MISSING_TOKENS,
  DateFormatDetector,
  MissingTokens,
  civilFromDays,
  daysFromCivil,
  parseDate,
  parseDateBytes,
  parseNumber,
  parseNumberBytes,
  parseNumberBytesInto,
} from '../../src/dataset/values.js';
import { parseNumberFast } from '../../src/io/number.js';

describe('missing tokens', () => {
  const m = new MissingTokens();
  test.each(['', 'NA', 'na', ' N/A ', 'n/a', 'NaN', 'nan', 'null', 'NULL', '.', '-', '  '])('%j is missing', (t) => {
    expect(m.has(t)).toBe(true);
  });
  test.each(['0', '12', 'x', 'none', '-1', 'NAN!'])('%j is not missing by default', (t) => {
    expect(m.has(t)).toBe(false);
  });
  test('extra tokens are added to the defaults', () => {
    const x = new MissingTokens(['999', 'Unknown']);
    expect(x.has('unknown')).toBe(true);
    expect(x.has('999')).toBe(true);
    expect(x.has('NA')).toBe(true);
  });
  test('defaults are the documented list', () => {
    expect(DEFAULT_MISSING_TOKENS).toEqual(['', 'NA', 'N/A', 'NaN', 'null', '.', '-']);
  });
});

describe('parseNumber', () => {
  test.each([
    ['12', 12],
    ['-3', -3],
    ['+4', 4],
    ['36.5', 36.5],
    ['0.1', 0.1],
    ['.5', 0.5],
    ['5.', 5],
    [' 7 ', 7],
    ['1e3', 1000],
    ['-2.5E-1', -0.25],
    ['12345678901234567890', 12345678901234567000],
  ])('%j -> %d', (s, v) => {
    expect(parseNumber(s)).toBe(v);
  });
  test.each(['', 'x', '1,5', '1.2.3', '0x10', 'Infinity', '1_000', '--1', '-', '.', '1 2', 'NaN'])('%j is not a number', (s) => {
    expect(parseNumber(s)).toBeNaN();
  });
  test('decimal comma', () => {
    expect(parseNumber('36,5', ',')).toBe(36.5);
    expect(parseNumber('-0,25', ',')).toBe(-0.25);
    expect(parseNumber('1,5e2', ',')).toBe(150);
    expect(parseNumber('36.5', ',')).toBeNaN();
    expect(parseNumber('1,2,3', ',')).toBeNaN();
  });
  test('agrees with the CSV layer parseNumberFast on arbitrary short text (property)', () => {
    const chars = fc.constantFrom('0', '1', '5', '9', '.', ',', '-', '+', 'e', ' ', 'x');
    fc.assert(
      fc.property(
        fc.array(chars, { maxLength: 18 }).map((a) => a.join('')),
        (s) => {
          expect(Object.is(parseNumber(s), parseNumberFast(s, false))).toBe(true);
          expect(Object.is(parseNumber(s, ','), parseNumberFast(s, true))).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
  });
  test('agrees with Number() on decimal text (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 6 }), (m, k) => {
        const s = (m / 10 ** k).toFixed(k);
        expect(parseNumber(s)).toBe(Number(s));
        expect(parseNumber(s.replace('.', ','), ',')).toBe(Number(s));
      }),
    );
  });
});

describe('dates', () => {
  test('daysFromCivil agrees with Date.UTC (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1600, max: 2400 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), (y, m, d) => {
        expect(daysFromCivil(y, m, d)).toBe(Date.UTC(y, m - 1, d) / 86_400_000);
      }),
    );
  });
  test('yyyy-mm-dd agrees with Date.UTC for every day 1850-2250, and rejects non-digits (property)', () => {
    for (let z = daysFromCivil(1850, 1, 1); z < daysFromCivil(2250, 1, 1); z += 1) {
      expect(parseDate(civilFromDays(z), 'iso')).toBe(z);
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.constantFrom('/', ':', ' ', 'a', '\u0660'), (pos, ch) => {
        const idx = [0, 1, 2, 3, 5, 6, 8, 9][pos % 8];
        const s = '2024-06-15';
        expect(parseDate(s.slice(0, idx) + ch + s.slice(idx + 1), 'iso')).toBeNaN();
      }),
    );
  });
  test('ISO dates, with or without a time part', () => {
    expect(parseDate('1970-01-01', 'iso')).toBe(0);
    expect(parseDate('2024-02-29', 'iso')).toBe(Date.UTC(2024, 1, 29) / 86_400_000);
    expect(parseDate('2024-03-05T14:30:00Z', 'iso')).toBe(Date.UTC(2024, 2, 5) / 86_400_000);
    expect(parseDate('2024-03-05 14:30', 'iso')).toBe(Date.UTC(2024, 2, 5) / 86_400_000);
    expect(parseDate('2024-3-5', 'iso')).toBe(Date.UTC(2024, 2, 5) / 86_400_000);
    expect(parseDate('1850-06-01', 'iso')).toBe(Date.UTC(1850, 5, 1) / 86_400_000);
    expect(civilFromDays(parseDate('2023-12-31', 'iso'))).toBe('2023-12-31');
  });
  test('a date followed by a time of day, and by text that is not one', () => {
    const day = Date.UTC(2024, 2, 5) / 86_400_000;
    const times = [
      '2024-03-05 14:30',
      '2024-03-05  14:30',
      '2024-03-05 14:30:00.123',
      '2024-03-05 14:30:00,5',
      '2024-03-05T14:30:00+01:00',
      '2024-03-05T14:30:00-0500',
      '2024-03-05T14:30-05',
      '2024-03-05 14:30:00 UTC',
      '2024-03-05 14:30:00 CEST',
      '2024-03-05 14:30 UTC+1',
      '2024-03-05 2:30 PM',
      '2024-03-05 2:30pm',
      '2024-03-05T00:00:00.000000Z',
      '2024-03-05 24:00',
      '2024-03-05 23:59:60',
    ];
    for (const s of times) expect([s, parseDate(s, 'iso')]).toEqual([s, day]);
    // Text after a date that is no time of day: a name, a note, a broken time.
    const notTimes = [
      '2024-03-05 Jane Smith',
      '2024-03-05 10:00 see note',
      '2024-03-05 14:30:00 Jane',
      '2024-03-05T',
      '2024-03-05 14',
      '2024-03-05 14:3',
      '2024-03-05 25:00',
      '2024-03-05 14:60',
      '2024-03-05 14:30:61',
      '2024-03-05 14:30:00.',
      '2024-03-05 14:30 x',
      '2024-03-05 14:30 AMX',
      '2024-03-05 14:30Z1',
      '2024-03-05 14:30 +15:00',
      '2024-03-05 14:30 +01:',
      '2024-03-05 14:30 UT',
    ];
    for (const s of notTimes) expect([s, parseDate(s, 'iso')]).toEqual([s, NaN]);
    expect(parseDate('05/03/2024 14:30', 'dmy')).toBe(day);
    expect(parseDate('05.03.2024 14:30:00', 'dmy.')).toBe(day);
    expect(parseDate('05/03/2024 Jane', 'dmy')).toBeNaN();
  });
  test('ISO dates are accepted whatever the forced format', () => {
    expect(parseDate('2024-03-05', 'dmy')).toBe(Date.UTC(2024, 2, 5) / 86_400_000);
    expect(parseDate('2024-03-05', 'mdy')).toBe(Date.UTC(2024, 2, 5) / 86_400_000);
  });
  test('invalid ISO dates', () => {
    for (const s of ['2023-02-29', '2024-13-01', '2024-00-10', '2024-04-31', '2024-01-32', '20240105', '2024-01', 'x', '2024-01-0x']) {
      expect(parseDate(s, 'iso')).toBeNaN();
    }
  });
  test('DD/MM/YYYY, DD.MM.YYYY and MM/DD/YYYY', () => {
    const d = Date.UTC(2024, 2, 15) / 86_400_000;
    expect(parseDate('15/03/2024', 'dmy')).toBe(d);
    expect(parseDate('15.03.2024', 'dmy.')).toBe(d);
    expect(parseDate('15.3.2024', 'dmy.')).toBe(d);
    expect(parseDate('03/15/2024', 'mdy')).toBe(d);
    expect(parseDate('3/15/2024 10:00', 'mdy')).toBe(d);
    expect(parseDate('15/03/2024', 'mdy')).toBeNaN();
    expect(parseDate('03/15/2024', 'dmy')).toBeNaN();
    expect(parseDate('15/03/2024', 'iso')).toBeNaN();
    expect(parseDate('31/04/2024', 'dmy')).toBeNaN();
    expect(parseDate('15/03/24', 'dmy')).toBeNaN();
  });
  test('the detector decides day-first or month-first from the data', () => {
    const a = new DateFormatDetector();
    a.feed('01/02/2024', 2);
    expect(a.format).toBeNull();
    a.feed('13/02/2024', 3);
    expect(a.format).toBe('dmy');
    expect(a.decidedAt).toBe(3);
    expect(a.feed('02/14/2024', 4)).toBe('contradiction');
    const b = new DateFormatDetector();
    b.feed('02/14/2024', 2);
    expect(b.resolve()).toBe('mdy');
    const c = new DateFormatDetector();
    c.feed('01/02/2024', 2);
    c.feed('12/11/2024', 3);
    expect(c.resolve()).toBeNull();
    const d = new DateFormatDetector();
    d.feed('2024-01-02', 2);
    expect(d.resolve()).toBe('iso');
    const e = new DateFormatDetector();
    e.feed('01.02.2024', 2);
    expect(e.resolve()).toBe('dmy.');
  });
});

describe('range variants (the scanner range mode) = the string functions', () => {
  const NUM_UNITS = ['0', '1', '2', '5', '9', '.', ',', '-', '+', 'e', 'E', ' ', 'x', '\t', 'é', '١'];
  const numText = fc.oneof(
    fc.string({ unit: fc.constantFrom(...NUM_UNITS), maxLength: 20 }),
    fc.double({ noNaN: true }).map(String),
    fc.integer({ min: -1e6, max: 1e6 }).chain((m) => fc.integer({ min: 0, max: 8 }).map((k) => (m / 10 ** k).toFixed(k))),
  );
  const around = fc.tuple(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }));
  /** `s` as UTF-8 between `pre` and `post`: the buffer and the byte range of `s`. */
  const embed = (pre: string, s: string, post: string): [Buffer, number, number] => {
    const a = Buffer.byteLength(pre);
    return [Buffer.from(pre + s + post), a, a + Buffer.byteLength(s)];
  };
  test('parseNumberBytes(utf8, a, b) is parseNumber(the text of a..b) bit for bit', () => {
    fc.assert(
      fc.property(numText, around, fc.constantFrom('.' as const, ',' as const), (s, [pre, post], dec) => {
        const [b, x, y] = embed(pre, s, post);
        expect(Object.is(parseNumberBytes(b, x, y, dec), parseNumber(s, dec))).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
  test('parseNumberBytesInto: when it takes a cell, it writes exactly parseNumber of its text', () => {
    const out = new Float64Array(3);
    let taken = 0;
    fc.assert(
      fc.property(numText, around, fc.constantFrom('.' as const, ',' as const), fc.integer({ min: 0, max: 2 }), (s, [pre, post], dec, at) => {
        const [b, x, y] = embed(pre, s, post);
        out.fill(12345);
        if (parseNumberBytesInto(b, x, y, dec === ',' ? 44 : 46, out, at)) {
          taken++;
          expect(Object.is(out[at], parseNumber(s, dec))).toBe(true);
        } else expect(out[at]).toBe(12345);
      }),
      { numRuns: 5000 },
    );
    expect(taken).toBeGreaterThan(500);
  });
  test.each([
    ['36.5', true],
    ['-0', true],
    ['40', true],
    ['123456789012345', true],
    ['1234567890123456', false],
    ['-', false],
    ['.', false],
    ['', false],
    [' 7', false],
    ['1e2', false],
  ])('parseNumberBytesInto takes %j: %s', (s, taken) => {
    const out = new Float64Array(1);
    expect(parseNumberBytesInto(Buffer.from(s), 0, Buffer.byteLength(s), 46, out, 0)).toBe(taken);
  });
  test.each([
    ['', NaN],
    ['-', NaN],
    ['.', NaN],
    ['-.', NaN],
    ['12', 12],
    ['-0', -0],
    ['36.5', 36.5],
    ['123456789012345', 123456789012345],
    ['1234567890123456', 1234567890123456],
    ['0.1', 0.1],
    [' 7', 7],
    ['1e2', 100],
    ['1.2.3', NaN],
  ])('%j', (s, want) => {
    expect(Object.is(parseNumberBytes(Buffer.from(`x,${s},y`), 2, 2 + s.length), want)).toBe(true);
  });
  const dateText = fc.oneof(
    fc.integer({ min: -200000, max: 200000 }).map((d) => civilFromDays(d)),
    fc
      .tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1800, max: 2300 }), fc.constantFrom('/', '.', '-'))
      .map(([a, b, y, sep]) => `${a}${sep}${b}${sep}${y}`),
    fc.string({ unit: fc.constantFrom('0', '1', '2', '9', '-', '/', '.', ' ', 'T', 'a', 'é', '٣'), maxLength: 12 }),
  );
  test('parseDateBytes(utf8, a, b, fmt) is parseDate(the text of a..b, fmt)', () => {
    fc.assert(
      fc.property(dateText, around, fc.constantFrom('iso' as const, 'dmy' as const, 'mdy' as const, 'dmy.' as const), (s, [pre, post], fmt) => {
        const [b, x, y] = embed(pre, s, post);
        expect(Object.is(parseDateBytes(b, x, y, fmt), parseDate(s, fmt))).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
  test('an ISO date inside a line', () => {
    expect(parseDateBytes(Buffer.from('C1,T1,3,2024-02-29,40'), 8, 18, 'iso')).toBe(daysFromCivil(2024, 2, 29));
    expect(parseDateBytes(Buffer.from('C1,T1,3,2023-02-29,40'), 8, 18, 'iso')).toBeNaN();
    expect(parseDateBytes(Buffer.from('C1,T1,3,2024-0a-29,40'), 8, 18, 'iso')).toBeNaN();
  });
});

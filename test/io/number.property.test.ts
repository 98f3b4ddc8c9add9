/**
 * parseNumberFast against the reference Number(): identical bits for every plain
 * decimal accepted, NaN for everything that is not one (or overflows to Infinity).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseNumberFast } from '../../src/io/number.js';

const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });

/** Plain decimals in our grammar, with the given mark. */
const plain = (mark: string) =>
  fc
    .tuple(
      fc.constantFrom('', '+', '-'),
      digits(0, 20),
      fc.option(digits(0, 25), { nil: undefined }),
      fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), digits(1, 3)), { nil: undefined }),
      fc.constantFrom('', ' ', '  ', '\t'),
    )
    .filter(([, a, b]) => a.length + (b?.length ?? 0) > 0)
    .map(([sign, a, b, e, pad]) => pad + sign + a + (b === undefined ? '' : mark + b) + (e ? e.join('') : '') + pad);

/** The reference: Number(), except that an overflow to ±Infinity is not a number. */
const reference = (s: string): number => {
  const v = Number(s);
  return Number.isFinite(v) ? v : NaN;
};

describe('parseNumberFast', () => {
  it('equals Number() bit for bit on plain decimals (point)', () => {
    fc.assert(
      fc.property(plain('.'), (s) => {
        expect(Object.is(parseNumberFast(s, false), reference(s))).toBe(true);
      }),
      { numRuns: 20000 },
    );
  });

  it('equals Number() on comma decimals with decimalComma', () => {
    fc.assert(
      fc.property(plain(','), (s) => {
        expect(Object.is(parseNumberFast(s, true), reference(s.replace(',', '.')))).toBe(true);
      }),
      { numRuns: 20000 },
    );
  });

  it('round-trips every double through its shortest string', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
        (d) => {
          expect(Object.is(parseNumberFast(String(d), false), d)).toBe(true);
          expect(Object.is(parseNumberFast(String(d).replace('.', ','), true), d)).toBe(true);
        },
      ),
      { numRuns: 20000 },
    );
  });

  it('hard cases near the fast-path limits', () => {
    const cases = [
      '9007199254740991',
      '9007199254740992',
      '9007199254740993',
      '0.1',
      '0.3',
      '123456789012345678901234567890',
      '1.7976931348623157e308',
      '4.9e-324',
      '0.0000000000000000000001',
      '0.00000000000000000000001',
      '89255.0000000000000000001',
      '-0',
      '-0.0',
      '5.',
      '.5',
      '007',
    ];
    for (const s of cases) expect(Object.is(parseNumberFast(s, false), Number(s))).toBe(true);
  });

  it('is NaN or Number() for any string (never a different number)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789.,-+eE xabInfity_'), maxLength: 12 }), fc.boolean(), (s, comma) => {
        const got = parseNumberFast(s, comma);
        if (!Number.isNaN(got)) {
          expect(s.trim()).not.toBe('');
          expect(Object.is(got, Number(comma ? s.replace(',', '.') : s))).toBe(true);
          expect(s.includes(comma ? '.' : ',')).toBe(false);
        }
      }),
      { numRuns: 20000 },
    );
  });

  it('rejects what is not a plain number', () => {
    for (const s of ['', ' ', '-', '+', '.', 'e5', '1e', '1e+', '0x1A', 'Infinity', '-Infinity', 'NaN', '1,000.5', '1.2.3', '1_000', 'abc', '12a'])
      expect(parseNumberFast(s, false)).toBeNaN();
    expect(parseNumberFast('3.5', true)).toBeNaN();
    expect(parseNumberFast('3,5', false)).toBeNaN();
  });

  it('rejects a number too large for a double (Number() would give Infinity)', () => {
    for (const s of ['1e400', '-1e400', '1.8e308', '  2e308 ']) expect(parseNumberFast(s, false)).toBeNaN();
    expect(parseNumberFast('1,5e999', true)).toBeNaN();
    // The largest finite double still reads.
    expect(parseNumberFast('1.7976931348623157e308', false)).toBe(Number.MAX_VALUE);
    // Underflow is a number (zero), not an error.
    expect(parseNumberFast('1e-400', false)).toBe(0);
  });
});

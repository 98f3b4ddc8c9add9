import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { exactDecimal, formatP, toFixedR } from '../../src/report/number.js';

// test/reference/rounding.R: R's sprintf("%.nf", x) for ties and near-ties.
const ref = JSON.parse(readFileSync(new URL('../reference/rounding.json', import.meta.url), 'utf8')) as {
  cases: { x: number; digits: number; r: string }[];
};

describe('toFixedR', () => {
  it('prints every reference case exactly as R sprintf does', () => {
    expect(ref.cases.length).toBeGreaterThan(50);
    for (const c of ref.cases) expect([c.x, c.digits, toFixedR(c.x, c.digits)]).toEqual([c.x, c.digits, c.r]);
  });

  it('differs from toFixed on exact binary ties (half-even, as C printf)', () => {
    expect((0.125).toFixed(2)).toBe('0.13');
    expect(toFixedR(0.125, 2)).toBe('0.12');
  });

  it('expands doubles exactly', () => {
    expect(exactDecimal(0.5)).toBe('0.5');
    expect(exactDecimal(0.1)).toBe('0.1000000000000000055511151231257827021181583404541015625');
    expect(exactDecimal(1024)).toBe('1024');
  });
});

describe('formatP', () => {
  it('shows small p as <0.001 and others with 3 decimals', () => {
    expect(formatP(0.0008471081)).toBe('<0.001');
    expect(formatP(0.01717)).toBe('0.017');
    expect(formatP(1)).toBe('1.000');
  });
});

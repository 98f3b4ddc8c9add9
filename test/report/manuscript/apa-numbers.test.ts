/**
 * APA number rules on top of R's sprintf rounding (test/reference/rounding.json, written by
 * rounding.R): r and p lose the leading zero, p below .001 is "< .001", df never gets a
 * thousands separator while counts do.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apaR, count, dfText, interval, pValue, plain, sym } from '../../../src/report/manuscript/model.js';

const ROUND = JSON.parse(readFileSync(new URL('../../reference/rounding.json', import.meta.url), 'utf8')) as {
  cases: { x: number; digits: number; r: string }[];
};

describe('APA numbers', () => {
  it('r: R sprintf("%.2f") without the leading zero', () => {
    const cases = ROUND.cases.filter((c) => c.digits === 2 && Math.abs(c.x) < 1);
    expect(cases.length).toBeGreaterThan(10);
    for (const c of cases) expect(apaR(c.x)).toBe(c.r.replace(/^(-?)0\./, '$1.'));
  });

  it('p: three decimals as R rounds them, "< .001" below .001', () => {
    const cases = ROUND.cases.filter((c) => c.digits === 3 && c.x >= 0.001 && c.x < 1);
    expect(cases.length).toBeGreaterThan(5);
    for (const c of cases) expect(pValue(c.x)).toBe(` = ${c.r.replace(/^0\./, '.')}`);
    expect(pValue(0.0005)).toBe(' < .001');
    expect(pValue(0.00099999)).toBe(' < .001');
    expect(pValue(0.001)).toBe(' = .001');
  });

  it('hand-checked examples', () => {
    expect(apaR(-0.0996)).toBe('-.10');
    expect(apaR(0.183)).toBe('.18');
    expect(interval([-0.1532, -0.0551], true)).toBe('[-.15, -.06]');
    expect(interval([-0.0695, 0.7116], false)).toBe('[-0.07, 0.71]');
    expect(dfText(1864)).toBe('1864');
    expect(dfText(1750.34)).toBe('1750.3');
    expect(count(1864)).toBe('1,864');
    expect(plain([sym('r', 'rm'), '(1864) = -.10'])).toBe('r_rm(1864) = -.10');
  });
});

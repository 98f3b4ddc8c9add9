import { describe, expect, it } from 'vitest';
import { quantile as ssQuantile } from 'simple-statistics';
import fc from 'fast-check';
import { mean, median, numbersBeforeNaN, olsLine, olsSlope, quantile, runEnd, RunningMoments, sd, variance } from '../../src/stats/descriptive.js';
import { loadReference, Mismatches } from './reference.js';

// Expected values: test/reference/descriptive.R (R mean, var, sd, quantile type 7,
// median, coef(lm(y ~ x))).
const ref = loadReference('descriptive.json');

describe('descriptive statistics vs R', () => {
  for (const c of ref.cases) {
    it(c.name, () => {
      const m = new Mismatches();
      const scale = Math.max(...c.x.map(Math.abs));
      m.check('mean', mean(c.x), c.mean, { rel: 1e-15 });
      if (c.var != null) {
        m.check('var', variance(c.x), c.var, { rel: 1e-9 });
        m.check('sd', sd(c.x), c.sd, { rel: 1e-9 });
        const run = new RunningMoments();
        for (const v of c.x) run.add(v);
        m.check('RunningMoments mean (trend cohorts)', run.mean, c.mean, { rel: 1e-13 });
        m.check('RunningMoments sd (trend cohorts)', run.sd(), c.sd, { rel: 1e-9 });
        m.check('slope (cov/var)', olsSlope(c.x, c.y), c.slope_cov, { rel: 1e-8, abs: 1e-12 });
        if (c.slope != null) {
          m.check('slope (lm)', olsSlope(c.x, c.y), c.slope, { rel: 1e-9, abs: 1e-12 });
          m.check('intercept (lm)', olsLine(c.x, c.y).intercept, c.intercept, { rel: 1e-9, abs: 1e-12 });
        } else {
          // R's lm() calls x collinear with the intercept (rank tolerance 1e-7) and gives NA
          expect(c.name).toBe('offset');
        }
      } else {
        expect(variance(c.x)).toBeNaN();
        expect(olsSlope(c.x, c.y)).toBeNaN();
      }
      m.check('median', median(c.x), c.median, { rel: 1e-15 });
      const q = quantile(c.x, c.probs as number[]);
      c.probs.forEach((p: number, i: number) => m.check(`q(${p})`, q[i], c.quantile7[i], { rel: 1e-15, abs: 1e-15 * scale }));
      expect(m.items).toEqual([]);
    });
  }
  it('simple-statistics quantile agrees with R type 7 here too (checked, not relied on)', () => {
    const c = ref.cases.find((k: any) => k.name === 'normal');
    c.probs.forEach((p: number, i: number) => expect(ssQuantile(c.x, p)).toBeCloseTo(c.quantile7[i], 10));
  });
  it('edge cases', () => {
    expect(mean([])).toBeNaN();
    expect(quantile([], 0.5)).toBeNaN();
    expect(() => quantile([1, 2], 1.5)).toThrow(RangeError);
    expect(olsSlope([2, 2, 2], [1, 2, 3])).toBeNaN();
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75);
  });
});

describe('bisection on sorted typed arrays (describe per-client tallies)', () => {
  // A Float64Array sorted by its own sort(): ascending, -0 before 0, NaN last.
  const sorted = fc
    .array(fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(-0, 0.1, 2.5, Number.NaN)), { maxLength: 60 })
    .map((a) => Float64Array.from(a).sort());

  it('numbersBeforeNaN is the count of numbers', () => {
    fc.assert(
      fc.property(sorted, (s) => {
        expect(numbersBeforeNaN(s)).toBe(s.filter((v) => !Number.isNaN(v)).length);
      }),
    );
  });

  it('runEnd steps over each run of equal values (-0 and 0 one run) as a linear walk does', () => {
    fc.assert(
      fc.property(sorted, (s) => {
        const n = numbersBeforeNaN(s);
        const runs: [number, number][] = [];
        for (let i = 0; i < n;) {
          const end = runEnd(s, i, n);
          runs.push([i, end]);
          i = end;
        }
        const walk: [number, number][] = [];
        for (let i = 0; i < n;) {
          let j = i + 1;
          while (j < n && s[j] === s[i]) j++;
          walk.push([i, j]);
          i = j;
        }
        expect(runs).toEqual(walk);
      }),
    );
  });
});

/**
 * RunningMoments.addAll (a block of values at once, for describe's reduced client runs) is
 * the same computation as add() one value at a time: for random values (scores with one
 * decimal, values offset by 1e9, tiny and negative ones) cut into random blocks, mixed with
 * single adds, the mean and SD are bit for bit those of the single adds. The values of the
 * single-add path itself are checked against R in running-moments.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RunningMoments } from '../../src/stats/descriptive.js';

const valueArb = fc.oneof(
  fc.integer({ min: 0, max: 400 }).map((v) => v / 10),
  fc.double({ min: -1e6, max: 1e6, noNaN: true }),
  fc.integer({ min: 0, max: 1000 }).map((v) => 1e9 + v / 7),
  fc.double({ min: -1e-9, max: 1e-9, noNaN: true }),
);

/** The shift and the two double-double sums, bit patterns included (-0 and 0 differ). */
function sums(m: RunningMoments): string[] {
  const s = m as unknown as Record<'s1' | 's2', { hi: number; lo: number }> & { shift: number };
  return [s.shift, s.s1.hi, s.s1.lo, s.s2.hi, s.s2.lo].map((v) => (Object.is(v, -0) ? '-0' : String(v)));
}

describe('RunningMoments.addAll', () => {
  it('gives the single adds bit for bit, for any values and any blocks', () => {
    fc.assert(
      fc.property(fc.array(valueArb, { maxLength: 60 }), fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 30 }), (values, cuts) => {
        const one = new RunningMoments();
        for (const v of values) one.add(v);
        const many = new RunningMoments();
        const xs = new Float64Array([NaN, ...values, NaN]);
        let at = 1;
        let k = 0;
        // Blocks of the cut sizes in turn (0: a single add), the whole list without cuts.
        while (at <= values.length) {
          const size = cuts.length ? cuts[k++ % cuts.length] : values.length;
          if (size === 0) {
            many.add(xs[at++]);
            continue;
          }
          const to = Math.min(values.length + 1, at + size);
          many.addAll(xs, at, to);
          at = to;
        }
        expect(many.n).toBe(one.n);
        // The double-double sums themselves (private fields, read here on purpose), then what they give.
        expect(sums(many)).toEqual(sums(one));
        expect(Object.is(many.mean, one.mean)).toBe(true);
        expect(Object.is(many.sd(), one.sd())).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('an empty block changes nothing, also before the first value', () => {
    const m = new RunningMoments();
    m.addAll(new Float64Array([5]), 0, 0);
    expect(m.n).toBe(0);
    m.addAll(new Float64Array([5, 7]), 0, 2);
    const one = new RunningMoments();
    one.add(5);
    one.add(7);
    expect([m.n, m.mean, m.sd()]).toEqual([one.n, one.mean, one.sd()]);
  });
});

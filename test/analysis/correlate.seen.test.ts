/**
 * The --by group accumulators share one table of merged clients (GroupCells: per client its
 * first group, a set only for clients in several groups); each group's view must answer as
 * a set of its own, and an accumulator on it must behave exactly as one on the overall
 * accumulator's byte-per-client set (same clients, same scattered clients, same aggregates,
 * bit for bit).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Accumulator, type AccumulatorConfig } from '../../src/analysis/correlate/accumulate.js';
import { GroupCells, SeenSet } from '../../src/analysis/correlate/seen.js';
import { Random } from '../../src/stats/random.js';

const cfg: AccumulatorConfig = {
  measures: 2,
  pairs: [{ alliance: 0, outcome: 1 }],
  early: { mode: 'session', k: 3 },
  lagged: true,
  keepPooledValues: false,
  keepClients: false,
};

describe('correlate: the groups merged-client table', () => {
  it('answers per group as a set per group', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 4 })), { maxLength: 300 }), (ops) => {
        const table = new GroupCells();
        const views = [0, 1, 2, 3, 4].map((g) => table.of(g));
        const sets = views.map(() => new Set<number>());
        for (const [add, c, g] of ops) {
          if (add) {
            views[g].add(c);
            sets[g].add(c);
          }
          for (let h = 0; h < 5; h++) expect(views[h].has(c)).toBe(sets[h].has(c));
        }
        expect(views.map((v) => v.size)).toEqual(sets.map((s) => s.size));
      }),
      { numRuns: 300 },
    );
  });

  it.each([100, 5000, 20000])('%i clients (runs, some coming back later, some in two groups) give the same result as a set of their own', (clients) => {
    const rng = new Random(7);
    const table = new GroupCells();
    const own = new Accumulator(cfg, new SeenSet());
    const shared = new Accumulator(cfg, table.of(1));
    // Another group on the same table holds some of the same clients.
    const other = new Accumulator(cfg, table.of(0));
    const values = new Float64Array(2);
    // Client ids spread over a large index range (as in one --by group), in runs.
    const ids = Array.from({ length: clients }, (_, i) => i * 7 + 3);
    const order = [...ids, ...ids.filter((_, i) => i % 97 === 0)];
    for (const c of order) {
      const n = 1 + Math.floor(rng.uniform() * 6);
      for (let s = 1; s <= n; s++) {
        values[0] = 30 + rng.uniform() * 10;
        values[1] = 20 + rng.uniform() * 20;
        if (c % 5 === 0) other.add(c, s, values);
        own.add(c, s, values);
        shared.add(c, s, values);
      }
    }
    own.flush();
    shared.flush();
    other.flush();
    expect(shared.clients).toBe(clients);
    expect(shared.clients).toBe(own.clients);
    expect(other.clients).toBe(ids.filter((c) => c % 5 === 0).length);
    expect(shared.scatteredCount).toBe(Math.ceil(clients / 97));
    expect(shared.scatteredCount).toBe(own.scatteredCount);
    expect([...shared.scattered]).toEqual([...own.scattered]);
    expect(shared.rows).toBe(own.rows);
    for (const k of ['pooled', 'between', 'within', 'lagW', 'early'] as const) {
      expect(Array.from(shared.agg[k])).toEqual(Array.from(own.agg[k]));
    }
  });
});

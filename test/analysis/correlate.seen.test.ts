/**
 * The --by group accumulators start with a sparse set of merged clients and switch to a
 * dense one past a few thousand clients; before and after the switch they must behave
 * exactly as the dense set of the overall accumulator (same clients, same scattered
 * clients, same aggregates, bit for bit).
 */
import { describe, expect, it } from 'vitest';
import { Accumulator, type AccumulatorConfig } from '../../src/analysis/correlate/accumulate.js';
import { Random } from '../../src/stats/random.js';

const cfg: AccumulatorConfig = {
  measures: 2,
  pairs: [{ alliance: 0, outcome: 1 }],
  early: { mode: 'session', k: 3 },
  lagged: true,
  keepPooledValues: false,
  keepClients: false,
};

describe('correlate: sparse-then-dense merged-client set', () => {
  it.each([100, 5000, 20000])('%i clients (runs, some clients coming back later) give the same result dense or sparse', (clients) => {
    const rng = new Random(7);
    const dense = new Accumulator(cfg, true);
    const sparse = new Accumulator(cfg, false);
    const values = new Float64Array(2);
    // Client ids spread over a large index range (as in one --by group), in runs.
    const ids = Array.from({ length: clients }, (_, i) => i * 7 + 3);
    const order = [...ids, ...ids.filter((_, i) => i % 97 === 0)];
    for (const c of order) {
      const n = 1 + Math.floor(rng.uniform() * 6);
      for (let s = 1; s <= n; s++) {
        values[0] = 30 + rng.uniform() * 10;
        values[1] = 20 + rng.uniform() * 20;
        dense.add(c, s, values);
        sparse.add(c, s, values);
      }
    }
    dense.flush();
    sparse.flush();
    expect(sparse.clients).toBe(clients);
    expect(sparse.clients).toBe(dense.clients);
    expect(sparse.scatteredCount).toBe(Math.ceil(clients / 97));
    expect(sparse.scatteredCount).toBe(dense.scatteredCount);
    expect([...sparse.scattered]).toEqual([...dense.scattered]);
    expect(sparse.rows).toBe(dense.rows);
    for (const k of ['pooled', 'between', 'within', 'lagW', 'early'] as const) {
      expect(Array.from(sparse.agg[k])).toEqual(Array.from(dense.agg[k]));
    }
  });
});

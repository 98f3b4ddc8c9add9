/**
 * correlate --by reduces each client's run once for all rows and its group
 * (src/analysis/correlate/grouped.ts). Differential: on random row sequences (clients in
 * runs, coming back later, changing group within a run, rows without a group, repeated and
 * out-of-order session numbers, missing values), every accumulator must end exactly as when
 * each row is added to the overall accumulator and to its group's one by one
 * (Accumulator.add): the same rows, clients, scattered and disordered clients, aggregates,
 * Spearman values and bootstrap per-client statistics, bit for bit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Accumulator, type AccumulatorConfig } from '../../src/analysis/correlate/accumulate.js';
import { GroupedRuns } from '../../src/analysis/correlate/grouped.js';
import { GroupCells } from '../../src/analysis/correlate/seen.js';

interface Row {
  client: number;
  session: number;
  cell: number;
  a: number;
  o: number;
}

const value = fc.option(
  fc.integer({ min: 0, max: 40 }).map((v) => v / 4),
  { freq: 6, nil: NaN },
);

/** Runs of rows: a client (few, so they come back), its group(s) and sessions. */
const rowsArb = fc
  .array(
    fc.record({
      client: fc.integer({ min: 0, max: 7 }),
      cell: fc.integer({ min: -1, max: 3 }),
      switchAt: fc.integer({ min: 0, max: 8 }),
      otherCell: fc.integer({ min: -1, max: 3 }),
      sessions: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 8 }),
      sorted: fc.boolean(),
      values: fc.array(fc.tuple(value, value), { minLength: 8, maxLength: 8 }),
    }),
    { minLength: 1, maxLength: 14 },
  )
  .map((runs) => {
    const rows: Row[] = [];
    for (const r of runs) {
      const sessions = r.sorted ? [...r.sessions].sort((x, y) => x - y) : r.sessions;
      sessions.forEach((session, k) => {
        const [a, o] = r.values[k];
        rows.push({ client: r.client, session, cell: k < r.switchAt ? r.cell : r.otherCell, a, o });
      });
    }
    return rows;
  });

const cfgArb: fc.Arbitrary<AccumulatorConfig> = fc.record({
  measures: fc.constant(2),
  pairs: fc.constant([{ alliance: 0, outcome: 1 }]),
  early: fc.oneof(fc.constant(null), fc.record({ mode: fc.constantFrom('session' as const, 'window' as const), k: fc.integer({ min: 1, max: 4 }) })),
  lagged: fc.boolean(),
  keepPooledValues: fc.boolean(),
  keepClients: fc.boolean(),
});

function state(acc: Accumulator) {
  const { agg } = acc;
  return {
    rows: acc.rows,
    clients: acc.clients,
    scatteredCount: acc.scatteredCount,
    scattered: [...acc.scattered],
    disordered: acc.disorderedCount,
    aggregates: [agg.pooled, agg.pooledSq, agg.between, agg.betweenSq, agg.within, agg.lagN, agg.lagW, agg.lagSq, agg.early].map((x) => Array.from(x)),
    spearman: acc.cfg.keepPooledValues ? acc.cfg.pairs.map((_, p) => acc.spearmanRho(p)) : null,
    entries: acc.entryClient.slice(),
    moments: acc.clientMoments ? Array.from(acc.clientMoments.view()) : null,
    early: acc.clientEarly ? Array.from(acc.clientEarly.view()) : null,
    lag: acc.clientLag ? Array.from(acc.clientLag.view()) : null,
  };
}

/** Every accumulator's state: the overall one, then the groups by cell. */
function feed(cfg: AccumulatorConfig, rows: Row[], grouped: boolean): (ReturnType<typeof state> | null)[] {
  const overall = new Accumulator(cfg);
  const cells = new GroupCells();
  const groups: Accumulator[] = [];
  const group = (cell: number): Accumulator => (groups[cell] ??= new Accumulator(cfg, cells.of(cell)));
  const values = new Float64Array(2);
  const by = new GroupedRuns(overall, group);
  for (const r of rows) {
    values[0] = r.a;
    values[1] = r.o;
    if (grouped) {
      by.add(r.client, r.session, values, r.cell);
    } else {
      overall.add(r.client, r.session, values);
      if (r.cell >= 0) group(r.cell).add(r.client, r.session, values);
    }
  }
  if (grouped) {
    by.finish(groups);
  } else {
    overall.flush();
    for (const g of groups) g?.flush();
  }
  return [overall, ...groups].map((a) => (a ? state(a) : null));
}

describe('correlate --by: one reduction per client run for all rows and its group', () => {
  it('gives every accumulator exactly what adding each row to both gives', () => {
    fc.assert(
      fc.property(cfgArb, rowsArb, (cfg, rows) => {
        expect(feed(cfg, rows, true)).toEqual(feed(cfg, rows, false));
      }),
      { numRuns: 400 },
    );
  });

  it('covers what it is meant to: shared reductions, a client back in its group, several groups in a run', () => {
    const cfg: AccumulatorConfig = {
      measures: 2,
      pairs: [{ alliance: 0, outcome: 1 }],
      early: { mode: 'session', k: 2 },
      lagged: true,
      keepPooledValues: true,
      keepClients: true,
    };
    const rows: Row[] = [
      // client 0 in group 0, then client 1 in group 1, then client 0 back in group 0 before
      // any other client of group 0: group 0's run of client 0 continues (not scattered there).
      { client: 0, session: 1, cell: 0, a: 1, o: 2 },
      { client: 0, session: 2, cell: 0, a: 2, o: 3 },
      { client: 0, session: 3, cell: 0, a: 4, o: 3 },
      { client: 1, session: 1, cell: 1, a: 3, o: 1 },
      { client: 1, session: 2, cell: 1, a: 2, o: 5 },
      { client: 0, session: 4, cell: 0, a: 5, o: 6 },
      // client 2 changes group within its run, and has a row without a group
      { client: 2, session: 1, cell: 0, a: 1, o: 1 },
      { client: 2, session: 2, cell: 1, a: 2, o: 4 },
      { client: 2, session: 3, cell: -1, a: 3, o: 2 },
      { client: 3, session: 2, cell: 1, a: 6, o: 2 },
      { client: 3, session: 1, cell: 1, a: 5, o: 1 },
    ];
    const got = feed(cfg, rows, true);
    expect(got).toEqual(feed(cfg, rows, false));
    const [overall, g0, g1] = got.map((s) => s!);
    expect([overall.rows, overall.clients, overall.scatteredCount, overall.disordered]).toEqual([11, 4, 1, 1]);
    expect([g0.rows, g0.clients, g0.scatteredCount]).toEqual([5, 2, 0]);
    expect([g1.rows, g1.clients, g1.scatteredCount, g1.disordered]).toEqual([5, 3, 0, 1]);
  });
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PagedColumn } from '../../src/analysis/trend/store.js';
import { analyzeTrend } from '../../src/analysis/trend/trend.js';
import { trendRunOptions } from '../../src/sections/trend/options.js';
import { getInstrument } from '../../src/instruments/registry.js';
import { memoryDataset, type MemoryRow } from '../helpers/memory-dataset.js';

const score = fc.oneof(
  fc.constant(undefined),
  fc.integer({ min: 0, max: 27 }),
  fc.integer({ min: 0, max: 400 }).map((x) => x / 10),
);

const rowsArb = fc
  .array(
    fc.record({
      client: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
      session: fc.integer({ min: 1, max: 8 }),
      srs: score,
      phq: score,
    }),
    { minLength: 1, maxLength: 60 },
  )
  .map((rs) => {
    // One row per client and session (duplicates are validate's business).
    const seen = new Set<string>();
    return rs.filter((r) => !seen.has(`${r.client}:${r.session}`) && seen.add(`${r.client}:${r.session}`));
  });

function dataset(rows: { client: string; session: number; srs?: number; phq?: number }[]) {
  const mrows: MemoryRow[] = rows.map((r) => ({ client: r.client, session: r.session, values: [r.srs, r.phq] }));
  return memoryDataset(
    [
      { name: 'srs', role: 'alliance', instrument: getInstrument('SRS') },
      { name: 'phq9', role: 'outcome', instrument: getInstrument('PHQ-9') },
    ],
    mrows,
  );
}

/**
 * Rows of one dataset whose scores are k * unit + offset: whole numbers and tenths (held as
 * Int16 codes), quarters and thousandths (Int32), ten-thousandths (Float64), some negative;
 * scores on a common grid, so differences often equal the thresholds exactly.
 */
const decimalRowsArb = fc.record({ unit: fc.constantFrom(1, 0.5, 0.25, 0.1), offset: fc.constantFrom(0, 0.1, 0.001, 0.0001) }).chain(({ unit, offset }) => {
  const value = fc.option(
    fc.integer({ min: -4, max: 8 }).map((k) => k * unit + offset),
    { freq: 6, nil: undefined },
  );
  return fc.array(fc.record({ client: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), session: fc.integer({ min: 1, max: 7 }), srs: value, phq: value }), {
    minLength: 10,
    maxLength: 80,
  });
});

describe('trend properties', () => {
  it('code tables and histograms give what the threshold functions and sorting give', async () => {
    await fc.assert(
      fc.asyncProperty(
        decimalRowsArb,
        fc.record({
          drop: fc.constantFrom(0.5, 1, 1.25, 1 / 3, 2.001),
          allianceCutoff: fc.constantFrom(10, 12.5, 0.1 + 0.2, 36),
          rcThreshold: fc.constantFrom(0.5, 5, 6.02, Math.PI),
          outcomeHigherIsBetter: fc.boolean(),
          ntpQuantile: fc.constantFrom(0, 0.1, 0.25, 0.5, 1),
          ntpBands: fc.integer({ min: 1, max: 4 }),
        }),
        async (rows, o) => {
          const ds = () =>
            memoryDataset(
              [
                { name: 'a', role: 'alliance' },
                { name: 'y', role: 'outcome' },
              ],
              rows.map((r) => ({ client: r.client, session: r.session, values: [r.srs, r.phq] })),
            );
          const opts = trendRunOptions({ ...o, clients: true, ntpMinClients: 1 });
          const fast = await analyzeTrend(ds(), opts);
          const plain = await analyzeTrend(ds(), { ...opts, codeTables: false });
          expect(JSON.stringify(fast)).toBe(JSON.stringify(plain));
        },
      ),
      { numRuns: 300 },
    );
  }, 240_000);

  it('PagedColumn gives back every double exactly, whatever the mix', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.double(),
            fc.integer({ min: -40000, max: 40000 }),
            fc.integer({ min: -9999, max: 9999 }).map((x) => x / 10),
          ),
          { maxLength: 40 },
        ),
        (vals) => {
          const col = new PagedColumn();
          vals.forEach((v, i) => col.set(i * 7919, v));
          vals.forEach((v, i) => expect(Object.is(col.get(i * 7919), v)).toBe(true));
        },
      ),
    );
  });

  it('per-client results do not depend on row order', async () => {
    await fc.assert(
      fc.asyncProperty(rowsArb, fc.func(fc.integer()), async (rows, key) => {
        const shuffled = rows
          .map((r, i) => ({ r, k: key(i) }))
          .sort((x, y) => x.k - y.k)
          .map((x) => x.r);
        const a = await analyzeTrend(dataset(rows), trendRunOptions({ clients: true, ntpMinClients: 2 }));
        const b = await analyzeTrend(dataset(shuffled), trendRunOptions({ clients: true, ntpMinClients: 2 }));
        const byId = new Map([...b.clientRows!].map((r) => [r.client, r]));
        for (const r of a.clientRows!) {
          const o = byId.get(r.client)!;
          expect(o.change).toEqual(r.change);
          expect(o.alliance.belowCutoff).toEqual(r.alliance.belowCutoff);
          expect(o.alliance.drops).toEqual(r.alliance.drops);
          expect(o.notOnTrack).toEqual(r.notOnTrack);
          expect(o.series).toEqual(r.series);
        }
        expect(b.summary.categories).toEqual(a.summary.categories);
        expect(b.summary.excluded).toEqual(a.summary.excluded);
      }),
      { numRuns: 150 },
    );
  }, 240_000); // 150 trend runs: ~10 s alone, far more on a loaded 2-core CI machine
});

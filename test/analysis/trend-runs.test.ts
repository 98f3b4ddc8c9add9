/**
 * trend's two ways through the scan (src/analysis/trend/runs.ts): when every client's rows
 * come together, in the order the clients were first seen, pass A and the session part of
 * pass D are done as each client's run ends; otherwise every pass reads the session store.
 * The same rows given both ways (the second with the clients' rows interleaved, each
 * client's rows in the same relative order and the clients first seen in the same order)
 * must give the same result, every number the same double.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { analyzeTrend, type TrendOptions, type TrendResult } from '../../src/analysis/trend/trend.js';
import { trendRunOptions } from '../../src/sections/trend/options.js';
import { getInstrument } from '../../src/instruments/registry.js';
import { memoryDataset, type MemoryRow } from '../helpers/memory-dataset.js';

const score = (max: number) =>
  fc.option(
    fc.integer({ min: 0, max: 10 * max }).map((x) => x / 10),
    { freq: 8, nil: undefined },
  );

/**
 * One client's rows: sessions (repeats and blanks in the order allowed), dates, a therapist
 * and a site; `odd` adds what makes the runs' change steps give up (src/analysis/trend/steps.ts):
 * sessions since intake of 1024 or more or not whole, and outcomes with two decimals (a
 * wider tier of the store's outcome column, maybe after the first clients).
 */
const clientOf = (odd: boolean) =>
  fc.record({
    therapist: fc.constantFrom('T1', 'T2', 'T3'),
    sessions: fc.array(
      fc.record({
        session: odd
          ? fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1, max: 12 }) }, { weight: 1, arbitrary: fc.constantFrom(1030, 2.5) })
          : fc.integer({ min: 1, max: 12 }),
        day: fc.option(fc.integer({ min: 0, max: 700 }), { freq: 6, nil: undefined }),
        site: fc.option(fc.constantFrom('north', 'south'), { freq: 5, nil: undefined }),
        srs: score(40),
        ors: odd ? fc.oneof({ weight: 8, arbitrary: score(40) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 4000 }).map((x) => x / 100) }) : score(40),
      }),
      { minLength: 1, maxLength: 14 },
    ),
  });
const clientArb = clientOf(false);
/** The clients of each property below: plain, and with what makes the change steps give up (test names' suffix first). */
const CLIENT_KINDS: [string, typeof clientArb][] = [
  ['', clientArb],
  [' (also when the change steps give up)', clientOf(true)],
];

type ClientGen = { therapist: string; sessions: { session: number; day?: number; site?: string; srs?: number; ors?: number }[] };

const optionsArb = fc.record(
  {
    period: fc.constantFrom<TrendOptions['period']>('month', 'quarter', 'year'),
    by: fc.constant<TrendOptions['by']>('site'),
    fixed: fc.boolean(),
    reliability: fc.constantFrom(0.8, 0.9),
    cutoff: fc.constantFrom<TrendOptions['cutoff']>('a', 'c'),
    codeTables: fc.boolean(),
  },
  { requiredKeys: [] },
);

function rowsOf(clients: ClientGen[]): MemoryRow[][] {
  return clients.map((c, i) =>
    c.sessions.map((s) => ({
      client: `C${i}`,
      session: s.session,
      date: s.day === undefined ? undefined : new Date(Date.UTC(2024, 0, 1) + s.day * 86_400_000).toISOString().slice(0, 10),
      therapist: c.therapist,
      groups: [s.site],
      values: [s.srs, s.ors],
    })),
  );
}

/** The rows merged in an order `pick` decides, each client's rows in order, each client's first row where it was. */
function interleave(runs: MemoryRow[][], pick: (i: number) => number): MemoryRow[] {
  const firsts = runs.map((r) => r[0]);
  const rest = runs.map((r) => r.slice(1));
  const out: MemoryRow[] = [...firsts];
  let i = 0;
  for (;;) {
    const open = rest.filter((r) => r.length > 0);
    if (open.length === 0) break;
    out.push(open[Math.abs(pick(i++)) % open.length].shift()!);
  }
  return out;
}

type RunOptions = Partial<{
  period: TrendOptions['period'];
  by: TrendOptions['by'];
  fixed: boolean;
  reliability: number;
  cutoff: TrendOptions['cutoff'];
  codeTables: boolean;
}>;

/** The rows as a dataset of SRS (alliance) and ORS (outcome), with a site column. */
function srsOrs(rows: MemoryRow[]) {
  return memoryDataset(
    [
      { name: 'srs', role: 'alliance', instrument: getInstrument('SRS') },
      { name: 'ors', role: 'outcome', instrument: getInstrument('ORS') },
    ],
    rows,
    ['site'],
  );
}

async function run(rows: MemoryRow[], o: RunOptions): Promise<unknown> {
  const ds = srsOrs(rows);
  const opts: TrendOptions = {
    clients: true,
    ntpMinClients: 2,
    ...(o.period ? { period: o.period } : {}),
    ...(o.by ? { by: o.by } : {}),
    ...(o.fixed ? { pre: 1, post: 4 } : {}),
    ...(o.reliability ? { reliability: o.reliability } : {}),
    ...(o.cutoff ? { cutoff: o.cutoff } : {}),
    ...(o.codeTables === false ? { codeTables: false } : {}),
    minClients: 1,
  };
  const r: TrendResult = await analyzeTrend(ds, trendRunOptions(opts));
  return { ...r, clientRows: [...r.clientRows!] };
}

describe('trend: clients in runs and clients interleaved', () => {
  it.each(CLIENT_KINDS)(
    'give the same result, number for number%s',
    async (_, arb) => {
      await fc.assert(
        fc.asyncProperty(fc.array(arb, { minLength: 2, maxLength: 8 }), fc.func(fc.integer()), optionsArb, async (clients, pick, o) => {
          const runs = rowsOf(clients);
          const inRuns = await run(runs.flat(), o);
          const mixed = interleave(runs, pick);
          // Only a real interleaving tests the other path.
          fc.pre(mixed.some((r, i) => i > 0 && r.client < mixed[i - 1].client));
          expect(await run(mixed, o)).toEqual(inRuns);
        }),
        { numRuns: 200 },
      );
    },
    240_000,
  );
});

/**
 * The streamed scan (src/analysis/trend/runs.ts): without periods, groups or client rows, the
 * store stops keeping the runs after `streamAfter` rows in client order, and the passes count
 * from the change steps; when the order breaks after that (or the steps cannot stand for the
 * store), the input is read again into a store of every row. Whatever `streamAfter`, the
 * result must be the one of a store that keeps every row, number for number.
 */
describe('trend: the streamed scan', () => {
  async function streamed(rows: MemoryRow[], o: RunOptions, streamAfter: number): Promise<{ result: TrendResult; scans: number }> {
    const ds = srsOrs(rows);
    let scans = 0;
    const scan = ds.scan.bind(ds);
    ds.scan = (...args) => {
      scans++;
      return scan(...args);
    };
    const opts: TrendOptions = {
      ntpMinClients: 2,
      ...(o.fixed ? { pre: 1, post: 4 } : {}),
      ...(o.reliability ? { reliability: o.reliability } : {}),
      ...(o.cutoff ? { cutoff: o.cutoff } : {}),
      minClients: 1,
      streamAfter,
    };
    return { result: await analyzeTrend(ds, trendRunOptions(opts)), scans };
  }
  const plainOptions = fc.record(
    { fixed: fc.boolean(), reliability: fc.constantFrom(0.8, 0.9), cutoff: fc.constantFrom<TrendOptions['cutoff']>('a', 'c') },
    { requiredKeys: [] },
  );

  it.each(CLIENT_KINDS)(
    'gives the result of a store that keeps every row%s',
    async (_, arb) => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(arb, { minLength: 2, maxLength: 8 }),
          fc.integer({ min: 0, max: 40 }),
          fc.integer({ min: 0, max: 6 }),
          plainOptions,
          async (clients, after, late, o) => {
            const runs = rowsOf(clients);
            // In client order, then (late > 0) some rows of the first client again at the end.
            const rows = [...runs.flat(), ...runs[0].slice(0, late)];
            const kept = await streamed(rows, o, Infinity);
            const got = await streamed(rows, o, after);
            expect(got.result).toEqual(kept.result);
            expect(kept.scans).toBe(1);
          },
        ),
        { numRuns: 300 },
      );
    },
    240_000,
  );

  it('reads the input again only when the order breaks after the store stopped keeping the runs', async () => {
    const runs = rowsOf(
      Array.from({ length: 6 }, (_, i) => ({
        therapist: 'T1',
        sessions: Array.from({ length: 5 }, (_, k) => ({ session: k + 1, srs: 30 + ((i + k) % 10), ors: 10 + i + 2 * k })),
      })),
    );
    const sorted = runs.flat();
    // 30 rows in order: the store stops after the first run (5 rows); one read.
    expect((await streamed(sorted, {}, 5)).scans).toBe(1);
    // A row of client 0 at the end: after the store stopped, read again; before it (a
    // store that keeps every row), once.
    const late = [...sorted, sorted[0]];
    const again = await streamed(late, {}, 5);
    expect(again.scans).toBe(2);
    const once = await streamed(late, {}, 1000);
    expect(once.scans).toBe(1);
    expect(again.result).toEqual(once.result);
    // Whole outcomes first, tenths later (a wider tier of the store's outcome column): the
    // steps so far are scaled to it, no second read, the same flags as the sorting path (the
    // clients share the intake's band, so steps left unscaled flag other clients).
    const tenths = rowsOf(
      Array.from({ length: 12 }, (_, i) => ({
        therapist: 'T1',
        sessions: Array.from({ length: 6 }, (_, k) => ({ session: k + 1, srs: 36, ors: i < 6 || k === 0 ? 10 - ((i * k) % 7) : 9.5 + ((i + 3 * k) % 9) })),
      })),
    ).flat();
    const scaled = await streamed(tenths, {}, 0);
    expect(scaled.scans).toBe(1);
    const sorting = await analyzeTrend(srsOrs(tenths), trendRunOptions({ ntpMinClients: 2, minClients: 1, codeTables: false }));
    expect(scaled.result.summary.notOnTrack.flags).toBeGreaterThan(0);
    expect(scaled.result).toEqual(sorting);
    // Outcomes past three decimals (a Float64 column): the steps give up, read again.
    const float = sorted.map((r, i) => (i === 12 ? { ...r, values: [r.values[0], 12.34567] } : r));
    expect((await streamed(float, {}, 5)).scans).toBe(2);
  });
});

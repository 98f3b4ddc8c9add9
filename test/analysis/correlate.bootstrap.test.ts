/**
 * The cluster bootstrap of `alliance correlate` for every analysis (pooled, between, within,
 * early partial / semi-partial / zero-order, lagged fixed-effects b in both directions).
 *
 * Our generator cannot be reproduced in R, so the resampling is checked by deterministic
 * properties instead:
 * (a) each replicate equals the statistic the non-bootstrap code path (checked against R in
 *     correlate.test.ts via test/reference/correlate.R) computes on the explicitly
 *     materialised resample: the drawn clients' rows, a client drawn twice copied under two
 *     new ids; the draws are reproduced from the seed with the exported resampleIndices and
 *     the documented order (clients by id; per pair: moments, early, lagged);
 * (b) the interval contains the point estimate on a well-behaved simulated dataset;
 * (c) its width shrinks roughly with sqrt(clients);
 * plus: same seed, same result; another seed, another result.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, runCorrelate, type Analysis, type CorrelateOptions, type CorrelateResult } from '../../src/analysis/correlate/index.js';
import { Accumulator } from '../../src/analysis/correlate/accumulate.js';
import { bootstrapReplicates, resampleIndices, type Replicates } from '../../src/analysis/correlate/bootstrap.js';
import { Random } from '../../src/stats/random.js';
import { memoryDataset, type MemoryMeasure, type MemoryRow } from '../helpers/memory-dataset.js';

const MEASURES: MemoryMeasure[] = [
  { name: 'srs', role: 'alliance' },
  { name: 'phq9', role: 'outcome' },
];

/**
 * Simulated clients: a stable alliance level per client, an outcome that improves over the
 * sessions and with the previous session's alliance, noise. Client k has 1 + (k % 7)
 * sessions (so some have no early triple and one session has no lagged pair), and every
 * ninth client misses session 2 (a gap: fewer consecutive pairs).
 */
function simulate(clients: number, seed: number): MemoryRow[] {
  const rng = new Random(seed);
  const rows: MemoryRow[] = [];
  for (let k = 0; k < clients; k++) {
    const id = `c${String(k).padStart(4, '0')}`;
    const u = rng.normal();
    const intake = rng.normal(16, 4);
    const T = 2 + (k % 7);
    let prevA = 30 + 3 * u;
    for (let s = 1; s <= T; s++) {
      const a = 30 + 3 * u + rng.normal(0, 2);
      const o = intake - 0.6 * (s - 1) - 0.35 * (prevA - 30) - 0.5 * u + rng.normal(0, 2.5);
      prevA = a;
      if (k % 9 === 0 && s === 2) continue;
      rows.push({ client: id, session: s, values: [a, o] });
    }
  }
  return rows;
}

async function run(rows: MemoryRow[], opts: Partial<CorrelateOptions>): Promise<CorrelateResult[]> {
  return (await runCorrelate(memoryDataset(MEASURES, rows), opts)).results;
}

/** The accumulator runCorrelate builds (rows in client runs), for bootstrapReplicates. */
function accumulate(rows: MemoryRow[], analyses: Analysis[]): { acc: Accumulator; ids: string[] } {
  const want = new Set(analyses);
  const acc = new Accumulator({
    measures: 2,
    pairs: [{ alliance: 0, outcome: 1 }],
    early: want.has('early') ? DEFAULT_OPTIONS.early : null,
    lagged: want.has('lagged'),
    keepPooledValues: false,
    keepClients: true,
  });
  const ids: string[] = [];
  const index = new Map<string, number>();
  for (const r of rows) {
    let c = index.get(r.client);
    if (c === undefined) {
      c = ids.length;
      ids.push(r.client);
      index.set(r.client, c);
    }
    acc.add(
      c,
      r.session,
      Float64Array.from(r.values, (v) => (v === undefined ? NaN : v)),
    );
  }
  acc.flush();
  return { acc, ids };
}

function replicates(rows: MemoryRow[], analyses: Analysis[], B: number, seed: number): Replicates {
  const { acc, ids } = accumulate(rows, analyses);
  const opts: CorrelateOptions = { ...DEFAULT_OPTIONS, analyses, bootstrap: B, seed };
  return bootstrapReplicates(acc, 0, {
    group: null,
    pairs: [{ alliance: 'srs', outcome: 'phq9', orientation: -1 }],
    opts,
    rng: new Random(seed),
    clientId: (c) => ids[c],
  });
}

/** The clients of rows that contribute to an analysis, in id order (the bootstrap's units). */
function units(rows: MemoryRow[], eligible: (own: MemoryRow[]) => boolean): string[] {
  const by = new Map<string, MemoryRow[]>();
  for (const r of rows) by.set(r.client, [...(by.get(r.client) ?? []), r]);
  return [...by.keys()].filter((id) => eligible(by.get(id)!)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

const hasPair = (own: MemoryRow[]) => own.length > 0;
/** Early (session 3): alliance at session 3, outcome at two sessions, the last one after 3. */
const hasEarly = (own: MemoryRow[]) => own.some((r) => r.session === 3) && own.length >= 2 && Math.max(...own.map((r) => r.session)) > 3;
const hasLag = (own: MemoryRow[]) => own.some((r) => own.some((q) => q.session === r.session + 1));

/** The resample drawn by `idx` as a dataset: the j-th draw's rows under a new client id. */
function materialise(rows: MemoryRow[], unitIds: string[], idx: Int32Array): MemoryRow[] {
  const out: MemoryRow[] = [];
  idx.forEach((u, j) => {
    for (const r of rows) if (r.client === unitIds[u]) out.push({ ...r, client: `${unitIds[u]}#${j}` });
  });
  return out;
}

function stat(results: CorrelateResult[], key: string): number {
  const r = results.find((x) => x.analysis === key || x.method === key || x.direction === key);
  if (!r || !r.estimable) return NaN;
  return (r.analysis === 'lagged' ? r.b : r.r) as number;
}

const ROWS = simulate(60, 2024);

describe('correlate bootstrap: each replicate is the statistic of the materialised resample', () => {
  const B = 4;
  const SEED = 17;
  const groups: { analyses: Analysis[]; keys: (keyof Replicates)[]; eligible: (own: MemoryRow[]) => boolean }[] = [
    { analyses: ['pooled', 'between', 'within'], keys: ['pooled', 'between', 'within'], eligible: hasPair },
    { analyses: ['early'], keys: ['partial', 'semipartial', 'pearson'], eligible: hasEarly },
    { analyses: ['lagged'], keys: ['alliance->outcome', 'outcome->alliance'], eligible: hasLag },
  ];
  for (const g of groups) {
    it(g.analyses.join(', '), async () => {
      const reps = replicates(ROWS, g.analyses, B, SEED);
      const ids = units(ROWS, g.eligible);
      // The eligibility filter matters for early and lagged (not every client contributes).
      if (g.eligible !== hasPair) expect(ids.length).toBeLessThan(60);
      const rng = new Random(SEED);
      for (let rep = 0; rep < B; rep++) {
        const idx = resampleIndices(rng, ids.length);
        const res = await run(materialise(ROWS, ids, idx), { analyses: g.analyses, adjust: 'none' });
        for (const k of g.keys) {
          const got = reps[k]![rep];
          const want = stat(res, k);
          expect(Number.isFinite(want), `${k} rep ${rep}`).toBe(true);
          expect(Math.abs(got - want), `${k} rep ${rep}: ${got} vs ${want}`).toBeLessThan(1e-10);
        }
      }
    });
  }
  it('the eligible clients differ by analysis', () => {
    expect(units(ROWS, hasPair).length).toBe(60);
    expect(units(ROWS, hasEarly).length).toBeLessThan(units(ROWS, hasLag).length);
  });

  it('all analyses at once: the generator is consumed per pair in the order moments, early, lagged', async () => {
    const all: Analysis[] = ['pooled', 'between', 'within', 'early', 'lagged'];
    const reps = replicates(ROWS, all, 2, SEED);
    const rng = new Random(SEED);
    const check = async (eligible: (own: MemoryRow[]) => boolean, analyses: Analysis[], keys: (keyof Replicates)[]) => {
      const ids = units(ROWS, eligible);
      for (let rep = 0; rep < 2; rep++) {
        const res = await run(materialise(ROWS, ids, resampleIndices(rng, ids.length)), { analyses, adjust: 'none' });
        for (const k of keys) expect(Math.abs(reps[k]![rep] - stat(res, k))).toBeLessThan(1e-10);
      }
    };
    await check(hasPair, ['pooled', 'between', 'within'], ['pooled', 'between', 'within']);
    await check(hasEarly, ['early'], ['partial', 'semipartial', 'pearson']);
    await check(hasLag, ['lagged'], ['alliance->outcome', 'outcome->alliance']);
  });
});

describe('correlate bootstrap: early and lagged intervals', () => {
  const keys = ['partial', 'semipartial', 'pearson', 'alliance->outcome', 'outcome->alliance'];
  const pick = (rs: CorrelateResult[]) => rs.filter((r) => r.analysis === 'early' || r.analysis === 'lagged');

  it('same seed, same result (whatever the row order); another seed, another result', async () => {
    const opts = { analyses: ['early', 'lagged'] as Analysis[], bootstrap: 200, seed: 5 };
    const a = pick(await run(ROWS, opts));
    const again = pick(await run(ROWS, opts));
    const reversed = pick(await run([...ROWS].reverse(), opts));
    const other = pick(await run(ROWS, { ...opts, seed: 6 }));
    // A client whose rows are split (repaired in a second pass) keeps its one bootstrap unit.
    const split = [...ROWS.filter((r) => !(r.client === 'c0012' && r.session > 2)), ...ROWS.filter((r) => r.client === 'c0012' && r.session > 2)];
    const scattered = pick(await run(split, opts));
    expect(a).toHaveLength(5);
    for (const [i, r] of a.entries()) {
      expect(r.estimable).toBe(true);
      expect(r.bootstrap_ci).not.toBeNull();
      expect(again[i].bootstrap_ci).toEqual(r.bootstrap_ci);
      for (const j of [0, 1]) expect(Math.abs(reversed[i].bootstrap_ci![j] - r.bootstrap_ci![j])).toBeLessThan(1e-9);
      for (const j of [0, 1]) expect(Math.abs(scattered[i].bootstrap_ci![j] - r.bootstrap_ci![j])).toBeLessThan(1e-9);
      expect(other[i].bootstrap_ci).not.toEqual(r.bootstrap_ci);
    }
  });

  it('without --bootstrap: no interval and no per-client statistics', async () => {
    for (const r of pick(await run(ROWS, { analyses: ['early', 'lagged'] }))) expect(r.bootstrap_ci).toBeNull();
    const acc = new Accumulator({
      measures: 2,
      pairs: [{ alliance: 0, outcome: 1 }],
      early: DEFAULT_OPTIONS.early,
      lagged: true,
      keepPooledValues: false,
      keepClients: false,
    });
    expect(acc.clientEarly).toBeNull();
    expect(acc.clientLag).toBeNull();
  });

  it('a not-estimable result gets no interval', async () => {
    // 4 clients: early needs 5.
    const rows = ROWS.filter((r) => ['c0003', 'c0004', 'c0005', 'c0006'].includes(r.client));
    for (const r of pick(await run(rows, { analyses: ['early'], bootstrap: 50 }))) {
      expect(r.estimable).toBe(false);
      expect(r.bootstrap_ci).toBeNull();
    }
  });

  const big = simulate(400, 99);
  it('the interval contains the point estimate (400 simulated clients)', async () => {
    const rs = pick(await run(big, { analyses: ['early', 'lagged'], bootstrap: 400, seed: 3 }));
    for (const r of rs) {
      const est = (r.analysis === 'lagged' ? r.b : r.r)!;
      const [lo, hi] = r.bootstrap_ci!;
      expect(lo, `${r.method} ${r.direction}`).toBeLessThan(est);
      expect(hi, `${r.method} ${r.direction}`).toBeGreaterThan(est);
      // Same order of size as the analytic interval.
      const w = r.ci![1] - r.ci![0];
      expect(hi - lo).toBeGreaterThan(w / 2);
      expect(hi - lo).toBeLessThan(w * 2);
    }
  });

  it('the width shrinks roughly with sqrt(clients): 4x the clients, about half the width', async () => {
    const small = simulate(100, 99);
    const opts = { analyses: ['early', 'lagged'] as Analysis[], bootstrap: 400, seed: 8 };
    const ws = pick(await run(small, opts));
    const wb = pick(await run(big, opts));
    for (const [i, k] of keys.entries()) {
      const width = (r: CorrelateResult) => r.bootstrap_ci![1] - r.bootstrap_ci![0];
      const ratio = width(ws[i]) / width(wb[i]);
      expect(ratio, k).toBeGreaterThan(1.4);
      expect(ratio, k).toBeLessThan(2.9);
    }
  });
});

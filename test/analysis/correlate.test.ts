/**
 * alliance correlate against R: test/reference/correlate.R -> correlate.json (cor.test,
 * rmcorr's lm(y ~ client + x) definition, ppcor's partial / semi-partial formulas, lm with
 * client factors, p.adjust). Tolerance 1e-6 absolute unless stated.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCorrelate, type CorrelateResult } from '../../src/analysis/correlate/index.js';
import { bh, holm } from '../../src/stats/adjust.js';
import { getInstrument } from '../../src/instruments/registry.js';
import { memoryDataset, type MemoryRow } from '../helpers/memory-dataset.js';

interface RRow {
  client: string;
  session: number;
  a: number | null;
  o: number | null;
}
interface RCor {
  r: number;
  df: number;
  p: number;
  ci: number[];
  n?: number;
  clients?: number;
}
interface RLag {
  b: number;
  se: number;
  t: number;
  p: number;
  df: number;
  ci: number[];
  n: number;
  clients: number;
}
interface RCase {
  name: string;
  k: number;
  mode: 'session' | 'window';
  level: number;
  rows: RRow[];
  pooled: { pearson: RCor; spearman: RCor };
  between: RCor;
  within: RCor;
  early: { n: number; partial: RCor; semipartial: RCor; zero: RCor };
  lagged: { forward: RLag; reverse: RLag };
  family: { p: number[]; holm: number[]; bh: number[] };
}

const REF = JSON.parse(readFileSync(new URL('../reference/correlate.json', import.meta.url), 'utf8')) as {
  cases: RCase[];
  adjust: { p: number[]; holm: number[]; bh: number[] };
};

const TOL = 1e-6;

function toMemory(rows: RRow[]): MemoryRow[] {
  return rows.map((r) => ({ client: r.client, session: r.session, values: [r.a ?? undefined, r.o ?? undefined] }));
}

function find(res: CorrelateResult[], analysis: string, method: string, direction: string | null = null): CorrelateResult {
  const r = res.find((x) => x.analysis === analysis && x.method === method && x.direction === direction && x.group === null);
  if (!r) throw new Error(`no ${analysis}/${method}`);
  return r;
}

function expectCor(got: CorrelateResult, want: RCor, n?: number): void {
  expect(got.estimable).toBe(true);
  expect(got.r!).toBeCloseTo(want.r, 6);
  expect(Math.abs(got.r! - want.r)).toBeLessThan(TOL);
  expect(got.df).toBe(want.df);
  // p: relative tolerance for small p
  expect(Math.abs(got.p! - want.p)).toBeLessThan(Math.max(TOL * want.p, 1e-12));
  expect(got.ci).not.toBeNull();
  expect(Math.abs(got.ci![0] - want.ci[0])).toBeLessThan(TOL);
  expect(Math.abs(got.ci![1] - want.ci[1])).toBeLessThan(TOL);
  if (n !== undefined) expect(got.n).toBe(n);
  const t = want.r * Math.sqrt(want.df / (1 - want.r * want.r));
  expect(Math.abs(got.t! - t)).toBeLessThan(1e-6 * Math.max(1, Math.abs(t)));
}

function expectLag(got: CorrelateResult, want: RLag): void {
  expect(got.estimable).toBe(true);
  expect(Math.abs(got.b! - want.b)).toBeLessThan(TOL);
  expect(Math.abs(got.se! - want.se)).toBeLessThan(TOL);
  expect(Math.abs(got.t! - want.t)).toBeLessThan(TOL);
  expect(got.df).toBe(want.df);
  expect(Math.abs(got.p! - want.p)).toBeLessThan(Math.max(TOL * want.p, 1e-12));
  expect(Math.abs(got.ci![0] - want.ci[0])).toBeLessThan(TOL);
  expect(Math.abs(got.ci![1] - want.ci[1])).toBeLessThan(TOL);
  expect(got.n).toBe(want.n);
  expect(got.clients).toBe(want.clients);
}

describe('correlate against R (test/reference/correlate.R)', () => {
  for (const c of REF.cases) {
    describe(c.name, () => {
      const run = async (adjust: 'holm' | 'bh' | 'none' = 'holm', rows = c.rows) =>
        runCorrelate(
          memoryDataset(
            [
              { name: 'a', role: 'alliance' },
              { name: 'o', role: 'outcome' },
            ],
            toMemory(rows),
          ),
          { method: 'both', ciLevel: c.level, adjust, early: { mode: c.mode, k: c.k } },
        );

      it('pooled Pearson and Spearman match cor.test', async () => {
        const rep = await run();
        expectCor(find(rep.results, 'pooled', 'pearson'), c.pooled.pearson, c.pooled.pearson.n);
        expectCor(find(rep.results, 'pooled', 'spearman'), c.pooled.spearman, c.pooled.spearman.n);
      });

      it('between matches cor.test of client means', async () => {
        const rep = await run();
        expectCor(find(rep.results, 'between', 'pearson'), c.between, c.between.n);
      });

      it('within matches rmcorr (lm with client factor)', async () => {
        const rep = await run();
        const w = find(rep.results, 'within', 'rmcorr');
        expectCor(w, c.within, c.within.n);
        expect(w.clients).toBe(c.within.clients);
      });

      it('early partial, semi-partial and zero-order r match', async () => {
        const rep = await run();
        expectCor(find(rep.results, 'early', 'partial'), c.early.partial, c.early.n);
        expectCor(find(rep.results, 'early', 'semipartial'), c.early.semipartial, c.early.n);
        expectCor(find(rep.results, 'early', 'pearson'), c.early.zero, c.early.n);
      });

      it('lagged fixed-effects regressions match lm with client factors (both directions)', async () => {
        const rep = await run();
        expectLag(find(rep.results, 'lagged', 'fixed-effects', 'alliance->outcome'), c.lagged.forward);
        expectLag(find(rep.results, 'lagged', 'fixed-effects', 'outcome->alliance'), c.lagged.reverse);
      });

      it('lagged results do not depend on row order (second-scan repair)', async () => {
        const shuffled = [...c.rows].reverse();
        const rep = await run('holm', shuffled);
        expectLag(find(rep.results, 'lagged', 'fixed-effects', 'alliance->outcome'), c.lagged.forward);
        expectLag(find(rep.results, 'lagged', 'fixed-effects', 'outcome->alliance'), c.lagged.reverse);
        expect(rep.warnings.some((w) => w.code === 'disordered')).toBe(true);
      });

      it('p_adjusted (holm, BH) over the family of the report matches p.adjust', async () => {
        for (const method of ['holm', 'bh'] as const) {
          const rep = await runCorrelate(
            memoryDataset(
              [
                { name: 'a', role: 'alliance' },
                { name: 'o', role: 'outcome' },
              ],
              toMemory(c.rows),
            ),
            { method: 'pearson', ciLevel: c.level, adjust: method, early: { mode: c.mode, k: c.k } },
          );
          const order = [
            find(rep.results, 'pooled', 'pearson'),
            find(rep.results, 'between', 'pearson'),
            find(rep.results, 'within', 'rmcorr'),
            find(rep.results, 'early', 'partial'),
            find(rep.results, 'early', 'semipartial'),
            find(rep.results, 'early', 'pearson'),
            find(rep.results, 'lagged', 'fixed-effects', 'alliance->outcome'),
            find(rep.results, 'lagged', 'fixed-effects', 'outcome->alliance'),
          ];
          expect(rep.results.filter((r) => r.p !== null)).toHaveLength(8);
          const want = method === 'holm' ? c.family.holm : c.family.bh;
          order.forEach((r, i) => expect(Math.abs(r.p_adjusted! - want[i])).toBeLessThan(Math.max(TOL * want[i], 1e-12)));
        }
      });
    });
  }

  it('holm and bh match p.adjust on a vector with ties', () => {
    holm(REF.adjust.p).forEach((v, i) => expect(v).toBeCloseTo(REF.adjust.holm[i], 12));
    bh(REF.adjust.p).forEach((v, i) => expect(v).toBeCloseTo(REF.adjust.bh[i], 12));
  });
});

describe('correlate: degenerate input and direction', () => {
  const measures = [
    { name: 'SRS', role: 'alliance' as const, instrument: getInstrument('SRS') },
    { name: 'PHQ9', role: 'outcome' as const, instrument: getInstrument('PHQ-9') },
  ];

  it('fewer than 3 clients: within and between are not estimable with a reason, never NaN', async () => {
    const rows: MemoryRow[] = [
      { client: 'a', session: 1, values: [30, 10] },
      { client: 'a', session: 2, values: [32, 8] },
      { client: 'a', session: 3, values: [35, 5] },
      { client: 'b', session: 1, values: [20, 20] },
      { client: 'b', session: 2, values: [25, 18] },
    ];
    const rep = await runCorrelate(memoryDataset(measures, rows));
    const w = find(rep.results, 'within', 'rmcorr');
    expect(w.estimable).toBe(false);
    expect(w.reason).toMatch(/fewer than 3 clients/);
    expect(w.r).toBeNull();
    expect(find(rep.results, 'between', 'pearson').estimable).toBe(false);
    expect(JSON.stringify(rep)).not.toMatch(/NaN/);
    // pooled is estimable: r < 0 with PHQ-9 (lower is better) is favourable
    const p = find(rep.results, 'pooled', 'pearson');
    expect(p.estimable).toBe(true);
    expect(p.r!).toBeLessThan(0);
    expect(p.favourable).toBe(true);
  });

  it('zero variance gives a reason', async () => {
    const rows: MemoryRow[] = [];
    for (const c of ['a', 'b', 'c', 'd']) for (let s = 1; s <= 4; s++) rows.push({ client: c, session: s, values: [30, s + c.charCodeAt(0)] });
    const rep = await runCorrelate(memoryDataset(measures, rows));
    const w = find(rep.results, 'within', 'rmcorr');
    expect(w.estimable).toBe(false);
    expect(w.reason).toMatch(/no variation/);
    expect(find(rep.results, 'pooled', 'pearson').reason).toMatch(/no variation in alliance/);
    // a constant that is not exact in binary (rounding noise must not pass for variation)
    const noisy: MemoryRow[] = rows.map((r) => ({ ...r, values: [1e6 + 0.1, r.values[1]] }));
    const rep2 = await runCorrelate(memoryDataset(measures, noisy));
    for (const a of ['pooled', 'between', 'within'] as const) {
      const r = rep2.results.find((x) => x.analysis === a)!;
      expect(r.estimable).toBe(false);
      expect(r.reason).toMatch(/no variation/);
    }
  });

  it('a large offset is not mistaken for zero variance (r invariant to adding 1e7)', async () => {
    const c = REF.cases[0];
    const shifted = c.rows.map((r) => ({ ...r, a: r.a === null ? null : r.a + 1e7, o: r.o === null ? null : r.o - 1e7 }));
    const rep = await runCorrelate(
      memoryDataset(
        [
          { name: 'a', role: 'alliance' },
          { name: 'o', role: 'outcome' },
        ],
        toMemory(shifted),
      ),
      { early: { mode: c.mode, k: c.k }, ciLevel: c.level },
    );
    expect(Math.abs(find(rep.results, 'within', 'rmcorr').r! - c.within.r)).toBeLessThan(1e-6);
    expect(Math.abs(find(rep.results, 'between', 'pearson').r! - c.between.r)).toBeLessThan(1e-6);
    expect(Math.abs(find(rep.results, 'pooled', 'pearson').r! - c.pooled.pearson.r)).toBeLessThan(1e-6);
    expect(Math.abs(find(rep.results, 'early', 'partial').r! - c.early.partial.r)).toBeLessThan(1e-6);
    expect(Math.abs(find(rep.results, 'lagged', 'fixed-effects', 'alliance->outcome').b! - c.lagged.forward.b)).toBeLessThan(1e-6);
  });

  it('clients with a single paired row add nothing to within (same r and df as without them)', async () => {
    const c = REF.cases[0];
    const base = toMemory(c.rows);
    const extra: MemoryRow[] = [
      { client: 'single1', session: 1, values: [10, 40] },
      { client: 'single2', session: 4, values: [50, -3] },
    ];
    const mk = (rows: MemoryRow[]) =>
      runCorrelate(
        memoryDataset(
          [
            { name: 'a', role: 'alliance' },
            { name: 'o', role: 'outcome' },
          ],
          rows,
        ),
        { analyses: ['within'] },
      );
    const a = find((await mk(base)).results, 'within', 'rmcorr');
    const b = find((await mk([...base, ...extra])).results, 'within', 'rmcorr');
    expect(b.r!).toBeCloseTo(a.r!, 12);
    expect(b.df).toBe(a.df);
    expect(b.clients).toBe(a.clients + 2);
  });
});

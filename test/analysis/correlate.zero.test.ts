/**
 * An exact zero is zero (issue 9.4): integer scores whose co-moment is exactly 0 (checked in
 * integer arithmetic by test/reference/zero.R) give r = 0, t = 0, p = 1 and no direction,
 * for pooled, between, within, early partial and early semi-partial correlation. Before the
 * fix these printed r of about 1e-16, p = 0.9999999999999998 and a direction.
 */
import { describe, expect, it } from 'vitest';
import { runCorrelate, type CorrelateResult } from '../../src/analysis/correlate/index.js';
import { getInstrument } from '../../src/instruments/registry.js';
import { memoryDataset } from '../helpers/memory-dataset.js';
import { loadReference } from '../stats/reference.js';

interface Case {
  rows: { client: string; session: number; a: number; o: number }[];
  numerator: number;
  r: number;
  t: number;
  df: number;
  p: number;
}
const REF = loadReference<Record<'pooled' | 'between' | 'within' | 'early', Case>>('zero.json');

async function run(c: Case): Promise<CorrelateResult[]> {
  const ds = memoryDataset(
    [
      { name: 'a', role: 'alliance', instrument: getInstrument('SRS') },
      { name: 'o', role: 'outcome', instrument: getInstrument('PHQ-9') },
    ],
    c.rows.map((r) => ({ client: r.client, session: r.session, values: [r.a, r.o] })),
  );
  const rep = await runCorrelate(ds, { method: 'pearson', early: { mode: 'session', k: 2 } });
  return rep.results;
}

function expectZero(res: CorrelateResult[], analysis: string, method: string, want: Case): void {
  const r = res.find((x) => x.analysis === analysis && x.method === method && x.group === null);
  expect(r, `${analysis}/${method}`).toBeDefined();
  expect(r!.estimable).toBe(true);
  expect(r!.r).toBe(want.r);
  expect(r!.t).toBe(want.t);
  expect(r!.df).toBe(want.df);
  expect(r!.p).toBe(want.p);
  expect(r!.favourable).toBeNull();
  expect(r!.ci![0]).toBeCloseTo(-r!.ci![1], 12);
}

describe('exact zeros are zero (test/reference/zero.R)', () => {
  it('pooled', async () => expectZero(await run(REF.pooled), 'pooled', 'pearson', REF.pooled));
  it('between', async () => expectZero(await run(REF.between), 'between', 'pearson', REF.between));
  it('within', async () => expectZero(await run(REF.within), 'within', 'rmcorr', REF.within));
  it('early partial and semi-partial', async () => {
    const res = await run(REF.early);
    expectZero(res, 'early', 'partial', REF.early);
    expectZero(res, 'early', 'semipartial', REF.early);
  });
  it('the numerators are exactly zero in integer arithmetic', () => {
    for (const c of Object.values(REF)) expect(c.numerator).toBe(0);
  });
});

describe('bootstrap replicates use the same zero tests', () => {
  // Six clients with the same sessions 1-5: srs = (36, 17, 12, 22, 28), phq9 = (6, 16, 7,
  // 5, 20). Each client's within co-moment is exactly 0 (5 * 1242 - 115 * 54 = 0 in
  // integers) but about 1e-14 in floating point; the client means are equal, so in every
  // resample the pooled and within co-moments are exactly 0 (r = 0) and nothing varies
  // between clients (r undefined). Before, the replicates gave r = 5.6e-17.
  const srs = [36, 17, 12, 22, 28];
  const phq9 = [6, 16, 7, 5, 20];
  const rows = Array.from({ length: 6 }, (_, c) => srs.map((a, k) => ({ client: `c${c}`, session: k + 1, values: [a, phq9[k]] }))).flat();

  it('pooled and within: every replicate is r = 0, so the interval is [0, 0]; between: not estimable, no interval', async () => {
    const ds = memoryDataset(
      [
        { name: 'a', role: 'alliance', instrument: getInstrument('SRS') },
        { name: 'o', role: 'outcome', instrument: getInstrument('PHQ-9') },
      ],
      rows,
    );
    const res = (await runCorrelate(ds, { method: 'pearson', analyses: ['pooled', 'between', 'within'], bootstrap: 200, seed: 3 })).results;
    const get = (analysis: string) => res.find((x) => x.analysis === analysis && x.group === null)!;
    for (const analysis of ['pooled', 'within']) {
      expect(get(analysis).r, analysis).toBe(0);
      expect(get(analysis).bootstrap_ci, analysis).toEqual([0, 0]);
    }
    expect(get('between').estimable).toBe(false);
    expect(get('between').bootstrap_ci).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { categorize, isClinical, jtBoundary, jtCutoff, pointsChange, rciChange, RCI_CRITICAL, sDiff } from '../../src/analysis/change.js';
import { analyzeTrend } from '../../src/analysis/trend/trend.js';
import { trendRunOptions } from '../../src/sections/trend/options.js';
import { getInstrument } from '../../src/instruments/registry.js';
import { fixtureDataset } from './trend-fixture.js';

interface RefCase {
  name: string;
  input: {
    id: string;
    time: string;
    outcome: string;
    better: 'higher' | 'lower';
    reliability: number;
    cutoff_type: 'a' | 'b' | 'c';
    m_functional?: number;
    sd_functional?: number;
    pre?: number;
    post?: number;
    sd?: number;
    clinical_mean?: number;
    clinical_sd?: number;
  };
  n_original: number;
  n_used: number;
  missing_pre: number;
  missing_post: number;
  sd_pre: number;
  s_diff: number;
  critical: number;
  m_clinical: number;
  sd_clinical: number;
  cutoffs: Record<string, number>;
  cutoff: number;
  counts: Record<string, number>;
  clients: { id: string; pre: number; post: number; change: number; rci: number; clinical_pre: boolean; clinical_post: boolean; category: string }[];
}

const ref = JSON.parse(readFileSync('test/reference/change.json', 'utf8')) as { cases: RefCase[] };

describe('change primitives', () => {
  it('points threshold is inclusive in both directions', () => {
    expect(pointsChange(20, 14, 6, false)).toBe('improved');
    expect(pointsChange(20, 15, 6, false)).toBe('unchanged');
    expect(pointsChange(14, 20, 6, false)).toBe('deteriorated');
    expect(pointsChange(20, 25, 5, true)).toBe('improved');
    expect(pointsChange(25, 20, 5, true)).toBe('deteriorated');
    expect(pointsChange(25, 21, 5, true)).toBe('unchanged');
  });

  it('RCI is strict at the critical value and uses qnorm(0.975)', () => {
    expect(RCI_CRITICAL).toBeCloseTo(1.959963984540054, 15);
    expect(rciChange(RCI_CRITICAL, true)).toBe('unchanged');
    expect(rciChange(RCI_CRITICAL + 1e-9, true)).toBe('improved');
    expect(rciChange(-2, false)).toBe('improved');
    expect(rciChange(2, false)).toBe('deteriorated');
    // S_diff = sqrt(2) * SD * sqrt(1 - r)
    expect(sDiff(10, 0.8)).toBeCloseTo(Math.sqrt(2) * 10 * Math.sqrt(0.2), 12);
  });

  it('cut-offs say what they need', () => {
    expect(jtCutoff('c', { clinicalMean: 30, clinicalSd: 8 }, false)).toEqual({ reason: 'cut-off c needs the clinical and functional means and SDs' });
    expect(jtCutoff('a', { clinicalMean: 30, clinicalSd: 8 }, false)).toBe(14);
    expect(jtCutoff('a', { clinicalMean: 30, clinicalSd: 8 }, true)).toBe(46);
    expect(jtCutoff('b', { functionalMean: 8, functionalSd: 4 }, false)).toBe(16);
  });

  it('boundaries follow the package (clinical strict at pre, functional strict at post)', () => {
    const lower = jtBoundary(20, false);
    expect(isClinical(20, lower.clinicalPre)).toBe(false); // pre == cutoff is not clinical
    expect(isClinical(20, lower.functionalPost)).toBe(true); // post == cutoff is not functional
    const higher = jtBoundary(20, true);
    expect(isClinical(19.9, higher.clinicalPre)).toBe(true);
    expect(isClinical(20, higher.functionalPost)).toBe(true);
  });

  it('categories need both reliable change and crossing the cut-off', () => {
    expect(categorize('improved', true, false)).toBe('recovered');
    expect(categorize('improved', true, true)).toBe('improved');
    expect(categorize('improved', undefined, undefined)).toBe('improved');
    expect(categorize('deteriorated', false, true)).toBe('harmed');
    expect(categorize('deteriorated', true, true)).toBe('deteriorated');
    expect(categorize('unchanged', true, false)).toBe('unchanged');
  });
});

function datasetFor(c: RefCase) {
  const claus = c.input.id === 'id';
  return fixtureDataset({
    file: claus ? 'fixtures/trend/claus_2020.csv' : 'fixtures/trend/jacobson_1989.csv',
    client: c.input.id,
    session: claus ? 'time' : 'session',
    measures: [{ name: c.input.outcome, column: c.input.outcome, role: 'outcome', instrument: claus ? getInstrument('BDI-II') : null }],
  });
}

describe('Jacobson-Truax against test/reference/change.R (clinicalsignificance definitions)', () => {
  for (const c of ref.cases) {
    it(c.name, async () => {
      const res = await analyzeTrend(
        datasetFor(c),
        trendRunOptions({
          reliability: c.input.reliability,
          cutoff: c.input.cutoff_type,
          functionalMean: c.input.m_functional ?? undefined,
          functionalSd: c.input.sd_functional ?? undefined,
          pre: c.input.pre ?? undefined,
          post: c.input.post ?? undefined,
          sd: c.input.sd ?? undefined,
          clinicalMean: c.input.clinical_mean ?? undefined,
          clinicalSd: c.input.clinical_sd ?? undefined,
          outcomeHigherIsBetter: c.input.better === 'higher',
          clients: true,
        }),
      );
      expect(res.clients).toBe(c.n_original);
      expect(res.summary.used).toBe(c.n_used);
      if (c.input.pre != null) {
        expect(res.summary.excluded.missingPre).toBe(c.missing_pre);
        expect(res.summary.excluded.missingPost).toBe(c.missing_post);
      }
      expect(res.summary.excluded.total).toBe(c.n_original - c.n_used);
      const m = res.methods.change;
      expect(m.method).toBe('jacobson-truax');
      if (m.method !== 'jacobson-truax') return;
      expect(m.sdPre!).toBeCloseTo(c.sd_pre, 9);
      expect(m.sDiff!).toBeCloseTo(c.s_diff, 9);
      expect(m.critical).toBeCloseTo(c.critical, 12);
      const cl = res.methods.clinical;
      expect(cl.source).toBe('jacobson-truax');
      if (cl.source !== 'jacobson-truax') return;
      expect(cl.cutoff!).toBeCloseTo(c.cutoff, 9);
      expect(cl.clinicalMean!).toBeCloseTo(c.m_clinical, 9);
      expect(cl.clinicalSd!).toBeCloseTo(c.sd_clinical, 9);
      expect(res.summary.categories).toEqual(c.counts);
      const rows = new Map([...res.clientRows!].map((r) => [r.client, r]));
      for (const want of c.clients) {
        const got = rows.get(want.id)!;
        expect(got.change.pre).toBe(want.pre);
        expect(got.change.post).toBe(want.post);
        expect(got.change.change!).toBeCloseTo(want.change, 9);
        expect(got.change.rci!).toBeCloseTo(want.rci, 9);
        expect(got.change.clinicalPre).toBe(want.clinical_pre);
        expect(got.change.clinicalPost).toBe(want.clinical_post);
        expect(got.change.category).toBe(want.category);
      }
    });
  }

  it('claus_2020 reproduces the published clinicalsignificance result', async () => {
    const c = ref.cases.find((x) => x.name === 'claus_bdi_t1_t4_c')!;
    const res = await analyzeTrend(
      datasetFor(c),
      trendRunOptions({
        reliability: 0.801,
        cutoff: 'c',
        functionalMean: 7.69,
        functionalSd: 7.52,
        pre: 1,
        post: 4,
      }),
    );
    expect(res.summary.used).toBe(40);
    expect(res.clients).toBe(43);
    const cl = res.methods.clinical;
    expect(cl.source === 'jacobson-truax' && Math.round(cl.cutoff! * 100) / 100).toBe(21.02);
    expect(res.summary.categories).toEqual({ recovered: 10, improved: 8, unchanged: 22, deteriorated: 0, harmed: 0 });
  });
});

/**
 * The simulator's output has the structure it was asked for. Statistics are computed here
 * with plain code on the parsed CSV (test/simulate/helpers.ts), not with the tool's own
 * correlate, so a bug in either cannot hide the other.
 */
import { describe, expect, it } from 'vitest';
import { specFromOptions, SIMULATE_DEFAULTS } from '../../src/cli/commands/simulate.js';
import { CHUNK_CHARS, generateCsv, isoDate, parseIsoDate, scoreTable } from '../../src/simulate/generate.js';
import { attendedPmf, calibrate, CalibrationError, PROFILES } from '../../src/simulate/model.js';
import { betweenR, byClient, col, parseCsv, pearson, withinR, type Parsed } from './helpers.js';

type Opts = Parameters<typeof specFromOptions>[0];

function opts(o: Partial<Opts> = {}): Opts {
  const { clients, ...d } = SIMULATE_DEFAULTS;
  return { ...d, clients: String(clients), outcome: [d.outcome], ...o };
}

function run(o: Partial<Opts> = {}): string {
  return [...generateCsv(specFromOptions(opts(o)))].join('');
}

const parsed = new Map<string, Parsed>();
function data(key: string, o: Partial<Opts>): Parsed {
  let p = parsed.get(key);
  if (!p) parsed.set(key, (p = parseCsv(run(o))));
  return p;
}

describe('simulate: determinism and streaming', () => {
  it('gives the same bytes for the same seed and different bytes for another seed', () => {
    const a = run({ clients: '50', seed: '5', outcome: ['ORS', 'PHQ-9'], missing: '0.05' });
    const b = run({ clients: '50', seed: '5', outcome: ['ORS', 'PHQ-9'], missing: '0.05' });
    const c = run({ clients: '50', seed: '6', outcome: ['ORS', 'PHQ-9'], missing: '0.05' });
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a.split('\n')[0]).toBe(c.split('\n')[0]);
  });

  it('stops after --rows data rows, and that output is a prefix of the unlimited one', () => {
    const full = run({ clients: '40', seed: '3' });
    const cut = run({ clients: '40', seed: '3', rows: '57' });
    expect(cut.split('\n').filter(Boolean)).toHaveLength(58);
    expect(full.startsWith(cut)).toBe(true);
    // Without --clients, --rows alone decides how many clients are made.
    const many = parseCsv(run({ clients: undefined, rows: '5000', seed: '3' }));
    expect(many.rows).toHaveLength(5000);
  });

  it('writes in bounded chunks', () => {
    const chunks = [...generateCsv(specFromOptions(opts({ clients: undefined, rows: '20000' })))];
    expect(chunks.length).toBeGreaterThan(5);
    for (const ch of chunks) expect(ch.length).toBeLessThan(CHUNK_CHARS + 200);
  });
});

describe('simulate: requested alliance-outcome structure', () => {
  // 2000 clients, about 15,000 sessions. Sampling SEs: between r = .5 over 2000 client
  // means: (1 - .25)/sqrt(2000) = 0.017; within r = .3 over ~13,000 centred sessions:
  // (1 - .09)/sqrt(13000) = 0.008. Tolerances are about 3 SE: 0.05 and 0.025. WAI-SR has
  // little ceiling, so clamping hardly attenuates; the SRS ceiling (~20% of sessions at 40)
  // attenuates the within correlation by about 0.015-0.02 (4000-client runs: 0.282 vs
  // 0.296 for WAI-SR), so its lower bound allows that too.
  const structured = { clients: '2000', between: '0.5', within: '0.3', outcome: ['ORS', 'PHQ-9'], seed: '1' };

  it('hits --between and --within with WAI-SR (near no ceiling), for both outcomes, signed by "better"', () => {
    const p = data('waisr', { ...structured, alliance: 'WAI-SR' });
    const ors = byClient(p, 'waisr', 'ors');
    const phq = byClient(p, 'waisr', 'phq9');
    expect(Math.abs(betweenR(ors) - 0.5)).toBeLessThan(0.05);
    expect(Math.abs(withinR(ors) - 0.3)).toBeLessThan(0.025);
    // PHQ-9: lower is better, so the raw correlations are negative.
    expect(Math.abs(betweenR(phq) + 0.5)).toBeLessThan(0.05);
    expect(Math.abs(withinR(phq) + 0.3)).toBeLessThan(0.025);
  });

  it('hits them with SRS (default) within the ceiling allowance', () => {
    const p = data('srs', structured);
    const g = byClient(p, 'srs', 'ors');
    expect(Math.abs(betweenR(g) - 0.5)).toBeLessThan(0.05);
    const rw = withinR(g);
    expect(rw).toBeGreaterThan(0.3 - 0.045);
    expect(rw).toBeLessThan(0.3 + 0.025);
  });

  it('gives no structure when none is asked for, and the opposite sign when asked', () => {
    const p = data('null', { clients: '2000', between: '0', within: '0', lag: '0', alliance: 'WAI-SR', seed: '9' });
    const g = byClient(p, 'waisr', 'ors');
    expect(Math.abs(betweenR(g))).toBeLessThan(0.06);
    expect(Math.abs(withinR(g))).toBeLessThan(0.03);
    const q = parseCsv(run({ clients: '2000', between: '-0.3', within: '-0.2', lag: '0', alliance: 'WAI-SR', seed: '9' }));
    const h = byClient(q, 'waisr', 'ors');
    expect(Math.abs(betweenR(h) + 0.3)).toBeLessThan(0.06);
    expect(Math.abs(withinR(h) + 0.2)).toBeLessThan(0.03);
  });

  it('puts the --lag effect on the next session: centred alliance(s) vs outcome(s+1)', () => {
    const lagged = (p: Parsed): number => {
      const groups = byClient(p, 'waisr', 'ors');
      const cx: number[] = [];
      const cy: number[] = [];
      for (const g of groups.values()) {
        const n = g.x.length;
        if (n < 3) continue;
        const xs = g.x.slice(0, n - 1);
        const ys = g.y.slice(1);
        const mx = xs.reduce((s, v) => s + v, 0) / xs.length;
        const my = ys.reduce((s, v) => s + v, 0) / ys.length;
        for (let i = 0; i < xs.length; i++) {
          cx.push(xs[i] - mx);
          cy.push(ys[i] - my);
        }
      }
      return pearson(cx, cy);
    };
    const base = { clients: '2000', between: '0', within: '0', alliance: 'WAI-SR', seed: '4', missing: '0' };
    const withLag = lagged(parseCsv(run({ ...base, lag: '0.4' })));
    const noLag = lagged(parseCsv(run({ ...base, lag: '0' })));
    // Without a lag effect the lagged correlation is not zero: both series trend upwards
    // over sessions, and pairing s with s+1 keeps part of that shared trend (calibration
    // cancels it only for same-session pairs). The lag must add clearly on top of that.
    expect(noLag).toBeGreaterThan(0);
    expect(noLag).toBeLessThan(0.25);
    expect(withLag - noLag).toBeGreaterThan(0.15);
  });
});

describe('simulate: instrument realism', () => {
  const p = () => data('realism', { clients: '1500', outcome: ['ORS', 'PHQ-9', 'CORE-OM'], sites: '3', therapists: '9', missing: '0.1', seed: '21' });

  it('keeps scores in range at the instrument resolution', () => {
    const d = p();
    for (const [name, lo, hi, decimals] of [
      ['srs', 0, 40, 1],
      ['ors', 0, 40, 1],
      ['phq9', 0, 27, 0],
      ['coreom', 0, 40, 1],
    ] as const) {
      const i = col(d, name);
      const bad: string[] = [];
      const shape = decimals === 0 ? /^\d+$/ : /^\d+(\.\d)?$/;
      for (const r of d.rows) {
        if (r[i] === '') continue;
        const x = Number(r[i]);
        if (!(x >= lo && x <= hi) || !shape.test(r[i])) bad.push(r[i]);
      }
      expect(bad, name).toEqual([]);
    }
  });

  it('shows the SRS ceiling: most scores 34-40, many at 40', () => {
    const d = p();
    const i = col(d, 'srs');
    const v = d.rows
      .map((r) => r[i])
      .filter((s) => s !== '')
      .map(Number);
    const inTop = v.filter((x) => x >= 34).length / v.length;
    const atMax = v.filter((x) => x === 40).length / v.length;
    expect(inTop).toBeGreaterThan(0.6);
    expect(atMax).toBeGreaterThan(0.1);
    expect(atMax).toBeLessThan(0.4);
  });

  it('improves outcomes over sessions and starts some clients non-clinical', () => {
    const d = p();
    const is = col(d, 'session');
    const mean = (name: string, s: number) => {
      const i = col(d, name);
      const v = d.rows.filter((r) => Number(r[is]) === s && r[i] !== '').map((r) => Number(r[i]));
      return v.reduce((a, b) => a + b, 0) / v.length;
    };
    expect(mean('ors', 8) - mean('ors', 1)).toBeGreaterThan(3);
    expect(mean('phq9', 1) - mean('phq9', 8)).toBeGreaterThan(2.5);
    const intake = d.rows.filter((r) => r[is] === '1');
    const orsI = col(d, 'ors');
    const phqI = col(d, 'phq9');
    const nonClinOrs = intake.filter((r) => r[orsI] !== '' && Number(r[orsI]) > 25).length / intake.length;
    const nonClinPhq = intake.filter((r) => r[phqI] !== '' && Number(r[phqI]) < 10).length / intake.length;
    expect(nonClinOrs).toBeGreaterThan(0.05);
    expect(nonClinOrs).toBeLessThan(0.4);
    expect(nonClinPhq).toBeGreaterThan(0.05);
    expect(nonClinPhq).toBeLessThan(0.4);
  });

  it('has dropout after session 1, missing cells near --missing, sites per therapist, weekly dates', () => {
    const d = p();
    const ic = col(d, 'client_id');
    const it_ = col(d, 'therapist_id');
    const isite = col(d, 'site');
    const is = col(d, 'session');
    const idate = col(d, 'date');
    const counts = new Map<string, number>();
    for (const r of d.rows) counts.set(r[ic], (counts.get(r[ic]) ?? 0) + 1);
    // Planned sessions are 4-20, so one-session clients can only come from dropout (P = 0.08).
    const one = [...counts.values()].filter((n) => n === 1).length / counts.size;
    expect(one).toBeGreaterThan(0.04);
    expect(one).toBeLessThan(0.12);
    // 10% missing over 4 score columns x ~11,000 rows: SE 0.0014.
    let cells = 0;
    let empty = 0;
    for (const r of d.rows) {
      for (const j of [5, 6, 7, 8]) {
        cells++;
        if (r[j] === '') empty++;
      }
    }
    expect(d.header.slice(5)).toEqual(['srs', 'ors', 'phq9', 'coreom']);
    expect(Math.abs(empty / cells - 0.1)).toBeLessThan(0.007);
    const siteOf = new Map<string, string>();
    const bad: string[] = [];
    let prev: string[] | null = null;
    for (const r of d.rows) {
      const line = r.join(',');
      if (!/^C\d{5}$/.test(r[ic]) || !/^T0[1-9]$/.test(r[it_]) || !['S1', 'S2', 'S3'].includes(r[isite])) bad.push(`ids: ${line}`);
      const s = siteOf.get(r[it_]);
      if (s && s !== r[isite]) bad.push(`site: ${line}`);
      if (!s) siteOf.set(r[it_], r[isite]);
      if (prev && prev[ic] === r[ic]) {
        if (Number(r[is]) !== Number(prev[is]) + 1) bad.push(`session: ${line}`);
        const gap = parseIsoDate(r[idate]) - parseIsoDate(prev[idate]);
        if (!(gap >= 5 && gap <= 16)) bad.push(`gap ${gap}: ${line}`);
      } else if (r[is] !== '1') bad.push(`first session: ${line}`);
      prev = r;
    }
    expect(bad.slice(0, 5)).toEqual([]);
    expect(siteOf.size).toBe(9);
  });
});

describe('simulate: model pieces', () => {
  it('has P(one session) = dropout when every client plans more than one', () => {
    const pmf = attendedPmf({ kind: 'range', min: 4, max: 20 }, 0.08);
    expect(pmf[1]).toBeCloseTo(0.08, 12);
    expect(pmf.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const pois = attendedPmf({ kind: 'mean', mean: 8 }, 0.1);
    expect(pois.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  });

  it('refuses targets the model cannot reach', () => {
    const pmf = attendedPmf({ kind: 'range', min: 4, max: 20 }, 0.08);
    const base = { alliance: PROFILES.SRS, outcomes: [PROFILES.ORS], pmf };
    expect(() => calibrate({ ...base, between: 0.3, within: 0.98, lag: 0.5 })).toThrow(CalibrationError);
    expect(() => calibrate({ ...base, between: 0.99, within: -0.9, lag: 0 })).toThrow(CalibrationError);
    const ok = calibrate({ ...base, between: 0.3, within: 0.2, lag: 0.1 });
    expect(Math.abs(ok.between[0])).toBeLessThan(1);
    expect(Math.abs(ok.within[0])).toBeLessThan(1);
  });

  it('formats dates and score tables', () => {
    expect(isoDate(0)).toBe('1970-01-01');
    expect(isoDate(parseIsoDate('2024-02-29'))).toBe('2024-02-29');
    expect(parseIsoDate('2023-02-29')).toBeNaN();
    expect(parseIsoDate('2024-1-8')).toBeNaN();
    for (let d = -1000; d < 30000; d += 37) expect(parseIsoDate(isoDate(d))).toBe(d);
    expect(scoreTable(0, 1, 1)).toEqual(['0', '0.1', '0.2', '0.3', '0.4', '0.5', '0.6', '0.7', '0.8', '0.9', '1']);
    expect(scoreTable(12, 14, 0)).toEqual(['12', '13', '14']);
  });
});

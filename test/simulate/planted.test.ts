/**
 * `alliance simulate` therapist effects and planted ruptures: off by default (same bytes as
 * without them), drawn from their own streams (only the columns they act on change), and
 * with the structure asked for. Statistics are computed here on the parsed CSV.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { specFromOptions, SIMULATE_DEFAULTS } from '../../src/cli/commands/simulate.js';
import { generateCsv } from '../../src/simulate/generate.js';
import { findEpisodes } from '../../src/analysis/ruptures.js';
import { runInProcess } from '../helpers/cli.js';

type Opts = Parameters<typeof specFromOptions>[0];

function opts(o: Partial<Opts> = {}): Opts {
  const { clients, ...d } = SIMULATE_DEFAULTS;
  return { ...d, clients: String(clients), outcome: [d.outcome], ...o };
}

function run(o: Partial<Opts> = {}): string {
  return [...generateCsv(specFromOptions(opts(o)))].join('');
}

function rows(csv: string): string[][] {
  return csv
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
}

describe('simulate: therapist effects and planted ruptures', () => {
  it('leaves the output unchanged when not asked for (also at 0)', () => {
    const base = run({ clients: '60', seed: '9', missing: '0.05' });
    expect(run({ clients: '60', seed: '9', missing: '0.05', therapistAlliance: '0', therapistOutcome: '0', ruptureRate: '0' })).toBe(base);
  });

  it('planted ruptures change only the alliance column; therapist effects only alliance and outcome', () => {
    const base = rows(run({ clients: '80', seed: '4' }));
    const rup = rows(run({ clients: '80', seed: '4', ruptureRate: '0.2', ruptureDepth: '6' }));
    const ther = rows(run({ clients: '80', seed: '4', therapistAlliance: '0.8', therapistOutcome: '0.8' }));
    expect(rup).toHaveLength(base.length);
    expect(ther).toHaveLength(base.length);
    let changedA = 0;
    for (let i = 0; i < base.length; i++) {
      expect(rup[i].slice(0, 4)).toEqual(base[i].slice(0, 4));
      expect(rup[i][5]).toBe(base[i][5]);
      if (rup[i][4] !== base[i][4]) changedA++;
      expect(ther[i].slice(0, 4)).toEqual(base[i].slice(0, 4));
    }
    expect(changedA).toBeGreaterThan(base.length * 0.1);
  });

  it('a repaired planted rupture is a one-session dip; an unrepaired one persists', () => {
    // Session-to-session noise off is not an option, so compare with the run without ruptures:
    // the difference per session is 0, -depth (dip or persisting), or a multiple of -depth.
    const depth = 6;
    for (const [repair, persists] of [
      ['1', false],
      ['0', true],
    ] as const) {
      const base = rows(run({ clients: '120', seed: '12', ruptureRate: undefined, alliance: 'WAI-SR' }));
      const rup = rows(run({ clients: '120', seed: '12', ruptureRate: '0.15', ruptureDepth: String(depth), repairProb: repair, alliance: 'WAI-SR' }));
      let prevClient = '';
      let prevDiff = 0;
      let sawDip = false;
      for (let i = 0; i < base.length; i++) {
        const a = Number(base[i][4]);
        const b = Number(rup[i][4]);
        if (a >= 60 || b <= 12) continue; // clamped at the WAI-SR range limits (12-60)
        const diff = Math.round(a - b);
        expect(diff % depth, `row ${i}`).toBe(0);
        if (!persists) expect(diff === 0 || diff === depth, `row ${i}`).toBe(true);
        if (persists && base[i][0] === prevClient) expect(diff).toBeGreaterThanOrEqual(prevDiff);
        if (diff > 0) sawDip = true;
        prevClient = base[i][0];
        prevDiff = diff;
      }
      expect(sawDip).toBe(true);
    }
  });

  it('planted ruptures are found by the rupture rule, and repair probability shows in the episodes', () => {
    const repairedShare = (repair: string): number => {
      const r = rows(run({ clients: '300', seed: '21', sessions: '10-16', ruptureRate: '0.1', ruptureDepth: '8', repairProb: repair }));
      let repaired = 0;
      let total = 0;
      const byClient = new Map<string, [number[], number[]]>();
      for (const x of r) {
        if (x[4] === '') continue;
        const c = byClient.get(x[0]) ?? [[], []];
        c[0].push(Number(x[2]));
        c[1].push(Number(x[4]));
        byClient.set(x[0], c);
      }
      for (const [s, a] of byClient.values()) {
        for (const e of findEpisodes(s, a, 6, 3)) {
          if (e.status === 'unresolved') continue;
          total++;
          if (e.status === 'repaired') repaired++;
        }
      }
      expect(total).toBeGreaterThan(60);
      return repaired / total;
    };
    expect(repairedShare('0.9')).toBeGreaterThan(0.7);
    expect(repairedShare('0.1')).toBeLessThan(0.35);
  });

  it('therapist effects make client means cluster by therapist', () => {
    const icc = (o: Partial<Opts>): number => {
      const r = rows(run({ clients: '400', therapists: '20', seed: '8', sessions: '6-10', ...o }));
      const client = new Map<string, { t: string; sum: number; n: number }>();
      for (const x of r) {
        const c = client.get(x[0]) ?? { t: x[1], sum: 0, n: 0 };
        c.sum += Number(x[4]);
        c.n++;
        client.set(x[0], c);
      }
      const means = [...client.values()].map((c) => ({ t: c.t, m: c.sum / c.n }));
      const grand = means.reduce((s, x) => s + x.m, 0) / means.length;
      const byT = new Map<string, number[]>();
      for (const x of means) byT.set(x.t, [...(byT.get(x.t) ?? []), x.m]);
      let between = 0;
      let total = 0;
      for (const xs of byT.values()) {
        const m = xs.reduce((s, x) => s + x, 0) / xs.length;
        between += xs.length * (m - grand) ** 2;
      }
      for (const x of means) total += (x.m - grand) ** 2;
      return between / total;
    };
    const none = icc({});
    const strong = icc({ therapistAlliance: '1' });
    expect(none).toBeLessThan(0.12);
    expect(strong).toBeGreaterThan(0.3);
  });

  it('refuses rupture options without --rupture-rate and --therapist-corr without both effects', async () => {
    let r = await runInProcess(['simulate', '--repair-prob', '0.5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^alliance: --rupture-depth and --repair-prob need --rupture-rate/);
    r = await runInProcess(['simulate', '--therapist-corr', '0.5', '--therapist-alliance', '0.3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--therapist-corr needs both/);
    r = await runInProcess(['simulate', '--rupture-rate', '1']);
    expect(r.code).toBe(2);
  });

  it('fixtures/ruptures/planted.csv is reproduced by the command in fixtures/README.md', async () => {
    const readme = readFileSync('fixtures/README.md', 'utf8');
    const m = /```sh\n(alliance simulate [^\n]+--out fixtures\/ruptures\/planted\.csv)\n```/.exec(readme);
    expect(m).not.toBeNull();
    const args = m![1].split(/\s+/).slice(1);
    const out = args.indexOf('--out');
    const r = await runInProcess([...args.slice(0, out), ...args.slice(out + 2)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync('fixtures/ruptures/planted.csv', 'utf8'));
  });
});

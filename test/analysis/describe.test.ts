import { describe as suite, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { runInProcess } from '../helpers/cli.js';
import { describe } from '../../src/analysis/describe.js';
import fc from 'fast-check';
import { getInstrument } from '../../src/instruments/registry.js';
import { memoryDataset, type MemoryRow } from '../helpers/memory-dataset.js';

// test/reference/describe.R computes these in base R from fixtures/describe/small.csv.
const ref = JSON.parse(readFileSync(new URL('../reference/describe.json', import.meta.url), 'utf8'));

suite('alliance describe (against test/reference/describe.R)', () => {
  it('matches R on counts, sessions per client, dates and every measure', async () => {
    const r = await runInProcess(['describe', 'fixtures/describe/small.csv', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const got = JSON.parse(r.stdout);
    expect(got.rows).toBe(ref.rows);
    expect(got.clients).toBe(ref.clients);
    expect(got.therapists).toBe(ref.therapists);
    expect(got.date_span).toEqual(ref.dateSpan);
    expect([got.command, got.schema]).toEqual(['describe', 2]);
    expect(got.single_session.clients).toBe(ref.singleSession.clients);
    expect(got.single_session.share).toBeCloseTo(ref.singleSession.share, 12);
    for (const k of ['min', 'q1', 'median', 'q3', 'max', 'mean']) {
      expect(got.sessions_per_client[k]).toBeCloseTo(ref.sessionsPerClient[k], 12);
    }
    for (const want of ref.measures) {
      const m = got.measures.find((x: { column: string }) => x.column === want.column);
      expect(m, want.column).toBeDefined();
      expect(m.n).toBe(want.n);
      expect(m.missing).toBe(want.missing);
      expect(m.intake_clients).toBe(want.intakeClients);
      for (const k of ['mean', 'sd', 'min', 'max']) expect(m[k]).toBeCloseTo(want[k], 10);
      expect(m.intake_beyond_cutoff).toBeCloseTo(want.intakeBeyondCutoff, 10);
    }
  });

  it('renders the same model as a table, CSV and Markdown', async () => {
    const table = await runInProcess(['describe', 'fixtures/describe/small.csv']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('Measures');
    expect(table.stdout).not.toContain('\u001b['); // no ANSI when not a TTY
    const csv = await runInProcess(['describe', 'fixtures/describe/small.csv', '--format', 'csv']);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0].split(',')[0]).toBe('column');
    expect(lines).toHaveLength(1 + ref.measures.length);
    const md = await runInProcess(['describe', 'fixtures/describe/small.csv', '--format', 'md']);
    expect(md.stdout).toMatch(/^# alliance describe/);
    expect(md.stdout).toContain('| column |');
  });
});

suite('describe (in memory)', () => {
  it('reports no SD for a single value and no cutoff share without an instrument', async () => {
    const ds = memoryDataset([{ name: 'x', role: 'outcome' }], [{ client: 'a', session: 1, values: [3] }]);
    const res = await describe(ds);
    expect(res.measures[0].sd).toBeNull();
    expect(res.measures[0].intakeBeyondCutoff).toBeNull();
    expect(res.sessionsPerClient?.median).toBe(1);
  });
});

suite('describe per-client tallies (sorted copies and bisection)', () => {
  // The counts straight from the rows: each client's sessions, and the value of its
  // earliest session with one; SRS is beyond its cut-off below 36, PHQ-9 at 10 and above.
  it('single-session clients, intake clients and the share beyond the cut-off equal a direct count', async () => {
    const srs = getInstrument('SRS')!;
    const phq = getInstrument('PHQ-9')!;
    const value = (lo: number, hi: number, step: number) =>
      fc.option(
        fc.integer({ min: lo / step, max: hi / step }).map((k) => k * step),
        { nil: undefined, freq: 3 },
      );
    const rows = fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 1, max: 6 }), value(30, 40, 0.1), value(0, 27, 1)), {
      minLength: 1,
      maxLength: 120,
    });
    await fc.assert(
      fc.asyncProperty(rows, async (list) => {
        // One row per client and session (the first of any repeat).
        const seen = new Set<string>();
        const mem: MemoryRow[] = [];
        for (const [c, session, a, o] of list) {
          const key = `${c}/${session}`;
          if (seen.has(key)) continue;
          seen.add(key);
          mem.push({ client: `c${c}`, session, values: [a, o] });
        }
        const ds = memoryDataset(
          [
            { name: 'srs', role: 'alliance', instrument: srs },
            { name: 'phq9', role: 'outcome', instrument: phq },
          ],
          mem,
        );
        const res = await describe(ds);
        // The same rows with every client number doubled: the odd numbers have no rows (as
        // a client left out by a filter may), and the tallies must not count them.
        const gapped = await describe({
          ...ds,
          scan: (onRow, options) => ds.scan((row) => onRow({ ...row, client: 2 * row.client }), options),
        });
        expect(gapped.singleSession.clients).toBe(res.singleSession.clients);
        expect(gapped.measures.map((m) => [m.intakeClients, m.intakeBeyondCutoff])).toEqual(res.measures.map((m) => [m.intakeClients, m.intakeBeyondCutoff]));
        const count = new Map<string, number>();
        for (const r of mem) count.set(r.client, (count.get(r.client) ?? 0) + 1);
        expect(res.singleSession.clients).toBe([...count.values()].filter((n) => n === 1).length);
        const beyond = [(v: number) => v < 36, (v: number) => v >= 10];
        res.measures.forEach((m, j) => {
          const intake = new Map<string, { session: number; v: number }>();
          for (const r of mem) {
            const v = r.values[j];
            if (v === undefined) continue;
            const was = intake.get(r.client);
            if (!was || r.session < was.session) intake.set(r.client, { session: r.session, v });
          }
          const vs = [...intake.values()].map((x) => x.v);
          expect(m.intakeClients).toBe(vs.length);
          expect(m.intakeBeyondCutoff).toBe(vs.length > 0 ? vs.filter(beyond[j]).length / vs.length : null);
        });
      }),
      { numRuns: 200 },
    );
  });
});

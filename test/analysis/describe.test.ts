import { describe as suite, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { runInProcess } from '../helpers/cli.js';
import { describe } from '../../src/analysis/describe.js';
import { memoryDataset } from '../helpers/memory-dataset.js';

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

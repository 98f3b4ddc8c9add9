/**
 * Clients who change group (therapist, site) mid-treatment: one rule in trend and ruptures
 * (docs/report.md, "Clients who change group"). Session-level figures count each session in
 * its own group (as correlate, which works on rows, does); a client's client-level figures
 * (trend's change, ruptures' class and episodes) count in one cell, the group of the
 * client's first session (in session order) that has a level. Expected cells worked out by
 * hand below.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runInProcess } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'alliance-moving-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A moves T1 -> T2 (PHQ-9 20 -> 10, an SRS drop of 6 at session 2, back to 36 at 3);
// B stays with T1, C with T2; D has no therapist at session 1, then T2; E starts with T2
// (no PHQ-9 then) and moves to T1 (PHQ-9 14 -> 10); F starts with T1 (no SRS then) and moves
// to T2 (PHQ-9 16 -> 12, SRS 30, 31).
const CSV = `client_id,session,therapist_id,srs,phq9
A,1,T1,36,20
A,2,T1,30,18
A,3,T2,36,12
A,4,T2,37,10
B,1,T1,35,15
B,2,T1,35,14
B,3,T1,36,12
C,1,T2,30,10
C,2,T2,31,10
C,3,T2,32,8
D,1,,34,12
D,2,T2,34,11
D,3,T2,35,9
E,1,T2,33,
E,2,T1,33,14
E,3,T1,34,10
F,1,T1,,16
F,2,T2,30,
F,3,T2,31,12
`;
const file = path.join(dir, 'moving.csv');
writeFileSync(file, CSV);
const MAP = ['--client', 'client_id', '--session', 'session', '--therapist', 'therapist_id', '--alliance', 'srs', '--outcome', 'phq9'];

async function json(args: string[]): Promise<any> {
  const r = await runInProcess([...args, '--format', 'json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
const sd = (x: number[]) => Math.sqrt(x.reduce((a, b) => a + (b - mean(x)) ** 2, 0) / (x.length - 1));

describe('a client who changes therapist', () => {
  it('trend: sessions in their own therapist, the change in the therapist of the first session', async () => {
    const j = await json(['trend', file, ...MAP, '--by', 'therapist', '--min-clients', '1']);
    const [t1, t2] = j.groups.rows;
    expect([t1.group, t2.group]).toEqual(['T1', 'T2']);
    // Sessions: T1 = A1-2, B1-3, E2-3, F1; T2 = A3-4, C1-3, D2-3, E1, F2-3; D1 has no therapist.
    expect([t1.sessions, t2.sessions, j.groups.missing_level]).toEqual([8, 10, 1]);
    // Clients seen (a session there): T1 = A, B, E, F; T2 = A, C, D, E, F.
    expect([t1.clients, t2.clients]).toEqual([4, 5]);
    // Change (last - first PHQ-9): T1 = A -10 (pre 20), B -3 (15), F -4 (16);
    // T2 = C -2 (10), D -3 (12, first session with a therapist: 2), E -4 (14).
    expect(t1.completed).toBe(3);
    expect(t1.mean_change).toBeCloseTo(mean([-10, -3, -4]), 12);
    expect(t1.sd_pre).toBeCloseTo(sd([20, 15, 16]), 12);
    expect(t2.completed).toBe(3);
    expect(t2.mean_change).toBeCloseTo(mean([-2, -3, -4]), 12);
    expect(t2.sd_pre).toBeCloseTo(sd([10, 12, 14]), 12);
    expect(j.summary.overall.completed).toBe(6);
  });

  it('correlate works on rows: each row in its own therapist, so the mover is a client of each', async () => {
    const j = await json(['correlate', file, ...MAP, '--by', 'therapist', '--min-clients', '1', '--analyses', 'pooled']);
    // Rows: T1 = A1-2, B1-3, E2-3, F1; T2 = A3-4, C1-3, D2-3, E1, F2-3 (D1 has no therapist).
    expect(j.groups).toEqual([
      { group: 'T1', clients: 4, rows: 8 },
      { group: 'T2', clients: 5, rows: 10 },
    ]);
  });

  it('ruptures: the client, rated sessions and episodes in the therapist of the first session', async () => {
    const j = await json(['ruptures', file, ...MAP, '--by', 'therapist', '--min-clients', '1', '--rupture-drop', '3']);
    const [t1, t2] = j.groups.rows;
    expect([t1.group, t2.group]).toEqual(['T1', 'T2']);
    // T1 = A (4 rated, one rupture at 2, repaired at 3), B (3), F (2: first session T1, unrated);
    // T2 = C (3), D (3; first session with a therapist: 2), E (3).
    expect([t1.clients, t1.rated_sessions, t1.with_rupture, t1.episodes, t1.repaired]).toEqual([3, 9, 1, 1, 1]);
    expect([t2.clients, t2.rated_sessions, t2.with_rupture, t2.episodes]).toEqual([3, 9, 0, 0]);
    expect(j.groups.without_level).toBe(0);
  });
});

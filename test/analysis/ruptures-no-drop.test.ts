/**
 * `alliance ruptures` when no rupture drop is given and none can be derived (docs/ruptures.md,
 * "When no drop can be derived"): no client has two rated alliance sessions, or the alliance
 * does not vary within any client. The run completes (exit 0) with method.drop null and the
 * reason, every client not assessed, and a warning naming --rupture-drop. Tiny hand-written
 * files, so every count below can be checked by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runInProcess } from '../helpers/cli.js';
import { validateJsonDocument } from '../helpers/schemas.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'alliance-ruptures-nodrop-'));
  // A: 3 rated sessions, all 30; B: 2 rated sessions, both 35; C: 1 rated session.
  // 6 ratings of 3 clients: within-client df = 6 - 3 = 3, sum of squares 0, so SD 0.
  writeFileSync(path.join(tmp, 'flat.csv'), 'client_id,session,srs,ors\nA,1,30,20\nA,2,30,25\nA,3,30,28\nB,1,35,10\nB,2,35,12\nC,1,28,15\n');
  // One rated session per client (C's second session has no srs): df = 3 - 3 = 0, no SD.
  writeFileSync(path.join(tmp, 'single.csv'), 'client_id,session,srs,ors\nA,1,30,20\nB,1,35,10\nC,1,28,15\nC,2,,18\n');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ruptures = (args: string[]) => runInProcess(['ruptures', ...args], { cwd: tmp });

async function json(args: string[]): Promise<any> {
  const r = await ruptures([...args, '--format', 'json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const doc = JSON.parse(r.stdout);
  expect(validateJsonDocument('ruptures', doc)).toEqual([]);
  return doc;
}

describe('alliance ruptures without a derivable drop', () => {
  it('the alliance does not vary within any client: drop null with the reason, no client assessed', async () => {
    const d = await json(['flat.csv', '--clients']);
    expect(d.method.drop).toBeNull();
    expect(d.method.drop_source).toBe('within-client-sd');
    expect(d.method.sd_multiple).toBe(2);
    expect(d.method.within_sd).toBe(0);
    expect(d.method.within_sd_df).toBe(3);
    expect(d.method.reason).toMatch(/srs does not vary within any of the 2 client\(s\) with two or more rated sessions/);
    expect(d.assessed).toBe(0);
    expect(d.not_assessed).toBe(3);
    expect(d.episodes).toEqual({ total: 0, repaired: 0, unrepaired: 0, unresolved: 0 });
    for (const c of d.classes) {
      expect(c.clients, c.class).toBe(0);
      expect(c.share, c.class).toBeNull();
    }
    for (const c of d.comparisons) {
      expect(c.difference).toBeNull();
      expect(c.reason).toMatch(/no rupture drop/);
    }
    // Every client is listed, not classed, with their rated sessions and outcome change.
    expect(d.clients.map((c: any) => [c.client, c.rated_sessions, c.class, c.change])).toEqual([
      ['A', 3, null, 8],
      ['B', 2, null, 2],
      ['C', 1, null, null],
    ]);
    expect(d.notes.join('\n')).toMatch(
      /no rupture drop: .*Give the drop in score points with --rupture-drop POINTS \(ruptures\.ruptureDrop in a config file\)/,
    );
  });

  it('no client has two rated sessions: drop and within-client SD null, every client not assessed', async () => {
    const d = await json(['single.csv']);
    expect(d.method.drop).toBeNull();
    expect(d.method.within_sd).toBeNull();
    expect(d.method.within_sd_df).toBe(0);
    expect(d.method.reason).toMatch(/no client has two rated srs sessions/);
    expect([d.assessed, d.not_assessed]).toEqual([0, 3]);
  });

  it('the table says why and names the flag', async () => {
    const r = await ruptures(['flat.csv']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('0 of 3 clients assessed: without a rupture drop no client is classed');
    expect(r.stdout).toMatch(/warning: no rupture drop: srs does not vary within any/);
    expect(r.stdout).toContain('no drop of any size would find a rupture in them');
    expect(r.stdout).toContain('--rupture-drop POINTS');
    expect(r.stdout).not.toContain('ruptures.ruptureDrop');
    expect(r.stdout).not.toMatch(/NaN|undefined|Infinity/);
  });

  it('markdown carries the warning; csv and --model complete', async () => {
    const md = await ruptures(['single.csv', '--format', 'md']);
    expect(md.code).toBe(0);
    expect(md.stdout).toMatch(/\*\*warning:\*\* no rupture drop: no client has two rated srs sessions/);
    const csv = await ruptures(['flat.csv', '--clients', '--format', 'csv']);
    expect(csv.code).toBe(0);
    expect(csv.stdout.trim().split('\n')).toEqual([
      'client,rated,class,episodes,change',
      'A,3,not assessed,0,8',
      'B,2,not assessed,0,2',
      'C,1,not assessed,0,n/e',
    ]);
    const d = await json(['flat.csv', '--model']);
    expect(d.model.not_estimable).toMatch(/^no client is classed: /);
  });

  it('a given --rupture-sd cannot derive a drop either: same result, and the warning says to give points instead', async () => {
    const d = await json(['flat.csv', '--rupture-sd', '1']);
    expect([d.method.drop, d.method.sd_multiple, d.assessed, d.not_assessed]).toEqual([null, 1, 0, 3]);
    const r = await ruptures(['flat.csv', '--rupture-sd', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--rupture-drop POINTS, instead of --rupture-sd');
  });

  it('a given --rupture-drop still classes the same data (no ruptures in a constant series)', async () => {
    const d = await json(['flat.csv', '--rupture-drop', '1']);
    expect(d.method.drop).toBe(1);
    expect(d.method).not.toHaveProperty('reason');
    expect([d.assessed, d.not_assessed]).toEqual([2, 1]);
    expect(d.classes.find((c: any) => c.class === 'none').clients).toBe(2);
  });

  it('the schema ties a null drop to a reason', async () => {
    const d = await json(['flat.csv']);
    const { reason: _reason, ...withoutReason } = d.method;
    expect(validateJsonDocument('ruptures', { ...d, method: withoutReason })).not.toEqual([]);
    expect(validateJsonDocument('ruptures', { ...d, method: { ...d.method, drop: 'none' } })).not.toEqual([]);
    const given = await json(['flat.csv', '--rupture-drop', '1']);
    expect(validateJsonDocument('ruptures', { ...given, method: { ...given.method, reason: 'x' } })).not.toEqual([]);
  });
});

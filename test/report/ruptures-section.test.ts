/**
 * The report's ruptures section: the demo config with its commented ruptures example
 * switched on gives the tables and JSON `alliance ruptures` prints for the same options,
 * and two aggregate charts. (The numbers themselves are checked against R in
 * test/analysis/ruptures.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInProcess } from '../helpers/cli.js';
import { validateJsonDocument } from '../helpers/schemas.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'alliance-ruptures-report-'));
  copyFileSync(path.join(ROOT, 'fixtures/demo.csv'), path.join(tmp, 'demo.csv'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** fixtures/report.yaml as its comments say: ruptures listed and its example uncommented. */
function demoWithRuptures(extra = ''): string {
  const demo = readFileSync(path.join(ROOT, 'fixtures/report.yaml'), 'utf8');
  const m = /\n# ruptures:\n((?:#.*\n)+)/.exec(demo);
  expect(m, 'fixtures/report.yaml has a commented ruptures example').not.toBeNull();
  const section = '\nruptures:\n' + m![1].replace(/^# {3}/gm, '  ') + extra;
  const head = demo.replace('sections: [validate, describe, correlate, trend]', 'sections: [validate, describe, correlate, trend, ruptures]');
  expect(head).toContain('trend, ruptures]');
  return head + section;
}

describe('alliance report with the ruptures section', () => {
  it('writes the tables, JSON and charts of `alliance ruptures` for the same options', async () => {
    writeFileSync(path.join(tmp, 'r.yaml'), demoWithRuptures());
    const out = path.join(tmp, 'out');
    const res = await runInProcess(['report', '--config', 'r.yaml', '--out', out, '--reproducible'], { cwd: tmp });
    expect(res.stderr).not.toMatch(/alliance: /);
    expect(res.code).toBe(0);
    const names = readdirSync(out);
    for (const t of ['classes', 'comparisons', 'episodes', 'groups']) expect(names).toContain(`ruptures-${t}.csv`);
    expect(names.filter((n) => n.startsWith('ruptures-client'))).toEqual([]); // clientTables: false

    // The demo's filters keep every session of demo.csv, so the command on the whole file
    // must give the same section.
    const cmd = await runInProcess(
      ['ruptures', 'demo.csv', '--rupture-drop', '3', '--repair-window', '3', '--by', 'therapist', '--min-clients', '5', '--format', 'json'],
      { cwd: tmp },
    );
    expect(cmd.code).toBe(0);
    const want = JSON.parse(cmd.stdout);
    const got = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')).sections.ruptures;
    for (const k of ['method', 'assessed', 'not_assessed', 'episodes', 'classes', 'comparisons', 'groups', 'notes']) expect(got[k], k).toEqual(want[k]);
    const groupsCsv = await runInProcess(['ruptures', 'demo.csv', '--rupture-drop', '3', '--by', 'therapist', '--format', 'csv'], { cwd: tmp });
    expect(readFileSync(path.join(out, 'ruptures-groups.csv'), 'utf8')).toBe(groupsCsv.stdout);

    const md = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(md).toContain('## alliance ruptures');
    expect(md).toContain('Stiles, W. B.');
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).toContain('Alliance ruptures and repair');
    expect(html).toMatch(/Rupture classes of \d+ clients \(srs; share, 95% CI\)/);
    expect(html).toMatch(/Mean change in ors by rupture class \(\d+ clients\)/);
  });

  it('adds the per-client tables only with report.clientTables, and refuses ruptures.clients', async () => {
    writeFileSync(path.join(tmp, 'c.yaml'), demoWithRuptures().replace('clientTables: false', 'clientTables: true'));
    let res = await runInProcess(['report', '--config', 'c.yaml', '--out', path.join(tmp, 'out-c'), '--reproducible'], { cwd: tmp });
    expect(res.code).toBe(0);
    expect(readdirSync(path.join(tmp, 'out-c'))).toContain('ruptures-client-episodes.csv');
    writeFileSync(path.join(tmp, 'bad.yaml'), demoWithRuptures('  clients: true\n'));
    res = await runInProcess(['report', '--config', 'bad.yaml', '--out', path.join(tmp, 'out-bad')], { cwd: tmp });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^alliance: .*client tables are set by 'report.clientTables', not 'ruptures.clients'/);
  });

  it('completes when no rupture drop can be derived, and the section says why and names the config key', async () => {
    // A small clinic's first month: A and B have two or more rated sessions, each at one
    // constant SRS score; C has one. No within-client variation, so no default drop.
    writeFileSync(path.join(tmp, 'flat.csv'), 'client_id,session,srs,ors\nA,1,30,20\nA,2,30,25\nA,3,30,28\nB,1,35,10\nB,2,35,12\nC,1,28,15\n');
    writeFileSync(
      path.join(tmp, 'flat.yaml'),
      [
        'files: [flat.csv]',
        'client: client_id',
        'session: session',
        'alliance: [srs]',
        'outcome: [ors]',
        'report:',
        '  title: First month',
        '  sections: [describe, trend, ruptures]',
        '  formats: [html, md, csv, json]',
        'ruptures:',
        '  repairWindow: 3',
        '',
      ].join('\n'),
    );
    const out = path.join(tmp, 'out-flat');
    const res = await runInProcess(['report', '--config', 'flat.yaml', '--out', out, '--reproducible'], { cwd: tmp });
    expect(res.stderr).not.toMatch(/alliance: /);
    expect(res.code).toBe(0);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    expect(validateJsonDocument('report', results)).toEqual([]);
    const r = results.sections.ruptures;
    expect(r.method.drop).toBeNull();
    expect(r.method.reason).toMatch(/srs does not vary within any of the 2 client\(s\)/);
    expect([r.assessed, r.not_assessed]).toEqual([0, 3]);
    for (const f of ['report.md', 'report.html']) {
      const text = readFileSync(path.join(out, f), 'utf8');
      expect(text, f).toContain('no rupture drop: srs does not vary within any');
      expect(text, f).toContain('ruptures.ruptureDrop: POINTS in the report config');
      expect(text, f).not.toContain('--rupture-drop');
    }
    expect(readdirSync(out)).toContain('ruptures-classes.csv');
    // results.json holds the command's JSON for the same options (it names the flag and the key).
    const cmd = await runInProcess(['ruptures', 'flat.csv', '--repair-window', '3', '--format', 'json'], { cwd: tmp });
    expect(cmd.code).toBe(0);
    const want = JSON.parse(cmd.stdout);
    for (const k of ['method', 'assessed', 'not_assessed', 'classes', 'comparisons', 'notes']) expect(r[k], k).toEqual(want[k]);
  });
});

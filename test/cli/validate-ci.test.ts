/**
 * Issue 14.3-5: JUnit shows warnings and skipped checks, GitHub annotations are capped
 * per code with a summary annotation (exact counts stay in the step summary and JSON),
 * one problem of one cell is one finding (schema.maximum + value.out-of-range), and
 * SARIF 2.1.0 is valid against its schema.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runInProcess } from '../helpers/cli.js';
import { TODAY, findingsOf, tmpDir, tmpFile, type ValidateDoc } from '../validate/helpers.js';
import { validateJsonDocument, validateJunitXml, validateSarif } from '../helpers/schemas.js';
import { ROOT } from '../helpers/spawn.js';
import { CODES } from '../../src/validate/codes.js';
import { artifactLocation } from '../../src/sections/validate/sarif.js';

const run = (args: string[], env: Record<string, string> = {}) => runInProcess(['validate', ...args, '--today', TODAY], { env });

/** The <testcase> element of `code` (with its children). */
function testcase(xml: string, code: string): string {
  const m = new RegExp(`<testcase classname="alliance\\.validate" name="${code.replace(/\./g, '\\.')}:[^"]*"(/>|>[\\s\\S]*?</testcase>)`).exec(xml);
  if (!m) throw new Error(`no testcase ${code}`);
  return m[0];
}

describe('JUnit: warnings and checks that could not run', () => {
  // Sessions numbered by date would skip the session-column checks; here: no date column.
  const csv = 'client_id,session,srs\nC1,1,30\nC1,3,31\n';

  it('a warning-level code that fired is a visible <failure type="warning">; the exit code follows --strict', async () => {
    const f = tmpFile(csv);
    const r = await run([f, '--format', 'junit']);
    expect(r.code).toBe(0);
    expect(await validateJunitXml(r.stdout)).toEqual([]);
    const gap = testcase(r.stdout, 'session.gap');
    expect(gap).toMatch(/<failure type="warning" message="1 warning \(warnings do not fail the run without --strict\): /);
    expect(gap).toContain('client &apos;C1&apos; has no session 2 before session 3');
    expect(r.stdout).toMatch(/<property name="status" value="passed"\/>/);
    const strict = await run([f, '--format', 'junit', '--strict']);
    expect(strict.code).toBe(1);
    expect(testcase(strict.stdout, 'session.gap')).toMatch(/message="1 warning \(--strict: warnings fail the run\): /);
    expect(strict.stdout).toMatch(/<property name="status" value="failed"\/>/);
  });

  it('checks that could not run are <skipped> with the reason, not passed', async () => {
    const r = await run([tmpFile(csv), '--format', 'junit']);
    for (const code of ['session.future-date', 'session.old-date', 'session.order-vs-date', 'value.invalid-date']) {
      expect(testcase(r.stdout, code)).toMatch(/<skipped message="not run: date checks: no date column"\/>/);
    }
    expect(testcase(r.stdout, 'schema.type')).toMatch(/<skipped message="not run: schema checks: no --schema given"\/>/);
    // A check that ran and found nothing passes.
    expect(testcase(r.stdout, 'session.duplicate')).toMatch(/\/>$/);
    const skipped = (r.stdout.match(/<skipped /g) ?? []).length;
    expect(r.stdout).toContain(`skipped="${skipped}"`);
    // The same list in the JSON summary.
    const doc = JSON.parse((await run([tmpFile(csv), '--format', 'json'])).stdout) as ValidateDoc;
    expect(doc.summary.skipped.map((s: { checks: string }) => s.checks)).toEqual(['date checks', 'schema checks']);
  });

  it('a run with --schema runs the schema checks (not skipped)', async () => {
    const schema = tmpFile('fields:\n  - name: client_id\n  - name: session\n    type: integer\n  - name: srs\n    type: number\n', 'schema.yaml');
    const r = await run([tmpFile(csv), '--schema', schema, '--format', 'junit']);
    expect(testcase(r.stdout, 'schema.type')).toMatch(/\/>$/);
  });
});

describe('GitHub annotations are capped per code', () => {
  const lines = ['client_id,session,srs,phq9'];
  for (let i = 1; i <= 25; i++) lines.push(`C${i},1,${40 + i},${i <= 3 ? 'x' : '5'}`);
  const csv = lines.join('\n') + '\n';

  it('the first 10 per code by default, then one summary annotation with the exact counts', async () => {
    const r = await run([tmpFile(csv), '--format', 'github']);
    expect(r.code).toBe(1);
    const out = r.stdout.trimEnd().split('\n');
    expect(out.filter((l) => l.includes('title=value.out-of-range::'))).toHaveLength(10);
    expect(out.filter((l) => l.includes('title=value.non-numeric::'))).toHaveLength(3);
    expect(out.at(-2)).toBe(
      '::error title=alliance validate::FAILED: 28 errors, 0 warnings. By code: value.non-numeric 3, value.out-of-range 25 (10 shown); annotations: the first 10 per code (--max-annotations); the step summary and --format json list more',
    );
    expect(out.at(-1)).toBe('FAILED: 28 errors, 0 warnings');
  });

  it('--max-annotations N and 0 (all)', async () => {
    const f = tmpFile(csv);
    const two = await run([f, '--format', 'github', '--max-annotations', '2']);
    expect((two.stdout.match(/^::error file=/gm) ?? []).length).toBe(4);
    expect(two.stdout).toContain('value.non-numeric 3 (2 shown), value.out-of-range 25 (2 shown)');
    const all = await run([f, '--format', 'github', '--max-annotations', '0']);
    expect((all.stdout.match(/^::error file=/gm) ?? []).length).toBe(28);
    expect(all.stdout).toContain('By code: value.non-numeric 3, value.out-of-range 25\n');
    const bad = await run([f, '--format', 'github', '--max-annotations', 'ten']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--max-annotations must be a whole number/);
  });

  it('the step summary and JSON keep the exact counts and every finding', async () => {
    const f = tmpFile(csv);
    const summary = path.join(tmpDir(), 'capped-summary.md');
    writeFileSync(summary, '');
    await run([f, '--format', 'github'], { GITHUB_STEP_SUMMARY: summary });
    const md = readFileSync(summary, 'utf8');
    expect(md).toMatch(/\| value\.out-of-range \| error \| 25 \|/);
    expect((md.match(/^\| value\.out-of-range \| error \| .*\| srs \| 3 \|/gm) ?? []).length).toBe(25);
    const doc = JSON.parse((await run([f, '--format', 'json'])).stdout) as ValidateDoc;
    expect(findingsOf(doc)).toHaveLength(28);
    expect(doc.summary.findings.by_code).toEqual([
      { code: 'value.non-numeric', severity: 'error', count: 3 },
      { code: 'value.out-of-range', severity: 'error', count: 25 },
    ]);
  });
});

describe('one problem, one finding (--schema and the instrument range on one cell)', () => {
  const rows = ['client_id,session,srs'];
  for (let i = 1; i <= 12; i++) rows.push(`C${i},1,${i <= 10 ? 40 + i : 'abc'}`);
  const csv = rows.join('\n') + '\n';
  const schema = () =>
    tmpFile(
      'fields:\n  - name: client_id\n  - name: session\n    type: integer\n  - name: srs\n    type: number\n    constraints: { minimum: 0, maximum: 40 }\n',
      'srs-schema.yaml',
    );

  it('merges schema.maximum into value.out-of-range and schema.type into value.non-numeric, keeping both codes', async () => {
    const r = await run([tmpFile(csv), '--schema', schema(), '--format', 'json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as ValidateDoc;
    expect(validateJsonDocument('validate', doc)).toEqual([]);
    const all = findingsOf(doc);
    // 12 cells, 12 problems: 12 findings and "12 errors" (was 24).
    expect(all).toHaveLength(12);
    expect(doc.summary.findings.errors).toBe(12);
    expect(doc.files[0]).toMatchObject({ errors: 12 });
    expect(all[0]).toMatchObject({ code: 'value.out-of-range', codes: ['value.out-of-range', 'schema.maximum'], line: 2, value: '41' });
    expect(all[0].message).toMatch(/^41 is outside the SRS range 0-40; .* \(also schema\.maximum: '41' is above the schema maximum 40; /);
    expect(all[11]).toMatchObject({ code: 'value.non-numeric', codes: ['value.non-numeric', 'schema.type'], line: 13 });
    // Each rule still counts the cells it flagged.
    expect(doc.summary.findings.by_code.map((c: { code: string; count: number }) => [c.code, c.count])).toEqual([
      ['value.non-numeric', 2],
      ['value.out-of-range', 10],
      ['schema.type', 2],
      ['schema.maximum', 10],
    ]);
  });

  it('keeps findings of different facts on one cell, and of one fact on different cells, apart', async () => {
    // 'abc' in a pattern-constrained id column and a missing client: different cells/facts.
    const s = tmpFile(
      'fields:\n  - name: client_id\n    constraints: { pattern: "C\\\\d+" }\n  - name: session\n    type: integer\n  - name: srs\n    type: number\n',
      'pattern-schema.yaml',
    );
    const r = await run([tmpFile('client_id,session,srs\nabc,1,30\nC2,1,41\n'), '--schema', s, '--format', 'json']);
    const codes = findingsOf(JSON.parse(r.stdout) as ValidateDoc).map((f) => f.codes ?? [f.code]);
    expect(codes).toEqual([['schema.pattern'], ['value.out-of-range']]);
  });

  it('the table counts the merged codes as listed (no "... and N more" for them)', async () => {
    const r = await run([tmpFile(csv), '--schema', schema(), '--max-findings', '0']);
    expect(r.stdout).not.toMatch(/more schema\.maximum/);
    expect(r.stdout).toMatch(/FAILED: 12 errors, 0 warnings/);
  });
});

describe('SARIF 2.1.0', () => {
  const golden = () =>
    JSON.parse(readFileSync(path.join(ROOT, 'fixtures/validate/golden/mixed.sarif'), 'utf8')) as { runs: { results: Record<string, unknown>[] }[] } & Record<
      string,
      unknown
    >;

  it('is valid against the SARIF 2.1.0 schema, and the schema check is not blind', () => {
    const log = golden();
    expect(validateSarif(log)).toEqual([]);
    expect(validateSarif({ ...log, version: '2.0.0' })).not.toEqual([]);
    const bad = golden();
    delete bad.runs[0].results[0].message;
    expect(validateSarif(bad)).not.toEqual([]);
  });

  it('one result per finding with the rule, level, message and the file and line; merged codes kept', async () => {
    const schema = tmpFile(
      'fields:\n  - name: client_id\n  - name: session\n    type: integer\n  - name: srs\n    type: number\n    constraints: { maximum: 40 }\n',
      'sarif-schema.yaml',
    );
    const dir = tmpDir();
    writeFileSync(path.join(dir, 'my export.csv'), 'client_id,session,srs\nC1,1,41\nC1,3,30\n');
    const r = await runInProcess(['validate', 'my export.csv', '--schema', schema, '--format', 'sarif', '--today', TODAY], { cwd: dir });
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout) as {
      runs: { tool: { driver: { rules: { id: string }[] } }; results: Record<string, any>[]; properties: Record<string, unknown> }[];
    };
    expect(validateSarif(log)).toEqual([]);
    const [run] = log.runs;
    expect(run.tool.driver.rules.map((x) => x.id)).toEqual(CODES.map((c) => c.code));
    expect(run.results.map((x) => [x.ruleId, x.level, x.locations[0].physicalLocation.region.startLine])).toEqual([
      ['value.out-of-range', 'error', 2],
      ['session.gap', 'warning', 3],
    ]);
    expect(run.results[0].locations[0].physicalLocation.artifactLocation).toEqual({ uri: 'my%20export.csv', uriBaseId: '%SRCROOT%' });
    expect(run.results[0].properties).toMatchObject({ codes: ['value.out-of-range', 'schema.maximum'], field: 3, value: '41', column: 'srs' });
    expect(run.results[0].ruleIndex).toBe(CODES.findIndex((c) => c.code === 'value.out-of-range'));
    expect(run.properties).toMatchObject({ passed: false, errors: 1, warnings: 1, fatal: 0 });
  });
});

describe('SARIF artifact locations', () => {
  it('a file name with # or ? stays one path (not a fragment or a query)', () => {
    expect(artifactLocation('exports/site#2 export?.csv')).toEqual({ uri: 'exports/site%232%20export%3F.csv', uriBaseId: '%SRCROOT%' });
    expect(artifactLocation('/data/a#b.csv')).toEqual({ uri: 'file:///data/a%23b.csv' });
    for (const name of ['a#b.csv', 'q?.csv', '100%.csv', 'x y/z.csv'])
      expect(decodeURIComponent(new URL(artifactLocation(`/d/${name}`).uri).pathname)).toBe(`/d/${name}`);
  });
});

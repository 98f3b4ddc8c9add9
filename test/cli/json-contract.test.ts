/**
 * Issue 14.6: one JSON contract across commands. Every command's JSON document names its
 * `command` and `schema` (version), uses snake_case keys at every depth, and is valid
 * against the JSON Schema shipped for it in schemas/ (Ajv; package.json "files" ships
 * the folder). Checked on real outputs of each command, with several option sets.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runInProcess } from '../helpers/cli.js';
import { ROOT } from '../helpers/spawn.js';
import { validateJsonDocument } from '../helpers/schemas.js';

const RUNS: [command: string, args: string[]][] = [
  ['describe', ['fixtures/demo.csv']],
  ['describe', ['fixtures/demo.csv', '--group', 'site']],
  ['correlate', ['fixtures/demo.csv']],
  ['correlate', ['fixtures/demo.csv', '--by', 'site', '--early-window', '3', '--method', 'spearman']],
  ['trend', ['fixtures/demo.csv']],
  ['trend', ['fixtures/demo.csv', '--by', 'site', '--clients']],
  ['ruptures', ['fixtures/demo.csv']],
  ['ruptures', ['fixtures/demo.csv', '--by', 'site', '--clients']],
  ['model', ['fixtures/model/nested.csv', '--outcome', 'outcome', '--alliance', 'alliance', '--group', 'therapist', '--ml', '--compare']],
  ['model', ['fixtures/model/nested.csv', '--outcome', 'outcome', '--alliance', 'alliance', '--decompose', 'therapist']],
  // rows.excluded is keyed by the reasons rows were left out (data): the one map the schemas exempt.
  ['model', ['fixtures/model/nested.csv', '--outcome', 'outcome', '--alliance', 'alliance', '--decompose', 'therapist', '--level', 'client']],
  ['ruptures', ['fixtures/demo.csv', '--model']],
  ['instruments', []],
  ['instruments', ['PHQ-9']],
  ['validate', ['fixtures/validate/mixed.csv', '--today', '2025-01-01']],
];

describe('every command writes one JSON contract', () => {
  for (const [command, args] of RUNS) {
    it(`${command} ${args.join(' ')}`, async () => {
      const r = await runInProcess([command, ...args, '--format', 'json'], { cwd: ROOT });
      expect(r.stderr).toBe('');
      const doc = JSON.parse(r.stdout) as { command: string; schema: number };
      expect(Object.keys(doc).slice(0, 2)).toEqual(['command', 'schema']);
      expect(doc.command).toBe(command);
      expect(validateJsonDocument(command, doc)).toEqual([]);
    });
  }

  it('alliance report: results.json names its command and schema and holds valid section documents', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'alliance-contract-'));
    const r = await runInProcess(['report', '--config', 'fixtures/report.yaml', '--out', out, '--force'], { cwd: ROOT });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as Record<string, unknown>;
    expect(validateJsonDocument('report', doc)).toEqual([]);
    expect([doc.command, doc.schema]).toEqual(['report', 3]);
  });
});

describe('one `by` in every command (docs/report.md, "`by` in JSON")', () => {
  const CASES: [args: string[], by: unknown][] = [
    [['--by', 'THERAPIST'], 'therapist_id'],
    [['--by', 'therapist_id'], 'therapist_id'],
    [
      ['--by', 'Site,therapist'],
      ['site', 'therapist_id'],
    ],
    [[], null],
  ];
  for (const command of ['correlate', 'trend', 'ruptures']) {
    it(`${command}: options.by is the header name(s), null without; no groups.by`, async () => {
      for (const [args, by] of CASES) {
        const r = await runInProcess([command, 'fixtures/demo.csv', ...args, '--format', 'json'], { cwd: ROOT });
        expect(r.code, r.stderr).toBe(0);
        const doc = JSON.parse(r.stdout) as { options: { by: unknown }; groups: unknown };
        expect(doc.options.by, `${command} ${args.join(' ')}`).toEqual(by);
        if (doc.groups !== null && !Array.isArray(doc.groups)) expect(doc.groups).not.toHaveProperty('by');
      }
    });
  }
});

describe('the schemas', () => {
  it('one per command, each naming its command and version, shipped in the package', () => {
    const files = readdirSync(path.join(ROOT, 'schemas')).sort();
    expect(files).toEqual(['correlate', 'defs', 'describe', 'instruments', 'model', 'report', 'ruptures', 'trend', 'validate'].map((c) => `${c}.schema.json`));
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('schemas');
  });

  it('are not blind: a camelCase key, a wrong command or a missing field is rejected', async () => {
    const r = await runInProcess(['describe', 'fixtures/demo.csv', '--format', 'json'], { cwd: ROOT });
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(validateJsonDocument('describe', doc)).toEqual([]);
    const { sessions_per_client: spc, ...rest } = doc;
    expect(validateJsonDocument('describe', { ...rest, sessionsPerClient: spc })).not.toEqual([]);
    expect(validateJsonDocument('describe', { ...doc, command: 'trend' })).not.toEqual([]);
    expect(validateJsonDocument('describe', rest)).not.toEqual([]);
    // A camelCase key deep inside is caught too.
    const measures = doc.measures as Record<string, unknown>[];
    expect(validateJsonDocument('describe', { ...doc, measures: [{ ...measures[0], intakeClients: 1 }] })).not.toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { parseSchema } from '../../src/validate/schema.js';
import { runInProcess } from '../helpers/cli.js';
import { TODAY, tmpFile, validateJson } from './helpers.js';

const SCHEMA_YAML = `
fields:
  - name: client_id
    type: string
    constraints: { required: true, pattern: 'C\\d+' }
  - name: session
    type: integer
    constraints: { minimum: 1, maximum: 40 }
  - name: date
    type: date
    constraints: { minimum: '2020-01-01' }
  - name: srs
    type: number
    constraints: { minimum: 0, maximum: 40 }
  - name: site
    type: string
    constraints: { required: true, enum: [north, south] }
  - name: visit_id
    type: integer
    constraints: { unique: true }
missingValues: ['', 'NA']
primaryKey: [client_id, session]
`;

const GOOD = `client_id,session,date,srs,site,visit_id
C1,1,2024-01-01,30,north,1
C1,2,2024-01-08,NA,south,2
C2,1,2024-01-01,35,north,3
`;

describe('--schema (Frictionless Table Schema)', () => {
  const schema = tmpFile(SCHEMA_YAML, 'schema.yaml');

  it('reports nothing for conforming data', async () => {
    const r = await validateJson(GOOD, ['--schema', schema]);
    expect(r.codes.filter((c) => c.startsWith('schema.'))).toEqual([]);
  });

  const cases: [string, string, { line: number | null; column: string | null; value: string | null }][] = [
    ['schema.required', GOOD + 'C3,1,2024-01-01,30,,4\n', { line: 5, column: 'site', value: '' }],
    ['schema.type', GOOD + 'C3,1,2024-01-01,30,north,x4\n', { line: 5, column: 'visit_id', value: 'x4' }],
    ['schema.minimum', GOOD + 'C3,1,2019-12-31,30,north,4\n', { line: 5, column: 'date', value: '2019-12-31' }],
    ['schema.maximum', GOOD + 'C3,41,2024-01-01,30,north,4\n', { line: 5, column: 'session', value: '41' }],
    ['schema.enum', GOOD + 'C3,1,2024-01-01,30,east,4\n', { line: 5, column: 'site', value: 'east' }],
    ['schema.pattern', GOOD + 'X3,1,2024-01-01,30,north,4\n', { line: 5, column: 'client_id', value: 'X3' }],
    ['schema.unique', GOOD + 'C3,1,2024-01-01,30,north,3\n', { line: 5, column: 'visit_id', value: '3' }],
    ['schema.primary-key', GOOD + 'C2,1,2024-01-02,30,north,4\n', { line: 5, column: null, value: 'C2, 1' }],
    ['schema.missing-field', GOOD.replace(/,visit_id/, '').replace(/,(\d)\n/g, '\n'), { line: null, column: null, value: 'visit_id' }],
    ['schema.extra-field', GOOD.replace('visit_id\n', 'visit_id,extra\n').replace(/(\d)\n/g, '$1,x\n'), { line: null, column: 'extra', value: 'extra' }],
  ];
  for (const [code, csv, at] of cases) {
    it(`${code}`, async () => {
      const r = await validateJson(csv, ['--schema', schema]);
      const f = r.doc.findings.find((x) => x.code === code);
      expect(f, JSON.stringify(r.doc.findings, null, 1)).toBeDefined();
      expect({ line: f!.line, column: f!.column, value: f!.value }).toEqual(at);
      expect(r.doc.findings.filter((x) => x.code.startsWith('schema.')).map((x) => x.code)).toEqual([code]);
    });
  }

  it('accepts a JSON schema and a single-name primaryKey', async () => {
    const json = tmpFile(
      JSON.stringify({ fields: [{ name: 'client_id' }, { name: 'session', type: 'integer' }, { name: 'srs', type: 'number' }], primaryKey: 'client_id' }),
      'schema.json',
    );
    const r = await validateJson('client_id,session,srs\nC1,1,30\nC1,2,31\n', ['--schema', json]);
    expect(r.codes).toEqual(['schema.primary-key']);
  });

  it('rejects an invalid schema with exit 2 and one line', async () => {
    const bad = tmpFile('fields:\n  - name: x\n    type: decimal\n', 'bad-schema.yaml');
    const csv = tmpFile(GOOD);
    const r = await runInProcess(['validate', csv, '--schema', bad, '--today', TODAY]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/unsupported type 'decimal'/);
  });

  it('rejects a missing schema file with exit 2', async () => {
    const r = await runInProcess(['validate', tmpFile(GOOD), '--schema', '/nonexistent/schema.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/schema file not found/);
  });

  it('parses constraints and defaults', () => {
    const s = parseSchema(SCHEMA_YAML, 's.yaml');
    expect(s.fields.map((f) => f.type)).toEqual(['string', 'integer', 'date', 'number', 'string', 'integer']);
    expect(s.missingValues).toEqual(['', 'NA']);
    expect(s.primaryKey).toEqual(['client_id', 'session']);
    expect(parseSchema('fields: [{name: a}]', 'x').missingValues).toEqual(['']);
    expect(() => parseSchema('fields: []', 'x')).toThrow(/non-empty/);
    expect(() => parseSchema('fields: [{name: a}]\nprimaryKey: b', 'x')).toThrow(/primaryKey 'b'/);
    expect(() => parseSchema("fields: [{name: a, constraints: {pattern: '('}}]", 'x')).toThrow(/not a valid regular expression/);
  });

  it("names pathological nesting in the schema's terms, not the engine's stack overflow", () => {
    const deep = '{"fields": ' + '['.repeat(300_000) + ']'.repeat(300_000) + '}';
    expect(() => parseSchema(deep, 's.json')).toThrow(/^the schema is nested too deeply to read$/);
  });
});

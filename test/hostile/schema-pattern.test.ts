/**
 * Table Schema `pattern` (issue 16): a catastrophic-backtracking pattern such as (a+)+
 * against a long non-matching cell must not hang validate (linear-time engine).
 */
import { findingsOf } from '../validate/helpers.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runInProcess } from '../helpers/cli.js';
import { parseSchema } from '../../src/validate/schema.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'alliance-pattern-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('schema pattern', () => {
  it('(a+)+ against 5000 a then b: one finding per bad cell, and it finishes', async () => {
    const csv = path.join(tmp, 'redos.csv');
    const evil = 'a'.repeat(5000) + 'b';
    const lines = ['client_id,session,srs,code'];
    for (let i = 0; i < 20; i++) lines.push(`C${i},1,30,${i % 2 === 0 ? evil : 'aaaa'}`);
    writeFileSync(csv, lines.join('\n') + '\n');
    const schema = path.join(tmp, 'schema.yaml');
    writeFileSync(
      schema,
      "fields:\n  - {name: client_id}\n  - {name: session, type: integer}\n  - {name: srs, type: number}\n  - {name: code, constraints: {pattern: '(a+)+'}}\n",
    );
    const r = await runInProcess(['validate', csv, '--schema', schema, '--format', 'json']);
    expect(r.code).toBe(1);
    const doc = { findings: findingsOf(JSON.parse(r.stdout)) };
    const hits = doc.findings.filter((f) => f.code === 'schema.pattern');
    expect(hits.map((f) => f.line)).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
  });

  it('patterns are anchored and Unicode-aware', async () => {
    const s = parseSchema("fields: [{name: a, constraints: {pattern: '\\p{L}+'}}]", 'x');
    expect(s.fields[0].constraints.pattern).toBe('\\p{L}+');
  });

  it('a backreference or lookaround is a usage error naming the field', () => {
    expect(() => parseSchema("fields: [{name: a, constraints: {pattern: '(a)\\1'}}]", 'x')).toThrow(/field 'a'.*not a valid regular expression here/);
    expect(() => parseSchema("fields: [{name: a, constraints: {pattern: '(?=a)a'}}]", 'x')).toThrow(/no backreferences or lookaround/);
  });
});

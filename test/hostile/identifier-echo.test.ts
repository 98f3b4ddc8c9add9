/**
 * Identifiers in id and group columns (issue 16), the part done: validate's findings never
 * echo a value the privacy rules take for an identifier (session.duplicate printed client
 * ids that are emails or phone numbers in full, in all six formats).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runInProcess } from '../helpers/cli.js';
import { maskQuoted } from '../../src/validate/findings.js';

let tmp: string;
let file: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'alliance-idecho-'));
  const lines = ['client_id,session,srs,ors'];
  for (const id of ['jane.doe@example.org', '07700 900123', 'C3']) {
    lines.push(`${id},1,30,20`, `${id},1,31,21`, `${id},2,32,22`);
  }
  file = path.join(tmp, 'ids.csv');
  writeFileSync(file, lines.join('\n') + '\n');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('validate never echoes an identifier-looking id', () => {
  it('maskQuoted masks quoted emails and phone numbers only', () => {
    expect(maskQuoted("client 'jane.doe@example.org' has session 1 more than once")).toBe("client 'j***@e***.org' has session 1 more than once");
    expect(maskQuoted("client 'C0012' has session 1 more than once")).toBe("client 'C0012' has session 1 more than once");
  });

  for (const fmt of ['table', 'json', 'csv', 'md', 'github', 'junit']) {
    it(`--format ${fmt}`, async () => {
      const r = await runInProcess(['validate', file, '--format', fmt], { env: {} });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/session\.duplicate/);
      expect(r.stdout).not.toContain('jane.doe');
      expect(r.stdout).not.toContain('900123');
      expect(r.stdout).toMatch(/'C3'|&apos;C3&apos;/);
    });
  }
});

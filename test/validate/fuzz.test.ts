/**
 * Robustness: arbitrary small exports never crash validate (no exit 70, no stack trace).
 * Exit is 0/1 with one parseable JSON document, 2 with one too when the file cannot be read
 * (and its one line on stderr), or 2 with one line on stderr and nothing else for a usage error.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runInProcess } from '../helpers/cli.js';
import { TODAY, findingsOf, tmpFile } from './helpers.js';

const HEADERS = ['client_id', 'session', 'date', 'srs', 'phq9', 'k10', 'waisr', 'email', 'notes', 'site', 'dob', '', 'x y'];
const CELLS = [
  '',
  'NA',
  '-',
  '.',
  '1',
  '2',
  '3',
  '0',
  '-1',
  '1.5',
  '-99',
  '999',
  '41',
  '12.25',
  'abc',
  '2024-01-01',
  '2030-12-31',
  '1899-01-01',
  '01/02/2024',
  '13/01/2024',
  '2024-02-30',
  'C1',
  'C2',
  'C 3',
  'a@b.org',
  '+44 7700 900123',
  '12 High Street',
  '123-45-6789',
  '9434765919',
  '"quoted, comma"',
  '"a ""b"" c"',
  'é',
  '\t',
  'one two three four five six seven eight nine',
];

describe('fuzz', () => {
  it('never crashes on arbitrary small exports', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.constantFrom(...HEADERS), { minLength: 1, maxLength: 7 }),
        fc.array(fc.array(fc.constantFrom(...CELLS), { minLength: 0, maxLength: 8 }), { minLength: 0, maxLength: 12 }),
        async (header, rows) => {
          const text = [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n';
          const r = await runInProcess(['validate', tmpFile(text), '--format', 'json', '--today', TODAY]);
          expect([0, 1, 2], r.stderr).toContain(r.code);
          if (r.stdout === '') {
            // A usage error: exit 2, one line on stderr.
            expect(r.code).toBe(2);
            expect(r.stderr.trim().split('\n')).toHaveLength(1);
          } else {
            // A document, also when the file cannot be read (a fatal finding, exit 2, and its line on stderr).
            const doc = JSON.parse(r.stdout);
            const s = doc.summary.findings;
            expect(s.listed).toBe(findingsOf(doc).length);
            expect(r.code).toBe(s.fatal > 0 ? 2 : s.errors > 0 ? 1 : 0);
            expect(r.stderr === '' ? 0 : r.stderr.trim().split('\n').length).toBe(s.fatal);
          }
          expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
        },
      ),
      { numRuns: 150, seed: 20261127 },
    );
  });
});

/**
 * Issue 14.1-2: a file that cannot be read is a finding of that file in every format
 * (code file.unreadable, severity fatal, its location), the files beside it are still
 * validated, the document is complete and valid (JSON against schemas/validate.schema.json
 * with Ajv, JUnit against test/schemas/junit.xsd with xmllint, SARIF against the SARIF
 * 2.1.0 schema, CSV parsed by csv-parse),
 * and the exit code is 2. Header-only files are readable: an error finding, exit 1.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { runInProcess } from '../helpers/cli.js';
import { ROOT } from '../helpers/spawn.js';
import { TODAY, findingsOf, tmpDir, tmpFile, type ValidateDoc } from '../validate/helpers.js';
import { validateJsonDocument, validateJunitXml, validateSarif } from '../helpers/schemas.js';

const GOOD = path.join(ROOT, 'fixtures/validate/clean.csv');
const good2 = () => tmpFile('client_id,session,date,srs\nZ1,1,2024-01-08,30\nZ1,2,2024-01-15,31\n', 'good2.csv');

interface Kind {
  name: string;
  bad: () => string;
  /** The stderr line and the finding's message. */
  says: RegExp;
  /** Where the finding points: line (null: the file) and field. */
  line: number | null;
  field?: number;
}

const KINDS: Kind[] = [
  {
    name: 'malformed (unclosed quote, found while scanning)',
    bad: () => tmpFile('client_id,session,srs\nC1,1,30\nC1,2,"31\nC1,3,32\n', 'malformed.csv'),
    says: /unclosed quote/,
    line: 3,
    field: 3,
  },
  { name: 'empty', bad: () => tmpFile('', 'empty.csv'), says: /empty/, line: null },
  {
    name: 'binary',
    bad: () => tmpFile(Buffer.from([0x50, 0x4c, 0x03, 0x04, 0, 0, 0, 1, 2, 3, 0, 0, 0xff, 0xfe, 0, 0, 0, 9]), 'binary.csv'),
    says: /binary/,
    line: null,
  },
  {
    name: 'undecodable (Latin-1 read as UTF-8)',
    bad: () => tmpFile(Buffer.from('client_id,session,srs,site\nC1,1,30,M\xfcnchen\n', 'latin1'), 'latin1.csv'),
    says: /--encoding/,
    line: 2,
  },
  { name: 'missing file', bad: () => path.join(tmpDir(), 'no-such-export.csv'), says: /no such file/, line: null },
  { name: 'directory', bad: () => tmpDir(), says: /is a directory/, line: null },
];

const FORMATS = ['table', 'md', 'json', 'csv', 'github', 'junit', 'sarif'] as const;

async function run(files: string[], format: string) {
  return runInProcess(['validate', ...files, '--format', format, '--today', TODAY]);
}

describe('an unreadable file next to good files', () => {
  for (const kind of KINDS) {
    describe(kind.name, () => {
      for (const format of FORMATS) {
        it(`--format ${format}: a complete document, the fatal finding, the good files validated, exit 2`, async () => {
          const bad = kind.bad();
          const g2 = good2();
          const r = await run([GOOD, bad, g2], format);
          expect(r.code, r.stderr).toBe(2);
          const lines = r.stderr.trim().split('\n');
          expect(lines).toHaveLength(1);
          expect(lines[0]).toMatch(/^alliance: /);
          expect(lines[0]).toMatch(kind.says);
          await checkDocument(format, r.stdout, { bad, good: [GOOD, g2], kind });
        });
      }
    });
  }
});

async function checkDocument(format: string, out: string, ctx: { bad: string; good: string[]; kind: Kind }): Promise<void> {
  const { bad, good, kind } = ctx;
  if (format === 'json') {
    const doc = JSON.parse(out) as ValidateDoc;
    expect(validateJsonDocument('validate', doc)).toEqual([]);
    expect(doc.passed).toBe(false);
    expect(doc.files.map((f) => [f.file, f.status])).toEqual([
      [good[0], 'passed'],
      [bad, 'fatal'],
      [good[1], 'passed'],
    ]);
    expect(doc.summary.files).toEqual({ passed: good, failed: [], fatal: [bad] });
    expect(doc.summary.findings).toMatchObject({ fatal: 1, errors: 0, warnings: 0 });
    const [f] = findingsOf(doc);
    expect(f).toMatchObject({ code: 'file.unreadable', severity: 'fatal', file: bad, line: kind.line, field: kind.field ?? null });
    expect(f.message).toMatch(kind.says);
    // The good files were read: their rows are counted.
    expect(doc.summary.rows).toBe(6 + 2);
  } else if (format === 'junit') {
    expect(await validateJunitXml(out)).toEqual([]);
    const suites = [...out.matchAll(/<testsuite name="([^"]*)" tests="(\d+)" failures="(\d+)" errors="(\d+)" skipped="(\d+)">/g)];
    expect(suites.map((m) => m[1])).toEqual([good[0], bad, good[1]].map(xml));
    const [, , tests, failures, errors, skipped] = suites[1];
    expect([Number(failures), Number(errors), Number(skipped)]).toEqual([0, 1, Number(tests) - 1]);
    expect(out).toMatch(/<error type="fatal" message="the file could not be read: [^"]*">/);
    expect(out).toMatch(/<property name="status" value="fatal"\/>/);
    expect((out.match(/<property name="status" value="passed"\/>/g) ?? []).length).toBe(2);
  } else if (format === 'sarif') {
    const log = JSON.parse(out) as SarifLog;
    expect(validateSarif(log)).toEqual([]);
    const run = log.runs[0];
    expect(run.invocations[0].executionSuccessful).toBe(false);
    expect(run.properties).toMatchObject({ passed: false, fatal: 1, errors: 0, files: { passed: good, failed: [], fatal: [bad] } });
    expect(run.results).toHaveLength(1);
    const [res] = run.results;
    expect(res).toMatchObject({ ruleId: 'file.unreadable', level: 'error', properties: { severity: 'fatal' } });
    expect(res.message.text).toMatch(kind.says);
    expect(res.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: `file://${encodeURI(bad)}` }, region: { startLine: kind.line ?? 1 } });
  } else if (format === 'csv') {
    const rows = parse<Record<string, string>>(out, { columns: true });
    expect(rows).toEqual([
      expect.objectContaining({ code: 'file.unreadable', severity: 'fatal', file: bad, line: kind.line === null ? '' : String(kind.line) }),
    ]);
    expect(rows[0].message).toMatch(kind.says);
  } else if (format === 'github') {
    const esc = bad.replace(/%/g, '%25').replace(/:/g, '%3A').replace(/,/g, '%2C');
    const lines = out.trimEnd().split('\n');
    const at = `${kind.line === null ? '' : `line=${kind.line},`}${kind.field === undefined ? '' : `col=${kind.field},`}`;
    expect(lines[0].startsWith(`::error file=${esc},${at}title=file.unreadable::`)).toBe(true);
    expect(lines[0]).toMatch(kind.says);
    expect(lines[1]).toMatch(/^::error title=alliance validate::FAILED: 1 file not readable, 0 errors, 0 warnings\. By code: file\.unreadable 1$/);
    expect(lines[2]).toBe('FAILED: 1 file not readable, 0 errors, 0 warnings');
  } else {
    // table and md: the files with their verdicts, the finding, the verdict line.
    expect(out).toContain(`${bad}: not readable (file.unreadable; see the findings)`);
    expect(out).toContain(`${good[0]}: 6 rows (utf8, delimiter ","): passed`);
    expect(out).toMatch(/file\.unreadable/);
    expect(out).toMatch(/fatal/);
    expect(out.trimEnd().endsWith('FAILED: 1 file not readable, 0 errors, 0 warnings')).toBe(true);
  }
}

interface SarifLog {
  runs: {
    invocations: { executionSuccessful: boolean }[];
    properties: Record<string, unknown>;
    results: { ruleId: string; level: string; message: { text: string }; locations: { physicalLocation: unknown }[]; properties: Record<string, unknown> }[];
  }[];
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

describe('a header-only file next to good files', () => {
  it('is readable: an error finding (structure.header-only), exit 1, in every format', async () => {
    for (const format of FORMATS) {
      const bad = tmpFile('client_id,session,date,srs\n', 'header-only.csv');
      const r = await run([GOOD, bad], format);
      expect(r.code, `${format}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/structure\.header-only/);
      if (format === 'json') {
        const doc = JSON.parse(r.stdout) as ValidateDoc;
        expect(validateJsonDocument('validate', doc)).toEqual([]);
        expect(doc.files.map((f) => f.status)).toEqual(['passed', 'failed']);
      }
      if (format === 'junit') expect(await validateJunitXml(r.stdout)).toEqual([]);
      if (format === 'sarif') expect(validateSarif(JSON.parse(r.stdout))).toEqual([]);
    }
  });
});

describe('every file unreadable', () => {
  it('still writes a complete document for each format, exit 2, one stderr line per file', async () => {
    for (const format of FORMATS) {
      const files = [path.join(tmpDir(), 'gone-1.csv'), tmpFile('', 'empty-2.csv')];
      const r = await run(files, format);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(2);
      if (format === 'json') {
        const doc = JSON.parse(r.stdout) as ValidateDoc;
        expect(validateJsonDocument('validate', doc)).toEqual([]);
        expect(doc.summary.findings).toMatchObject({ fatal: 2, errors: 0 });
        expect(doc.summary.skipped).toEqual([{ checks: 'every check', codes: [], reason: 'no file could be read' }]);
      } else if (format === 'junit') {
        expect(await validateJunitXml(r.stdout)).toEqual([]);
        expect((r.stdout.match(/<error type="fatal"/g) ?? []).length).toBe(2);
      } else if (format === 'sarif') {
        const log = JSON.parse(r.stdout) as SarifLog;
        expect(validateSarif(log)).toEqual([]);
        expect(log.runs[0].results.map((x) => x.ruleId)).toEqual(['file.unreadable', 'file.unreadable']);
      } else {
        expect((r.stdout.match(/file\.unreadable/g) ?? []).length).toBeGreaterThanOrEqual(2);
      }
    }
  });
});

describe('the JUnit schema is not blind', () => {
  it('rejects what JUnit readers reject (a testcase file attribute, a missing name)', async () => {
    const ok = readFileSync(path.join(ROOT, 'fixtures/validate/golden/mixed.xml'), 'utf8');
    expect(await validateJunitXml(ok)).toEqual([]);
    expect(
      await validateJunitXml(ok.replace('<testcase classname="alliance.validate" name=', '<testcase file="x.csv" classname="alliance.validate" name=')),
    ).not.toEqual([]);
    expect(await validateJunitXml(ok.replace(/ name="structure\.header-only[^"]*"/, ''))).not.toEqual([]);
  });
});

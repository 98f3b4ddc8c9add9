/**
 * One test per finding code: a small input that triggers it and a close variant that
 * does not. Run end to end (CSV -> dataset -> rules -> JSON), so the mapping from the
 * reader's cell issues to findings is covered too.
 */
import { describe, expect, it } from 'vitest';
import { CODES } from '../../src/validate/codes.js';
import { findingsOf, tmpFile, validateJson } from './helpers.js';
import { isNhsNumber } from '../../src/validate/privacy.js';

interface Case {
  code: string;
  bad: string;
  good: string;
  args?: string[];
  goodArgs?: string[];
  /** Expected line / column / value of the first finding with this code. */
  at?: { line: number | null; column: string | null; value?: string | null };
}

const H = 'client_id,session,date,srs,phq9\n';

const CASES: Case[] = [
  { code: 'structure.header-only', bad: 'client_id,session,srs\n', good: 'client_id,session,srs\nC1,1,30\n', at: { line: null, column: null } },
  { code: 'structure.empty-header', bad: 'client_id,,srs\nC1,x,30\n', good: 'client_id,site,srs\nC1,x,30\n', at: { line: null, column: '2' } },
  {
    code: 'structure.duplicate-header',
    bad: 'client_id,site,Site,srs\nC1,a,a,30\n',
    good: 'client_id,site,unit,srs\nC1,a,a,30\n',
    at: { line: null, column: 'Site', value: 'Site' },
  },
  {
    code: 'structure.ragged-row',
    bad: 'client_id,session,srs\nC1,1,30,5\nC1,2\n',
    good: 'client_id,session,srs\nC1,1,30\nC1,2,31\n',
    at: { line: 2, column: null, value: '4 fields' },
  },
  { code: 'structure.no-client-column', bad: 'who,session,srs\nC1,1,30\n', good: 'client_id,session,srs\nC1,1,30\n', at: { line: null, column: null } },
  { code: 'structure.no-measure-columns', bad: 'client_id,session\nC1,1\n', good: 'client_id,session,srs\nC1,1,30\n' },
  {
    code: 'value.missing-client',
    bad: 'client_id,session,srs\nC1,1,30\n,1,30\n',
    good: 'client_id,session,srs\nC1,1,30\nC2,1,30\n',
    at: { line: 3, column: 'client_id' },
  },
  { code: 'value.non-numeric', bad: H + 'C1,1,2024-01-01,abc,10\n', good: H + 'C1,1,2024-01-01,NA,10\n', at: { line: 2, column: 'srs', value: 'abc' } },
  { code: 'value.out-of-range', bad: H + 'C1,1,2024-01-01,41,10\n', good: H + 'C1,1,2024-01-01,40,10\n', at: { line: 2, column: 'srs', value: '41' } },
  { code: 'value.fraction', bad: H + 'C1,1,2024-01-01,30,12.5\n', good: H + 'C1,1,2024-01-01,30.5,12\n', at: { line: 2, column: 'phq9', value: '12.5' } },
  {
    code: 'value.missing-code',
    bad: H + 'C1,1,2024-01-01,30,-99\nC1,2,2024-01-08,30,-99\n',
    good: H + 'C1,1,2024-01-01,30,-99\nC1,2,2024-01-08,30,-99\n',
    goodArgs: ['--missing', '-99'],
    at: { line: 2, column: 'phq9', value: '-99' },
  },
  {
    code: 'value.likely-variant',
    bad: 'client_id,session,k10\nC1,1,0\nC1,2,5\nC2,1,38\n',
    good: 'client_id,session,k10\nC1,1,12\nC1,2,15\nC2,1,38\n',
    at: { line: null, column: 'k10', value: '0..38' },
  },
  { code: 'value.invalid-date', bad: H + 'C1,1,2024-13-45,30,10\n', good: H + 'C1,1,2024-12-31,30,10\n', at: { line: 2, column: 'date', value: '2024-13-45' } },
  // Text after a date that is no time of day (a note, a name) is not read as the date.
  {
    code: 'value.invalid-date',
    bad: H + 'C1,1,2024-03-05 seen by Jane,30,10\n',
    good: H + 'C1,1,2024-03-05 14:30,30,10\n',
    at: { line: 2, column: 'date', value: '2024-03-05 seen by Jane' },
  },
  {
    code: 'value.invalid-session',
    bad: H + 'C1,x,2024-01-01,30,10\nC2,1.5,2024-01-01,30,10\n',
    good: H + 'C1,1,2024-01-01,30,10\n',
    at: { line: 2, column: 'session', value: 'x' },
  },
  {
    code: 'session.duplicate',
    bad: H + 'C1,1,2024-01-01,30,10\nC2,1,2024-01-01,30,10\nC1,1,2024-01-01,30,10\n',
    good: H + 'C1,1,2024-01-01,30,10\nC2,1,2024-01-01,30,10\nC1,2,2024-01-08,30,10\n',
    at: { line: 4, column: 'session', value: '1' },
  },
  {
    code: 'session.order-vs-date',
    bad: H + 'C1,1,2024-02-01,30,10\nC1,2,2024-01-01,30,10\n',
    // Same-day sessions never disagree; a row without a date is skipped, not compared.
    good: H + 'C1,1,2024-01-01,30,10\nC1,2,2024-01-01,30,10\nC1,4,,30,10\nC1,3,2024-02-01,30,10\n',
    at: { line: 3, column: 'date', value: '2 on 2024-01-01' },
  },
  {
    code: 'session.future-date',
    bad: H + 'C1,1,2025-01-02,30,10\n',
    good: H + 'C1,1,2025-01-01,30,10\n',
    at: { line: 2, column: 'date', value: '2025-01-02' },
  },
  { code: 'session.old-date', bad: H + 'C1,1,1989-12-31,30,10\n', good: H + 'C1,1,1990-01-01,30,10\n', at: { line: 2, column: 'date', value: '1989-12-31' } },
  {
    code: 'session.blank',
    // C1 has a blank session among numbered ones (placed by date as session 2).
    bad: H + 'C1,1,2024-01-01,30,10\nC1,,2024-01-08,30,10\nC1,3,2024-01-15,30,10\n',
    good: H + 'C1,1,2024-01-01,30,10\nC1,2,2024-01-08,30,10\nC1,3,2024-01-15,30,10\n',
    at: { line: null, column: 'session', value: 'C1' },
  },
  {
    code: 'session.gap',
    bad: 'client_id,session,srs\nC1,1,30\nC1,2,30\nC1,5,30\n',
    // 3 arrives late: the gap 2 -> 4 is filled.
    good: 'client_id,session,srs\nC1,1,30\nC1,2,30\nC1,4,30\nC1,3,30\n',
    at: { line: 4, column: 'session', value: '3, 4' },
  },
  {
    code: 'privacy.identifier-column',
    bad: 'client_id,session,srs,Email\nC1,1,30,\n',
    good: 'client_id,session,srs,site\nC1,1,30,\n',
    at: { line: null, column: 'Email' },
  },
  {
    code: 'privacy.email',
    bad: 'client_id,session,srs,site\nC1,1,30,jane.roe@example.org\n',
    good: 'client_id,session,srs,site\nC1,1,30,north@\n',
    at: { line: 2, column: 'site', value: 'j***@e***.org' },
  },
  {
    code: 'privacy.phone',
    bad: 'client_id,session,srs,site\nC1,1,30,+44 7700 900123\n',
    good: 'client_id,session,srs,site\nC1,1,30,123456789\n',
    at: { line: 2, column: 'site', value: '+** **** ****23' },
  },
  {
    code: 'privacy.address',
    bad: 'client_id,session,srs,site\nC1,1,30,12 High Street\n',
    good: 'client_id,session,srs,site\nC1,1,30,High Street clinic\n',
    at: { line: 2, column: 'site', value: '** H*** S*****' },
  },
  {
    code: 'privacy.national-id',
    bad: 'client_id,session,srs,ref\nC1,1,30,123-45-6789\nC2,1,30,943 476 5919\n',
    good: 'client_id,session,srs,ref\nC1,1,30,123-45-678\nC2,1,30,943 476 5918\n',
    at: { line: 2, column: 'ref', value: '***-**-**89' },
  },
  {
    code: 'privacy.date-of-birth',
    bad: 'client_id,session,srs,dob\nC1,1,30,1980-05-01\n',
    good: 'client_id,session,srs,birth_year\nC1,1,30,1980\n',
    at: { line: 2, column: 'dob' },
  },
  {
    code: 'privacy.free-text',
    bad: 'client_id,session,srs,remark_code\nC1,1,30,"talked about the argument with her brother at the weekend again"\n',
    good: 'client_id,session,srs,remark_code\nC1,1,30,follow-up in two weeks\n',
    at: { line: 2, column: 'remark_code' },
  },
];

describe('every finding code has a trigger test', () => {
  it('covers every non-schema code in the catalogue', () => {
    const covered = new Set(CASES.map((c) => c.code));
    // file.unreadable (exit 2) has its own tests: test/cli/validate-fatal.test.ts.
    const missing = CODES.filter((c) => !c.code.startsWith('schema.') && c.code !== 'file.unreadable' && !covered.has(c.code)).map((c) => c.code);
    expect(missing).toEqual([]);
  });

  for (const c of CASES) {
    describe(c.code, () => {
      it('is reported for the bad input', async () => {
        const r = await validateJson(c.bad, c.args);
        expect(r.codes).toContain(c.code);
        const f = r.doc.findings.find((x) => x.code === c.code)!;
        const info = CODES.find((x) => x.code === c.code)!;
        expect(f.severity).toBe(info.severity);
        expect(f.message.length).toBeGreaterThan(20);
        expect(f.message).not.toMatch(/\n/);
        if (c.at) {
          expect(f.line).toBe(c.at.line);
          expect(f.column).toBe(c.at.column);
          if (c.at.value !== undefined) expect(f.value).toBe(c.at.value);
        }
        expect(r.code).toBe(r.doc.summary.findings.errors > 0 ? 1 : 0);
        if (info.severity === 'error') expect(r.code).toBe(1);
      });
      it('is not reported for the corrected input', async () => {
        const r = await validateJson(c.good, c.goodArgs ?? c.args);
        expect(r.codes).not.toContain(c.code);
      });
    });
  }
});

describe('session rules on larger inputs', () => {
  it('finds duplicates of sessions above 63 and out of order (overflow set)', async () => {
    const rows = [H.trim()];
    for (let s = 1; s <= 70; s++) rows.push(`C1,${s},2024-01-01,30,10`);
    rows.push('C1,66,2024-01-01,30,10', 'C1,3,2024-01-01,30,10');
    const r = await validateJson(rows.join('\n') + '\n');
    const dups = r.doc.findings.filter((f) => f.code === 'session.duplicate');
    expect(dups.map((f) => [f.line, f.value])).toEqual([
      [72, '66'],
      [73, '3'],
    ]);
    expect(r.codes).not.toContain('session.gap');
  });

  it('does not confuse clients (duplicate detection is per client)', async () => {
    const lines = [H.trim()];
    for (let c = 0; c < 50; c++) for (let s = 1; s <= 3; s++) lines.push(`K${c},${s},2024-01-0${s},30,10`);
    const r = await validateJson(lines.join('\n') + '\n');
    expect(r.doc.findings).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('skips session checks when sessions are numbered by date', async () => {
    const r = await validateJson('client_id,date,srs\nC1,2024-01-01,30\nC1,2024-01-01,31\n');
    expect(r.codes).not.toContain('session.duplicate');
    expect(r.doc.summary.skipped.map((x: { checks: string; reason: string }) => `${x.checks}: ${x.reason}`).join(' ')).toMatch(/no session column/);
  });
});

describe('ordering', () => {
  it('sorts findings by file, line, column, code', async () => {
    const a = tmpFile('client_id,session,srs,email\nC1,1,41,x@y.org\nC1,1,abc,\n');
    const b = tmpFile('client_id,session,srs,email\nC2,1,50,\n');
    const { runInProcess } = await import('../helpers/cli.js');
    const r = await runInProcess(['validate', b, a, '--format', 'json', '--today', '2025-01-01']);
    const doc = { findings: findingsOf(JSON.parse(r.stdout)) };
    const keys = doc.findings.map((f) => `${f.file === b ? 0 : 1}:${f.line ?? 0}:${f.field ?? 0}:${f.code}`);
    const sorted = [...doc.findings]
      .map((f, i) => ({ f, i }))
      .sort((x, y) => {
        const fx = x.f.file === b ? 0 : 1;
        const fy = y.f.file === b ? 0 : 1;
        return fx - fy || (x.f.line ?? 0) - (y.f.line ?? 0) || (x.f.field ?? 0) - (y.f.field ?? 0) || (x.f.code < y.f.code ? -1 : x.f.code > y.f.code ? 1 : 0);
      })
      .map(({ f }) => `${f.file === b ? 0 : 1}:${f.line ?? 0}:${f.field ?? 0}:${f.code}`);
    expect(keys).toEqual(sorted);
    expect(keys[0].startsWith('0:')).toBe(true);
  });
});

describe('docs/validate.md', () => {
  it('documents every code with its severity, and nothing else', async () => {
    const { readFileSync } = await import('node:fs');
    const { ROOT } = await import('../helpers/spawn.js');
    const md = readFileSync(`${ROOT}/docs/validate.md`, 'utf8');
    const rows = [...md.matchAll(/^\| `([a-z]+\.[a-z-]+)` \| (fatal|error|warning) \|/gm)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual(CODES.map((c) => [c.code, c.severity]));
  });
});

describe('bare 10-digit values are judged per column', () => {
  /** Appends the modulus-11 check digit to 9 digits; null when the check would be 10. */
  const withCheck = (nine: string): string | null => {
    let sum = 0;
    for (let i = 0; i < 9; i++) sum += Number(nine[i]) * (10 - i);
    const c = (11 - (sum % 11)) % 11;
    return c === 10 ? null : nine + c;
  };
  it('a column of valid NHS numbers is one finding at the first one', async () => {
    const ids = ['401023213', '943476591', '485777345', '640095322', '712345678'].map(withCheck).filter((x): x is string => x !== null);
    expect(ids.length).toBeGreaterThanOrEqual(4);
    const csv = 'client_id,session,srs,ref\n' + ids.map((id, i) => `C${i},1,30,${id}`).join('\n') + '\n';
    const r = await validateJson(csv);
    const f = r.doc.findings.filter((x) => x.code === 'privacy.national-id');
    expect(f).toHaveLength(1);
    expect(f[0].line).toBe(2);
    expect(f[0].column).toBe('ref');
    expect(f[0].value).toBe('********' + ids[0].slice(8));
    expect(f[0].message).toMatch(new RegExp(`^${ids.length} of ${ids.length} ten-digit values`));
  });
  it('numeric ids that pass the check only by chance (about 1 in 11) are not reported', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push(String(1000000000 + i * 7919));
    const passing = ids.filter(isNhsNumber).length;
    expect(passing).toBeGreaterThan(0);
    expect(passing).toBeLessThan(ids.length * 0.9);
    const csv = 'client_id,session,srs\n' + ids.map((id) => `${id},1,30`).join('\n') + '\n';
    const r = await validateJson(csv);
    expect(r.codes).not.toContain('privacy.national-id');
  });
});

describe('scoring variants', () => {
  it('WAI-SR (5-point, 12-60) data scored on the 7-point scale', async () => {
    const r = await validateJson('client_id,session,waisr\nC1,1,70\nC1,2,84\nC2,1,40\n');
    const f = r.doc.findings.find((x) => x.code === 'value.likely-variant')!;
    expect(f.value).toBe('40..84');
    expect(f.column).toBe('waisr');
    expect(f.message).toMatch(/7-point|12-84/);
    expect(r.codes.filter((c) => c === 'value.out-of-range')).toHaveLength(2);
  });
});

describe('summary.privacy', () => {
  it('counts identifier-looking values per column and code, with the first line', async () => {
    const rows = ['client_id,session,srs,contact,ref'];
    const emails: number[] = [];
    for (let i = 0; i < 30; i++) {
      const line = rows.length + 1;
      const email = i % 3 === 0;
      if (email) emails.push(line);
      rows.push(`C${i},1,30,${email ? `p${i}@example.org` : i % 3 === 1 ? '+44 7700 900' + String(100 + i) : 'none'},${i === 7 ? '123-45-6789' : ''}`);
    }
    const r = await validateJson(rows.join('\n') + '\n');
    const phones = rows.slice(1).filter((x) => x.includes('+44')).length;
    expect(r.doc.summary.privacy).toEqual([
      { file: expect.any(String), column: 'contact', code: 'privacy.email', count: emails.length, first_line: emails[0] },
      { file: expect.any(String), column: 'contact', code: 'privacy.phone', count: phones, first_line: 3 },
      { file: expect.any(String), column: 'ref', code: 'privacy.national-id', count: 1, first_line: 9 },
    ]);
    expect(r.doc.findings.filter((f) => f.code === 'privacy.email')).toHaveLength(emails.length);
  });
});

describe('wide session jumps', () => {
  it('reports a jump to a date-like session number without enumerating it', async () => {
    const t0 = Date.now();
    const r = await validateJson('client_id,session,srs\nC1,1,30\nC1,20240101,30\nC2,1,30\nC2,70,30\nC2,100,30\n');
    expect(Date.now() - t0).toBeLessThan(5000);
    const gaps = r.doc.findings.filter((f) => f.code === 'session.gap').map((f) => f.value);
    expect(gaps).toEqual(['2-20240100 (20240099 numbers)', '2-69 (68 numbers)', '71, 72, 73, ..., 99']);
  });
});

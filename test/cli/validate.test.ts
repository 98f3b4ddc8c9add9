/**
 * `alliance validate` end to end: exit codes, formats (golden files for findings; summary
 * numbers recomputed here from the fixture), capping, GitHub step summary, bad inputs.
 *
 * Regenerate golden files after an intended change with UPDATE_GOLDEN=1 and review the
 * diff (`git diff fixtures/validate/golden`).
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runInProcess } from '../helpers/cli.js';
import { ROOT, runBinary } from '../helpers/spawn.js';
import { TODAY, findingsOf, tmpDir, tmpFile } from '../validate/helpers.js';
import { escapeData, escapeProperty, githubAnnotation } from '../../src/sections/validate/github.js';
import { xmlEscape } from '../../src/sections/validate/junit.js';

const FIX = path.join(ROOT, 'fixtures/validate');
const GOLDEN = path.join(FIX, 'golden');

function run(args: string[], opts: Parameters<typeof runInProcess>[1] = {}) {
  return runInProcess(['validate', ...args], { cwd: FIX, ...opts });
}

describe('exit codes', () => {
  it('0 for a clean file', async () => {
    const r = await run(['clean.csv', '--today', TODAY]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/passed: 0 errors, 0 warnings/);
    expect(r.stderr).toBe('');
  });
  it('0 for warnings only, 1 with --strict', async () => {
    expect((await run(['warnings.csv', '--today', TODAY])).code).toBe(0);
    const strict = await run(['warnings.csv', '--today', TODAY, '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/FAILED: 0 errors, 2 warnings \(--strict: warnings fail\)/);
  });
  it('1 for errors, and --format json still prints one JSON document', async () => {
    const r = await run(['mixed.csv', '--today', TODAY, '--format', 'json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(['command', 'schema', 'passed', 'strict', 'summary', 'files']);
    expect([doc.command, doc.schema, doc.passed]).toEqual(['validate', 2, false]);
    // Streamed in pieces, yet byte-identical to JSON.stringify(doc, null, 2).
    expect(r.stdout).toBe(JSON.stringify(doc, null, 2) + '\n');
    expect(findingsOf(doc).length).toBeGreaterThan(5);
  });
  it('takes today from the config; --today wins', async () => {
    const cfg = tmpFile('today: 2024-01-10\n', 'today-config.yaml');
    const csv = tmpFile('client_id,session,date,srs\nC1,1,2024-01-05,30\nC1,2,2024-01-12,30\n');
    const r = await run([csv, '--config', cfg, '--format', 'json']);
    expect(findingsOf(JSON.parse(r.stdout)).map((f) => [f.code, f.line])).toEqual([['session.future-date', 3]]);
    const r2 = await run([csv, '--config', cfg, '--format', 'json', '--today', '2024-01-01']);
    expect(findingsOf(JSON.parse(r2.stdout)).map((f) => f.line)).toEqual([2, 3]);
  });

  it('takes strict and maxFindings from the config section', async () => {
    const cfg = tmpFile('validate:\n  strict: true\n  maxFindings: 1\n', 'validate-config.yaml');
    const r = await run([path.join(FIX, 'warnings.csv'), '--config', cfg, '--today', TODAY]);
    expect(r.code).toBe(1);
    const bad = tmpFile('validate:\n  strikt: true\n', 'validate-bad.yaml');
    const r2 = await run([path.join(FIX, 'warnings.csv'), '--config', bad, '--today', TODAY]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/unknown key 'validate.strikt'/);
  });
});

/** A deliberately simple CSV reader for the fixtures (no quoted newlines). */
function parseSimple(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const out: string[] = [];
      let cur = '';
      let quoted = false;
      for (const ch of line) {
        if (ch === '"') quoted = !quoted;
        else if (ch === ',' && !quoted) {
          out.push(cur);
          cur = '';
        } else cur += ch;
      }
      out.push(cur);
      return out;
    });
}

describe('summary numbers (recomputed from the fixture)', () => {
  it('rows, clients, sessions per client and missingness of mixed.csv', async () => {
    const rows = parseSimple(readFileSync(path.join(FIX, 'mixed.csv'), 'utf8'));
    const header = rows[0];
    const data = rows.slice(1);
    // Rows that reach the analyses: as many fields as the header and a client id.
    const usable = data.filter((r) => r.length === header.length && r[0] !== '');
    const perClient = new Map<string, number>();
    for (const r of usable) perClient.set(r[0], (perClient.get(r[0]) ?? 0) + 1);
    const counts = [...perClient.values()].sort((a, b) => a - b);
    const mid = counts.length % 2 ? counts[(counts.length - 1) / 2] : (counts[counts.length / 2 - 1] + counts[counts.length / 2]) / 2;

    const r = await run(['mixed.csv', '--today', TODAY, '--format', 'json']);
    const s = JSON.parse(r.stdout).summary;
    expect(s.rows).toBe(data.length);
    expect(s.clients).toBe(perClient.size);
    expect(s.sessions_per_client).toEqual({ min: counts[0], median: mid, max: counts[counts.length - 1] });
    const missing = header.map((_, j) => data.filter((row) => j >= row.length || row[j].trim() === '' || row[j] === 'NA').length);
    expect(s.missingness.map((m: { missing: number }) => m.missing)).toEqual(missing);
    for (const m of s.missingness) expect(m.proportion).toBeCloseTo(m.missing / data.length, 12);
    const all = findingsOf(JSON.parse(r.stdout));
    const errors = all.filter((f) => f.severity === 'error').length;
    expect(s.findings.errors).toBe(errors);
    const byCode: Record<string, number> = {};
    for (const f of all) byCode[f.code] = (byCode[f.code] ?? 0) + 1;
    expect(Object.fromEntries(s.findings.by_code.map((c: { code: string; count: number }) => [c.code, c.count]))).toEqual(byCode);
  });

  it('median of an even number of clients is the mean of the middle two', async () => {
    const csv = 'client_id,session,srs\nA,1,30\nB,1,30\nB,2,30\nC,1,30\nC,2,30\nC,3,30\nD,1,30\nD,2,30\nD,3,30\nD,4,30\n';
    const r = await run([tmpFile(csv), '--format', 'json', '--today', TODAY]);
    expect(JSON.parse(r.stdout).summary.sessions_per_client).toEqual({ min: 1, median: 2.5, max: 4 });
  });
});

describe('golden output (mixed.csv)', () => {
  const formats: [string, string][] = [
    ['table', 'txt'],
    ['md', 'md'],
    ['json', 'json'],
    ['csv', 'csv'],
    ['github', 'github.txt'],
    ['junit', 'xml'],
    ['sarif', 'sarif'],
  ];
  for (const [fmt, ext] of formats) {
    it(fmt, async () => {
      const r = await run(['mixed.csv', '--today', TODAY, '--format', fmt]);
      expect(r.code).toBe(1);
      const file = path.join(GOLDEN, `mixed.${ext}`);
      if (process.env.UPDATE_GOLDEN) {
        mkdirSync(GOLDEN, { recursive: true });
        writeFileSync(file, r.stdout);
      }
      expect(r.stdout).toBe(readFileSync(file, 'utf8'));
    });
  }
});

describe('--max-findings', () => {
  const lines = ['client_id,session,srs'];
  for (let i = 1; i <= 30; i++) lines.push(`C${i},1,${40 + i}`);
  const csv = lines.join('\n') + '\n';
  it('caps each code at 20 in the table by default and says how many more', async () => {
    const r = await run([tmpFile(csv), '--today', TODAY]);
    expect((r.stdout.match(/value\.out-of-range/g) ?? []).length).toBe(20 + 1 + 1); // 20 rows, 1 in the counts table, 1 note
    expect(r.stdout).toContain('... and 10 more value.out-of-range findings');
  });
  it('--help states the default per format, without a single "(default: 20)"', async () => {
    // The 20 is the table's and Markdown's; JSON and CSV list every finding (below).
    const help = (await run(['--help'])).stdout;
    const entry = help.slice(help.indexOf('--max-findings'), help.indexOf('--max-annotations'));
    expect(entry).toContain('default 20 in table');
    expect(entry).not.toContain('(default:');
  });
  it('honours N and 0 (all)', async () => {
    const f = tmpFile(csv);
    const five = await run([f, '--today', TODAY, '--max-findings', '5']);
    expect(five.stdout).toContain('... and 25 more value.out-of-range findings');
    const all = await run([f, '--today', TODAY, '--max-findings', '0']);
    expect(all.stdout).not.toContain('more value.out-of-range');
    expect((all.stdout.match(/value\.out-of-range/g) ?? []).length).toBe(31);
  });
  it('lists every finding in JSON, CSV, github (--max-annotations 0) and junit by default', async () => {
    const f = tmpFile(csv);
    const json = await run([f, '--today', TODAY, '--format', 'json']);
    expect(findingsOf(JSON.parse(json.stdout))).toHaveLength(30);
    const c = await run([f, '--today', TODAY, '--format', 'csv']);
    expect(c.stdout.trim().split('\n')).toHaveLength(31);
    const g = await run([f, '--today', TODAY, '--format', 'github', '--max-annotations', '0']);
    expect((g.stdout.match(/^::error file=/gm) ?? []).length).toBe(30);
    const j = await run([f, '--today', TODAY, '--format', 'junit']);
    expect((j.stdout.match(/: \d+ is outside/g) ?? []).length).toBe(30);
  });
  it('when given, caps every format per code; the counts stay exact', async () => {
    const f = tmpFile(csv);
    const json = JSON.parse((await run([f, '--today', TODAY, '--format', 'json', '--max-findings', '2'])).stdout);
    expect(findingsOf(json)).toHaveLength(2);
    expect(json.summary.findings).toMatchObject({ errors: 30, listed: 2, by_code: [{ code: 'value.out-of-range', count: 30 }] });
    expect(json.files[0].errors).toBe(30);
    const c = await run([f, '--today', TODAY, '--format', 'csv', '--max-findings', '2']);
    expect(c.stdout.trim().split('\n')).toHaveLength(3);
    const g = await run([f, '--today', TODAY, '--format', 'github', '--max-findings', '2', '--max-annotations', '0']);
    expect((g.stdout.match(/^::error file=/gm) ?? []).length).toBe(2);
    const j = await run([f, '--today', TODAY, '--format', 'junit', '--max-findings', '2']);
    expect((j.stdout.match(/: \d+ is outside/g) ?? []).length).toBe(2);
    expect(j.stdout).toContain('message="2 errors listed:');
  });
  it('rejects a non-number with exit 2', async () => {
    const r = await run([tmpFile(csv), '--max-findings', 'lots']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--max-findings must be a whole number/);
  });
});

describe('GitHub Actions', () => {
  it('escapes data and properties as the Actions toolkit does', () => {
    expect(escapeData('50% done\r\nnext')).toBe('50%25 done%0D%0Anext');
    expect(escapeProperty('a,b:c%')).toBe('a%2Cb%3Ac%25');
    const line = githubAnnotation({
      code: 'value.out-of-range',
      severity: 'error',
      file: 'exports/a,b:c.csv',
      line: 7,
      column: 'srs',
      field: 4,
      value: '41',
      message: '41 is outside 0-40\nfix it',
    });
    // A line break inside a message from the data is shown escaped (printable), never a second log line.
    expect(line).toBe("::error file=exports/a%2Cb%3Ac.csv,line=7,col=4,title=value.out-of-range::column 'srs': 41 is outside 0-40\\nfix it");
    const fileLevel = githubAnnotation({
      code: 'structure.header-only',
      severity: 'error',
      file: 'a.csv',
      line: null,
      column: null,
      field: null,
      value: null,
      message: 'm',
    });
    expect(fileLevel).toBe('::error file=a.csv,title=structure.header-only::m');
  });

  it('appends the full findings table to $GITHUB_STEP_SUMMARY', async () => {
    const summary = path.join(tmpDir(), 'step-summary.md');
    writeFileSync(summary, '# earlier step\n');
    const lines = ['client_id,session,srs'];
    for (let i = 1; i <= 15; i++) lines.push(`C${i},1,${40 + i}`);
    const f = tmpFile(lines.join('\n') + '\n');
    const r = await run([f, '--today', TODAY, '--format', 'github'], { env: { GITHUB_STEP_SUMMARY: summary } });
    expect(r.code).toBe(1);
    // 10 annotations (GitHub itself shows only 10), then the summary annotation with the exact count.
    expect((r.stdout.match(/^::error file=/gm) ?? []).length).toBe(10);
    expect(r.stdout).toMatch(
      /^::error title=alliance validate::FAILED: 15 errors, 0 warnings\. By code: value\.out-of-range 15 \(10 shown\); annotations: the first 10 per code/m,
    );
    const md = readFileSync(summary, 'utf8');
    expect(md.startsWith('# earlier step\n')).toBe(true);
    expect(md).toContain('## alliance validate: FAILED: 15 errors, 0 warnings');
    expect((md.match(/^\| value\.out-of-range \| error \| .*\| \d+ \| srs \| 3 \|/gm) ?? []).length).toBe(15);
    await run([f, '--today', TODAY, '--format', 'github'], { env: { GITHUB_STEP_SUMMARY: summary } });
    expect((readFileSync(summary, 'utf8').match(/## alliance validate/g) ?? []).length).toBe(2);
  });

  it('the step summary is Markdown-escaped like every other Markdown (values, messages, file names)', async () => {
    const summary = path.join(tmpDir(), 'hostile-summary.md');
    const f = tmpFile('client_id,session,srs\nC1,1,<img src=x onerror=alert(1)>\nC2,1,a\\|b\n', 'a`<b>x.csv');
    const r = await run([f, '--today', TODAY, '--format', 'github'], { env: { GITHUB_STEP_SUMMARY: summary } });
    expect(r.code).toBe(1);
    const md = readFileSync(summary, 'utf8');
    // no tag from the data outside a code span, and the file name's code span is not cut by its backtick
    expect(md.replace(/``[^`]*`[^`]*``/g, '')).not.toMatch(/(^|[^\\])(\\\\)*<[A-Za-z]/m);
    expect(md).toContain('\\<img src=x onerror=alert(1)>');
    expect(md).toMatch(/``[^`]*a`<b>x\.csv``/);
    // a backslash before a pipe does not end the cell
    expect(md).toContain('a\\\\\\|b');
  });

  it("keeps the step summary under GitHub's 1 MiB limit and says how many findings were left out", async () => {
    const summary = path.join(tmpDir(), 'big-summary.md');
    const lines = ['client_id,session,srs'];
    for (let i = 1; i <= 8000; i++) lines.push(`C${i},1,${41 + (i % 50)}`);
    const r = await run([tmpFile(lines.join('\n') + '\n'), '--today', TODAY, '--format', 'github'], { env: { GITHUB_STEP_SUMMARY: summary } });
    expect((r.stdout.match(/^::error file=/gm) ?? []).length).toBe(10);
    expect(r.stdout).toContain('value.out-of-range 8,000 (10 shown)');
    const md = readFileSync(summary, 'utf8');
    expect(Buffer.byteLength(md)).toBeLessThan(1024 * 1024);
    const listed = (md.match(/^\| value\.out-of-range \| error \| .*\| srs \| 3 \|/gm) ?? []).length;
    expect(listed).toBeGreaterThan(1000);
    expect(listed).toBeLessThan(8000);
    expect(md).toContain(`... ${8000 - listed} more findings not shown here`);
  });

  it('writes no step summary for other formats or without the variable', async () => {
    const summary = path.join(tmpDir(), 'untouched.md');
    await run(['mixed.csv', '--today', TODAY], { env: { GITHUB_STEP_SUMMARY: summary } });
    expect(existsSync(summary)).toBe(false);
  });
});

describe('JUnit', () => {
  it('escapes XML and has one testsuite per file', async () => {
    const a = tmpFile('client_id,session,srs\nC1,1,<&>\n', 'a&b.csv');
    const b = tmpFile('client_id,session,srs\nC2,1,30\n', 'b.csv');
    const r = await runInProcess(['validate', a, b, '--format', 'junit', '--today', TODAY]);
    expect(r.code).toBe(1);
    expect((r.stdout.match(/<testsuite /g) ?? []).length).toBe(2);
    expect(r.stdout).toContain('a&amp;b.csv');
    expect(r.stdout).toContain('&apos;&lt;&amp;&gt;&apos; is not a number');
    expect(r.stdout).not.toMatch(/<&>/);
    expect(r.stdout).toMatch(/<testsuites name="alliance validate" tests="\d+" failures="1" errors="0">/);
    expect(xmlEscape('a\u0001b"')).toBe('a\uFFFDb&quot;');
  });
});

describe('bad input: exit 2 with one line on stderr, no stack trace', () => {
  // An unreadable file is also a finding of the document on stdout (every format:
  // test/cli/validate-fatal.test.ts); a usage error writes nothing on stdout.
  const cases: [string, () => string[], RegExp, 'file' | 'usage'][] = [
    ['missing file', () => ['/nonexistent/file.csv'], /no such file/, 'file'],
    ['directory', () => [tmpDir()], /is a directory/, 'file'],
    ['empty file', () => [tmpFile('')], /empty/, 'file'],
    [
      'unclosed quote (line where the quote began)',
      () => [tmpFile('client_id,session,srs\nC1,1,30\nC1,2,"31\nC1,3,32\n')],
      /\.csv:3:3: unclosed quote/,
      'file',
    ],
    ['binary garbage', () => [tmpFile(Buffer.from([0x50, 0x4c, 0x03, 0x04, 0, 0, 0, 1, 2, 3, 0, 0, 0xff, 0xfe, 0, 0, 0, 9]))], /binary/, 'file'],
    [
      'a zip that holds no CSV (zip magic, then garbage)',
      () => [tmpFile(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 1, 2, 3, 0, 0, 0xff, 0xfe, 0, 0, 0, 9]))],
      /zip archive/,
      'file',
    ],
    ['wrong encoding', () => [tmpFile(Buffer.from('client_id,session,srs,site\nC1,1,30,M\xfcnchen\n', 'latin1'))], /--encoding/, 'file'],
    [
      'unknown column in a flag',
      () => [tmpFile('client_id,session,srs\nC1,1,30\n'), '--alliance', 'wai'],
      /column 'wai' \(from --alliance\) is not in the header/,
      'usage',
    ],
    ['ambiguous mapping', () => [tmpFile('client_id,patient_id,session,srs\nC1,P1,1,30\n')], /2 columns look like the client id/, 'usage'],
    ['bad --today', () => [tmpFile('client_id,session,srs\nC1,1,30\n'), '--today', '2024-02-30'], /--today must be a date/, 'usage'],
  ];
  for (const [name, args, re, kind] of cases) {
    it(name, async () => {
      const r = await runInProcess(['validate', ...args()]);
      expect(r.code, r.stderr).toBe(2);
      if (kind === 'usage') expect(r.stdout).toBe('');
      else expect(r.stdout).toMatch(/file\.unreadable[\s\S]*FAILED: 1 file not readable, 0 errors, 0 warnings/);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^alliance: /);
      expect(lines[0]).toMatch(re);
    });
  }

  it('header-only and ragged rows are findings (exit 1), not read errors', async () => {
    const h = await runInProcess(['validate', tmpFile('client_id,session,srs\n'), '--format', 'json']);
    expect(h.code).toBe(1);
    expect(findingsOf(JSON.parse(h.stdout)).map((f) => f.code)).toEqual(['structure.header-only']);
    const rg = await runInProcess(['validate', tmpFile('client_id,session,srs\nC1,1,30,1\n'), '--format', 'json', '--today', TODAY]);
    expect(rg.code).toBe(1);
    expect(findingsOf(JSON.parse(rg.stdout)).map((f) => f.code)).toEqual(['structure.ragged-row']);
  });

  it('no client column is a finding; over stdin it is exit 2 (stdin is read once)', async () => {
    const csv = 'who,session,srs,email\nC1,1,30,a.b@example.org\n';
    const r = await runInProcess(['validate', tmpFile(csv), '--format', 'json', '--today', TODAY]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(findingsOf(doc).map((f) => f.code)).toEqual(['structure.no-client-column', 'privacy.identifier-column', 'privacy.email']);
    expect(doc.summary.clients).toBeNull();
    const s = await runInProcess(['validate', '-', '--today', TODAY], { stdin: csv });
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/no client id column found/);
  });

  it('without a client column, a misspelt flag column is still a usage error', async () => {
    const r = await runInProcess(['validate', tmpFile('who,session,srs\nC1,1,30\n'), '--alliance', 'srss', '--today', TODAY]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/column 'srss' \(from --alliance\) is not in the header.*Did you mean 'srs'/);
  });

  it('reads stdin', async () => {
    const r = await runInProcess(['validate', '-', '--format', 'json', '--today', TODAY], { stdin: 'client_id,session,srs\nC1,1,30\n' });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).files[0].file).toBe('<stdin>');
  });

  it('shows no progress when stderr is not a terminal', async () => {
    const r = await run(['clean.csv', '--today', TODAY]);
    expect(r.stderr).toBe('');
  });
});

describe('built binary', () => {
  it('exits 1 with findings and 2 for a missing file', () => {
    const ok = runBinary(['validate', 'fixtures/validate/clean.csv', '--today', TODAY]);
    expect(ok.code).toBe(0);
    const bad = runBinary(['validate', 'fixtures/validate/mixed.csv', '--today', TODAY, '--format', 'json']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).summary.rows).toBe(9);
    const missing = runBinary(['validate', 'nope.csv']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('the reference day without --today', () => {
  it("is SOURCE_DATE_EPOCH's day when set (as in the report), so reruns are reproducible", async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'dates.csv');
    writeFileSync(file, 'client,session,date,srs,ors\nc1,1,2020-01-10,30,20\nc1,2,2020-01-17,31,22\n');
    // 2020-01-12T00:00:00Z: the second session lies after that day, the first does not.
    const before = await runInProcess(['validate', file, '--format', 'json'], { env: { SOURCE_DATE_EPOCH: '1578787200' } });
    const future = findingsOf(JSON.parse(before.stdout)).filter((f) => f.code === 'session.future-date');
    expect(future.map((f) => f.line)).toEqual([3]);
    // Without it, today (2026 or later) is after both sessions.
    const now = await runInProcess(['validate', file, '--format', 'json'], { env: {} });
    expect(findingsOf(JSON.parse(now.stdout)).filter((f) => f.code === 'session.future-date')).toEqual([]);
  });
});

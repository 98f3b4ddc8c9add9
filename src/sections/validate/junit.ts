/**
 * `alliance validate --format junit`: JUnit XML as CI servers read it (the Ant/Jenkins
 * dialect: testsuites > testsuite > testcase with failure, error, skipped, system-out).
 *
 * - One <testsuite> per input file, in the order given, with <properties> saying the
 *   file's verdict (`status` passed, failed or fatal) and its exact counts.
 * - One <testcase> per finding code (all codes, so rules that passed show as passed).
 * - A code with error-level findings is a <failure type="error">, listing every finding.
 * - JUnit has no warning state, so a code with warnings is a <failure type="warning"> as
 *   well (as ESLint's junit formatter does): CI test views show it. Whether the run fails
 *   is the exit code's business: without --strict warnings do not fail it, and the failure
 *   message says so.
 * - A file that could not be read: `file.unreadable` is an <error> (the test could not
 *   run), every other code of that file <skipped>.
 * - Checks that could not run (no date column, so no date checks; no --schema, so no
 *   schema checks) are <skipped message="why"/>, not passed.
 */
import { CODES } from '../../validate/codes.js';
import type { Finding } from '../../validate/types.js';
import { fileStatus, type ValidationResult } from '../../validate/validate.js';

// eslint-disable-next-line no-control-regex -- XML 1.0's Char production, written by code point
const NOT_XML_CHAR = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Escapes text for XML and drops characters XML 1.0 cannot hold. */
export function xmlEscape(s: string): string {
  return s.replace(NOT_XML_CHAR, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function findingLine(f: Finding): string {
  const loc =
    f.cell !== undefined ? `${f.file}:${f.cell}` : f.line === null ? f.file : f.field !== null ? `${f.file}:${f.line}:${f.field}` : `${f.file}:${f.line}`;
  return `${loc}: ${f.column !== null ? `column '${f.column}': ` : ''}${f.message}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function renderJunit(result: ValidationResult, strict: boolean): string {
  const byFile = new Map<string, Map<string, Finding[]>>();
  for (const f of result.findings) {
    let m = byFile.get(f.file);
    if (!m) byFile.set(f.file, (m = new Map<string, Finding[]>()));
    const list = m.get(f.code) ?? [];
    list.push(f);
    m.set(f.code, list);
  }
  const skippedBy = new Map<string, string>();
  for (const s of result.summary.skipped) for (const c of s.codes) if (!skippedBy.has(c)) skippedBy.set(c, `not run: ${s.checks}: ${s.reason}`);
  const sf = result.summary.findings;
  // Listing capped (--max-findings, or the in-memory cap): counts in a case are of the findings listed.
  const capped = sf.listed < sf.fatal + sf.errors + sf.warnings;
  const suites: string[] = [];
  const total = { tests: 0, failures: 0, errors: 0 };
  const seen = new Set<string>();
  for (const file of result.summary.files) {
    const m = (!seen.has(file.file) && byFile.get(file.file)) || new Map<string, Finding[]>();
    seen.add(file.file);
    const cases: string[] = [];
    let failures = 0;
    let errors = 0;
    let skipped = 0;
    const fatal = file.fatal > 0;
    for (const c of CODES) {
      const list = m.get(c.code) ?? [];
      const open = `    <testcase classname="alliance.validate" name="${xmlEscape(`${c.code}: ${c.title}`)}"`;
      const body = xmlEscape(list.map(findingLine).join('\n'));
      if (list.length > 0 && c.severity === 'fatal') {
        errors++;
        cases.push(`${open}>\n      <error type="fatal" message="${xmlEscape(`the file could not be read: ${c.fix}`)}">${body}</error>\n    </testcase>`);
      } else if (list.length > 0) {
        failures++;
        const n = list.length;
        const tail = c.severity === 'warning' ? (strict ? ' (--strict: warnings fail the run)' : ' (warnings do not fail the run without --strict)') : '';
        const msg = `${plural(n, c.severity)}${capped ? ' listed' : ''}${tail}: ${c.fix}`;
        cases.push(`${open}>\n      <failure type="${c.severity}" message="${xmlEscape(msg)}">${body}</failure>\n    </testcase>`);
      } else if (fatal || skippedBy.has(c.code)) {
        skipped++;
        const why = fatal ? 'not run: the file could not be read (see file.unreadable)' : skippedBy.get(c.code)!;
        cases.push(`${open}>\n      <skipped message="${xmlEscape(why)}"/>\n    </testcase>`);
      } else {
        cases.push(`${open}/>`);
      }
    }
    total.tests += CODES.length;
    total.failures += failures;
    total.errors += errors;
    const props = [
      ['status', fileStatus(file, strict)],
      ['rows', file.rows === null ? '' : String(file.rows)],
      ['fatal', String(file.fatal)],
      ['errors', String(file.errors)],
      ['warnings', String(file.warnings)],
      ['strict', String(strict)],
    ]
      .map(([k, v]) => `      <property name="${k}" value="${xmlEscape(v)}"/>`)
      .join('\n');
    suites.push(
      `  <testsuite name="${xmlEscape(file.file)}" tests="${CODES.length}" failures="${failures}" errors="${errors}" skipped="${skipped}">\n` +
        `    <properties>\n${props}\n    </properties>\n${cases.join('\n')}\n  </testsuite>`,
    );
  }
  const note = result.summary.findings.truncated
    ? `\n  <!-- only the first ${result.summary.findings.listed} findings are listed; see --format json summary for exact counts -->`
    : '';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="alliance validate" tests="${total.tests}" failures="${total.failures}" errors="${total.errors}">${note}\n` +
    `${suites.join('\n')}\n</testsuites>\n`
  );
}

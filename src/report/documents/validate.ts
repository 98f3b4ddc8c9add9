/**
 * Output of `alliance validate`. One ValidationResult in; the table, Markdown, JSON and
 * CSV formats go through the shared ResultDocument (src/report), and two CI formats are
 * rendered here from the same findings:
 *
 * - github: workflow commands `::error file=F,line=L,col=C,title=CODE::message`, one per
 *   finding, escaped as the Actions toolkit does (% CR LF in the message; also : and , in
 *   properties). GitHub shows only 10 error and 10 warning annotations per step, so a
 *   Markdown report (summary + every finding) is appended to $GITHUB_STEP_SUMMARY.
 * - junit: one <testsuite> per file, one <testcase> per finding code (all codes, so passing
 *   rules show as passed), a <failure> for error-level codes that fired (warning-level too
 *   with --strict), every finding listed in the failure body.
 *
 * Capping (--max-findings) applies to the human-facing table and Markdown only; JSON, CSV,
 * github and junit carry every kept finding.
 */
import type { Cell, ResultDocument, TableModel } from '../model.js';
import { F } from '../model.js';
import { renderCsvTable, renderMarkdownTable } from '../render.js';
import { CODES } from '../../validate/codes.js';
import { printable } from '../../io/text-safety.js';
import type { Finding } from '../../validate/types.js';
import type { ValidationResult } from '../../validate/validate.js';

export interface RenderOptions {
  /** Findings shown per code in the table (0 = all). */
  maxFindings: number;
  strict: boolean;
  /** Mapping notes from the dataset layer, shown above the tables. */
  notes?: string[];
}

function where(f: Finding): string {
  if (f.cell !== undefined) return `${f.file}, ${f.cell}`;
  return f.line === null ? f.file : `${f.file}:${f.line}`;
}

const FINDING_COLUMNS = [
  { key: 'location', header: 'where' },
  { key: 'column', header: 'column' },
  { key: 'severity', header: 'severity' },
  { key: 'code', header: 'code' },
  { key: 'value', header: 'value' },
  { key: 'message', header: 'message' },
];

function findingRow(f: Finding): Record<string, Cell> {
  return { location: where(f), column: f.column, severity: f.severity, code: f.code, value: f.value, message: f.message };
}

/** The findings table for people: at most `max` per code (0 = all), with "... and N more" notes. */
export function cappedFindings(result: ValidationResult, max: number): TableModel {
  const shown = new Map<string, number>();
  const rows: Record<string, Cell>[] = [];
  for (const f of result.findings) {
    const n = (shown.get(f.code) ?? 0) + 1;
    shown.set(f.code, n);
    if (max === 0 || n <= max) rows.push(findingRow(f));
  }
  const notes: string[] = [];
  for (const c of result.summary.findings.byCode) {
    const kept = shown.get(c.code) ?? 0;
    const more = c.count - (max === 0 ? kept : Math.min(kept, max));
    if (more > 0) notes.push(`... and ${more} more ${c.code} finding${more === 1 ? '' : 's'}`);
  }
  if (notes.length > 0) notes.push('(all findings: --format json or csv, or --max-findings 0)');
  if (result.summary.findings.truncated) {
    notes.push(
      `only the first ${result.summary.findings.listed} findings are kept in memory; counts above are exact (see docs/validate.md, "findings truncated")`,
    );
  }
  return { id: 'findings', title: 'Findings', columns: FINDING_COLUMNS, rows, notes };
}

/** Every kept finding, for CSV. */
export function allFindings(result: ValidationResult): TableModel {
  return {
    id: 'findings',
    title: 'Findings',
    columns: ['code', 'severity', 'file', 'line', 'column', 'field', 'value', 'message'].map((k) => ({ key: k, header: k })),
    rows: result.findings.map((f) => ({ ...f })),
  };
}

function summaryTable(result: ValidationResult): TableModel {
  const s = result.summary;
  const rows: Record<string, Cell>[] = [
    { item: 'rows', value: String(s.rows) },
    { item: 'clients', value: s.clients === null ? 'not available (no client column)' : String(s.clients) },
  ];
  if (s.sessionsPerClient) {
    const p = s.sessionsPerClient;
    rows.push({ item: 'sessions per client (min / median / max)', value: `${p.min} / ${p.median} / ${p.max}` });
  }
  rows.push({ item: 'errors', value: String(s.findings.errors) }, { item: 'warnings', value: String(s.findings.warnings) });
  return {
    id: 'summary',
    title: 'Summary',
    columns: [
      { key: 'item', header: 'item' },
      { key: 'value', header: 'value', align: 'right' },
    ],
    rows,
  };
}

function codesTable(result: ValidationResult): TableModel {
  return {
    id: 'codes',
    title: 'Findings by code',
    columns: [
      { key: 'code', header: 'code' },
      { key: 'severity', header: 'severity' },
      { key: 'count', header: 'count', format: F.int },
    ],
    rows: result.summary.findings.byCode.map((c) => ({ code: c.code, severity: c.severity, count: c.count })),
  };
}

function missingnessTable(result: ValidationResult): TableModel {
  const multi = result.summary.files.length > 1;
  return {
    id: 'missingness',
    title: 'Missing values per column',
    columns: [
      ...(multi ? [{ key: 'file', header: 'file' }] : []),
      { key: 'column', header: 'column' },
      { key: 'missing', header: 'missing', format: F.int },
      { key: 'rows', header: 'rows', format: F.int },
      { key: 'proportion', header: 'missing %', format: F.percent(1) },
    ],
    rows: result.summary.missingness.map((m) => ({ file: m.file, column: m.column, missing: m.missing, rows: m.rows, proportion: m.proportion })),
  };
}

function privacyTable(result: ValidationResult): TableModel {
  const multi = result.summary.files.length > 1;
  return {
    id: 'privacy',
    title: 'Direct identifiers by column',
    columns: [
      ...(multi ? [{ key: 'file', header: 'file' }] : []),
      { key: 'column', header: 'column' },
      { key: 'code', header: 'code' },
      { key: 'count', header: 'values', format: F.int },
      { key: 'firstLine', header: 'first line', format: F.int },
    ],
    rows: result.summary.privacy.map((p) => ({ ...p })),
    notes: ['Values are never shown in full; remove or replace these columns before analysis.'],
  };
}

function verdict(result: ValidationResult, strict: boolean): string {
  const { errors, warnings } = result.summary.findings;
  const fails = errors > 0 || (strict && warnings > 0);
  return `${fails ? 'FAILED' : 'passed'}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}${strict ? ' (--strict: warnings fail)' : ''}`;
}

/** The one document behind table, Markdown and JSON output. */
export function validationDocument(result: ValidationResult, opts: RenderOptions): ResultDocument {
  const s = result.summary;
  const preface: string[] = [];
  for (const f of s.files) {
    preface.push(
      f.format !== undefined
        ? `${f.file}: ${f.rows} rows (read as ${f.format}${f.layout !== undefined ? `; ${f.layout}` : ''})`
        : `${f.file}: ${f.rows} rows (${f.encoding}, delimiter ${JSON.stringify(f.delimiter)})`,
    );
  }
  for (const n of opts.notes ?? []) preface.push(n);
  preface.push(`future dates are those after ${s.today}`);
  const tables = [summaryTable(result)];
  if (s.findings.byCode.length > 0) tables.push(codesTable(result), cappedFindings(result, opts.maxFindings));
  if (s.privacy.length > 0) tables.push(privacyTable(result));
  tables.push(missingnessTable(result));
  const notes = [...s.skipped.map((x) => `skipped: ${x}`), verdict(result, opts.strict)];
  return {
    title: 'alliance validate',
    preface,
    tables,
    notes,
    csvTable: 'findings',
    json: { summary: s, findings: result.findings },
  };
}

const jsonReplacer = (_k: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v);

function indent(text: string, by: string): string {
  return text.replace(/\n/g, '\n' + by);
}

/**
 * `--format json`, written in pieces so that hundreds of thousands of findings never
 * become one giant string. The bytes are exactly those of JSON.stringify(doc.json, null, 2)
 * (a test checks this).
 */
export function writeValidateJson(result: ValidationResult, write: (chunk: string) => void): void {
  write(`{\n  "summary": ${indent(JSON.stringify(result.summary, jsonReplacer, 2), '  ')},\n  "findings": [`);
  const n = result.findings.length;
  if (n === 0) {
    write(']\n}\n');
    return;
  }
  let buf = '';
  for (let i = 0; i < n; i++) {
    buf += `${i === 0 ? '' : ','}\n    ${indent(JSON.stringify(result.findings[i], jsonReplacer, 2), '    ')}`;
    if (buf.length > 1 << 16) {
      write(buf);
      buf = '';
    }
  }
  write(buf + '\n  ]\n}\n');
}

export function renderValidateCsv(result: ValidationResult): string {
  return renderCsvTable(allFindings(result));
}

// ---------------------------------------------------------------------------------------
// GitHub Actions

/** Escapes workflow-command data (the message), as @actions/core does. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a workflow-command property value (file, title): also ':' and ','. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One annotation line; values from the data are `printable` first (no raw ESC in a CI log). */
export function githubAnnotation(f: Finding): string {
  const props = [`file=${escapeProperty(printable(f.file))}`];
  if (f.line !== null) props.push(`line=${f.line}`);
  if (f.line !== null && f.field !== null) props.push(`col=${f.field}`);
  props.push(`title=${escapeProperty(f.code)}`);
  const col = f.column !== null ? `column '${f.column}': ` : '';
  return `::${f.severity} ${props.join(',')}::${escapeData(printable(col + f.message))}`;
}

export function renderGithub(result: ValidationResult, strict: boolean): string {
  const lines = result.findings.map(githubAnnotation);
  if (result.summary.findings.truncated) {
    lines.push(`::warning title=findings-truncated::${escapeData(`only the first ${result.summary.findings.listed} findings are listed; counts in the step summary are exact`)}`);
  }
  lines.push(verdict(result, strict));
  return lines.join('\n') + '\n';
}

/** GitHub rejects step summaries over 1 MiB: the findings list stops before that. */
export const STEP_SUMMARY_BUDGET = 900 * 1024;

/** Markdown for $GITHUB_STEP_SUMMARY: the verdict, the counts by code and every finding (within the size budget). */
export function renderStepSummary(result: ValidationResult, strict: boolean): string {
  const out: string[] = [`## alliance validate: ${verdict(result, strict)}`, ''];
  const s = result.summary;
  out.push(`${s.files.map((f) => `\`${f.file}\` (${f.rows} rows)`).join(', ')}; clients: ${s.clients ?? 'n/a'}`, '');
  if (s.findings.byCode.length > 0) {
    out.push(renderMarkdownTable(codesTable(result), 3));
    const head = renderMarkdownTable({ ...allFindings(result), rows: [] }, 3).trimEnd().split('\n');
    out.push(head.join('\n'));
    let size = Buffer.byteLength(out.join('\n'));
    let written = 0;
    const t = allFindings(result);
    for (const f of result.findings) {
      const cells = t.columns.map((c) => {
        const v = (f as unknown as Record<string, string | number | null | undefined>)[c.key];
        return v === null || v === undefined ? '' : printable(String(v)).replace(/\|/g, '\\|');
      });
      const line = `| ${cells.join(' | ')} |`;
      const bytes = Buffer.byteLength(line) + 1;
      if (size + bytes > STEP_SUMMARY_BUDGET) break;
      out.push(line);
      size += bytes;
      written++;
    }
    const total = s.findings.errors + s.findings.warnings;
    if (written < total) {
      out.push('', `... ${total - written} more findings not shown here (GitHub limits the step summary to 1 MiB); run with --format json for all.`);
    }
  }
  return out.join('\n') + '\n\n';
}

// ---------------------------------------------------------------------------------------
// JUnit XML

// eslint-disable-next-line no-control-regex -- XML 1.0's Char production, written by code point
const NOT_XML_CHAR = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Escapes text for XML and drops characters XML 1.0 cannot hold. */
export function xmlEscape(s: string): string {
  return s
    .replace(NOT_XML_CHAR, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function findingLine(f: Finding): string {
  const loc = f.line === null ? f.file : f.field !== null ? `${f.file}:${f.line}:${f.field}` : `${f.file}:${f.line}`;
  return `${loc}: ${f.column !== null ? `column '${f.column}': ` : ''}${f.message}`;
}

export function renderJunit(result: ValidationResult, strict: boolean): string {
  const files = result.summary.files.map((f) => f.file);
  const byFile = new Map<string, Map<string, Finding[]>>();
  for (const name of files) byFile.set(name, new Map());
  for (const f of result.findings) {
    let m = byFile.get(f.file);
    if (!m) byFile.set(f.file, (m = new Map<string, Finding[]>()));
    const list = m.get(f.code) ?? [];
    list.push(f);
    m.set(f.code, list);
  }
  const suites: string[] = [];
  let totalTests = 0;
  let totalFailures = 0;
  for (const [file, m] of byFile) {
    const cases: string[] = [];
    let failures = 0;
    for (const c of CODES) {
      const list = m.get(c.code) ?? [];
      const name = `${c.code}: ${c.title}`;
      const open = `    <testcase classname="alliance.validate" name="${xmlEscape(name)}" file="${xmlEscape(file)}"`;
      if (list.length === 0) {
        cases.push(`${open}/>`);
        continue;
      }
      const body = xmlEscape(list.map(findingLine).join('\n'));
      const fails = c.severity === 'error' || strict;
      if (fails) {
        failures++;
        const msg = `${list.length} ${c.severity}${list.length === 1 ? '' : 's'}: ${c.fix}`;
        cases.push(`${open}>\n      <failure type="${c.severity}" message="${xmlEscape(msg)}">${body}</failure>\n    </testcase>`);
      } else {
        cases.push(`${open}>\n      <system-out>${body}</system-out>\n    </testcase>`);
      }
    }
    totalTests += CODES.length;
    totalFailures += failures;
    suites.push(
      `  <testsuite name="${xmlEscape(file)}" tests="${CODES.length}" failures="${failures}" errors="0" skipped="0">\n${cases.join('\n')}\n  </testsuite>`,
    );
  }
  const note = result.summary.findings.truncated
    ? `\n  <!-- only the first ${result.summary.findings.listed} findings are listed; see --format json summary for exact counts -->`
    : '';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="alliance validate" tests="${totalTests}" failures="${totalFailures}" errors="0">${note}\n` +
    `${suites.join('\n')}\n</testsuites>\n`
  );
}

/**
 * Output of `alliance validate`. One ValidationResult in; the table, Markdown, JSON and
 * CSV formats go through the shared ResultDocument (src/report) and the JSON document built
 * here (`validateJson`); the CI formats are rendered from the same findings in
 * ./github.ts (workflow commands, step summary), ./junit.ts (JUnit XML) and ./sarif.ts.
 *
 * Capping (--max-findings) applies to the human-facing table and Markdown only; JSON, CSV,
 * github and junit carry every kept finding.
 */
import type { Cell, ResultDocument, TableModel } from '../../report/model.js';
import { F } from '../../report/model.js';
import { renderCsvTable } from '../../report/render.js';
import { snake } from '../../report/cells.js';
import type { Finding } from '../../validate/types.js';
import { fileStatus, type ValidationResult } from '../../validate/validate.js';

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
  const listed = new Map<string, number>();
  for (const f of result.findings) {
    const n = (shown.get(f.code) ?? 0) + 1;
    shown.set(f.code, n);
    if (max === 0 || n <= max) {
      rows.push(findingRow(f));
      for (const c of f.codes ?? [f.code]) listed.set(c, (listed.get(c) ?? 0) + 1);
    }
  }
  const notes: string[] = [];
  for (const c of result.summary.findings.byCode) {
    const more = c.count - (listed.get(c.code) ?? 0);
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

/** The result with at most `max` findings listed per code (0 = all); the counts stay exact. */
export function capPerCode(result: ValidationResult, max: number): ValidationResult {
  if (max === 0) return result;
  const shown = new Map<string, number>();
  const findings = result.findings.filter((f) => {
    const n = (shown.get(f.code) ?? 0) + 1;
    shown.set(f.code, n);
    return n <= max;
  });
  return { summary: { ...result.summary, findings: { ...result.summary.findings, listed: findings.length } }, findings };
}

/** Every kept finding, for CSV. */
export function allFindings(result: ValidationResult): TableModel {
  return {
    id: 'findings',
    title: 'Findings',
    columns: ['code', 'severity', 'file', 'line', 'column', 'field', 'value', 'message'].map((k) => ({ key: k, header: k })),
    rows: result.findings.map(({ codes: _codes, ...f }) => ({ ...f })),
  };
}

/** The files that passed, failed and could not be read (`fatal`), by name in input order. */
export function filesByStatus(result: ValidationResult, strict: boolean): { passed: string[]; failed: string[]; fatal: string[] } {
  const out = { passed: [] as string[], failed: [] as string[], fatal: [] as string[] };
  for (const f of result.summary.files) out[fileStatus(f, strict)].push(f.file);
  return out;
}

function summaryTable(result: ValidationResult, strict: boolean): TableModel {
  const s = result.summary;
  const by = filesByStatus(result, strict);
  const rows: Record<string, Cell>[] = [
    { item: 'files passed / failed / not readable', value: `${by.passed.length} / ${by.failed.length} / ${by.fatal.length}` },
    { item: 'rows', value: String(s.rows) },
    { item: 'clients', value: s.clients === null ? 'not available (no client column)' : String(s.clients) },
  ];
  if (s.sessionsPerClient) {
    const p = s.sessionsPerClient;
    rows.push({ item: 'sessions per client (min / median / max)', value: `${p.min} / ${p.median} / ${p.max}` });
  }
  if (s.findings.fatal > 0) rows.push({ item: 'files not readable (fatal)', value: String(s.findings.fatal) });
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

export function codesTable(result: ValidationResult): TableModel {
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

/** The one-line verdict: `passed: 0 errors, 1 warning` or `FAILED: 1 file not readable, 2 errors, 0 warnings`. */
export function verdict(result: ValidationResult, strict: boolean): string {
  const { fatal, errors, warnings } = result.summary.findings;
  const fails = fatal > 0 || errors > 0 || (strict && warnings > 0);
  const unread = fatal > 0 ? `${fatal} file${fatal === 1 ? '' : 's'} not readable, ` : '';
  return `${fails ? 'FAILED' : 'passed'}: ${unread}${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}${strict ? ' (--strict: warnings fail)' : ''}`;
}

function fileLine(f: ValidationResult['summary']['files'][number], strict: boolean): string {
  if (f.rows === null) return `${f.file}: not readable (file.unreadable; see the findings)`;
  const read =
    f.format !== undefined
      ? `${f.file}: ${f.rows} rows (read as ${f.format}${f.layout !== undefined ? `; ${f.layout}` : ''})`
      : `${f.file}: ${f.rows} rows (${f.encoding}, delimiter ${JSON.stringify(f.delimiter)})`;
  const st = fileStatus(f, strict);
  return `${read}: ${st}${st === 'passed' && f.warnings === 0 ? '' : ` (${f.errors} error${f.errors === 1 ? '' : 's'}, ${f.warnings} warning${f.warnings === 1 ? '' : 's'})`}`;
}

/** The one document behind table, Markdown and JSON output. */
export function validationDocument(result: ValidationResult, opts: RenderOptions): ResultDocument {
  const s = result.summary;
  const preface: string[] = [];
  for (const f of s.files) preface.push(fileLine(f, opts.strict));
  for (const n of opts.notes ?? []) preface.push(n);
  preface.push(`future dates are those after ${s.today}`);
  const tables = [summaryTable(result, opts.strict)];
  if (s.findings.byCode.length > 0) tables.push(codesTable(result), cappedFindings(result, opts.maxFindings));
  if (s.privacy.length > 0) tables.push(privacyTable(result));
  tables.push(missingnessTable(result));
  const notes = [...s.skipped.filter((x) => x.checks !== 'schema checks').map((x) => `skipped: ${x.checks}: ${x.reason}`), verdict(result, opts.strict)];
  return {
    title: 'alliance validate',
    preface,
    tables,
    notes,
    csvTable: 'findings',
    json: validateJson(result, opts.strict),
  };
}

/** The version of validate's JSON document (docs/validate.md; CHANGELOG.md says what changed). */
export const VALIDATE_JSON_SCHEMA = 2;

/** The `summary` object of the JSON document: snake_case keys, the files by verdict. */
export function summaryJson(result: ValidationResult, strict: boolean): Record<string, unknown> {
  const { files: _files, ...rest } = result.summary;
  return { files: filesByStatus(result, strict), ...(snake(rest) as Record<string, unknown>) };
}

/** One entry of the document's `files`: the file, its verdict, exact counts (and its findings). */
export function fileEntries(result: ValidationResult, strict: boolean, withFindings: boolean): Record<string, unknown>[] {
  const byFile = new Map<string, Finding[]>();
  for (const f of result.findings) {
    const list = byFile.get(f.file) ?? [];
    list.push(f);
    byFile.set(f.file, list);
  }
  return result.summary.files.map((f) => {
    const { file, fatal, errors, warnings, ...info } = f;
    const findings = byFile.get(file) ?? [];
    byFile.delete(file); // a file given twice lists its findings once
    return { file, status: fileStatus(f, strict), ...info, fatal, errors, warnings, ...(withFindings ? { findings } : {}) };
  });
}

/**
 * The `--format json` document: `command`, `schema` (its version), `passed`, `strict`, the
 * summary, and `files`, one entry per input (in the order given) with its findings.
 */
export function validateJson(result: ValidationResult, strict: boolean): Record<string, unknown> {
  const { fatal, errors, warnings } = result.summary.findings;
  return {
    command: 'validate',
    schema: VALIDATE_JSON_SCHEMA,
    passed: fatal === 0 && errors === 0 && !(strict && warnings > 0),
    strict,
    summary: summaryJson(result, strict),
    files: fileEntries(result, strict, true),
  };
}

export function renderValidateCsv(result: ValidationResult): string {
  return renderCsvTable(allFindings(result));
}

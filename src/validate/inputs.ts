/**
 * `alliance validate`'s reading of its inputs: every file is opened on its own, so that a
 * file that cannot be read (missing, a directory, empty, binary, not in its encoding,
 * malformed) is a `file.unreadable` finding of that file (severity `fatal`) and the other
 * files are still validated. A file that fails later, while it is scanned (an unclosed
 * quote on line 90,000, a byte that is not UTF-8, dates that contradict their detected
 * order), is taken out and the remaining files are validated again without it; the
 * failure is the file's one finding. Problems of the invocation (an unknown column named
 * by a flag, an ambiguous mapping) are still usage errors (exit 2, one line on stderr).
 */
import { isUserError, UserError } from '../errors.js';
import { openTable } from '../dataset/formats.js';
import { datasetFromPlan } from '../dataset/open.js';
import { findColumn, mapFile, unknownColumnError } from '../dataset/mapping.js';
import { planDataset } from '../dataset/plan.js';
import type { TableSource } from '../dataset/source.js';
import type { ReadOptions } from '../dataset/types.js';
import type { Io } from '../io/process.js';
import { STDIN_DISPLAY } from '../io/source.js';
import { codeInfo } from './codes.js';
import { noCounts } from './findings.js';
import type { Finding } from './types.js';
import { validateDataset, validateRaw, type ValidateOptions, type ValidateSummary, type ValidationResult } from './validate.js';
import { civilFromDays } from '../dataset/values.js';

export const UNREADABLE = 'file.unreadable';

/** A file that could not be read: its position among the inputs and the reader's error. */
export interface FatalInput {
  index: number;
  display: string;
  error: UserError;
}

export interface InputsResult {
  result: ValidationResult;
  /** Mapping notes of the dataset layer (empty when the files could not be mapped). */
  notes: string[];
  /** The unreadable files, in input order (each is also a finding). */
  fatal: FatalInput[];
}

const isNoClient = (e: unknown): boolean => isUserError(e) && e.code === 'no-client-column';

/** The error's text without its location: "what. How to fix." */
function errorText(e: UserError): string {
  return `${e.message.replace(/\.?$/, '.')}${e.hint ? ' ' + e.hint.replace(/\.?$/, '.') : ''}`;
}

/** The finding of an unreadable file, placed where the reader's error points. */
export function fatalFinding(display: string, e: UserError): Finding {
  const loc = e.location;
  const here = loc.file === undefined || loc.file === display;
  const line = here && loc.cell === undefined && loc.line !== undefined && loc.line > 0 ? loc.line : null;
  const column = here && typeof loc.column === 'string' ? loc.column : null;
  const field = here && line !== null && typeof loc.column === 'number' ? loc.column : null;
  return {
    code: UNREADABLE,
    severity: codeInfo(UNREADABLE).severity,
    file: display,
    line,
    column,
    field,
    value: null,
    message: errorText(e),
    ...(here && loc.cell !== undefined ? { cell: loc.cell } : {}),
  };
}

/** An error of the reading (not of the mapping): a file's content could not be read. */
class ReadFailure extends Error {
  constructor(readonly reason: unknown) {
    super('read failure');
  }
}

async function reading<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    throw new ReadFailure(e);
  }
}

/** Which open input a reader's error is about (by the file its location names), or -1. */
function culprit(e: unknown, open: { display: string }[]): number {
  if (!isUserError(e) || e.code !== 'usage' || e.location.file === undefined) return -1;
  return open.findIndex((t) => t.display === e.location.file);
}

/** The files named by flags must be in some header even when the client column is missing. */
function checkNamedColumns(inputs: TableSource[], read: ReadOptions): void {
  const named: [string, string][] = [
    ...(['session', 'date', 'therapist'] as const).filter((k) => read[k] !== undefined).map((k): [string, string] => [read[k]!, `--${k}`]),
    ...(read.alliance ?? []).map((c): [string, string] => [c, '--alliance']),
    ...(read.outcome ?? []).map((c): [string, string] => [c, '--outcome']),
    ...(read.groups ?? []).map((c): [string, string] => [c, '--group']),
    ...Object.keys(read.instruments ?? {}).map((c): [string, string] => [c, '--instrument']),
  ];
  for (const [name, flag] of named) {
    if (inputs.every((inp) => findColumn(inp.header, name) < 0))
      throw unknownColumnError(name, flag, inputs[0].header, { file: inputs[0].display, line: inputs[0].headerLine });
  }
}

interface Readable {
  index: number;
  path: string;
  table: TableSource;
}

/**
 * Validates the readable files together. Files without a client column are validated raw
 * (structure, privacy, schema, missingness), except on standard input, where a missing
 * client column stays a usage error naming --client.
 */
async function validateReadable(ok: Readable[], read: ReadOptions, vopts: ValidateOptions, io: Io): Promise<{ result: ValidationResult; notes: string[] }> {
  const paths = ok.map((r) => r.path);
  const tables = ok.map((r) => r.table);
  let plan;
  try {
    plan = planDataset(paths, tables, read);
  } catch (e) {
    if (!isNoClient(e) || paths.includes('-')) throw e;
    const noClient = tables.map((t) => {
      try {
        mapFile(t.header, read, { file: t.display, line: t.headerLine });
        return false;
      } catch (err) {
        if (isNoClient(err)) return true;
        throw err;
      }
    });
    checkNamedColumns(tables, read);
    const inputs = ok.map((r) => ({ ...r.table, display: r.path === '-' ? r.table.display : r.path }));
    return { result: await reading(() => validateRaw(inputs, noClient, vopts)), notes: [] };
  }
  const planned = plan;
  return reading(async () => {
    const dataset = await datasetFromPlan(planned, read, io);
    const result = await validateDataset(dataset, vopts);
    return { result, notes: [...dataset.mapping.notes] };
  });
}

/** Opens and validates `paths`; unreadable files become fatal findings (see the top of this file). */
export async function validateInputs(paths: string[], read: ReadOptions, io: Io, vopts: ValidateOptions): Promise<InputsResult> {
  if (paths.filter((p) => p === '-').length > 1) {
    throw new UserError('standard input (-) can be given only once', { hint: 'Save one of the inputs to a file' });
  }
  const fatal: FatalInput[] = [];
  let ok: Readable[] = [];
  for (const [index, p] of paths.entries()) {
    const display = p === '-' ? STDIN_DISPLAY : p;
    try {
      ok.push({ index, path: p, table: await openTable(p, read, io) });
    } catch (e) {
      if (!isUserError(e) || e.code !== 'usage') throw e;
      fatal.push({ index, display, error: e });
    }
  }
  let run: { result: ValidationResult; notes: string[] } | null = null;
  while (ok.length > 0) {
    try {
      run = await validateReadable(ok, read, vopts, io);
      break;
    } catch (failure) {
      if (!(failure instanceof ReadFailure)) throw failure;
      const e = failure.reason;
      const at = culprit(
        e,
        ok.map((r) => ({ display: r.path === '-' ? r.table.display : r.path })),
      );
      if (at < 0) throw e;
      fatal.push({ index: ok[at].index, display: ok[at].path === '-' ? ok[at].table.display : ok[at].path, error: e as UserError });
      ok = ok.filter((_, i) => i !== at);
    }
  }
  fatal.sort((a, b) => a.index - b.index);
  const result = mergeFatal(
    paths.length,
    ok.map((r) => r.index),
    run?.result ?? null,
    fatal,
    vopts.today,
  );
  return { result, notes: run?.notes ?? [], fatal };
}

/** The result of the readable files with the unreadable ones put back in input order. */
function mergeFatal(n: number, okIndex: number[], run: ValidationResult | null, fatal: FatalInput[], today: number): ValidationResult {
  if (fatal.length === 0 && run) return run;
  const base: ValidateSummary = run?.summary ?? {
    files: [],
    rows: 0,
    clients: null,
    sessionsPerClient: null,
    missingness: [],
    privacy: [],
    mapping: { client: null, session: null, date: null, therapist: null, sessionSource: null, measures: [] },
    today: civilFromDays(today),
    findings: { ...noCounts(), byCode: [], listed: 0, truncated: false },
    skipped: [{ checks: 'every check', codes: [], reason: 'no file could be read' }],
  };
  const files: ValidateSummary['files'] = [];
  const findings: Finding[] = [];
  const byFile = new Map<string, Finding[]>();
  for (const f of run?.findings ?? []) {
    const list = byFile.get(f.file) ?? [];
    list.push(f);
    byFile.set(f.file, list);
  }
  for (let i = 0; i < n; i++) {
    const bad = fatal.find((x) => x.index === i);
    if (bad) {
      files.push({ file: bad.display, rows: null, encoding: null, delimiter: null, fatal: 1, errors: 0, warnings: 0 });
      findings.push(fatalFinding(bad.display, bad.error));
      continue;
    }
    const k = okIndex.indexOf(i);
    const summary = base.files[k];
    files.push(summary);
    for (const f of byFile.get(summary.file) ?? []) findings.push(f);
    byFile.delete(summary.file);
  }
  for (const rest of byFile.values()) for (const f of rest) findings.push(f);
  const byCode = [{ code: UNREADABLE, severity: codeInfo(UNREADABLE).severity, count: fatal.length }, ...base.findings.byCode];
  return {
    summary: {
      ...base,
      files,
      findings: { ...base.findings, fatal: fatal.length, byCode, listed: base.findings.listed + fatal.length },
    },
    findings,
  };
}

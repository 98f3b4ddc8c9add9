/**
 * The validator: one streaming pass over a Dataset (or, when the files cannot be mapped,
 * over the raw CSV records), every rule fed from the same pass, findings collected with
 * exact counts and a summary computed on the way.
 *
 * Memory: per-client state in SessionRules, per-column counters, and the kept findings
 * (capped, see FindingCollector). Nothing is kept per row.
 */
import type { Dataset, MeasureBinding, ScanProgress } from '../dataset/types.js';
import type { BlankSessions } from '../dataset/numbering.js';
import type { TableSource } from '../dataset/source.js';
import { normalizeName } from '../instruments/registry.js';
import { RuleContext, type FileRef } from './context.js';
import { FindingCollector, FINDINGS_CAP, type CodeCount, type SeverityCounts } from './findings.js';
import { RawRules, type PrivacyColumn } from './raw.js';
import { SchemaRules, type TableSchema } from './schema.js';
import { SessionRules, countSummary } from './sessions.js';
import { ValueRules } from './values.js';
import type { Finding } from './types.js';
import { CODES } from './codes.js';
import { civilFromDays } from '../dataset/values.js';
import { fieldText, type RangeRecord } from '../io/scanner.js';

export interface ValidateOptions {
  /** Today as days since 1970-01-01 (dates after it are in the future). */
  today: number;
  /** Extra missing-value tokens (as given with --missing). */
  missing: string[];
  schema?: TableSchema | null;
  /** Progress of the reads (rows every 262,144, bytes as they are read); see cli/input.ts scanProgress. */
  progress?: ScanProgress;
  /** Row-level findings kept in memory (default FINDINGS_CAP). */
  keep?: number;
}

export interface MissingnessEntry {
  file: string;
  column: string;
  missing: number;
  rows: number;
  /** missing / rows; null when the file has no rows. */
  proportion: number | null;
}

export interface FileSummary extends SeverityCounts {
  file: string;
  rows: number | null;
  encoding: string | null;
  delimiter: string | null;
  format?: string;
  layout?: string;
}

/** A file's verdict: `fatal` (could not be read), `failed` (errors, or warnings with strict) or `passed`. */
export type FileStatus = 'passed' | 'failed' | 'fatal';

export function fileStatus(c: SeverityCounts, strict: boolean): FileStatus {
  return c.fatal > 0 ? 'fatal' : c.errors > 0 || (strict && c.warnings > 0) ? 'failed' : 'passed';
}

/** A group of checks that could not run on this input, the codes they would give, and why. */
export interface SkippedChecks {
  checks: string;
  codes: string[];
  reason: string;
}

const codesOf = (prefix: string, except: string[] = []) => CODES.filter((c) => c.code.startsWith(prefix) && !except.includes(c.code)).map((c) => c.code);

/** The checks that need a client column (skipped for files validated raw). */
export const CLIENT_CHECKS: SkippedChecks = {
  checks: 'client, session and value checks',
  codes: [...codesOf('value.'), ...codesOf('session.'), 'structure.no-measure-columns'],
  reason: 'no client id column',
};

/** The `summary` object of `--format json` (documented in docs/validate.md). */
export interface ValidateSummary {
  /**
   * Every input in the order given, with the exact counts of its findings. format and
   * layout only for inputs that are not a long CSV (FileInfo.format, FileInfo.layout);
   * rows, encoding and delimiter null for a file that could not be read (fatal).
   */
  files: FileSummary[];
  /** Data rows read (all files). */
  rows: number;
  /** Distinct client ids; null when no client column could be mapped. */
  clients: number | null;
  /** Rows per client; null when there are no clients. */
  sessionsPerClient: { min: number; median: number; max: number } | null;
  missingness: MissingnessEntry[];
  /** Identifier-looking values per column and code: exact counts and the first line. */
  privacy: PrivacyColumn[];
  mapping: {
    client: string | null;
    session: string | null;
    date: string | null;
    therapist: string | null;
    sessionSource: string | null;
    measures: { column: string; role: string; instrument: string | null; observedMin: number | null; observedMax: number | null }[];
  };
  today: string;
  findings: SeverityCounts & {
    byCode: CodeCount[];
    /** Findings listed in `findings` (all of them unless truncated). */
    listed: number;
    /** True when more than the in-memory cap of row-level findings occurred. */
    truncated: boolean;
  };
  /** Checks that could not run: which (`checks`, the codes they give) and why. */
  skipped: SkippedChecks[];
}

export interface ValidationResult {
  summary: ValidateSummary;
  findings: Finding[];
}

function fieldIn(header: readonly string[], name: string | undefined): number {
  if (name === undefined) return -1;
  const exact = header.indexOf(name);
  if (exact >= 0) return exact;
  const key = normalizeName(name) || name;
  return header.findIndex((h) => (normalizeName(h) || h) === key);
}

/** Rows for ScanProgress.rows, every 262,144 (validateRaw reads the inputs itself). */
function progressTicker(progress: ScanProgress | undefined): () => void {
  let n = 0;
  if (!progress) return () => {};
  return () => {
    if ((++n & 0x3ffff) === 0) progress.rows(n);
  };
}

function missingness(files: FileRef[], raw: RawRules): MissingnessEntry[] {
  const out: MissingnessEntry[] = [];
  files.forEach((f, fi) => {
    const st = raw.state[fi];
    f.header.forEach((h, j) => {
      out.push({ file: f.display, column: h, missing: st.missing[j], rows: st.records, proportion: st.records > 0 ? st.missing[j] / st.records : null });
    });
  });
  return out;
}

type FileBase = Omit<FileSummary, keyof SeverityCounts>;

function finishSummary(collector: FindingCollector, base: Omit<ValidateSummary, 'findings' | 'files'> & { files: FileBase[] }): ValidationResult {
  const findings = collector.sorted();
  return {
    summary: {
      ...base,
      files: base.files.map((f, fi) => ({ ...f, ...collector.fileCounts(fi) })),
      findings: { ...collector.totals(), byCode: collector.byCode(), listed: findings.length, truncated: collector.dropped > 0 },
    },
    findings,
  };
}

function headerOnly(ctx: RuleContext, raw: RawRules): void {
  raw.state.forEach((st, fi) => {
    if (st.records === 0) {
      ctx.add('structure.header-only', fi, null, -1, null, 'file has a header but no data rows; export the data again with its rows');
    }
  });
}

/** The fields of a range record as text, in `out` (reused). */
function rangeFields(rec: RangeRecord, out: string[]): string[] {
  out.length = rec.count;
  for (let k = 0; k < rec.count; k++) out[k] = fieldText(rec, k);
  return out;
}

/** Validates a mapped dataset in one scan. */
export async function validateDataset(ds: Dataset, opts: ValidateOptions): Promise<ValidationResult> {
  const files: FileRef[] = ds.files.map((f) => ({ display: f.display, header: f.header, locate: f.locate, sourceLine: f.sourceLine }));
  const collector = new FindingCollector(opts.keep ?? FINDINGS_CAP);
  const ctx = new RuleContext(files, collector);
  const map = ds.mapping;
  const sessionField = files.map((f) => fieldIn(f.header, map.session?.name));
  const dateField = files.map((f) => fieldIn(f.header, map.date?.name));
  const measureFields = files.map((f) => map.measures.map((m) => fieldIn(f.header, m.name)));

  const raw = new RawRules(ctx, opts.missing, (fi) => new Set([sessionField[fi], dateField[fi], ...measureFields[fi]].filter((j) => j >= 0)));
  raw.checkHeaders();
  const schema = opts.schema ? new SchemaRules(ctx, opts.schema) : null;
  schema?.checkHeaders();
  if (map.measures.length === 0) {
    ctx.add(
      'structure.no-measure-columns',
      0,
      null,
      -1,
      null,
      'no alliance or outcome measure column was found, so nothing can be analysed; name them with --alliance COL and --outcome COL',
    );
  }

  const values = new ValueRules(ctx, map.measures, (fi) => ds.files[fi].decimal);
  const sessions = new SessionRules(ctx, {
    sessionColumn: map.sessionSource === 'column' || map.sessionSource === 'column+date',
    sessionField: (fi) => sessionField[fi],
    dateField: (fi) => dateField[fi],
    today: opts.today,
    clientName: (c) => ds.clients[c] ?? String(c),
  });
  const texts: string[] = [];
  const scanned = await ds.scan(
    (row) => {
      values.row(row);
      sessions.row(row);
    },
    {
      onIssue: (issue) => values.issue(issue),
      onRaw: schema
        ? (fields, line, file) => {
            raw.record(fields, line, file);
            schema.record(fields, line, file);
          }
        : (fields, line, file) => raw.record(fields, line, file),
      // On UTF-8 CSV the raw checks read the bytes; a schema reads the record's text.
      onRawRange: schema
        ? (rec, line, file) => {
            raw.recordRange(rec, line, file);
            schema.record(rangeFields(rec, texts), line, file);
          }
        : (rec, line, file) => raw.recordRange(rec, line, file),
      ...(opts.progress ? { progress: opts.progress } : {}),
    },
  );

  headerOnly(ctx, raw);
  raw.finish();
  sessions.finish();
  blankSessionFindings(ctx, scanned.blankSessions, (c) => ds.clients[c] ?? String(c), sessionField);
  values.finish((k) => {
    const fi = Math.max(
      0,
      measureFields.findIndex((mf) => mf[k] >= 0),
    );
    return { file: fi, field: measureFields[fi]?.[k] ?? -1 };
  });

  const skipped: SkippedChecks[] = [];
  if (map.sessionSource === 'date' || map.sessionSource === 'file-order') {
    skipped.push({
      checks: 'duplicate-session and gap checks',
      codes: ['session.duplicate', 'session.gap', 'session.blank', 'value.invalid-session'],
      reason: `no session column (sessions numbered by ${map.sessionSource === 'date' ? 'date' : 'file order'})`,
    });
  }
  if (!map.date)
    skipped.push({
      checks: 'date checks',
      codes: ['value.invalid-date', 'session.order-vs-date', 'session.future-date', 'session.old-date'],
      reason: 'no date column',
    });
  if (map.measures.length === 0)
    skipped.push({
      checks: 'measure value checks',
      codes: codesOf('value.', ['value.missing-client', 'value.invalid-date', 'value.invalid-session']),
      reason: 'no measure column',
    });
  if (!opts.schema) skipped.push({ checks: 'schema checks', codes: codesOf('schema.'), reason: 'no --schema given' });
  for (const [code, n] of values.unmapped) skipped.push({ checks: `${n} cell issue(s) '${code}' from the reader`, codes: [], reason: 'no validate rule' });

  const ref = (r: { name: string } | undefined) => (r ? r.name : null);
  const measures = map.measures.map((m: MeasureBinding, k: number) => {
    const o = values.observed(k);
    return { column: m.name, role: m.role, instrument: m.instrument?.id ?? null, observedMin: o?.min ?? null, observedMax: o?.max ?? null };
  });
  const counts = sessions.sessionsPerClient();
  return finishSummary(collector, {
    files: ds.files.map((f, fi) => ({
      file: f.display,
      rows: raw.state[fi].records,
      encoding: f.encoding,
      delimiter: f.delimiter,
      ...((f.format ?? 'CSV') !== 'CSV' || (f.layout ?? 'long') !== 'long'
        ? { format: f.format ?? 'CSV', ...((f.layout ?? 'long') !== 'long' ? { layout: f.layout } : {}) }
        : {}),
    })),
    rows: raw.state.reduce((a, s) => a + s.records, 0),
    clients: counts.length,
    sessionsPerClient: countSummary(counts),
    missingness: missingness(files, raw),
    privacy: raw.privacyByColumn(),
    mapping: {
      client: ref(map.client),
      session: ref(map.session),
      date: ref(map.date),
      therapist: ref(map.therapist),
      sessionSource: map.sessionSource,
      measures,
    },
    today: civilFromDays(opts.today),
    skipped,
  });
}

/**
 * Validates files that cannot be mapped (no client column): structure, privacy, schema
 * and missingness only, straight from the CSV reader. `noClient[i]` marks the files that
 * lack a client column.
 */
export async function validateRaw(inputs: TableSource[], noClient: boolean[], opts: ValidateOptions): Promise<ValidationResult> {
  const files: FileRef[] = inputs.map((i) => ({ display: i.display, header: i.header }));
  const collector = new FindingCollector(opts.keep ?? FINDINGS_CAP);
  const ctx = new RuleContext(files, collector);
  const raw = new RawRules(ctx, opts.missing, () => new Set());
  raw.checkHeaders();
  noClient.forEach((nc, fi) => {
    if (nc) {
      ctx.add(
        'structure.no-client-column',
        fi,
        null,
        -1,
        null,
        'no client id column was found, so sessions cannot be attributed to clients; name it with --client COL (or rename it client_id)',
      );
    }
  });
  const schema = opts.schema ? new SchemaRules(ctx, opts.schema) : null;
  schema?.checkHeaders();
  const progress = opts.progress;
  const tick = progressTicker(progress);
  const total = inputs.reduce((a, i) => a + i.bytes, 0);
  let before = 0;
  try {
    for (let fi = 0; fi < inputs.length; fi++) {
      const done = before;
      await inputs[fi].read(
        (fields, line) => {
          tick();
          raw.record(fields, line, fi);
          schema?.record(fields, line, fi);
        },
        progress?.bytes ? { onProgress: (b) => progress.bytes!(done + b, total) } : undefined,
      );
      before += inputs[fi].bytes;
    }
  } finally {
    progress?.end();
  }
  headerOnly(ctx, raw);
  raw.finish();
  return finishSummary(collector, {
    files: inputs.map((inp, fi) => ({ file: inp.display, rows: raw.state[fi].records, encoding: inp.encoding, delimiter: inp.delimiter })),
    rows: raw.state.reduce((a, s) => a + s.records, 0),
    clients: null,
    sessionsPerClient: null,
    missingness: missingness(files, raw),
    privacy: raw.privacyByColumn(),
    mapping: { client: null, session: null, date: null, therapist: null, sessionSource: null, measures: [] },
    today: civilFromDays(opts.today),
    skipped: [CLIENT_CHECKS, ...(opts.schema ? [] : [{ checks: 'schema checks', codes: codesOf('schema.'), reason: 'no --schema given' }])],
  });
}

/**
 * Blank session numbers among a session column with dates (the dataset numbers or places
 * those rows by date where it can; ScanStats.blankSessions): one warning per client with
 * some numbered and some blank rows, with the count, and one for the clients with no
 * session numbers at all. Sorted by client id, so the order of rows does not matter.
 */
function blankSessionFindings(ctx: RuleContext, b: BlankSessions | undefined, clientName: (c: number) => string, sessionField: number[]): void {
  if (!b) return;
  const field = sessionField[0] ?? -1;
  const left = (n: number) => (n > 0 ? `; ${n} could not be placed by date and are left out of the analyses` : '');
  const mixed = b.mixed.map((m) => ({ ...m, name: clientName(m.client) })).sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  for (const m of mixed) {
    ctx.add(
      'session.blank',
      0,
      null,
      field,
      m.name,
      () =>
        `client '${m.name}' has ${m.blank} row(s) with a blank session number among numbered sessions: ${m.placed} placed by date${left(m.blank - m.placed)}; fill in the session numbers`,
    );
  }
  if (b.byDateClients > 0) {
    ctx.add(
      'session.blank',
      0,
      null,
      field,
      null,
      () =>
        `${b.byDateClients} client(s) have no session numbers at all (${b.byDateRows} row(s)): their sessions were numbered 1..n by date; fill in the session numbers`,
    );
  }
}

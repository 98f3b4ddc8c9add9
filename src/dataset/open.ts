/**
 * openDataset: one or more inputs -> a Dataset (contract in ./types.ts).
 *
 * The layers, each in its own file:
 *
 * - ./formats.ts, ./source.ts: each input is opened as a TableSource (CSV today; the seam
 *   new formats plug into).
 * - ./plan.ts: the headers are mapped (./mapping.ts) and the plan made: the global measure
 *   list, which files are concatenated and which joined, where session numbers come from.
 * - ./dates.ts: the date format of each file, decided from the data unless given.
 * - ./cells.ts: the one cell-interpretation core (missing markers, numbers, ranges, dates).
 * - ./rows.ts: one file's records -> interpreted rows (the string path and the UTF-8 byte path).
 * - ./join.ts: two kinds of export joined on client + session (or date).
 * - ./numbering.ts: session numbers from the column, by date or in file order.
 * - here: the scan that puts them together.
 *
 * onRaw (or its byte-range form onRawRange, on the byte path) sees every record of every
 * file in reading order (in a join: the loaded kind first), ragged ones included, before
 * interpretation.
 *
 * Measured (10M rows, 346 MB, 1.33M clients, shared 2-CPU box): a scan with an empty
 * callback 2.6-2.7 CPU-s with everything, 2.2-2.4 with need {date, therapist, groups: false}
 * (before the byte path: 3.9-4.8); `alliance correlate` 3.0 CPU-s (before: 5.5-6.1).
 */
import { UserError } from '../errors.js';
import type { DigestKind } from '../io/digest.js';
import type { Io } from '../io/process.js';
import { CellRules, ColumnCellReader } from './cells.js';
import { applyOverrides } from './mapping.js';
import { getInstrument, instrumentForHeader, normalizeName } from '../instruments/registry.js';
import { detectDateFormats } from './dates.js';
import { openTable } from './formats.js';
import { Interner } from './intern.js';
import { IdGuard, PSEUDONYM_KEY_ENV } from './pseudonyms.js';
import { joinParts } from './join.js';
import { Numbering, blankSessionNotes } from './numbering.js';
import { planDataset, type Plan } from './plan.js';
import { readPart, type RowEnv, type ScanCtx } from './rows.js';
import type { TableSource } from './source.js';
import type { CellIssue, Dataset, Mapping, ReadOptions, ScanOptions, ScanProgress, ScanStats, SessionRow } from './types.js';
import { MissingTokens } from './values.js';

export { DATE_SAMPLE_ROWS } from './dates.js';

/** How the dataset is opened besides the read options. */
export interface OpenOptions {
  /** A live row count for every scan (the CLI shows it on a terminal). */
  progress?: ScanProgress;
  /** What the inputs' reads hash (src/io/digest.ts): SHA-256 where it is recorded (a report's manifest), else CRC-32. */
  digest?: DigestKind;
}

/**
 * The pseudonym guards of the id columns (./pseudonyms.ts): none with --show-identifiers.
 * The key comes from the environment, so it never appears in a command line or a config.
 */
function idGuards(mapping: Mapping, options: ReadOptions, io: Io): { client: IdGuard | null; therapist: IdGuard | null; groups: (IdGuard | null)[] } {
  if (options.showIdentifiers === true) return { client: null, therapist: null, groups: mapping.groups.map(() => null) };
  const key = io.env[PSEUDONYM_KEY_ENV] || null;
  const role = (name: string) => (/^[A-Za-z][A-Za-z0-9_ -]{0,23}$/.test(name) ? name.toLowerCase() : 'group');
  return {
    client: new IdGuard('client', true, key),
    therapist: new IdGuard('therapist', true, key),
    groups: mapping.groups.map((g) => new IdGuard(role(g.name), false, key)),
  };
}

export async function openDataset(paths: string[], options: ReadOptions, io: Io, open: OpenOptions = {}): Promise<Dataset> {
  if (paths.length === 0) {
    throw new UserError('no input file given', { hint: 'Give one or more CSV exports (or - for standard input)' });
  }
  if (paths.filter((p) => p === '-').length > 1) {
    throw new UserError('standard input (-) can be given only once', { hint: 'Save one of the inputs to a file' });
  }
  const inputs: TableSource[] = [];
  for (const p of paths) inputs.push(await openTable(p, options, io, open.digest));
  return datasetFromPlan(planDataset(paths, inputs, options), options, io, open);
}

/**
 * The dataset of inputs already opened and planned (openDataset's second half; `alliance
 * validate` opens and plans each input itself, so that an unreadable file is a finding).
 * Date detection reads the files here: its errors, and the scans', name the file.
 */
export async function datasetFromPlan(plan: Plan, options: ReadOptions, io: Io, open: OpenOptions = {}): Promise<Dataset> {
  const { files, parts, mapping, sessionSource, join, joinOn, notes } = plan;
  await detectDateFormats(parts, files, options.dateFormat, notes);

  const measures = mapping.measures;
  const clients: string[] = [];
  const therapists: string[] = [];
  const groupLevels: string[][] = mapping.groups.map(() => []);
  const missing = new MissingTokens(options.missing ?? []);
  const guards = idGuards(mapping, options, io);
  const env: RowEnv = {
    files,
    cells: CellRules.forMeasures(missing, measures),
    clientIds: new Interner(clients, guards.client?.display.bind(guards.client) ?? null),
    therapistIds: new Interner(therapists, guards.therapist?.display.bind(guards.therapist) ?? null),
    groupIds: groupLevels.map((l, g) => new Interner(l, guards.groups[g]?.display.bind(guards.groups[g]) ?? null)),
    M: measures.length,
    G: mapping.groups.length,
  };

  const newRow = (): SessionRow => ({
    file: 0,
    line: 0,
    client: 0,
    session: NaN,
    date: NaN,
    therapist: -1,
    groups: new Int32Array(env.G),
    values: new Float64Array(env.M),
  });

  /** Runs the file pipeline (concatenation or join) and delivers rows before numbering. */
  const assemble = async (
    out: (row: SessionRow) => void,
    onIssue: ((issue: CellIssue) => void) | undefined,
    raw: Pick<ScanOptions, 'onRaw' | 'onRawRange'>,
    keysOnly: boolean,
    need: ScanOptions['need'] = undefined,
    row: SessionRow = newRow(),
    onBytes?: ScanCtx['onBytes'],
    reduce?: ScanCtx['reduce'],
  ): Promise<ScanStats> => {
    const stats: ScanStats = {
      rows: 0,
      rowsWithoutClient: 0,
      unusable: new Array<number>(env.M).fill(0),
      outOfRange: new Array<number>(env.M).fill(0),
      missingCode: new Array<number>(env.M).fill(0),
      missing: new Array<number>(env.M).fill(0),
    };
    const ctx: ScanCtx = {
      row,
      stats,
      ragged: 0,
      onIssue,
      onRaw: raw.onRaw,
      onRawRange: raw.onRaw ? raw.onRawRange : undefined,
      keysOnly,
      // Dates are needed whenever numbering or the join uses them.
      needDate: need?.date !== false || sessionSource === 'date' || (join && joinOn === 'date'),
      needTherapist: need?.therapist !== false,
      needGroups: need?.groups !== false,
      needMeasures: need?.measures ?? null,
      onBytes,
      reduce,
    };
    if (!join) {
      for (const part of parts) await readPart(env, part, ctx, out);
    } else {
      stats.unmatched = await joinParts(env, parts, joinOn, ctx, out);
    }
    stats.ragged = ctx.ragged;
    return stats;
  };
  const numbering = new Numbering(
    sessionSource,
    async (onRow) => {
      await assemble(onRow, undefined, {}, true);
    },
    env.G,
    env.M,
  );

  const kindNames = (k: number) =>
    parts
      .filter((p) => p.kind === k)
      .map((p) => files[p.file].display)
      .join(', ');
  if (join) notes.push(`exports with different measures are joined on client + ${joinOn}: ${kindNames(0)} with ${kindNames(1)} (outer join)`);
  let joinNoted = false;
  let blankNoted = false;
  const guardNoted = new Set<IdGuard>();
  const guardColumns: [string, IdGuard][] = [
    ...(guards.client && mapping.client ? [[mapping.client.name, guards.client] as [string, IdGuard]] : []),
    ...(guards.therapist && mapping.therapist ? [[mapping.therapist.name, guards.therapist] as [string, IdGuard]] : []),
    ...mapping.groups.flatMap((g, i) => (guards.groups[i] ? [[g.name, guards.groups[i]] as [string, IdGuard]] : [])),
  ];

  const dataset: Dataset = {
    files,
    mapping,
    clients,
    therapists,
    groupLevels,
    async scan(onRow, options = {}) {
      let rows = 0;
      const progress = options.progress ?? open.progress;
      let shown = false;
      // Bytes read per input in this scan, summed over the inputs for ScanProgress.bytes.
      const total = files.reduce((a, f) => a + f.bytes, 0);
      const read = new Float64Array(files.length);
      const onBytes = progress?.bytes
        ? (file: number, bytes: number) => {
            read[file] = bytes;
            let sum = 0;
            for (let i = 0; i < read.length; i++) sum += read[i];
            shown = true;
            progress.bytes!(sum, total);
          }
        : undefined;
      const { deliver, finish } = await numbering.start(
        progress
          ? (row) => {
              if ((++rows & 0x3ffff) === 0) {
                progress.rows(rows);
                shown = true;
              }
              onRow(row);
            }
          : (row) => {
              rows++;
              onRow(row);
            },
      );
      // Runs reduced in the workers count as rows where they stand (only where rows with a
      // session number pass straight through numbering; blank ones are never reduced).
      const red = options.reduce;
      const reduce: ScanCtx['reduce'] =
        red && !join && (sessionSource === 'column' || sessionSource === 'column+date') && !options.onIssue && !options.onRaw && !env.cells.numericMissing
          ? {
              ...red,
              onRun: (client, n, floats, at) => {
                const before = rows;
                rows += n;
                if (progress && before >>> 18 !== rows >>> 18) {
                  progress.rows(rows);
                  shown = true;
                }
                red.onRun(client, n, floats, at);
              },
            }
          : undefined;
      let stats: ScanStats;
      try {
        const row = newRow();
        stats = await assemble(deliver, options.onIssue, options, false, options.need, row, onBytes, reduce);
        const blank = await finish(row);
        if (blank) {
          stats.blankSessions = blank;
          if (!blankNoted) {
            blankNoted = true;
            notes.push(...blankSessionNotes(blank));
          }
        }
      } finally {
        if (shown) progress!.end();
      }
      stats.rows = rows;
      for (const [column, guard] of guardColumns) {
        const note = guard.note(column);
        if (note !== null && !guardNoted.has(guard)) {
          guardNoted.add(guard);
          notes.push(note);
        }
      }
      if (join && stats.unmatched && !joinNoted) {
        joinNoted = true;
        notes.push(
          `joined on client + ${joinOn}: ${stats.unmatched.left} row(s) of ${kindNames(0)} and ${stats.unmatched.right} row(s) of ${kindNames(1)} had no partner (kept, with the other export's measures missing)`,
        );
      }
      return stats;
    },
    columnCells(name) {
      const key = normalizeName(name);
      const bound = Object.entries(options.instruments ?? {}).find(([col]) => col === name || normalizeName(col) === key);
      const inst = bound ? getInstrument(bound[1]) : instrumentForHeader(name);
      return new ColumnCellReader(
        missing,
        inst ? applyOverrides(inst, options) : null,
        files.map((f) => f.decimal),
      );
    },
  };
  return dataset;
}

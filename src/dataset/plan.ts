/**
 * Planning: what each input is and how the inputs make one dataset, decided from the
 * headers alone (no data read).
 *
 * - Each file's header is mapped (./mapping.ts). Flag-named columns must exist somewhere.
 * - The global measure list, alliance first, in order of appearance. A measure is identified
 *   across files by its instrument (so 'SRS' in one export and 'srs_total' in another are the
 *   same measure) unless a file has two columns of that instrument; then, and for plain
 *   measures, by the normalised header name.
 * - File kinds by measure set: files with the same measures are CONCATENATED in the order
 *   given; exactly two kinds are JOINED (./join.ts); more is an error.
 * - The session source (Mapping.sessionSource): a session column when every file has one;
 *   otherwise numbering by date when every file has a date column; otherwise file order.
 * - One Part per file: the field index of every mapped column.
 */
import { UserError } from '../errors.js';
import { normalizeName } from '../instruments/registry.js';
import { fileFacts, mapInput } from './format-source.js';
import { unknownColumnError, type FileMapping } from './mapping.js';
import type { TableSource } from './source.js';
import type { ColumnRef, DateFormat, FileInfo, Mapping, MeasureBinding, ReadOptions, SessionSource } from './types.js';
import type { DateFormatDetector } from './values.js';

/** One input file and how its fields map onto the dataset. */
export interface Part {
  file: number;
  input: TableSource;
  fm: FileMapping;
  kind: number;
  ncols: number;
  client: number;
  session: number;
  date: number;
  therapist: number;
  /** Field index per global group (-1 absent). */
  groups: Int32Array;
  /** Pairs: global measure index, field index. */
  measureG: Int32Array;
  measureF: Int32Array;
  fields: number[];
  /** Projection of the session-numbering pre-pass. */
  keyFields: number[];
  decimal: '.' | ',';
  dateFormat: DateFormat;
  /** Set when the format was decided from the data (so a contradiction is an error); by ./dates.ts. */
  detector: DateFormatDetector | null;
}

export interface Plan {
  files: FileInfo[];
  parts: Part[];
  mapping: Mapping;
  sessionSource: SessionSource;
  /** Two kinds of export, joined on client + joinOn. */
  join: boolean;
  joinOn: 'session' | 'date';
  /** Mapping.notes (the same array). */
  notes: string[];
}

/**
 * A --by column is read as a grouping column (ReadOptions.byGroups) unless it is the
 * therapist column, named or detected: `--by therapist_id` must not take the therapist
 * column away from the therapist role (the analyses split by the therapist then). The
 * mapping without the --by columns tells which column the therapist is.
 */
function withoutTherapistBy(inputs: TableSource[], options: ReadOptions, files: FileInfo[]): ReadOptions {
  const by = options.byGroups ?? [];
  if (by.length === 0) return options;
  const key = (s: string) => normalizeName(s) || s.trim().toLowerCase();
  const named = new Set((options.groups ?? []).filter((g) => !by.includes(g)).map(key));
  const onlyBy = new Set(by.filter((g) => !named.has(key(g))).map(key));
  const probe: ReadOptions = { ...options, groups: (options.groups ?? []).filter((g) => !onlyBy.has(key(g))) };
  let therapists: string[];
  try {
    therapists = inputs.map((inp, i) => mapInput(inp, probe, { file: files[i].display, line: inp.headerLine }).therapist?.name ?? '');
  } catch {
    return options; // the real mapping below reports the problem
  }
  const isTherapist = (g: string) => onlyBy.has(key(g)) && therapists.some((t) => t !== '' && key(t) === key(g));
  if (!(options.groups ?? []).some(isTherapist)) return options;
  return { ...options, groups: (options.groups ?? []).filter((g) => !isTherapist(g)) };
}

export function planDataset(paths: string[], inputs: TableSource[], options: ReadOptions): Plan {
  const files: FileInfo[] = inputs.map((inp, i) => ({
    path: paths[i],
    display: paths[i] === '-' ? inp.display : paths[i],
    bytes: inp.bytes,
    rows: 0,
    digest: inp.digest(),
    encoding: inp.encoding,
    delimiter: inp.delimiter,
    decimal: inp.decimal,
    header: inp.header,
    headerLine: inp.headerLine,
    ...fileFacts(inp),
  }));
  options = withoutTherapistBy(inputs, options, files);
  const fms = inputs.map((inp, i) => mapInput(inp, options, { file: files[i].display, line: inp.headerLine }));

  // Flag-named measure/group columns must exist in at least one file.
  for (const name of new Set(fms.flatMap((fm) => fm.absent))) {
    if (fms.every((fm) => fm.absent.includes(name))) {
      const flag = (options.groups ?? []).includes(name)
        ? '--group'
        : (options.alliance ?? []).includes(name)
          ? '--alliance'
          : (options.outcome ?? []).includes(name)
            ? '--outcome'
            : '--instrument';
      throw unknownColumnError(name, flag, inputs[0].header, { file: files[0].display, line: inputs[0].headerLine });
    }
  }

  // Global measure list, alliance first, in order of appearance. A measure is identified
  // across files by its instrument (so 'SRS' in one export and 'srs_total' in another are
  // the same measure) unless a file has two columns of that instrument; then, and for
  // plain measures, by the normalised header name.
  const keyOf = new Map<MeasureBinding, string>();
  for (const fm of fms) {
    const perInst = new Map<string, number>();
    for (const m of fm.measures) if (m.instrument) perInst.set(m.instrument.id, (perInst.get(m.instrument.id) ?? 0) + 1);
    for (const m of fm.measures) {
      const byInst = m.instrument && perInst.get(m.instrument.id) === 1;
      keyOf.set(m, byInst ? `instrument:${m.instrument!.id}` : `column:${normalizeName(m.name) || m.name}`);
    }
  }
  const measureKey = (m: MeasureBinding) => keyOf.get(m)!;
  const measures: MeasureBinding[] = [];
  const measureIndex = new Map<string, number>();
  for (const role of ['alliance', 'outcome'] as const) {
    for (const fm of fms) {
      for (const m of fm.measures) {
        if (m.role !== role) continue;
        const k = measureKey(m);
        const prev = measureIndex.get(k);
        if (prev === undefined) {
          measureIndex.set(k, measures.length);
          measures.push(m);
        } else if (measures[prev].role !== m.role) {
          throw new UserError(`column '${m.name}' is an ${m.role} measure in one file and an ${measures[prev].role} measure in another`, {
            hint: `Say which with --${measures[prev].role} '${m.name}' (or --${m.role})`,
          });
        }
      }
    }
  }
  // Kinds of file: by measure set.
  const shapeOf = (fm: FileMapping) => fm.measures.map(measureKey).sort().join('\u0000');
  const shapes: string[] = [];
  const kinds = fms.map((fm) => {
    const s = shapeOf(fm);
    let k = shapes.indexOf(s);
    if (k < 0) k = shapes.push(s) - 1;
    return k;
  });
  if (shapes.length > 2) {
    throw new UserError(`the inputs have ${shapes.length} different sets of measure columns; only two kinds of export can be joined`, {
      location: { file: files[kinds.indexOf(2)].display, line: inputs[kinds.indexOf(2)].headerLine },
      hint: 'Give exports with the same measure columns (they are concatenated) or exactly two kinds (joined on client + session)',
    });
  }
  const join = shapes.length === 2;
  const joinOn = options.joinOn ?? 'session';

  const notes: string[] = [];
  if (fms.length === 1) notes.push(...fms[0].notes);
  else {
    fms.forEach((fm, i) => {
      notes.push(`${files[i].display}:`);
      for (const n of fm.notes) notes.push('  ' + n);
    });
  }

  // Session source.
  const allSession = fms.every((fm) => fm.session);
  const allDate = fms.every((fm) => fm.date);
  let sessionSource: SessionSource;
  if (join && joinOn === 'session' && !allSession) {
    const i = fms.findIndex((fm) => !fm.session);
    throw new UserError('cannot join on session: this file has no session column', {
      location: { file: files[i].display, line: inputs[i].headerLine },
      hint: allDate ? 'Join on dates with --join-on date, or name the column with --session' : 'Name the session column with --session',
    });
  }
  if (join && joinOn === 'date' && !allDate) {
    const i = fms.findIndex((fm) => !fm.date);
    throw new UserError('cannot join on date: this file has no date column', {
      location: { file: files[i].display, line: inputs[i].headerLine },
      hint: 'Name the date column with --date, or join on session numbers with --join-on session',
    });
  }
  if (allSession) sessionSource = allDate ? 'column+date' : 'column';
  else if (allDate) sessionSource = 'date';
  else sessionSource = 'file-order';
  if (sessionSource === 'date') {
    notes.push('sessions numbered 1..n by date within each client (no session column; ties keep file order)');
    fms.forEach((fm, i) => {
      if (fm.session) notes.push(`session column '${fm.session.name}' in ${files[i].display} ignored: not in every file`);
    });
  } else if (sessionSource === 'file-order') {
    notes.push('sessions numbered 1..n in file order within each client (no session or date column)');
    fms.forEach((fm, i) => {
      if (fm.session) notes.push(`session column '${fm.session.name}' in ${files[i].display} ignored: not in every file`);
      if (fm.date) notes.push(`date column '${fm.date.name}' in ${files[i].display} not used for numbering: not in every file`);
    });
  }
  if (measures.length === 0) notes.push('no measure columns (name them with --alliance / --outcome)');

  // Global groups.
  const groupNames = options.groups ?? [];
  const groupRefs: ColumnRef[] = groupNames.map((g, gi) => fms.map((fm) => fm.groups[gi]).find((r) => r !== undefined)!);

  const useSession = sessionSource === 'column' || sessionSource === 'column+date';
  const parts: Part[] = inputs.map((input, i) => {
    const fm = fms[i];
    const groups = new Int32Array(groupNames.length).fill(-1);
    fm.groups.forEach((r, gi) => {
      if (r) groups[gi] = r.index;
    });
    const mg: number[] = [];
    const mf: number[] = [];
    for (const m of fm.measures) {
      mg.push(measureIndex.get(measureKey(m))!);
      mf.push(m.index);
    }
    const client = fm.client.index;
    const session = useSession && fm.session ? fm.session.index : -1;
    const date = fm.date ? fm.date.index : -1;
    const therapist = fm.therapist ? fm.therapist.index : -1;
    const fields = [...new Set([client, session, date, therapist, ...groups, ...mf].filter((f) => f >= 0))].sort((a, b) => a - b);
    return {
      file: i,
      input,
      fm,
      kind: kinds[i],
      ncols: input.header.length,
      client,
      session,
      date,
      therapist,
      groups,
      measureG: Int32Array.from(mg),
      measureF: Int32Array.from(mf),
      fields,
      keyFields: [...new Set([client, session, date].filter((f) => f >= 0))].sort((a, b) => a - b),
      decimal: input.decimal,
      dateFormat: options.dateFormat ?? 'iso',
      detector: null,
    };
  });

  const mapping: Mapping = {
    client: fms[0].client,
    session: fms.find((fm) => fm.session)?.session,
    date: fms.find((fm) => fm.date)?.date,
    therapist: fms.find((fm) => fm.therapist)?.therapist,
    measures,
    groups: groupRefs,
    sessionSource,
    notes,
  };
  if (!useSession) mapping.session = undefined;

  return { files, parts, mapping, sessionSource, join, joinOn, notes };
}

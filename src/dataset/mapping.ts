/**
 * Column mapping: which header is the client id, the session number, the date, the
 * therapist, the grouping columns and the measures, either from flags/config or detected
 * from common header spellings. Detection never guesses between two equally plausible
 * columns: ambiguity is a UserError naming the candidates and the flag that resolves it.
 */
import { UserError } from '../errors.js';
import { getInstrument, instrumentForHeader, normalizeName, validInstrumentIds, withOverrides } from '../instruments/registry.js';
import { closest } from '../names.js';
import type { Instrument } from '../instruments/types.js';
import type { ColumnRef, MeasureBinding, ReadOptions } from './types.js';

/** (The header suggestion, shared with config keys: src/names.ts.) */
export { closest };

/** Normalised header spellings per role (see normalizeName), best tier first. */
export const CLIENT_NAMES: string[][] = [
  [
    'clientid',
    'client',
    'clientno',
    'clientnumber',
    'clientcode',
    'patient',
    'patientid',
    'participant',
    'participantid',
    'subject',
    'subjectid',
    'patientno',
    'patientnumber',
    'participantno',
    'participantnumber',
    'subjectno',
    'subjectnumber',
  ],
  ['id'],
];
export const SESSION_NAMES: string[][] = [
  [
    'session',
    'sessionnumber',
    'sessionno',
    'sessionnr',
    'sessionnum',
    'sessno',
    'sessnum',
    'sess',
    'visit',
    'visitnumber',
    'visitno',
    'visitnum',
    'appointmentnumber',
    'appointmentno',
  ],
];
export const DATE_NAMES: string[][] = [
  ['date', 'sessiondate', 'visitdate', 'appointmentdate', 'dateofsession', 'datetime', 'sessiondatetime', 'appointmentdatetime'],
];
export const THERAPIST_NAMES: string[][] = [
  ['therapist', 'therapistid', 'clinician', 'clinicianid', 'provider', 'providerid', 'counsellor', 'counsellorid', 'counselor', 'counselorid'],
];
/** Generic measure headers bound as plain numeric measures. */
export const GENERIC_MEASURES: Record<string, 'alliance' | 'outcome'> = {
  alliance: 'alliance',
  alliancescore: 'alliance',
  alliancetotal: 'alliance',
  outcome: 'outcome',
  outcomescore: 'outcome',
  outcometotal: 'outcome',
};

/** The mapping of one file (measures present in this file only). */
export interface FileMapping {
  client: ColumnRef;
  session?: ColumnRef;
  date?: ColumnRef;
  therapist?: ColumnRef;
  /** One entry per ReadOptions.groups (undefined when this file lacks it). */
  groups: (ColumnRef | undefined)[];
  measures: MeasureBinding[];
  /** Flag-named measure/group columns this file does not have (checked across files). */
  absent: string[];
  notes: string[];
}

type How = 'flag' | 'config';

/** Where a header is (for error locations): file display name and header line. */
export interface HeaderAt {
  file: string;
  line: number;
}

function howOf(opts: ReadOptions, key: string): How {
  return opts.origin?.[key] === 'config' ? 'config' : 'flag';
}

function listHeaders(header: readonly string[]): string {
  return header.map((h) => `'${h}'`).join(', ');
}

/**
 * Finds the field index of a column named by a flag: exact text first, then a unique
 * case-/space-/punctuation-insensitive match. Returns -1 when absent.
 */
export function findColumn(header: readonly string[], name: string): number {
  const exact = header.indexOf(name);
  if (exact >= 0) return exact;
  const trimmed = header.findIndex((h) => h.trim() === name.trim());
  if (trimmed >= 0) return trimmed;
  const key = normalizeName(name);
  if (key === '') return -1;
  let found = -1;
  for (let i = 0; i < header.length; i++) {
    if (normalizeName(header[i]) === key) {
      if (found >= 0) return -1; // two spellings: require the exact one
      found = i;
    }
  }
  return found;
}

export function unknownColumnError(name: string, flag: string, header: readonly string[], where: string | HeaderAt): UserError {
  const at: HeaderAt = typeof where === 'string' ? { file: where, line: 1 } : where;
  const near = closest(name, header);
  return new UserError(`column '${name}' (from ${flag}) is not in the header`, {
    location: { ...at },
    hint: `${near ? `Did you mean '${near}'? ` : ''}Available columns: ${listHeaders(header)}`,
    code: 'unknown-column',
    key: flag,
    column: name,
  });
}

function requireColumn(header: readonly string[], name: string, flag: string, at: HeaderAt, how: How): ColumnRef {
  const i = findColumn(header, name);
  if (i < 0) throw unknownColumnError(name, flag, header, at);
  return { name: header[i], index: i, how };
}

/** Detects a role column by its tiers; throws on two candidates in the winning tier. */
function detect(header: readonly string[], tiers: string[][], used: Set<number>, role: string, flag: string, at: HeaderAt): ColumnRef | undefined {
  for (const tier of tiers) {
    const hits: number[] = [];
    for (let i = 0; i < header.length; i++) {
      if (!used.has(i) && tier.includes(normalizeName(header[i]))) hits.push(i);
    }
    if (hits.length === 1) return { name: header[hits[0]], index: hits[0], how: 'detected' };
    if (hits.length > 1) {
      throw new UserError(`${hits.length} columns look like the ${role}: ${hits.map((i) => `'${header[i]}'`).join(', ')}`, {
        location: { ...at },
        hint: `Say which one with ${flag} COLUMN`,
      });
    }
  }
  return undefined;
}

function resolveInstrument(id: string, opts: ReadOptions, column: string): Instrument {
  const inst = getInstrument(id);
  if (!inst) {
    throw new UserError(`unknown instrument '${id}' for column '${column}'`, {
      location: {},
      hint: `Valid instrument ids: ${validInstrumentIds()}`,
    });
  }
  return applyOverrides(inst, opts);
}

export function applyOverrides(inst: Instrument, opts: ReadOptions): Instrument {
  const o = opts.instrumentOverrides;
  if (!o) return inst;
  for (const [id, fields] of Object.entries(o)) {
    if (normalizeName(id) === normalizeName(inst.id)) return withOverrides(inst, fields);
  }
  return inst;
}

function describeRef(role: string, ref: ColumnRef): string {
  return `${role} <- '${ref.name}' (${ref.how === 'detected' ? 'detected' : `--${role}` + (ref.how === 'config' ? ' in config' : '')})`;
}

/**
 * Maps one file's header. `opts` columns named by flags must exist in this file for the
 * key columns (client, session, date, therapist); measure and group columns named by flags
 * may be absent (they may live in another export that gets joined) and are listed in
 * `absent` for the caller to check across files.
 */
export function mapFile(header: readonly string[], opts: ReadOptions, where: string | HeaderAt): FileMapping {
  const at: HeaderAt = typeof where === 'string' ? { file: where, line: 1 } : where;
  const used = new Set<number>();
  const notes: string[] = [];
  const absent: string[] = [];

  // Explicitly named columns are reserved first, so detection never takes them.
  const explicitNames = [
    ...(opts.alliance ?? []),
    ...(opts.outcome ?? []),
    ...(opts.groups ?? []),
    ...Object.keys(opts.instruments ?? {}),
    ...[opts.client, opts.session, opts.date, opts.therapist].filter((n): n is string => n !== undefined),
  ];
  for (const n of explicitNames) {
    const i = findColumn(header, n);
    if (i >= 0) used.add(i);
  }

  const pick = (field: 'client' | 'session' | 'date' | 'therapist', tiers: string[][], role: string): ColumnRef | undefined => {
    const name = opts[field];
    const ref = name !== undefined ? requireColumn(header, name, `--${field}`, at, howOf(opts, field)) : detect(header, tiers, used, role, `--${field}`, at);
    if (ref) used.add(ref.index);
    return ref;
  };

  const client = pick('client', CLIENT_NAMES, 'client id');
  if (!client) {
    // The client column may have been taken as a measure or grouping column (--by client_id):
    // say so rather than claim there is none.
    const taken = header.findIndex((h, i) => used.has(i) && CLIENT_NAMES.some((tier) => tier.includes(normalizeName(h))));
    if (taken >= 0) {
      throw new UserError(
        `column '${header[taken]}' looks like the client id but is given another role (a measure, a group or --by column, or --session, --date or --therapist)`,
        {
          location: { ...at, column: header[taken] },
          hint: 'A column has one role: group or measure by another column, or name the client column with --client COLUMN',
        },
      );
    }
    throw new UserError('no client id column found', {
      location: { ...at },
      hint: `Name it with --client COLUMN (columns: ${listHeaders(header)})`,
      code: 'no-client-column',
    });
  }
  const session = pick('session', SESSION_NAMES, 'session number');
  const date = pick('date', DATE_NAMES, 'session date');
  const therapist = pick('therapist', THERAPIST_NAMES, 'therapist');
  notes.push(describeRef('client', client));
  if (session) notes.push(describeRef('session', session));
  if (date) notes.push(describeRef('date', date));
  if (therapist) notes.push(describeRef('therapist', therapist));

  const groups: (ColumnRef | undefined)[] = [];
  for (const g of opts.groups ?? []) {
    const i = findColumn(header, g);
    if (i < 0) {
      absent.push(g);
      groups.push(undefined);
      continue;
    }
    const ref: ColumnRef = { name: header[i], index: i, how: howOf(opts, 'groups') };
    used.add(i);
    groups.push(ref);
    notes.push(`group <- '${ref.name}' (--group${ref.how === 'config' ? ' in config' : ''})`);
  }

  // Measures.
  const measures: MeasureBinding[] = [];
  const bound = opts.instruments ?? {};
  const boundByIndex = new Map<number, Instrument>();
  for (const [col, id] of Object.entries(bound)) {
    const inst = resolveInstrument(id, opts, col);
    const i = findColumn(header, col);
    if (i < 0) {
      absent.push(col);
      continue;
    }
    boundByIndex.set(i, inst);
  }
  const instHow = howOf(opts, 'instruments');

  const bind = (i: number, role: 'alliance' | 'outcome', how: ColumnRef['how']): MeasureBinding => {
    const explicit = boundByIndex.get(i);
    let instrument: Instrument | null = null;
    let instrumentHow: MeasureBinding['instrumentHow'] = 'none';
    if (explicit) {
      instrument = explicit;
      instrumentHow = instHow;
    } else {
      const det = instrumentForHeader(header[i]);
      if (det) {
        instrument = applyOverrides(det, opts);
        instrumentHow = 'detected';
      }
    }
    if (instrument && instrument.construct !== role && how !== 'detected') {
      const flag = `--${role}`;
      if (instrumentHow === 'detected') {
        throw new UserError(`column '${header[i]}' looks like ${instrument.id}, an ${instrument.construct} measure, but was given as ${flag}`, {
          location: { ...at },
          hint: `Use --${instrument.construct} '${header[i]}', or bind another instrument with --instrument '${header[i]}=ID'`,
        });
      }
    }
    return { name: header[i], index: i, how, role, instrument, instrumentHow };
  };

  const flagged = new Set<number>();
  for (const role of ['alliance', 'outcome'] as const) {
    for (const col of opts[role] ?? []) {
      const i = findColumn(header, col);
      if (i < 0) {
        absent.push(col);
        continue;
      }
      if (flagged.has(i)) {
        throw new UserError(`column '${header[i]}' is named twice as a measure`, {
          location: { ...at },
          hint: 'Give each column once, in --alliance or --outcome',
        });
      }
      flagged.add(i);
      used.add(i);
      measures.push(bind(i, role, howOf(opts, role)));
    }
  }
  // Columns bound with --instrument but not listed by role: their instrument says the role.
  for (const [i, inst] of boundByIndex) {
    if (flagged.has(i)) continue;
    flagged.add(i);
    used.add(i);
    measures.push(bind(i, inst.construct, instHow));
  }
  // Detection for roles not given by flags.
  const detected: MeasureBinding[] = [];
  for (let i = 0; i < header.length; i++) {
    if (used.has(i)) continue;
    const inst = instrumentForHeader(header[i]);
    const role = inst ? inst.construct : GENERIC_MEASURES[normalizeName(header[i])];
    if (!role) continue;
    if (opts[role] !== undefined) continue; // the flag lists this role's measures
    detected.push(bind(i, role, 'detected'));
  }
  // Two columns for the same instrument is ambiguous (e.g. 'srs' and 'SRS total').
  const byInst = new Map<string, MeasureBinding[]>();
  for (const m of detected) {
    const k = m.instrument ? m.instrument.id : `generic:${m.role}:${normalizeName(m.name)}`;
    const list = byInst.get(k) ?? [];
    list.push(m);
    byInst.set(k, list);
  }
  for (const [k, list] of byInst) {
    if (list.length > 1) {
      const role = list[0].role;
      throw new UserError(
        `${list.length} columns look like ${k.startsWith('generic:') ? `the ${role} measure` : k}: ${list.map((m) => `'${m.name}'`).join(', ')}`,
        { location: { ...at }, hint: `Say which one with --${role} COLUMN` },
      );
    }
  }
  measures.push(...detected);
  // Alliance first, then outcome; within a role in header order for detected, flag order otherwise.
  const ordered = [...measures.filter((m) => m.role === 'alliance'), ...measures.filter((m) => m.role === 'outcome')];
  for (const m of ordered) notes.push(describeMeasure(m));
  return { client, session, date, therapist, groups, measures: ordered, absent, notes };
}

export function describeMeasure(m: MeasureBinding): string {
  const col = m.how === 'detected' ? '' : `, --${m.role}${m.how === 'config' ? ' in config' : ''}`;
  if (!m.instrument) return `${m.name} -> plain numeric ${m.role} measure (no instrument: no range checks${col})`;
  const how = m.instrumentHow === 'detected' ? 'detected from header' : `--instrument${m.instrumentHow === 'config' ? ' in config' : ''}`;
  return `${m.name} -> ${m.instrument.id} (${m.role}, ${how}${col})`;
}

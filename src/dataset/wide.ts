/**
 * Wide layout: one row per client, one column per measure and session (`srs_1`, `SRS_s1`,
 * `ors.t2`, `phq9_w3`, `bdi_t4`, `SRS Session 1`), with per-session dates (`date_s1`) when
 * present. Reshaped to long in the stream: each wide row becomes one record per session
 * that has any cell filled, with the columns that carry no session index (client,
 * therapist, site) repeated. Nothing but the current row is held, plus 6 bytes per
 * emitted record to locate its cells.
 *
 * Detection (header only) when --wide is not given: a column name is "stem, optional
 * separator, optional time word (t, s, w, v, wk, week, session, sess, time, wave, visit,
 * timepoint), number". The file is read as wide when it has no session and no date column
 * of its own and at least one stem that is not a date has two or more indices including 0
 * or 1 (so `phq9` alone, or `core10` beside `core34`, is not wide). `--wide` forces it;
 * `--wide PATTERN` names the columns with {measure} and {session}, e.g.
 * `--wide 'T{session}-{measure}'`. The reshaped header is the repeated columns, `session`,
 * then one column per stem named by the stem in lower case (`SRS Session 1` -> `srs`, so
 * `--outcome phq9` names it whatever the capitals in the file); a date stem keeps its spelling.
 *
 * Errors: two columns giving the same stem and session (`srs_1` and `SRS_s1`); a forced
 * --wide that matches no column; a client with two rows ("looks wide but cannot be
 * reshaped").
 */
import { UserError, type Location } from '../errors.js';
import { normalizeName } from '../instruments/registry.js';
import type { ColumnRoles } from '../io/table.js';
import type { FormatSource } from './format-source.js';
import type { TableReadOptions, TableReadStats, TableRecordHandler } from './source.js';
import { DATE_NAMES, SESSION_NAMES } from './mapping.js';
import type { ReadOptions as DatasetOptions } from './types.js';

const TIME_WORD = /(?:^|[\s_.-])(?:timepoint|session|visit|week|wave|time|sess|wk|t|s|w|v)$/i;
const TRAILING_NUMBER = /^(.*?)(\d{1,3})$/;
const TRAILING_SEP = /[\s_.-]+$/;

/**
 * A header as stem + session number: the trailing number, then separators, then a time
 * word only when a separator (or nothing) precedes it: srs_1, SRS_s1, ors.t2, phq9_w3,
 * 'SRS Session 1' -> srs, SRS, ors, phq9, SRS; null when there is no trailing number or
 * no stem is left.
 */
export function splitIndexed(name: string): { stem: string; session: number } | null {
  const m = TRAILING_NUMBER.exec(name.trim());
  if (!m) return null;
  let stem = m[1].replace(TRAILING_SEP, '');
  const w = TIME_WORD.exec(stem);
  if (w && w.index + w[0].length === stem.length) {
    const cut = stem.slice(0, w.index).replace(TRAILING_SEP, '');
    if (cut !== '' || w.index > 0) stem = cut;
  }
  stem = stem.replace(TRAILING_SEP, '');
  return stem === '' ? null : { stem, session: Number(m[2]) };
}

interface Indexed {
  col: number;
  stem: string;
  session: number;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A --wide pattern as a regular expression with groups measure, session. */
export function patternRe(pattern: string): RegExp {
  if (!pattern.includes('{measure}') || !pattern.includes('{session}')) {
    throw new UserError(`--wide pattern '${pattern}' needs both {measure} and {session}`, {
      hint: "For example --wide '{measure}_t{session}' for columns srs_t1, srs_t2, ...",
    });
  }
  const parts = pattern.split(/(\{measure\}|\{session\})/);
  const src = parts.map((p) => (p === '{measure}' ? '(?<measure>.+?)' : p === '{session}' ? '(?<session>\\d{1,4})' : escapeRe(p))).join('');
  return new RegExp(`^${src}$`, 'i');
}

function parseHeader(header: string[], re: RegExp | null): Indexed[] {
  const out: Indexed[] = [];
  header.forEach((h, col) => {
    const t = h.trim();
    if (re) {
      const m = re.exec(t);
      if (m?.groups) out.push({ col, stem: m.groups.measure.trim(), session: Number(m.groups.session) });
      return;
    }
    const m = splitIndexed(t);
    if (m) out.push({ col, stem: m.stem, session: m.session });
  });
  return out;
}

const isDateStem = (s: string) => DATE_NAMES.some((tier) => tier.includes(normalizeName(s)));

/**
 * The input reshaped when it is wide (forced by `wide`, or detected), else the input as is.
 */
export function maybeWide(input: FormatSource, options: DatasetOptions): FormatSource {
  const header = input.header;
  const wide = options.wide === 'true' ? true : options.wide === 'false' ? false : options.wide;
  const forced = wide !== undefined && wide !== false;
  const re = typeof wide === 'string' && wide !== '' ? patternRe(wide) : null;
  let idx = parseHeader(header, re);
  const where = { file: input.display, line: input.headerLine > 0 ? input.headerLine : undefined };
  if (!re) {
    const named = (names: string[][], flag: string | undefined) =>
      flag !== undefined || header.some((h) => names.some((tier) => tier.includes(normalizeName(h))));
    if (!forced && (named(SESSION_NAMES, options.session) || named(DATE_NAMES, options.date))) return input;
    const byStem = new Map<string, Set<number>>();
    for (const c of idx) {
      const k = c.stem.toLowerCase();
      if (!byStem.has(k)) byStem.set(k, new Set());
      byStem.get(k)!.add(c.session);
    }
    const wideStems = [...byStem].filter(([stem, s]) => !isDateStem(stem) && s.size >= 2 && (s.has(0) || s.has(1)));
    if (wideStems.length === 0) {
      if (!forced) return input;
      throw new UserError('the file was to be read as wide (--wide) but no measure has columns for two or more sessions (like srs_1, srs_2)', {
        location: where,
        hint: `Name the pattern, e.g. --wide '{measure}_t{session}' or --wide 'T{session}-{measure}' (columns: ${header.slice(0, 6).join(', ')}${header.length > 6 ? ', ...' : ''})`,
      });
    }
    const keep = new Set(wideStems.map(([s]) => s));
    for (const [stem, s] of byStem) if (isDateStem(stem) && s.size >= 2) keep.add(stem);
    idx = idx.filter((c) => keep.has(c.stem.toLowerCase()));
  } else if (idx.length === 0) {
    throw new UserError(`--wide '${String(options.wide)}' matches no column`, {
      location: where,
      hint: `Name the pattern the columns follow, e.g. --wide '{measure}_t{session}' (columns: ${header.slice(0, 6).join(', ')}${header.length > 6 ? ', ...' : ''})`,
    });
  }
  // Stems in order of first appearance, keyed case-insensitively.
  const stems: string[] = [];
  const stemKey = new Map<string, number>();
  for (const c of idx) {
    const k = c.stem.toLowerCase();
    if (!stemKey.has(k)) stemKey.set(k, stems.push(isDateStem(c.stem) ? c.stem : k) - 1);
  }
  const sessions = [...new Set(idx.map((c) => c.session))].sort((a, b) => a - b);
  const sIndex = new Map(sessions.map((s, i) => [s, i]));
  // colOf[stem * S + session] = source column (-1 none)
  const S = sessions.length;
  const colOf = new Int32Array(stems.length * S).fill(-1);
  for (const c of idx) {
    const slot = stemKey.get(c.stem.toLowerCase())! * S + sIndex.get(c.session)!;
    if (colOf[slot] >= 0) {
      throw new UserError(
        `the file looks wide but cannot be reshaped: columns '${header[colOf[slot]]}' and '${header[c.col]}' both give ${c.stem} at session ${c.session}`,
        {
          location: where,
          hint: 'Rename or drop one of them, or name the pattern with --wide',
        },
      );
    }
    colOf[slot] = c.col;
  }
  const indexedCols = new Set(idx.map((c) => c.col));
  const fixed = header.map((_, i) => i).filter((i) => !indexedCols.has(i));
  const sessionName = 'session';
  if (fixed.some((i) => normalizeName(header[i]) === sessionName)) {
    throw new UserError(`the file looks wide but cannot be reshaped: it already has a column '${sessionName}'`, {
      location: where,
      hint: 'Rename that column, or read the file as long (name the measures with --alliance/--outcome)',
    });
  }
  const outHeader = [...fixed.map((i) => header[i]), sessionName, ...stems];
  const F = fixed.length;
  const width = outHeader.length;
  let clientField = -1;
  // Per emitted record: source line and session slot (to locate cells).
  let srcLine = new Float64Array(1024);
  let srcSlot = new Uint16Array(1024);

  const read = async (onRecord: TableRecordHandler, opts?: TableReadOptions): Promise<TableReadStats> => {
    const out = new Array<string>(width).fill('');
    let r = 0;
    const seen = new Map<string, number>();
    const stat = await input.read(
      (fields, line) => {
        if (fields.length !== header.length) {
          // A ragged wide row: passed on as is, so validate reports it (and analyses drop it).
          r++;
          ensure(r);
          srcLine[r] = line;
          srcSlot[r] = 0;
          onRecord(fields, r);
          return;
        }
        if (clientField >= 0) {
          const c = fields[fixed[clientField]].trim();
          if (c !== '') {
            const prev = seen.get(c);
            if (prev !== undefined) {
              const before = input.locate(prev, -1);
              throw new UserError(
                `the file looks wide but cannot be reshaped: client '${c.length > 40 ? c.slice(0, 40) + '...' : c}' has two rows (${before.cell ?? `line ${before.line}`} and this one)`,
                {
                  location: input.locate(line, -1),
                  hint: 'A wide file has one row per client; if the file is long already, name its session column with --session (or leave out --wide)',
                },
              );
            }
            seen.set(c, line);
          }
        }
        for (let k = 0; k < F; k++) out[k] = fields[fixed[k]];
        for (let s = 0; s < S; s++) {
          let any = false;
          for (let m = 0; m < stems.length; m++) {
            const col = colOf[m * S + s];
            const v = col >= 0 ? fields[col] : '';
            out[F + 1 + m] = v;
            if (v.trim() !== '') any = true;
          }
          if (!any) continue;
          out[F] = String(sessions[s]);
          r++;
          ensure(r);
          srcLine[r] = line;
          srcSlot[r] = s;
          onRecord(out, r);
        }
      },
      opts?.onProgress ? { onProgress: opts.onProgress } : undefined,
    );
    void stat;
    return { records: r };
  };
  const ensure = (r: number) => {
    if (r < srcLine.length) return;
    const a = new Float64Array(srcLine.length * 2);
    a.set(srcLine);
    srcLine = a;
    const b = new Uint16Array(srcSlot.length * 2);
    b.set(srcSlot);
    srcSlot = b;
  };
  const sourceField = (r: number, field: number): number => {
    if (field < 0) return -1;
    if (field < F) return fixed[field];
    if (field === F) return -1;
    return colOf[(field - F - 1) * S + srcSlot[r]];
  };
  const measureStems = stems.filter((x) => !isDateStem(x));
  const dateStem = stems.find(isDateStem);
  const layout = `wide: one row per client, ${measureStems.length} measure${measureStems.length === 1 ? '' : 's'} (${measureStems.join(', ')}${dateStem ? `; dates from ${dateStem}` : ''}) over sessions ${sessions[0]}..${sessions[S - 1]}, reshaped to one row per session${re ? ` (--wide '${options.wide}')` : forced ? ' (--wide)' : ' (detected from the column names)'}`;
  return {
    ...input,
    header: outHeader,
    read,
    readRanges: null,
    layout,
    notes: [...(input.notes ?? []), `read as ${layout}`],
    locate(r: number, field: number): Location {
      const line = srcLine[r];
      const f = sourceField(r, field);
      const own = input.locate(line, f);
      if (own.cell !== undefined) return own;
      return { file: input.display, cell: f >= 0 ? `line ${line}, column ${header[f]}` : `line ${line}` };
    },
    sourceLine: (r: number) => srcLine[r],
    configure(roles: ColumnRoles) {
      clientField = roles.client >= 0 && roles.client < F ? roles.client : -1;
      input.configure?.({
        client: clientField >= 0 ? fixed[clientField] : -1,
        dates: roles.dates.flatMap((d) => allSources(d)),
        measures: roles.measures.flatMap((d) => allSources(d)),
      });
    },
  };
  function allSources(field: number): number[] {
    if (field < F) return [fixed[field]];
    if (field === F) return [];
    const out: number[] = [];
    for (let s = 0; s < S; s++) {
      const c = colOf[(field - F - 1) * S + s];
      if (c >= 0) out.push(c);
    }
    return out;
  }
}

/**
 * The report's filters (report.filters: a period, a column's values): a Dataset that
 * delivers only the selected sessions, and the check that the filters select something.
 */
import { UserError } from '../../errors.js';
import { parseDate } from '../../dataset/values.js';
import type { Dataset, SessionRow } from '../../dataset/types.js';
import type { ReportSettings } from './config.js';

/**
 * Keeps only the sessions the filters select (validation always sees every row). A period
 * (from/to) selects the clients with a session dated in it and keeps each one's sessions up
 * to the period's end, earlier ones included: change is measured over a client's course up
 * to the end of the period, never inside one month. Sessions without a date are left out.
 */
export async function filteredDataset(
  ds: Dataset,
  s: Pick<ReportSettings, 'filters'>,
  scanFrom: Dataset = ds,
): Promise<{ dataset: Dataset; describe: string[] }> {
  const f = s.filters;
  const from = f.from ? parseDate(f.from, 'iso') : -Infinity;
  const to = f.to ? parseDate(f.to, 'iso') : Infinity;
  const words: string[] = [];
  let pick: ((row: SessionRow) => boolean) | null = null;
  if (f.column && f.values) {
    const want = new Set(f.values);
    const col = f.column.toLowerCase();
    const g = ds.mapping.groups.findIndex((x) => x.name.toLowerCase() === col);
    const isTherapist = g < 0 && (col === 'therapist' || ds.mapping.therapist?.name.toLowerCase() === col);
    if (g < 0 && !isTherapist)
      throw new UserError(`filter column '${f.column}' is not in the data`, { hint: 'Name a group column (e.g. site) or the therapist column' });
    if (isTherapist && !ds.mapping.therapist)
      throw new UserError('filter by therapist, but no therapist column was found', { hint: 'Name it with therapist: COLUMN' });
    const cache: (boolean | undefined)[] = [];
    pick = (row) => {
      const level = isTherapist ? row.therapist : row.groups[g];
      if (level < 0) return false;
      let keep = cache[level];
      if (keep === undefined) keep = cache[level] = want.has(isTherapist ? ds.therapists[level] : ds.groupLevels[g][level]);
      return keep;
    };
    words.push(`${f.column} in ${f.values.join(', ')}`);
  }
  const period = Boolean(f.from || f.to);
  let active: Set<number> | null = null;
  if (period) {
    const written =
      f.written && (f.written.from !== f.from || f.written.to !== f.to)
        ? ` (${f.written.from ?? 'any time'} to ${f.written.to ?? 'any time'} as of ${f.asOf})`
        : '';
    words.push(
      `clients with a session dated ${f.from ?? 'any time'} to ${f.to ?? 'any time'}${written}, each with all their dated sessions up to ${f.to ?? 'the last'}: change is measured over the client's course up to the end of the period, not inside it (sessions without a date are left out)`,
    );
    // Client indices are dense but grow while the data is read: a set, not a sized array.
    const seen = new Set<number>();
    await scanFrom.scan(
      (row) => {
        if (row.date >= from && row.date <= to && (!pick || pick(row))) seen.add(row.client);
      },
      { need: { date: true, therapist: pick !== null, groups: pick !== null } },
    );
    active = seen;
  }
  if (words.length === 0) return { dataset: ds, describe: [] };
  const keepRow = (row: SessionRow) => {
    if (active) {
      if (!(row.date <= to) || !active.has(row.client)) return false;
    }
    return pick ? pick(row) : true;
  };
  // The parts of a row the filters read, whatever a scan's `need` says.
  const reads = { date: Boolean(f.from || f.to), therapist: pick !== null, groups: pick !== null };
  return { dataset: remapped(ds, keepRow, reads), describe: words };
}

/** Growable index map (original index -> dense index among kept rows, -1 = not yet seen). */
class IndexMap {
  private map = new Int32Array(64).fill(-1);
  constructor(readonly names: string[]) {}
  get(i: number, name: () => string): number {
    if (i < 0) return -1;
    if (i >= this.map.length) {
      let size = this.map.length;
      while (size <= i) size *= 2;
      const next = new Int32Array(size).fill(-1);
      next.set(this.map);
      this.map = next;
    }
    let j = this.map[i];
    if (j < 0) {
      j = this.map[i] = this.names.length;
      this.names.push(name());
    }
    return j;
  }
}

/**
 * A Dataset that delivers only the rows `keep` accepts, with clients, therapists and group
 * levels re-interned densely in order of first kept row (analyses count clients as the
 * highest index + 1, so a client with no kept row must not take an index). The indices are
 * stable across scans, as the Dataset contract requires. A scan's options pass through;
 * `reads` are the parts of a row `keep` reads, which are parsed even when the scan's `need`
 * leaves them out (the caller then still sees them blank, as `need` promises).
 */
function remapped(ds: Dataset, keep: (row: SessionRow) => boolean, reads: { date: boolean; therapist: boolean; groups: boolean }): Dataset {
  const clients = new IndexMap([]);
  const therapists = new IndexMap([]);
  const levels = ds.mapping.groups.map(() => new IndexMap([]));
  const out: Dataset = {
    files: ds.files,
    mapping: ds.mapping,
    clients: clients.names,
    therapists: therapists.names,
    groupLevels: levels.map((l) => l.names),
    columnCells: ds.columnCells?.bind(ds),
    async scan(onRow, options = {}) {
      let kept = 0;
      const need = options.need;
      const date = need?.date !== false;
      const therapist = need?.therapist !== false;
      const groups = need?.groups !== false;
      // The filters read no measure: the caller's `measures` pass through (the others stay unparsed).
      const inner = need ? { ...need, date: date || reads.date, therapist: therapist || reads.therapist, groups: groups || reads.groups } : undefined;
      const row: SessionRow = {
        file: 0,
        line: 0,
        client: 0,
        session: 0,
        date: NaN,
        therapist: -1,
        groups: new Int32Array(levels.length),
        values: new Float64Array(0),
      };
      const stats = await ds.scan(
        (r) => {
          if (!keep(r)) return;
          kept++;
          row.file = r.file;
          row.line = r.line;
          row.client = clients.get(r.client, () => ds.clients[r.client]);
          row.session = r.session;
          row.date = date ? r.date : NaN;
          row.therapist = therapist ? therapists.get(r.therapist, () => ds.therapists[r.therapist]) : -1;
          for (let g = 0; g < levels.length; g++) row.groups[g] = groups ? levels[g].get(r.groups[g], () => ds.groupLevels[g][r.groups[g]]) : -1;
          row.values = r.values;
          onRow(row);
        },
        { ...options, need: inner },
      );
      return { ...stats, rows: kept };
    },
  };
  return out;
}

/**
 * One counting pass over the filtered data: every filter value must occur in its column,
 * and the filters must leave some sessions (a typo in a scheduled config should fail loudly,
 * not produce an empty report).
 */
export async function checkFilters(
  filtered: Dataset,
  all: Dataset,
  s: ReportSettings,
  at: (key: string) => { file: string; line: number | undefined },
): Promise<void> {
  const stats = await filtered.scan(() => undefined);
  const f = s.filters;
  if (f.column && f.values) {
    const col = f.column.toLowerCase();
    const g = all.mapping.groups.findIndex((x) => x.name.toLowerCase() === col);
    const seen = g >= 0 ? all.groupLevels[g] : all.therapists;
    const unknown = f.values.filter((v) => !seen.includes(v));
    if (unknown.length > 0) {
      const shown = [...seen].sort().slice(0, 20).join(', ');
      throw new UserError(
        `report.filters.values: ${unknown.map((v) => `'${v}'`).join(', ')} never occur${unknown.length === 1 ? 's' : ''} in column '${f.column}'`,
        {
          location: at('report.filters.values'),
          hint: `Values found: ${shown}${seen.length > 20 ? ', ...' : ''}`,
        },
      );
    }
  }
  if (stats.rows === 0)
    throw new UserError('the filters leave no sessions', { location: at('report.filters'), hint: 'Check the date range and values under report.filters' });
}

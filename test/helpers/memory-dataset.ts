/**
 * A Dataset built from plain arrays, for testing analyses without reading CSV.
 */
import type { Dataset, Mapping, MeasureBinding, SessionRow } from '../../src/dataset/types.js';
import type { Instrument } from '../../src/instruments/types.js';

export interface MemoryRow {
  client: string;
  session: number;
  date?: string; // ISO yyyy-mm-dd
  therapist?: string;
  groups?: (string | undefined)[];
  /** One value per measure (NaN or undefined = missing). */
  values: (number | undefined)[];
}

export interface MemoryMeasure {
  name: string;
  role: 'alliance' | 'outcome';
  instrument?: Instrument | null;
}

export function memoryDataset(measures: MemoryMeasure[], rows: MemoryRow[], groups: string[] = []): Dataset {
  const clientIndex = new Map<string, number>();
  const therapistIndex = new Map<string, number>();
  const bindings: MeasureBinding[] = measures.map((m, i) => ({
    name: m.name,
    index: 2 + i,
    how: 'flag',
    role: m.role,
    instrument: m.instrument ?? null,
    instrumentHow: m.instrument ? 'flag' : 'none',
  }));
  const mapping: Mapping = {
    client: { name: 'client', index: 0, how: 'flag' },
    session: { name: 'session', index: 1, how: 'flag' },
    measures: bindings,
    groups: groups.map((g, i) => ({ name: g, index: 2 + measures.length + i, how: 'flag' })),
    sessionSource: 'column',
    notes: [],
  };
  const ds: Dataset = {
    files: [
      {
        path: 'memory.csv',
        display: 'memory.csv',
        bytes: 0,
        rows: rows.length,
        digest: null,
        encoding: 'utf8',
        delimiter: ',',
        decimal: '.',
        header: ['client', 'session', ...measures.map((m) => m.name), ...groups],
        headerLine: 1,
      },
    ],
    mapping,
    clients: [],
    therapists: [],
    groupLevels: groups.map(() => []),
    async scan(onRow) {
      // Interning persists across scans, as in the real Dataset: a second scan gives the same indexes.
      const row: SessionRow = {
        file: 0,
        line: 0,
        client: 0,
        session: 0,
        date: NaN,
        therapist: -1,
        groups: new Int32Array(groups.length),
        values: new Float64Array(measures.length),
      };
      rows.forEach((r, i) => {
        let c = clientIndex.get(r.client);
        if (c === undefined) {
          c = ds.clients.length;
          ds.clients.push(r.client);
          clientIndex.set(r.client, c);
        }
        let t = -1;
        if (r.therapist !== undefined) {
          t = therapistIndex.get(r.therapist) ?? -1;
          if (t < 0) {
            t = ds.therapists.length;
            ds.therapists.push(r.therapist);
            therapistIndex.set(r.therapist, t);
          }
        }
        row.line = i + 2;
        row.client = c;
        row.session = r.session;
        row.date = r.date ? Date.parse(r.date + 'T00:00:00Z') / 86_400_000 : NaN;
        row.therapist = t;
        groups.forEach((_, g) => {
          const level = r.groups?.[g];
          if (level === undefined) {
            row.groups[g] = -1;
            return;
          }
          let idx = ds.groupLevels[g].indexOf(level);
          if (idx < 0) idx = ds.groupLevels[g].push(level) - 1;
          row.groups[g] = idx;
        });
        measures.forEach((_, m) => {
          const v = r.values[m];
          row.values[m] = v === undefined ? NaN : v;
        });
        onRow(row);
      });
      return {
        rows: rows.length,
        rowsWithoutClient: 0,
        unusable: measures.map(() => 0),
        outOfRange: measures.map(() => 0),
        missingCode: measures.map(() => 0),
        missing: measures.map(() => 0),
      };
    },
  };
  return ds;
}

/**
 * The ResultDocument of `alliance describe` (and the report's describe section): what an
 * export holds, and which column was taken for what.
 */
import type { DescribeResult } from '../../analysis/describe.js';
import type { Dataset } from '../../dataset/types.js';
import { snake } from '../../report/cells.js';
import { F, type Format, type ResultDocument } from '../../report/model.js';
import { mappedColumns } from '../../report/mapping.js';

const OVERVIEW_FORMATS: Record<string, Format> = {
  rows: F.int,
  clients: F.int,
  therapists: F.int,
  'sessions per client: mean': F.fixed(2),
  'clients with one session only (dropout after session 1)': F.int,
  'share of clients with one session only': F.percent(1),
};

export function describeDocument(result: DescribeResult, dataset: Dataset): ResultDocument {
  const spc = result.sessionsPerClient;
  const overview = [
    { metric: 'rows', value: result.rows },
    { metric: 'clients', value: result.clients },
    { metric: 'therapists', value: result.therapists },
    ...(spc
      ? [
          { metric: 'sessions per client: mean', value: spc.mean },
          { metric: 'sessions per client: min / median / max', value: `${spc.min} / ${spc.median} / ${spc.max}` },
          { metric: 'sessions per client: quartiles (R type 7)', value: `${spc.q1} / ${spc.q3}` },
        ]
      : []),
    { metric: 'clients with one session only (dropout after session 1)', value: result.singleSession.clients },
    { metric: 'share of clients with one session only', value: result.singleSession.share },
    { metric: 'date span', value: result.dateSpan ? `${result.dateSpan.first} to ${result.dateSpan.last}` : 'no dates' },
  ];
  const measureRows = result.measures.map((m) => ({
    column: m.column,
    role: m.role,
    instrument: m.instrument ?? 'none (no range checks)',
    n: m.n,
    missing: m.missing,
    unusable: m.unusable,
    mean: m.mean,
    sd: m.sd,
    min: m.min,
    max: m.max,
    cutoff: m.cutoff ? `${m.cutoff.clinicalIf} ${m.cutoff.value}` : '',
    intake_clients: m.intakeClients,
    intake_beyond_cutoff: m.intakeBeyondCutoff,
  }));
  const cutoffSources = result.measures
    .filter((m) => m.cutoff)
    .map((m) => `${m.instrument} cutoff ${m.cutoff!.clinicalIf} ${m.cutoff!.value}: ${m.cutoff!.source}`);
  return {
    title: 'alliance describe',
    preface: [
      `files: ${dataset.files.map((f) => ((f.format ?? 'CSV') === 'CSV' && (f.layout ?? 'long') === 'long' ? f.display : `${f.display} (read as ${f.format ?? 'CSV'}${(f.layout ?? 'long') === 'long' ? '' : `; ${f.layout}`})`)).join(', ')}`,
      `sessions: ${sessionSourceText(dataset.mapping.sessionSource)}`,
      ...dataset.mapping.notes,
    ],
    tables: [
      {
        id: 'overview',
        title: 'Overview',
        columns: [
          { key: 'metric', header: 'metric' },
          { key: 'value', header: 'value', align: 'right', formatFor: (row) => OVERVIEW_FORMATS[row.metric as string] },
        ],
        rows: overview,
      },
      {
        id: 'measures',
        title: 'Measures',
        columns: [
          { key: 'column', header: 'column' },
          { key: 'role', header: 'role' },
          { key: 'instrument', header: 'instrument' },
          { key: 'n', header: 'n', format: F.int },
          { key: 'missing', header: 'missing', format: F.int },
          { key: 'unusable', header: 'unusable', format: F.int },
          { key: 'mean', header: 'mean', format: F.fixed(2) },
          { key: 'sd', header: 'SD', format: F.fixed(2) },
          { key: 'min', header: 'min', format: F.fixed(1) },
          { key: 'max', header: 'max', format: F.fixed(1) },
          { key: 'cutoff', header: 'clinical if' },
          { key: 'intake_clients', header: 'clients at intake', format: F.int },
          { key: 'intake_beyond_cutoff', header: 'beyond cutoff at intake', format: F.percent(1) },
        ],
        rows: measureRows,
        notes: [
          "Intake is each client's earliest session with a value for that measure. Unusable cells (not numeric, out of range, missing codes) are left out; run `alliance validate` to see them.",
          ...cutoffSources,
        ],
      },
    ],
    csvTable: 'measures',
    json: snake({
      command: 'describe',
      schema: 2,
      files: dataset.files.map((f) => ({
        path: f.display,
        rows: f.rows,
        format: f.format ?? 'CSV',
        layout: f.layout ?? 'long',
        encoding: f.encoding,
        delimiter: f.delimiter,
        decimal: f.decimal,
      })),
      mapping: {
        ...mappedColumns(dataset.mapping),
        sessionSource: dataset.mapping.sessionSource,
        measures: dataset.mapping.measures.map((b) => ({ column: b.name, role: b.role, instrument: b.instrument?.id ?? null, how: b.instrumentHow })),
        groups: dataset.mapping.groups.map((g) => g.name),
        notes: dataset.mapping.notes,
      },
      rows: result.rows,
      clients: result.clients,
      therapists: result.therapists,
      sessionsPerClient: result.sessionsPerClient,
      singleSession: result.singleSession,
      dateSpan: result.dateSpan,
      measures: result.measures,
      rowsWithoutClient: result.scan.rowsWithoutClient,
    }),
  };
}

export function sessionSourceText(source: string): string {
  switch (source) {
    case 'column':
      return 'numbered by the session column';
    case 'date':
      return 'numbered by date within client (no session column)';
    case 'column+date':
      return 'numbered by the session column (dates also present; `alliance validate` checks they agree)';
    default:
      return 'numbered in file order within client (no session or date column)';
  }
}

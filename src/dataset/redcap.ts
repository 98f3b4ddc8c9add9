/**
 * REDCap exports (the "CSV / Microsoft Excel (raw data)" export of a project), recognised
 * from the header: `record_id` plus `redcap_event_name` (longitudinal projects) or
 * `redcap_repeat_instance` (repeating instruments).
 *
 * - `record_id` is the client.
 * - The session is `redcap_repeat_instance` when filled, else the number in the event name
 *   (`session_3_arm_1` -> 3, `week_2_arm_1` -> 2).
 * - The arm (`_arm_2` at the end of the event name) becomes a column `arm` (use --by arm).
 * - Rows with no session (a non-repeating baseline form, an event without a number such as
 *   `baseline_arm_1`) are joined to the client: their filled cells fill the empty cells of
 *   that client's session rows (therapist, site, ...). They are not sessions themselves.
 * - REDCap writes a record's rows together; a record whose rows are split across the file
 *   is an error (it would lose its baseline join).
 *
 * Holds one record's rows at a time. `line` stays the export's line, so locations are the
 * CSV's own; the columns `session` and `arm` are made here and said so in the notes.
 */
import { UserError } from '../errors.js';
import type { ColumnRoles } from '../io/table.js';
import type { FormatSource } from './format-source.js';
import type { TableReadOptions, TableReadStats, TableRecordHandler } from './source.js';

const EVENT_NUMBER = /(\d+)(?:_arm_\d+)?$/i;
const EVENT_ARM = /_arm_(\d+)$/i;

export function isRedcap(header: string[]): boolean {
  const h = header.map((x) => x.trim().toLowerCase());
  return h.includes('record_id') && (h.includes('redcap_event_name') || h.includes('redcap_repeat_instance'));
}

export function maybeRedcap(input: FormatSource): FormatSource {
  const header = input.header;
  if (!isRedcap(header)) return input;
  const lower = header.map((x) => x.trim().toLowerCase());
  const rec = lower.indexOf('record_id');
  const ev = lower.indexOf('redcap_event_name');
  const inst = lower.indexOf('redcap_repeat_instance');
  const instrument = lower.indexOf('redcap_repeat_instrument');
  const dropped = new Set([ev, inst, instrument].filter((i) => i >= 0));
  const kept = header.map((_, i) => i).filter((i) => !dropped.has(i));
  if (lower.includes('session')) {
    throw new UserError("the REDCap export already has a column 'session'", {
      location: { file: input.display, line: input.headerLine },
      hint: 'Rename it in the export, or give --session with the column that numbers sessions',
    });
  }
  const withArm = ev >= 0;
  // record_id first, then session (and arm), then the other columns in file order.
  const rest = kept.filter((i) => i !== rec);
  const outHeader = [header[rec], 'session', ...(withArm ? ['arm'] : []), ...rest.map((i) => header[i])];
  const base = withArm ? 3 : 2;
  const width = outHeader.length;

  const read = async (onRecord: TableRecordHandler, opts?: TableReadOptions): Promise<TableReadStats> => {
    let current: string | null = null;
    const sessions: { line: number; cells: string[] }[] = [];
    const baseline: string[][] = [];
    const done = new Map<string, number>();
    let records = 0;
    const out = new Array<string>(width).fill('');
    const flush = () => {
      for (const s of sessions) {
        for (const b of baseline) for (let k = 0; k < width; k++) if (s.cells[k].trim() === '' && b[k].trim() !== '') s.cells[k] = b[k];
        for (let k = 0; k < width; k++) out[k] = s.cells[k];
        records++;
        onRecord(out, s.line);
      }
      sessions.length = 0;
      baseline.length = 0;
    };
    const stat = await input.read(
      (fields, line) => {
        if (fields.length !== header.length) {
          onRecord(fields, line); // ragged: validate reports it
          return;
        }
        const id = fields[rec].trim();
        if (id !== current) {
          flush();
          if (current !== null) done.set(current, line);
          if (done.has(id)) {
            throw new UserError(
              `record '${id.length > 40 ? id.slice(0, 40) + '...' : id}' appears again after other records (REDCap writes a record's rows together)`,
              {
                location: input.locate(line, -1),
                hint: 'Export again from REDCap, or sort the file by record_id keeping the row order within each record',
              },
            );
          }
          current = id;
        }
        const cells = new Array<string>(width);
        cells[0] = fields[rec];
        const event = ev >= 0 ? fields[ev].trim() : '';
        const instance = inst >= 0 ? fields[inst].trim() : '';
        let session = '';
        if (instance !== '') session = instance;
        else if (event !== '') {
          const m = EVENT_NUMBER.exec(event.replace(EVENT_ARM, ''));
          if (m) session = m[1];
        }
        cells[1] = session;
        if (withArm) cells[2] = EVENT_ARM.exec(event)?.[1] ?? '';
        for (let k = 0; k < rest.length; k++) cells[base + k] = fields[rest[k]];
        if (session === '') {
          cells[1] = '';
          if (withArm) {
            // The arm of a baseline row is the client's arm too.
          }
          baseline.push(cells);
        } else sessions.push({ line, cells });
      },
      opts?.onProgress ? { onProgress: opts.onProgress } : undefined,
    );
    flush();
    void stat;
    return { records };
  };
  const how =
    ev >= 0 && inst >= 0
      ? 'redcap_repeat_instance, else the number in redcap_event_name'
      : ev >= 0
        ? 'the number in redcap_event_name (session_3_arm_1 -> 3)'
        : 'redcap_repeat_instance';
  const layout = `REDCap export: record_id is the client, the session is ${how}${withArm ? ', the arm is column arm (--by arm)' : ''}; rows without a session (baseline forms) are joined to their record`;
  return {
    ...input,
    header: outHeader,
    read,
    readRanges: null,
    layout,
    notes: [...(input.notes ?? []), `recognised as a ${layout}`],
    roles: { client: header[rec] },
    locate: (line: number, field: number) => input.locate(line, field),
    configure(roles: ColumnRoles) {
      const src = (f: number) => (f === 0 ? rec : f < base ? -1 : rest[f - base]);
      input.configure?.({ client: rec, dates: roles.dates.map(src).filter((f) => f >= 0), measures: roles.measures.map(src).filter((f) => f >= 0) });
    },
  };
}

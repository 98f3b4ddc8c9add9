/**
 * `alliance instruments [ID]`: the instrument registry as data - ranges, direction,
 * cutoffs, reliable change, alliance-drop alerts - each value with its source.
 *
 * JSON shape (schema 2; schemas/instruments.schema.json), keys in snake_case:
 *   list:  { command: 'instruments', schema: 2, instruments: Instrument[] }   (src/instruments/types.ts, full records)
 *   one:   { command: 'instruments', schema: 2, instrument: Instrument }
 */
import type { Command } from 'commander';
import { buildCommand, type CommandContext } from '../command.js';
import { TERMINAL_OPTIONS, FORMAT_OPTION } from '../options.js';
import type { Io } from '../../io/process.js';
import { UserError } from '../../errors.js';
import { INSTRUMENTS, getInstrument } from '../../instruments/registry.js';
import type { Instrument } from '../../instruments/types.js';
import type { Cell, ResultDocument, TableModel } from '../../report/model.js';
import { F } from '../../report/model.js';
import type { OutputFormat } from '../../report/render.js';
import { snake } from '../../names.js';

interface InstrumentsOptions {
  format: OutputFormat;
  color?: boolean;
  width?: string;
}

const range = (r: [number, number]): string => `${r[0]}-${r[1]}`;

export function cutoffText(inst: Instrument): string {
  if (!inst.cutoff) return '';
  const c = inst.cutoff;
  return `${c.clinicalIf} ${c.value}`;
}

function summaryRow(inst: Instrument): Record<string, Cell> {
  return {
    id: inst.id,
    name: inst.name,
    construct: inst.construct,
    items: `${inst.items} x ${range(inst.itemRange)}`,
    range: range(inst.range.value),
    better: inst.higherIsBetter ? 'higher' : 'lower',
    cutoff: cutoffText(inst),
    reliableChange: inst.reliableChange?.value ?? null,
    allianceDrop: inst.allianceDrop?.value ?? null,
  };
}

/** One row per sourced value: what it is, its value, where it comes from. */
export function sourceRows(inst: Instrument): Record<string, Cell>[] {
  const rows: Record<string, Cell>[] = [];
  const add = (field: string, value: string, source: string) => rows.push({ id: inst.id, field, value, source });
  add('range', `${range(inst.range.value)} (${inst.items} x ${range(inst.itemRange)})`, inst.range.source);
  add('better', inst.higherIsBetter ? 'higher' : 'lower', inst.directionSource);
  if (inst.cutoff) {
    const side = inst.construct === 'alliance' ? 'concern if' : 'clinical if';
    add('cutoff', `${side} ${cutoffText(inst)}`, inst.cutoff.source);
  }
  if (inst.reliableChange) add('reliableChange', `${inst.reliableChange.value} points`, inst.reliableChange.source);
  if (inst.allianceDrop) add('allianceDrop', `drop >= ${inst.allianceDrop.value} points`, inst.allianceDrop.source);
  return rows;
}

const SUMMARY_COLUMNS: TableModel['columns'] = [
  { key: 'id', header: 'id' },
  { key: 'name', header: 'name' },
  { key: 'construct', header: 'construct' },
  { key: 'items', header: 'items x scale' },
  { key: 'range', header: 'total' },
  { key: 'better', header: 'better' },
  { key: 'cutoff', header: 'cutoff (clinical side)' },
  { key: 'reliableChange', header: 'reliable change', format: F.int },
  { key: 'allianceDrop', header: 'alliance drop', format: F.int },
];

const SOURCE_COLUMNS: TableModel['columns'] = [
  { key: 'id', header: 'id' },
  { key: 'field', header: 'value' },
  { key: 'value', header: 'is' },
  { key: 'source', header: 'source' },
];

export function listDocument(instruments: Instrument[] = INSTRUMENTS): ResultDocument {
  return {
    title: 'Instruments',
    preface: ['Scoring metadata only; every value can be overridden per instrument in a config file (instrumentOverrides).'],
    tables: [
      { id: 'instruments', title: 'Registry', columns: SUMMARY_COLUMNS, rows: instruments.map(summaryRow) },
      { id: 'sources', title: 'Sources', columns: SOURCE_COLUMNS, rows: instruments.flatMap(sourceRows) },
    ],
    notes: [
      'cutoff: the side that is clinical (outcome) or an alliance concern (alliance).',
      'Each value cites its primary source (validation paper or manual; DOI where one exists). "convention" marks a service rule (PCOMS, IAPT) and names the document that sets it.',
      'Values marked "(not confirmed from the primary source)" are the values that source is known for, but its text could not be checked; check them before relying on them, or override them.',
      'Run `alliance instruments ID` for aliases, scoring variants and notes.',
    ],
    csvTable: 'instruments',
    json: { command: 'instruments', schema: 2, instruments: snake(instruments) },
  };
}

export function oneDocument(inst: Instrument): ResultDocument {
  const rows: Record<string, Cell>[] = [
    { field: 'id', value: inst.id, source: '' },
    { field: 'name', value: inst.name, source: '' },
    { field: 'construct', value: inst.construct, source: '' },
    { field: 'items', value: `${inst.items} x ${range(inst.itemRange)}`, source: inst.range.source },
    { field: 'range', value: range(inst.range.value), source: inst.range.source },
    { field: 'integer', value: inst.integer ? 'yes (whole-number totals)' : 'no (decimals allowed)', source: '' },
  ];
  for (const r of sourceRows(inst).slice(1)) rows.push({ field: r.field, value: r.value, source: r.source });
  rows.push({ field: 'aliases', value: inst.aliases.join(', '), source: 'column headers detected (normalised: lowercase letters and digits)' });
  for (const v of inst.variants ?? []) rows.push({ field: 'variant', value: `${v.name}: ${range(v.range)}`, source: v.note });
  if (inst.notes) rows.push({ field: 'notes', value: inst.notes, source: '' });
  return {
    title: `${inst.id}: ${inst.name}`,
    tables: [
      {
        id: 'instrument',
        title: 'Values and sources',
        columns: [
          { key: 'field', header: 'field' },
          { key: 'value', header: 'value' },
          { key: 'source', header: 'source' },
        ],
        rows,
      },
    ],
    json: { command: 'instruments', schema: 2, instrument: snake(inst) },
  };
}

export function instrumentsCommand(ctx: CommandContext): Command {
  return buildCommand<InstrumentsOptions>(
    {
      name: 'instruments',
      summary: 'list the instrument registry (ranges, direction, cutoffs, reliable change) with the source of each value',
      args: '[id]',
      options: [FORMAT_OPTION, ...TERMINAL_OPTIONS],
      examples: ['alliance instruments', 'alliance instruments PHQ-9', 'alliance instruments --format json'],
      run: async (args: string[], opts: InstrumentsOptions, _cmd: Command, io: Io) => {
        const id = args[0];
        let doc: ResultDocument;
        if (id !== undefined) {
          const inst = getInstrument(id);
          if (!inst) {
            throw new UserError(`unknown instrument '${id}'`, {
              hint: `Valid ids: ${INSTRUMENTS.map((i) => i.id).join(', ')}`,
            });
          }
          doc = oneDocument(inst);
        } else {
          doc = listDocument();
        }
        // The renderers and chalk load only when the command runs (see lazyRun in ../command.ts).
        const [{ render }, { decideColor, decideWidth, makeChalk }] = await Promise.all([import('../../report/render.js'), import('../color.js')]);
        const color = decideColor(opts.color, io);
        io.stdout.write(render(doc, opts.format, makeChalk(color), color, decideWidth(opts.width, io)));
        return 0;
      },
    },
    ctx,
  );
}

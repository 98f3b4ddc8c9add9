/**
 * Value rules. The dataset layer interprets every mapped cell once and reports the cells
 * it could not use (CellIssue); these rules turn those issues into findings, so validate
 * and the analyses agree exactly on what is unusable. On top of that they aggregate
 * missing-value codes per column and guess a scoring variant from each measure's observed
 * range (detectVariant in the instrument registry).
 */
import type { CellIssue, MeasureBinding, SessionRow } from '../dataset/types.js';
import { parseNumber } from '../dataset/values.js';
import { detectVariant, normalizeName } from '../instruments/registry.js';
import { q, type RuleContext } from './context.js';

interface CodeUse {
  file: number;
  field: number;
  line: number;
  value: string;
  count: number;
}

export class ValueRules {
  private readonly min: Float64Array;
  private readonly max: Float64Array;
  private readonly codes = new Map<string, CodeUse>();
  /** Issue codes from the dataset layer that no rule maps (should stay empty). */
  readonly unmapped = new Map<string, number>();
  /** Per file: field index -> global measure index. */
  private readonly measureOfField: Map<number, number>[];

  constructor(
    private readonly ctx: RuleContext,
    private readonly measures: MeasureBinding[],
    private readonly decimal: (file: number) => '.' | ',',
  ) {
    this.min = new Float64Array(measures.length).fill(Infinity);
    this.max = new Float64Array(measures.length).fill(-Infinity);
    const keys = measures.map((m) => normalizeName(m.name) || m.name);
    this.measureOfField = ctx.files.map((f) => {
      const map = new Map<number, number>();
      f.header.forEach((h, j) => {
        const k = keys.indexOf(normalizeName(h) || h);
        if (k >= 0 && !map.has(j)) map.set(j, k);
      });
      return map;
    });
  }

  private measureAt(file: number, field: number): MeasureBinding | undefined {
    const g = this.measureOfField[file]?.get(field);
    return g === undefined ? undefined : this.measures[g];
  }

  /** Valid values of every measure (for the observed range). */
  row(r: SessionRow): void {
    const v = r.values;
    for (let k = 0; k < v.length; k++) {
      const x = v[k];
      if (x !== x) continue;
      if (x < this.min[k]) this.min[k] = x;
      if (x > this.max[k]) this.max[k] = x;
    }
  }

  issue(i: CellIssue): void {
    const { ctx } = this;
    const m = this.measureAt(i.file, i.field);
    const range = () => (m?.instrument ? `${m.instrument.id} range ${m.instrument.range.value[0]}-${m.instrument.range.value[1]}` : 'valid range');
    switch (i.code) {
      case 'structure.ragged':
        return; // reported from the raw record (structure.ragged-row)
      case 'client.missing':
        ctx.add(
          'value.missing-client',
          i.file,
          i.line,
          i.field,
          i.value,
          'row has no client id and is left out of every analysis; fill in the client id or delete the row',
        );
        return;
      case 'session.invalid':
        ctx.add('value.invalid-session', i.file, i.line, i.field, i.value, () => `session number ${q(i.value)} is not a number; correct it`);
        return;
      case 'date.invalid':
        ctx.add(
          'value.invalid-date',
          i.file,
          i.line,
          i.field,
          i.value,
          () => `${q(i.value)} is not a valid date; correct it, or give --date-format (iso, dmy, mdy, dmy.)`,
        );
        return;
      case 'value.not-numeric':
        ctx.add(
          'value.non-numeric',
          i.file,
          i.line,
          i.field,
          i.value,
          () => `${q(i.value)} is not a number; correct it, or add it to --missing if it means "no value"`,
        );
        return;
      case 'value.out-of-range': {
        const x = parseNumber(i.value, this.decimal(i.file));
        const g = this.measureOfField[i.file]?.get(i.field);
        if (g !== undefined && x === x) {
          if (x < this.min[g]) this.min[g] = x;
          if (x > this.max[g]) this.max[g] = x;
        }
        ctx.add(
          'value.out-of-range',
          i.file,
          i.line,
          i.field,
          i.value,
          () => `${i.value.trim()} is outside the ${range()}; correct it, or bind the column to the right instrument with --instrument`,
        );
        return;
      }
      case 'value.not-integer':
        ctx.add(
          'value.fraction',
          i.file,
          i.line,
          i.field,
          i.value,
          () => `${i.value.trim()} is not a whole number but ${m?.instrument?.id ?? 'this instrument'} totals are; correct it or check the instrument binding`,
        );
        return;
      case 'value.missing-code': {
        const key = `${i.file}\u0000${i.field}\u0000${i.value.trim()}`;
        const use = this.codes.get(key);
        if (use) use.count++;
        else this.codes.set(key, { file: i.file, field: i.field, line: i.line, value: i.value.trim(), count: 1 });
        return;
      }
      default:
        this.unmapped.set(i.code, (this.unmapped.get(i.code) ?? 0) + 1);
    }
  }

  /** Column-level findings once every row has been seen. */
  finish(fileOfMeasure: (k: number) => { file: number; field: number }): void {
    const { ctx } = this;
    for (const u of this.codes.values()) {
      ctx.add(
        'value.missing-code',
        u.file,
        u.line,
        u.field,
        u.value,
        `${u.value} looks like a missing-value code (${u.count} cell${u.count === 1 ? '' : 's'} in this column, first here); declare it with --missing ${u.value} so it is treated as missing`,
      );
    }
    this.measures.forEach((m, k) => {
      if (!m.instrument) return;
      const guess = detectVariant(m.instrument, this.min[k], this.max[k]);
      if (!guess) return;
      const at = fileOfMeasure(k);
      ctx.add(
        'value.likely-variant',
        at.file,
        null,
        at.field,
        `${fmt(this.min[k])}..${fmt(this.max[k])}`,
        `${guess.message.replace(/\.$/, '')}; rescore the column, or bind it to the matching instrument or range (instrumentOverrides in --config)`,
      );
    });
  }

  observed(k: number): { min: number; max: number } | null {
    return this.min[k] <= this.max[k] ? { min: this.min[k], max: this.max[k] } : null;
  }
}

function fmt(x: number): string {
  return String(x);
}

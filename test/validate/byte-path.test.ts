/**
 * validate's raw checks on bytes (RawRules.recordRange, used when the dataset keeps its byte
 * path for UTF-8 CSV) against the same checks on strings (RawRules.record, the string path):
 * on messy generated exports (identifier-looking values of every kind, bare ten-digit and
 * NHS numbers, missing markers with spaces and in other cases, non-ASCII text, quoted
 * cells with "" escapes and line breaks, ragged rows, CRLF, a BOM, semicolons with decimal
 * commas, --missing tokens, a schema, a findings cap; two exports concatenated, one of them
 * read as text, or joined) both give the same result: findings
 * (order, lines, columns, values, messages), summary, missingness and privacy counts. And
 * the byte-level prefilters agree with the string rules they stand in front of.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { openDataset } from '../../src/dataset/open.js';
import type { Dataset, ReadOptions } from '../../src/dataset/types.js';
import { validateDataset, type ValidateOptions } from '../../src/validate/validate.js';
import { parseSchema } from '../../src/validate/schema.js';
import { MissingCheck } from '../../src/validate/raw.js';
import { classifyValue, mayIdentifyBytes } from '../../src/validate/privacy.js';
import { tempDir, testIo, writeFixtures } from '../dataset/helpers.js';

const TEXT = [
  'C1',
  'C000123',
  'client 4',
  'T1',
  '',
  ' ',
  '\t',
  'NA',
  ' na ',
  'N/A',
  'null',
  'NULL',
  '.',
  '-',
  ' - ',
  'NaN',
  'x',
  'X',
  'a@b.org',
  'a@b.co',
  'é@b.co',
  'mail me: jo@example.com',
  '+44 7700 900123',
  '07700900123',
  '0000000001',
  '9434765919',
  '9434765918',
  '943 476 5919',
  '123-45-6789',
  '12 High Street',
  'SW1A 1AA',
  '1990-05-17',
  '17/05/1990',
  '2024-01-05',
  'one two three four five six seven eight nine ten words',
  'é',
  'éééééé',
  'Zoë Smith',
  '12 Rue de l’Église',
  'ＮＡ',
  '\u00a0NA',
  '"quoted, comma"',
  '"a ""b"" c"',
  '"NA"',
  '" NA "',
  '"9434765919"',
  '"line\nbreak with more words here"',
  '"a@b.org"',
  '"x"y',
  'abcdefghij',
  '12345678901234567',
];
const SCORES = ['40', '36.5', '0', '-9', '-99', '999', '', 'NA', 'x', ' 12 ', '"7"', '3,5', '1e1'];
const SESSIONS = ['1', '2', '3', '', 'NA', 'x', '"4"', '2.5'];
const DATES = ['2024-01-05', '2024-02-29', '2023-02-29', '', 'NA', '"2024-03-01"', '2030-01-01', 'soon', '01/02/2024'];
const CLIENTS = ['a', 'b', 'C1', 'C000123', '', 'NA', '"a"', 'é', 'Jane Smith', '9434765919', 'a@b.org'];

const rowArb = fc.record({
  client: fc.constantFrom(...CLIENTS),
  session: fc.constantFrom(...SESSIONS),
  date: fc.constantFrom(...DATES),
  srs: fc.constantFrom(...SCORES),
  ors: fc.constantFrom(...SCORES),
  note: fc.constantFrom(...TEXT),
  dob: fc.constantFrom(...TEXT),
  other: fc.constantFrom(...TEXT),
  ragged: fc.constantFrom(0, 0, 0, 0, 0, 0, 1, -1),
});
type Row = typeof rowArb extends fc.Arbitrary<infer T> ? T : never;

const variantArb = fc.record({
  semicolon: fc.boolean(),
  crlf: fc.boolean(),
  bom: fc.boolean(),
  extraMissing: fc.boolean(),
  schema: fc.boolean(),
  keep: fc.constantFrom(undefined, undefined, 3),
});
type Variant = typeof variantArb extends fc.Arbitrary<infer T> ? T : never;

const COLUMNS = ['client_id', 'session', 'date', 'srs', 'ors', 'notes', 'date_of_birth', 'other'];

/** The export of `rows`, without the columns named in `drop`. */
function csv(rows: Row[], v: Variant, drop: string[] = []): string {
  const d = v.semicolon ? ';' : ',';
  const cell = (s: string) => {
    const t = v.semicolon ? s.replace(/,/g, ';') : s;
    // Plain cells holding the delimiter are quoted; written quotes stay as given.
    return !t.startsWith('"') && t.includes(d) ? `"${t}"` : t;
  };
  const keep = (_: string, i: number) => !drop.includes(COLUMNS[i]);
  const lines = [COLUMNS.filter(keep).join(d)];
  for (const r of rows) {
    const cells = [r.client, r.session, r.date, r.srs, r.ors, r.note, r.dob, r.other].map(cell).filter(keep);
    if (r.ragged > 0) cells.push('extra');
    if (r.ragged < 0) cells.pop();
    lines.push(cells.join(d));
  }
  const eol = v.crlf ? '\r\n' : '\n';
  return (v.bom ? '\ufeff' : '') + lines.join(eol) + eol;
}

const SCHEMA = parseSchema(
  JSON.stringify({
    fields: [
      { name: 'client_id', type: 'string', constraints: { required: true, pattern: '[A-Za-z0-9]+' } },
      { name: 'session', type: 'integer', constraints: { minimum: 1 } },
      { name: 'date', type: 'date' },
      { name: 'srs', type: 'number', constraints: { maximum: 40 } },
      { name: 'notes', type: 'string', constraints: { unique: true } },
    ],
    primaryKey: ['client_id', 'session'],
  }),
  'schema.json',
);

/** The dataset with every scan's onRawRange taken away: the scan takes the string path. */
function stringPath(ds: Dataset): Dataset {
  return Object.create(ds, {
    scan: { value: (onRow: Parameters<Dataset['scan']>[0], o: Parameters<Dataset['scan']>[1] = {}) => ds.scan(onRow, { ...o, onRawRange: undefined }) },
  }) as Dataset;
}

/** The dataset, counting the records that reach onRawRange (the byte path). */
function counted(ds: Dataset, seen: { n: number }): Dataset {
  return Object.create(ds, {
    scan: {
      value: (onRow: Parameters<Dataset['scan']>[0], o: Parameters<Dataset['scan']>[1] = {}) => {
        const inner = o.onRawRange;
        return ds.scan(onRow, inner ? { ...o, onRawRange: (rec, line, file) => (seen.n++, inner(rec, line, file)) } : o);
      },
    },
  }) as Dataset;
}

async function open(p: string | string[], v: Variant): Promise<Dataset> {
  const opts: ReadOptions = {
    alliance: ['srs'],
    outcome: ['ors'],
    dateFormat: 'iso',
    ...(v.extraMissing ? { missing: ['-99', 'x'] } : {}),
    ...(v.semicolon ? { delimiter: ';', decimal: ',' as const } : {}),
  };
  return openDataset(typeof p === 'string' ? [p] : p, opts, testIo());
}

describe('validate: raw checks on bytes = on strings', () => {
  test('same findings, summary, missingness and privacy counts on messy exports', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rowArb, { minLength: 1, maxLength: 30 }), variantArb, async (rows, v) => {
        const [p] = writeFixtures({ 'd.csv': csv(rows, v) });
        const opts: ValidateOptions = {
          today: 20000,
          missing: v.extraMissing ? ['-99', 'x'] : [],
          schema: v.schema ? SCHEMA : null,
          ...(v.keep !== undefined ? { keep: v.keep } : {}),
        };
        const seen = { n: 0 };
        const bytes = await validateDataset(counted(await open(p, v), seen), opts);
        const strings = await validateDataset(stringPath(await open(p, v)), opts);
        expect(seen.n).toBe(bytes.summary.rows);
        expect(bytes).toEqual(strings);
      }),
      { numRuns: 150, seed: 20261207 },
    );
  });
});

describe('validate: raw checks on bytes = on strings, two exports', () => {
  test('concatenated (the second in UTF-16, read as text) or joined on client + session', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(rowArb, { minLength: 1, maxLength: 20 }),
        fc.array(rowArb, { minLength: 1, maxLength: 20 }),
        variantArb,
        fc.boolean(),
        async (rowsA, rowsB, v, join) => {
          const dir = tempDir();
          const a = path.join(dir, 'a.csv');
          const b = path.join(dir, 'b.csv');
          // Joined: the alliance in one export, the outcome in the other.
          writeFileSync(a, csv(rowsA, v, join ? ['ors'] : []));
          const textB = csv(rowsB, v, join ? ['srs'] : []).replace(/^\ufeff/, '');
          writeFileSync(b, join ? textB : Buffer.from('\ufeff' + textB, 'utf16le'));
          const opts: ValidateOptions = { today: 20000, missing: v.extraMissing ? ['-99', 'x'] : [], schema: v.schema ? SCHEMA : null };
          const seen = { n: 0 };
          const bytes = await validateDataset(counted(await open([a, b], v), seen), opts);
          const strings = await validateDataset(stringPath(await open([a, b], v)), opts);
          // Every record of a UTF-8 export reaches the byte checks; the UTF-16 one is read as text.
          expect(seen.n).toBe(join ? bytes.summary.rows : bytes.summary.files[0].rows);
          expect(bytes).toEqual(strings);
        },
      ),
      { numRuns: 80, seed: 20261208 },
    );
  });
});

describe('byte prefilters = their string rules', () => {
  const cellArb = fc.oneof(
    fc.constantFrom(...TEXT.map((s) => s.replace(/^"|"$/g, ''))),
    fc.string({ maxLength: 24 }),
    fc.string({ unit: fc.constantFrom('0', '1', '9', ' ', '-', '@', '.', 'a', 'Z', '/', '+', '(', 'é', '\t'), maxLength: 24 }),
    fc.string({ unit: 'binary', maxLength: 12 }),
  );

  test('mayIdentifyBytes false only where classifyValue gives null', () => {
    fc.assert(
      fc.property(cellArb, fc.boolean(), (s, dob) => {
        const b = Buffer.from('xx' + s + 'yy', 'utf8');
        if (!mayIdentifyBytes(b, 2, b.length - 2, dob)) expect(classifyValue(s, dob)).toBeNull();
      }),
      { numRuns: 3000, seed: 7 },
    );
  });

  test('the common cells (ids, codes, numbers, dates) are settled on their bytes; ten digits are not', () => {
    for (const s of ['C000123', 'client_9', '2024-01-05', '123456', 'T-0001']) {
      const b = Buffer.from(s);
      expect(mayIdentifyBytes(b, 0, b.length), s).toBe(false);
    }
    // Bare ten digits must reach the per-column NHS count.
    for (const s of ['a@b.org', '9434765919', '0000000001', 'é@b.co']) {
      const b = Buffer.from(s);
      expect(mayIdentifyBytes(b, 0, b.length), s).toBe(true);
    }
  });

  test('MissingCheck.hasBytes = has, with and without --missing tokens', () => {
    const checks = [new MissingCheck(), new MissingCheck(['-99', 'x', 'ＮＡ', ' Unknown '])];
    fc.assert(
      fc.property(cellArb, (s) => {
        const b = Buffer.from('x,' + s + ',y', 'utf8');
        for (const m of checks) expect(m.hasBytes(b, 2, b.length - 2)).toBe(m.has(s));
      }),
      { numRuns: 3000, seed: 11 },
    );
  });
});

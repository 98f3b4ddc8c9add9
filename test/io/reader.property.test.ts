/**
 * Differential property tests: our reader against csv-parse 6 (the reference), for
 * generated tables serialised in every dialect variant, at every chunk size.
 *
 * csv-parse is run with the relax options that describe our dialect: relax_column_count
 * (ragged records are delivered), relax_quotes (a quote inside an unquoted field is a
 * character), skip_empty_lines (blank lines are skipped), bom, and the record delimiter
 * the file uses. Our reader must give exactly the records csv-parse gives, and the
 * original table (serialisation is lossless), with physical line numbers, whatever the
 * chunk size: tiny chunks (1..7 bytes) put a split point inside every CRLF pair,
 * every multi-byte UTF-8 character and every UTF-16 surrogate pair.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { openCsvTuned } from '../../src/io/csv.js';
import { RecordScanner } from '../../src/io/scanner.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alliance-io-prop-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;

const DELIMS = [',', ';', '\t', '|'] as const;
const EOLS = ['\n', '\r\n', '\r'] as const;

const UNITS = ['a', 'b', 'Z', '0', '7', ' ', '"', ',', ';', '\t', '|', '\r', '\n', '.', '-', 'é', 'ß', '€', '😀', '中', '\u00a0'];
const LATIN1_UNITS = ['a', 'b', '0', ' ', '"', ',', ';', '\t', '|', '\r', '\n', 'é', 'ß', 'ÿ', '\u00a0', '©'];

function cellArb(units: string[]) {
  return fc.string({ unit: fc.constantFrom(...units), maxLength: 6 });
}

function tableArb(units: string[]) {
  const cell = cellArb(units);
  const header = fc.array(
    cell.filter((s) => s.trim() !== ''),
    { minLength: 1, maxLength: 5 },
  );
  const row = fc.array(cell, { minLength: 1, maxLength: 6 });
  return fc.tuple(header, fc.array(row, { maxLength: 8 })).map(([h, rows]) => [h, ...rows]);
}

interface Variant {
  delimiter: (typeof DELIMS)[number];
  eol: (typeof EOLS)[number];
  quoting: 'minimal' | 'all' | 'random';
  trailingEol: boolean;
  bom: boolean;
  coins: boolean[];
}

const variantArb: fc.Arbitrary<Variant> = fc.record({
  delimiter: fc.constantFrom(...DELIMS),
  eol: fc.constantFrom(...EOLS),
  quoting: fc.constantFrom('minimal' as const, 'all' as const, 'random' as const),
  trailingEol: fc.boolean(),
  bom: fc.boolean(),
  coins: fc.array(fc.boolean(), { minLength: 1, maxLength: 16 }),
});

function serialise(table: string[][], v: Variant): { text: string; rowTexts: string[] } {
  let coin = 0;
  const rowTexts = table.map((row) =>
    row
      .map((cell) => {
        const needs = cell.includes(v.delimiter) || cell.includes('\r') || cell.includes('\n') || cell.startsWith('"') || (cell === '' && row.length === 1);
        const quote = needs || v.quoting === 'all' || (v.quoting === 'random' && v.coins[coin++ % v.coins.length]);
        return quote ? `"${cell.replaceAll('"', '""')}"` : cell;
      })
      .join(v.delimiter),
  );
  const text = (v.bom ? '\ufeff' : '') + rowTexts.join(v.eol) + (v.trailingEol ? v.eol : '');
  return { text, rowTexts };
}

const BREAK = /\r\n|\r|\n/g;
const breaks = (s: string): number => (s.match(BREAK) ?? []).length;

function expectedLines(rowTexts: string[]): number[] {
  const out: number[] = [];
  let line = 1;
  for (const t of rowTexts) {
    out.push(line);
    line += breaks(t) + 1;
  }
  return out;
}

function reference(text: string, v: Variant): string[][] {
  const rows: string[][] = parse(text, {
    delimiter: v.delimiter,
    record_delimiter: v.eol,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    bom: true,
  });
  return rows;
}

function encode(text: string, encoding: 'utf8' | 'utf16le' | 'utf16be' | 'latin1'): Buffer {
  switch (encoding) {
    case 'utf8':
      return Buffer.from(text, 'utf8');
    case 'latin1':
      return Buffer.from(text, 'latin1');
    case 'utf16le':
      return Buffer.from(text, 'utf16le');
    case 'utf16be':
      return Buffer.from(text, 'utf16le').swap16();
  }
}

async function ours(
  bytes: Buffer,
  opts: { delimiter?: string; encoding?: 'latin1' | 'utf8' | 'utf16le' | 'utf16be' },
  chunkSize: number,
  fields?: number[],
  sampleSize: number = 16 + (chunkSize % 50),
) {
  const p = path.join(dir, `p${n++}.csv`);
  fs.writeFileSync(p, bytes);
  try {
    const input = await openCsvTuned(p, opts, undefined, { chunkSize, sampleSize });
    const rows: string[][] = [];
    const lines: number[] = [];
    const stats = await input.read(
      (f, line) => {
        rows.push(f.slice());
        lines.push(line);
      },
      fields ? { fields } : undefined,
    );
    return { header: input.header, dialect: input.dialect, rows, lines, stats };
  } finally {
    fs.rmSync(p);
  }
}

/**
 * Reference Windows-1252 decoder. Bytes 0x80..0x9F from Python's codec (undefined bytes kept
 * as U+0080..U+009F, as the WHATWG index does):
 *   python3 -c "print([hex(b) if b in (0x81, 0x8d, 0x8f, 0x90, 0x9d) else hex(ord(bytes([b]).decode('cp1252'))) for b in range(0x80, 0xa0)])"
 * (Node's own TextDecoder('windows-1252') decodes as ISO-8859-1, so it cannot serve.)
 */
const CP1252_80_9F = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d,
  0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];
function cp1252(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += String.fromCharCode(b >= 0x80 && b < 0xa0 ? CP1252_80_9F[b - 0x80] : b);
  return out;
}

const chunkArb = fc.oneof(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 8, max: 300 }), fc.constant(1 << 20));

describe('reader = csv-parse (differential)', () => {
  it('UTF-8 / UTF-16 with BOM, every delimiter, quoting, line ending and chunk size', async () => {
    await fc.assert(
      fc.asyncProperty(
        tableArb(UNITS),
        variantArb,
        fc.constantFrom('utf8' as const, 'utf16le' as const, 'utf16be' as const),
        chunkArb,
        async (table, v, encoding, chunkSize) => {
          // UTF-16 is only detected with a BOM.
          const vv = encoding === 'utf8' ? v : { ...v, bom: true };
          const { text, rowTexts } = serialise(table, vv);
          const ref = reference(text, vv);
          expect(ref).toEqual(table);
          const got = await ours(encode(text, encoding), { delimiter: vv.delimiter }, chunkSize);
          expect(got.header).toEqual(ref[0]);
          expect(got.rows).toEqual(ref.slice(1));
          expect(got.lines).toEqual(expectedLines(rowTexts).slice(1));
          expect(got.dialect.encoding).toBe(encoding);
          expect(got.dialect.bom).toBe(vv.bom);
          expect(got.stats.records).toBe(table.length - 1);
          const body = text.replace(/^\ufeff/, '');
          expect(got.stats.lines).toBe(breaks(body) + 1 - (/[\r\n]$/.test(body) ? 1 : 0));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('forced latin1 (no BOM)', async () => {
    await fc.assert(
      fc.asyncProperty(tableArb(LATIN1_UNITS), variantArb, chunkArb, async (table, v0, chunkSize) => {
        const v = { ...v0, bom: false };
        const { text } = serialise(table, v);
        const ref = reference(text, v);
        const got = await ours(encode(text, 'latin1'), { delimiter: v.delimiter, encoding: 'latin1' }, chunkSize);
        expect([got.header, ...got.rows]).toEqual(ref);
      }),
      { numRuns: 150 },
    );
  });

  it('latin1 is Windows-1252 for every byte, at every chunk size', async () => {
    const byte = fc.oneof(fc.integer({ min: 0x20, max: 0xff }), fc.constantFrom(0x2c, 0x0a, 0x0d, 0x22));
    await fc.assert(
      fc.asyncProperty(fc.array(byte, { minLength: 1, maxLength: 80 }), chunkArb, async (bytes, chunkSize) => {
        const body = Buffer.from([0x68, 0x2c, 0x69, 0x0a, ...bytes.filter((b) => b !== 0x22)]);
        const text = cp1252(body);
        const ref = parse(text, { relax_column_count: true, relax_quotes: true, skip_empty_lines: true, record_delimiter: '\n' });
        const got = await ours(body, { delimiter: ',', encoding: 'latin1' }, chunkSize);
        // csv-parse was told LF only; compare where the text has no CR.
        if (!text.includes('\r')) expect([got.header, ...got.rows]).toEqual(ref);
        expect(got.rows.flat().join('')).toBe(text.slice(4).replace(/[,\r\n]/g, ''));
      }),
      { numRuns: 200 },
    );
  });

  it('projection materialises exactly the requested fields', async () => {
    await fc.assert(
      fc.asyncProperty(
        tableArb(UNITS),
        variantArb,
        chunkArb,
        fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { maxLength: 4 }),
        async (table, v, chunkSize, fields) => {
          const { text } = serialise(table, v);
          const ref = reference(text, v);
          const got = await ours(encode(text, 'utf8'), { delimiter: v.delimiter }, chunkSize, fields);
          expect(got.rows).toEqual(ref.slice(1).map((r) => r.map((c, i) => (fields.includes(i) ? c : ''))));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('sniffs the delimiter of a consistent table whose cells hold no other candidate', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 5 }),
        fc.array(fc.string({ unit: fc.constantFrom('a', '1', ' ', '"', '\n', 'é', '.'), maxLength: 4 }), { minLength: 2, maxLength: 30 }),
        variantArb,
        chunkArb,
        async (cols, cells, v, chunkSize) => {
          const table: string[][] = [];
          table.push(Array.from({ length: cols }, (_, i) => `h${i}`));
          for (let r = 0; r * cols < cells.length; r++) {
            const row = cells.slice(r * cols, r * cols + cols);
            while (row.length < cols) row.push('x');
            table.push(row);
          }
          const { text } = serialise(table, { ...v, bom: false });
          const got = await ours(encode(text, 'utf8'), {}, chunkSize, undefined, 64 * 1024);
          expect(got.dialect.delimiter).toBe(v.delimiter);
          expect([got.header, ...got.rows]).toEqual(table);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('scanner: any split of the text gives the same records', () => {
  it('pushing the text in arbitrary pieces = pushing it whole', () => {
    fc.assert(
      fc.property(tableArb(UNITS), variantArb, fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 12 }), (table, v, cuts) => {
        const { text } = serialise(table, { ...v, bom: false });
        const run = (pieces: string[]) => {
          const out: Array<[number, string[]]> = [];
          const sc = new RecordScanner({ delimiter: v.delimiter, display: 't' }, (f, line) => {
            out.push([line, f.slice()]);
          });
          for (const p of pieces) sc.push(p);
          sc.end();
          return { out, last: sc.lastLine() };
        };
        const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const pieces: string[] = [];
        let prev = 0;
        for (const p of points) {
          pieces.push(text.slice(prev, p));
          prev = p;
        }
        pieces.push(text.slice(prev));
        expect(run(pieces)).toEqual(run([text]));
      }),
      { numRuns: 500 },
    );
  });
});

describe('scanner: lenient corners agree with csv-parse relax_quotes', () => {
  it.each(['a,b\n"x"y,2\n', 'a,b\n"a,b"c,2\n', 'a,b\n"a""b"c,2\n', 'a,b\n"a\nb"c,2\n', 'a,b\n"ab" ,2\n', 'a,b\n "ab",2\n', 'a,b\nx"y,"z"\n', 'a,b\n1,2,\n,\n'])(
    '%j',
    (text) => {
      const ref = parse(text, { relax_column_count: true, relax_quotes: true, skip_empty_lines: true, record_delimiter: '\n' });
      const out: string[][] = [];
      const sc = new RecordScanner({ delimiter: ',', display: 't' }, (f) => {
        out.push(f.slice());
      });
      sc.push(text);
      sc.end();
      expect(out).toEqual(ref);
    },
  );
});

describe('range mode (readRanges, UTF-8 bytes) = string mode (read)', () => {
  it('every record, field, quoted field and line, at every chunk size', async () => {
    await fc.assert(
      fc.asyncProperty(tableArb(UNITS), variantArb, chunkArb, async (table, vv, chunkSize) => {
        const { text } = serialise(table, vv);
        const p = path.join(dir, `r${n++}.csv`);
        fs.writeFileSync(p, encode(text, 'utf8'));
        try {
          const input = await openCsvTuned(p, { delimiter: vv.delimiter }, undefined, { chunkSize, sampleSize: 16 + (chunkSize % 50) });
          const strings: Array<[number, string[]]> = [];
          const sStats = await input.read((f, line) => {
            strings.push([line, f.slice()]);
          });
          const ranges: Array<[number, string[]]> = [];
          const rStats = await input.readRanges!((rec, line) => {
            const f: string[] = [];
            for (let k = 0; k < rec.count; k++) {
              f.push(rec.start[k] < 0 ? rec.quoted[k] : rec.bytes.toString('utf8', rec.start[k], rec.end[k]));
            }
            ranges.push([line, f]);
          });
          expect(ranges).toEqual(strings);
          expect(rStats).toEqual(sStats);
          expect(ranges.map((r) => r[1])).toEqual(table.slice(1));
        } finally {
          fs.rmSync(p);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('a quoted field is marked (start -1) and given unquoted; a long record grows the offset arrays', async () => {
    const p = path.join(dir, `r${n++}.csv`);
    const wide = Array.from({ length: 40 }, (_, i) => `c${i}`);
    fs.writeFileSync(p, `a,b\n"x,""y""",2\n${wide.join(',')}\n`);
    try {
      const input = await openCsvTuned(p, {}, undefined, {});
      const got: Array<{ start: number[]; quoted: string; count: number; last: string }> = [];
      await input.readRanges!((rec) => {
        got.push({
          start: Array.from(rec.start.subarray(0, 2)),
          quoted: rec.quoted[0] ?? '',
          count: rec.count,
          last: rec.start[rec.count - 1] < 0 ? rec.quoted[rec.count - 1] : rec.bytes.toString('utf8', rec.start[rec.count - 1], rec.end[rec.count - 1]),
        });
      });
      expect(got[0].start[0]).toBe(-1);
      expect(got[0].quoted).toBe('x,"y"');
      expect(got[0].last).toBe('2');
      expect(got[1].count).toBe(40);
      expect(got[1].last).toBe('c39');
    } finally {
      fs.rmSync(p);
    }
  });
});

describe('range mode: which inputs, and invalid UTF-8', () => {
  it('is offered for UTF-8 only (latin1 and UTF-16 inputs use the string path)', async () => {
    const cases: Array<[Buffer, object, boolean]> = [
      [Buffer.from('a,b\n1,2\n'), {}, true],
      [Buffer.from('a,b\n1,2\n', 'latin1'), { encoding: 'latin1' }, false],
      [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,b\n1,2\n', 'utf16le')]), {}, false],
    ];
    for (const [bytes, opts, offered] of cases) {
      const p = path.join(dir, `e${n++}.csv`);
      fs.writeFileSync(p, bytes);
      const input = await openCsvTuned(p, opts, undefined, {});
      expect(input.readRanges !== null).toBe(offered);
      fs.rmSync(p);
    }
  });

  it('invalid UTF-8 after the sample is the same error in both modes, at every chunk size', async () => {
    const good = 'client,score\n' + Array.from({ length: 50 }, (_, i) => `c${i},${i}`).join('\n') + '\n';
    const bytes = Buffer.concat([Buffer.from(good + 'cé,1\nc'), Buffer.from([0xc3, 0x28]), Buffer.from(',2\nz,3\n')]);
    const p = path.join(dir, `e${n++}.csv`);
    fs.writeFileSync(p, bytes);
    try {
      for (const chunkSize of [1, 2, 3, 7, 64, 1 << 20]) {
        const run = (ranges: boolean) =>
          openCsvTuned(p, {}, undefined, { chunkSize, sampleSize: 64 })
            .then((input) => (ranges ? input.readRanges!(() => undefined) : input.read(() => undefined)))
            .then(
              () => 'no error',
              (e: Error & { format?: () => string }) => (e.format ? e.format() : e.message),
            );
        const a = await run(false);
        const b = await run(true);
        expect(a).toMatch(/:53.*UTF-8/);
        expect(b).toBe(a);
      }
    } finally {
      fs.rmSync(p);
    }
  });
});

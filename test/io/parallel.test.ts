/**
 * The CSV reader on several threads (src/io/parallel/) against the one-thread reader
 * (issue 15): for random files and random piece sizes, readRanges delivers the same
 * records (fields, field counts, lines) in the same order, the same counts, and the same
 * error (message and location) or none. The files mix quoted fields with line breaks and
 * doubled quotes, stray quotes, CRLF, lone CR, blank lines, multi-byte characters, an
 * unclosed quote and invalid UTF-8, so piece boundaries fall inside quoted fields, inside
 * CRLF pairs and inside records. The property runs the pieces inline (many cases); the
 * last tests run real worker threads, and whole commands with --threads 1 and 2.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { openCsvTuned, type Tuning } from '../../src/io/csv.js';
import type { RangeRecord } from '../../src/io/scanner.js';
import { runInProcess } from '../helpers/cli.js';
import { parseConfig } from '../../src/config/load.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alliance-parallel-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;

interface Outcome {
  records: string[];
  stats: { records: number; lines: number } | null;
  error: string | null;
}

async function read(file: string, tuning: Tuning): Promise<Outcome> {
  const records: string[] = [];
  try {
    const input = await openCsvTuned(file, { delimiter: ',', encoding: 'utf8' }, undefined, { sampleSize: 16, ...tuning });
    const stats = await input.readRanges!((rec: RangeRecord, line: number) => {
      const fields: string[] = [];
      for (let k = 0; k < rec.count; k++) fields.push(rec.start[k] < 0 ? `q:${rec.quoted[k]}` : rec.bytes.toString('utf8', rec.start[k], rec.end[k]));
      records.push(`${line}|${rec.count}|${JSON.stringify(fields)}`);
    });
    return { records, stats: { records: stats.records, lines: stats.lines }, error: null };
  } catch (e) {
    const err = e as { format?: () => string; message: string };
    return { records, stats: null, error: err.format ? err.format() : `internal: ${err.message}` };
  }
}

const UNITS = ['a', '7', '2.5', ',', ',', '"', '""', '"x\ny"', '"p,q"', '\n', '\n', '\r\n', '\r\n', '\r', 'é', '中', '😀', ' ', '\n\n'];

const fileArb = fc.record({
  units: fc.array(fc.constantFrom(...UNITS), { maxLength: 120 }),
  bom: fc.boolean(),
  invalid: fc.option(fc.nat(), { freq: 5 }),
  trailing: fc.constantFrom('', '\n', '\r\n', '\r'),
});

type FileSpec = typeof fileArb extends fc.Arbitrary<infer T> ? T : never;

function build({ units, bom, invalid, trailing }: FileSpec): Buffer {
  const body = Buffer.from(units.join('') + trailing, 'utf8');
  const parts = [bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from('alpha,beta,gamma\n'), body];
  let buf = Buffer.concat(parts);
  if (invalid !== null && buf.length > 20) {
    const at = 20 + (invalid % (buf.length - 20));
    buf = Buffer.concat([buf.subarray(0, at), Buffer.from([0xff]), buf.subarray(at)]);
  }
  return buf;
}

describe('readRanges on several threads', () => {
  it('gives the one-thread records, lines, counts and errors for any file and any piece size', async () => {
    await fc.assert(
      fc.asyncProperty(fileArb, fc.integer({ min: 1, max: 48 }), fc.integer({ min: 1, max: 48 }), async (f, seqChunk, parChunk) => {
        const file = path.join(dir, `p${n++}.csv`);
        fs.writeFileSync(file, build(f));
        const one = await read(file, { chunkSize: seqChunk, threads: 1 });
        const many = await read(file, { chunkSize: parChunk, threads: 2, parallelMinBytes: 0, inlineScan: true });
        if (one.error !== null && one.error.includes('is not valid UTF-8')) {
          // Which records come before an encoding error depends on the chunk size, on one
          // thread too (a chunk is checked before it is scanned): the same error, and
          // records that agree as far as both go.
          expect(many.error).toBe(one.error);
          const k = Math.min(many.records.length, one.records.length);
          expect(many.records.slice(0, k)).toEqual(one.records.slice(0, k));
        } else expect(many).toEqual(one);
      }),
      { numRuns: 600 },
    );
  });

  it('an overlong record is refused at the same line', async () => {
    const file = path.join(dir, 'long.csv');
    fs.writeFileSync(file, 'alpha,beta\n1,2\n3,4\n' + 'x'.repeat(5000) + '\n5,6\n');
    const one = await read(file, { chunkSize: 64, threads: 1, maxRecordBytes: 1000 });
    const many = await read(file, { chunkSize: 64, threads: 2, parallelMinBytes: 0, inlineScan: true, maxRecordBytes: 1000 });
    expect(one.error).toMatch(/csv:4: a record starting here runs on/);
    expect(many).toEqual(one);
  });

  it('worker threads give the same records for a larger file with multi-line notes and CRLF', async () => {
    const rows = ['client,session,srs,note'];
    for (let i = 0; i < 20000; i++) {
      const note = i % 7 === 0 ? `"line one\r\nline ""two"", ${i}"` : i % 5 === 0 ? '"x,y"' : `n${i}`;
      rows.push(`C${i % 997},${i},${(i * 7) % 40}.5,${note}`);
    }
    const file = path.join(dir, 'big.csv');
    fs.writeFileSync(file, rows.join('\r\n') + '\r\n');
    const one = await read(file, { chunkSize: 4096, threads: 1 });
    for (const threads of [2, 3]) {
      const many = await read(file, { chunkSize: 4096, threads, parallelMinBytes: 0 });
      expect(many.records.length).toBe(20000);
      expect(many).toEqual(one);
    }
  });
});

describe('commands with --threads', () => {
  it('describe, correlate and trend print the same output with --threads 1 and 2 (a file above the parallel threshold)', async () => {
    const rows = ['client_id,therapist_id,session,date,srs,ors,note'];
    for (let c = 0; c < 14000; c++) {
      for (let s = 1; s <= 20; s++) {
        const day = String(1 + ((c + s) % 28)).padStart(2, '0');
        const note = (c + s) % 97 === 0 ? '"two\nlines"' : '';
        rows.push(
          `C${c},T${c % 40},${s},2024-${String(1 + (s % 12)).padStart(2, '0')}-${day},${30 + ((c * s) % 11)},${(10 + ((c * 3 + s * 7) % 300) / 10).toFixed(1)},${note}`,
        );
      }
    }
    const file = path.join(dir, 'sessions.csv');
    fs.writeFileSync(file, rows.join('\n') + '\n');
    expect(fs.statSync(file).size).toBeGreaterThan(8 * 1024 * 1024);
    for (const args of [['describe'], ['correlate', '--alliance', 'srs', '--outcome', 'ors', '--by', 'therapist'], ['trend']]) {
      const one = await runInProcess([...args, file, '--format', 'json', '--threads', '1']);
      const two = await runInProcess([...args, file, '--format', 'json', '--threads', '2']);
      expect(one.code, one.stderr).toBe(0);
      expect(two.stdout).toBe(one.stdout);
      expect(two.stderr).toBe(one.stderr);
    }
  });
});

describe('--threads and threads:', () => {
  it('a thread count that is not a whole number from 1 to 64 is one line, exit 2', async () => {
    for (const bad of ['0', 'x', '2.5', '65']) {
      const r = await runInProcess(['describe', 'fixtures/demo.csv', '--threads', bad]);
      expect(r.code).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('--threads must be a whole number from 1 to 64');
    }
  });

  it('the config key takes a whole number and refuses anything else, naming the line', () => {
    expect(parseConfig('threads: 2\n', 'c.yaml', '/d').read.threads).toBe(2);
    for (const bad of ['threads: 0\n', 'threads: two\n', 'threads: 1.5\n']) {
      expect(() => parseConfig(bad, 'c.yaml', '/d')).toThrow(/threads/);
    }
  });

  it('a small file is read on one thread whatever --threads says (the same output)', async () => {
    const one = await runInProcess(['describe', 'fixtures/demo.csv', '--format', 'json', '--threads', '1']);
    const four = await runInProcess(['describe', 'fixtures/demo.csv', '--format', 'json', '--threads', '4']);
    expect(one.code).toBe(0);
    expect(four.stdout).toBe(one.stdout);
  });
});

/**
 * The SPSS decoder (src/io/sav/) on files written by R haven (write_sav: bytecode,
 * uncompressed, zsav) and by PSPP (SAVE /COMPRESSED, /UNCOMPRESSED, /ZCOMPRESSED, and a
 * windows-1252 file), against what R haven's read_sav reads from the same files
 * (test/reference/sav-files.R writes the files and test/reference/sav-files.json):
 * UTF-8 strings longer than 8 and than 255 bytes, value labels (numeric and long string),
 * user-missing values (discrete and a range), dates, date-times, system-missing. Then
 * damaged files: every cut gives one error, never a stack trace or half the data.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { openSniffed } from '../../src/io/table.js';
import { MAX_ZBLOCK } from '../../src/io/sav/cases.js';
import { runInProcess } from '../helpers/cli.js';

interface RefVar {
  name: string;
  label: unknown;
  labels: { value: number | string; label: string }[] | null;
  values: (number | string | null)[];
}
type Ref = Record<string, { variables: RefVar[] }>;
const REF = JSON.parse(readFileSync('test/reference/sav-files.json', 'utf8')) as Ref;
/** Big-endian rewrites of three of them (test/reference/sav-bigendian.py), as haven reads them (sav-bigendian.R). */
const REF_BE = JSON.parse(readFileSync('test/reference/sav-bigendian.json', 'utf8')) as Ref;
const DIR = path.resolve('fixtures/formats/sav');

async function readAll(file: string) {
  const input = await openSniffed(file, {});
  input.configure?.({ client: 0, dates: [], measures: [] });
  const rows: { line: number; fields: string[] }[] = [];
  const stats = await input.read((fields, line) => rows.push({ line, fields: fields.slice() }));
  return { input, rows, stats };
}

/** The text a cell should read as: labels applied (no column is a measure here), missing as ''. */
function expected(v: RefVar, x: number | string | null): string {
  if (x === null) return '';
  const l = v.labels?.find((e) => e.value === x);
  if (l) return l.label;
  return typeof x === 'number' ? String(x) : x;
}

describe('SPSS files written by R haven and PSPP read as R haven reads them', () => {
  it('covers both writers and all three compressions', () => {
    expect(Object.keys(REF).sort()).toEqual([
      'haven_byte.sav',
      'haven_none.sav',
      'haven_zsav.zsav',
      'pspp_compressed.sav',
      'pspp_cp1252.sav',
      'pspp_uncompressed.sav',
      'pspp_zcompressed.zsav',
    ]);
  });
  const matchesHaven = (file: string, ref: { variables: RefVar[] }) => async () => {
    const { input, rows, stats } = await readAll(path.join(DIR, file));
    expect(input.kind).toBe(file.endsWith('.zsav') ? 'zsav' : 'sav');
    expect(input.header).toEqual(ref.variables.map((v) => v.name));
    ref.variables.forEach((v, k) => {
      if (typeof v.label === 'string') expect(input.labels?.[k]).toBe(v.label);
    });
    const n = ref.variables[0].values.length;
    expect(stats.records).toBe(n);
    expect(rows.map((r) => r.line)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    ref.variables.forEach((v, k) => {
      expect(
        rows.map((r) => r.fields[k]),
        `${file} ${v.name}`,
      ).toEqual(v.values.map((x) => expected(v, x)));
    });
  };
  for (const [file, ref] of Object.entries(REF)) it(file, matchesHaven(file, ref));
  it('big-endian files (bytecode, uncompressed, zsav) read as haven reads them', async () => {
    expect(Object.keys(REF_BE).sort()).toEqual(['haven_byte_be.sav', 'haven_zsav_be.zsav', 'pspp_uncompressed_be.sav']);
    for (const [file, ref] of Object.entries(REF_BE)) {
      const b = readFileSync(path.join(DIR, 'bigendian', file));
      expect(b.readInt32BE(64), `${file} layout code, big-endian`).toBe(2);
      await matchesHaven(path.join('bigendian', file), ref)();
    }
  });
  it('keeps numbers exact and strings whole (not 8 bytes at a time)', async () => {
    const { rows, input } = await readAll(path.join(DIR, 'haven_byte.sav'));
    const note = input.header.indexOf('note');
    expect(Buffer.byteLength(rows[0].fields[note])).toBeGreaterThan(255);
    expect(rows[0].fields[note]).toMatch(/Øresund—“Zitat” ✓$/);
    expect(rows[3].fields[note]).toBe('é'.repeat(140) + 'x');
  });
  it('without an encoding record, decodes with the code page of record 3 (windows-1252 here)', async () => {
    const b = readFileSync(path.join(DIR, 'pspp_cp1252.sav'));
    // Record 7, subtype 20 (the encoding name, 1-byte elements): cut it out of the dictionary.
    const at = [...Array(b.length - 16).keys()].find((i) => b.readInt32LE(i) === 7 && b.readInt32LE(i + 4) === 20 && b.readInt32LE(i + 8) === 1)!;
    expect(b.toString('latin1', at + 16, at + 16 + b.readInt32LE(at + 12))).toBe('WINDOWS-1252');
    expect(b.readInt32LE(b.indexOf(Buffer.from([7, 0, 0, 0, 3, 0, 0, 0])) + 16 + 28)).toBe(1252);
    const cut = Buffer.concat([b.subarray(0, at), b.subarray(at + 16 + b.readInt32LE(at + 12))]);
    const d = mkdtempSync(path.join(os.tmpdir(), 'alliance-sav-'));
    writeFileSync(path.join(d, 'cp.sav'), cut);
    const { rows } = await readAll(path.join(d, 'cp.sav'));
    const ref = REF['pspp_cp1252.sav'].variables.find((v) => v.name === 'place')!;
    expect(rows.map((r) => r.fields[1])).toEqual(ref.values);
  });
  for (const file of ['haven_byte.sav', 'haven_none.sav', 'pspp_compressed.sav', 'pspp_uncompressed.sav']) {
    it(`${file} with no case count in its header (-1) reads the same cases to the end of the data`, async () => {
      const b = Buffer.from(readFileSync(path.join(DIR, file)));
      b.writeInt32LE(-1, 80);
      const d = mkdtempSync(path.join(os.tmpdir(), 'alliance-sav-'));
      writeFileSync(path.join(d, file), b);
      const unknown = await readAll(path.join(d, file));
      const known = await readAll(path.join(DIR, file));
      expect(unknown.rows).toEqual(known.rows);
      expect(unknown.rows).toHaveLength(REF[file].variables[0].values.length);
    });
  }
  it('names the user-missing values it read as missing', async () => {
    const { input } = await readAll(path.join(DIR, 'haven_byte.sav'));
    expect(input.notes.join('; ')).toMatch(/srs \(-99, -98\), ors \(900 thru HIGHEST\)/);
  });
});

describe('damaged SPSS files: one error, never a stack trace', () => {
  const tmp = (name: string, data: Buffer) => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'alliance-sav-'));
    const f = path.join(d, name);
    writeFileSync(f, data);
    return f;
  };
  const cases: [string, (b: Buffer) => Buffer, RegExp][] = [
    ['the header only', (b) => b.subarray(0, 176), /ends inside its dictionary/],
    ['cut in the dictionary', (b) => b.subarray(0, 700), /ends inside its dictionary/],
    ['cut in the cases', (b) => b.subarray(0, b.length - 20), /truncated/],
    ['an unknown record type', (b) => Buffer.concat([b.subarray(0, 176), Buffer.from([9, 0, 0, 0]), b.subarray(180)]), /unknown record type 9 at byte 176/],
    ['a wrong layout code', (b) => Buffer.concat([b.subarray(0, 64), Buffer.from([7, 0, 0, 0]), b.subarray(68)]), /layout code/],
    // A case size that is not the variables' (it sized a case buffer of 16 GiB: an internal error).
    ['a huge case size in the header', (b) => withInt32(b, 68, 0x7fffffff), /its header gives 2147483647 elements per case, but its variable records give \d+/],
    // One element too many would read every case at the wrong offsets.
    ['a case size one more than the variables', (b) => withInt32(b, 68, b.readInt32LE(68) + 1), /elements per case, but its variable records give/],
  ];
  function withInt32(b: Buffer, at: number, v: number): Buffer {
    const c = Buffer.from(b);
    c.writeInt32LE(v, at);
    return c;
  }
  for (const file of ['haven_byte.sav', 'haven_none.sav', 'haven_zsav.zsav', 'pspp_compressed.sav']) {
    for (const [what, cut, re] of cases) {
      it(`${file}: ${what}`, async () => {
        const f = tmp(file, cut(readFileSync(path.join(DIR, file))));
        const err = await readAll(f).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(UserError);
        expect((err as Error).message).toMatch(/^cannot read the SPSS file \(/);
        expect((err as Error).message).toMatch(re);
      });
    }
  }
  it('a .zsav with a damaged zlib block', async () => {
    const b = Buffer.from(readFileSync(path.join(DIR, 'haven_zsav.zsav')));
    // The trailer ends the file: 24 bytes, then 24 per block (here one); the block's offset is its 2nd field.
    expect(b.readInt32LE(b.length - 48 + 20)).toBe(1);
    const block = Number(b.readBigInt64LE(b.length - 16));
    b.fill(0x55, block + 2, block + 40);
    const err = await readAll(tmp('bad.zsav', b)).then(
      () => null,
      (e: unknown) => e,
    );
    expect((err as Error).message).toMatch(/zlib block 1 cannot be inflated/);
  });
  /**
   * haven_zsav.zsav (one zlib block, the trailer ending the file) rebuilt with its block
   * replaced: the same bytecode, then `extra` zero bytes (padding codes, never decoded),
   * deflated again; the trailer declares `declared` uncompressed bytes (default: the real
   * size of the original block) and the new compressed size and offsets.
   */
  function rezipped(extra: number, declared?: number): Buffer {
    const b = readFileSync(path.join(DIR, 'haven_zsav.zsav'));
    const t = b.length - 48;
    expect(b.readInt32LE(t + 20)).toBe(1);
    const cofs = Number(b.readBigInt64LE(t + 24 + 8));
    const block = inflateSync(b.subarray(cofs, cofs + b.readInt32LE(t + 24 + 20)));
    const z = deflateSync(Buffer.concat([block, Buffer.alloc(extra)]), { level: 9 });
    const head = Buffer.from(b.subarray(0, cofs));
    head.writeBigInt64LE(BigInt(cofs + z.length), cofs - 24 + 8); // the zlib header's trailer offset
    const trailer = Buffer.from(b.subarray(t));
    trailer.writeInt32LE(declared ?? block.length, 24 + 16);
    trailer.writeInt32LE(z.length, 24 + 20);
    return Buffer.concat([head, z, trailer]);
  }
  const failure = (file: string) =>
    readAll(file).then(
      () => null,
      (e: unknown) => e,
    );
  it('a .zsav rebuilt with the same block reads as the original', async () => {
    const again = await readAll(tmp('same.zsav', rezipped(0)));
    expect(again.rows).toEqual((await readAll(path.join(DIR, 'haven_zsav.zsav'))).rows);
  });
  it('a zlib block that inflates past its declared size is refused when it passes it (a zlib bomb)', async () => {
    // 1 KiB of bytecode declared, 1 MiB inflated: before the bound, the whole 1 MiB was
    // inflated and then compared (a 1 MB block inflating to 1 GiB took 2.2 GB of memory).
    const f = tmp('bomb.zsav', rezipped(1 << 20));
    expect(statSync(f).size).toBeLessThan(8192);
    const err = await failure(f);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(
      /^cannot read the SPSS file \(zlib block 1 \(at byte \d+\) inflates to more than the 1104 bytes its trailer gives\)$/,
    );
  });
  it('a zlib block that declares more than it inflates to is refused', async () => {
    const err = await failure(tmp('short.zsav', rezipped(0, 2048)));
    expect((err as Error).message).toMatch(/zlib block 1 inflates to 1104 bytes, not the 2048 its trailer gives/);
  });
  for (const declared of [MAX_ZBLOCK + 1, 0x7fffffff, -1]) {
    it(`a zlib block declaring an implausible size (${declared}) is refused before it is inflated`, async () => {
      const err = await failure(tmp('huge.zsav', rezipped(0, declared)));
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toMatch(
        new RegExp(`zlib block 1 \\(at byte \\d+\\) declares an uncompressed size of ${declared} bytes; a block holds 0 to ${MAX_ZBLOCK}`),
      );
    });
  }
  it('a zlib bomb on the command line: one line naming the file and the block, exit 2', async () => {
    const r = await runInProcess(['describe', tmp('bomb.zsav', rezipped(1 << 20))]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^alliance: .*bomb\.zsav: cannot read the SPSS file \(zlib block 1 \(at byte \d+\) inflates to more than the 1104 bytes/);
  });
  it('a date no calendar holds is reported as an invalid date, not an internal error', async () => {
    // long_uncompressed.sav (R haven, no compression): the dictionary ends with record 999 and
    // a filler, then the cases, 8 bytes per element; the date variable is the one with an SPSS
    // date format. Its first case gets 1e300 seconds.
    const b = Buffer.from(readFileSync(path.resolve('fixtures/formats/long_uncompressed.sav')));
    const { readDictionary } = await import('../../src/io/sav/dictionary.js');
    const dict = readDictionary({ read: (at, n) => b.subarray(at, at + n) });
    expect(dict.compression).toBe(0);
    const date = dict.variables.find((v) => v.name.toLowerCase() === 'date')!;
    b.writeDoubleLE(1e300, dict.dataOffset + date.segments[0][0]);
    const r = await runInProcess(['validate', tmp('far-date.sav', b), '--format', 'json']);
    expect(r.code, r.stderr).toBe(1);
    const findings = (JSON.parse(r.stdout) as { files: { findings: { code: string; line: number; value: string }[] }[] }).files[0].findings;
    expect(findings.filter((f) => f.code === 'value.invalid-date')).toEqual([expect.objectContaining({ line: 1, value: '1e+300' })]);
  });
  it('on the command line: one line, exit 2', async () => {
    const b = readFileSync(path.join(path.resolve('fixtures/formats'), 'long.sav'));
    const r = await runInProcess(['describe', tmp('cut.sav', b.subarray(0, b.length - 100))]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^alliance: .*cut\.sav: cannot read the SPSS file \(the file ends inside case \d+: it is truncated\)\. /);
  });
});

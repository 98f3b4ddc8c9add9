/**
 * Hash what is read, in the same pass (issue 16): an input's size and SHA-256 come from the
 * bytes its reads read (src/io/digest.ts), never from a second reading. Faults are injected
 * with the reader's `afterRead` hook and the report's progress callback (no timing): a
 * same-size rewrite during a pass gives a digest of exactly the bytes analysed, and any
 * later pass that finds other bytes stops with one line; inputs read through a private copy
 * (compressed and binary formats) keep the analysed bytes whatever happens to the original.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import * as zlib from 'node:zlib';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCsv, openCsvTuned } from '../../src/io/csv.js';
import { openSniffed } from '../../src/io/table.js';
import { openSource, snapshot, spooledDirs } from '../../src/io/source.js';
import { loadConfig } from '../../src/config/load.js';
import { runReport, sectionCheck } from '../../src/report/batch/run.js';
import { runInProcess, silentIo } from '../helpers/cli.js';
import { failure } from '../helpers/failure.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FORMATS = path.join(ROOT, 'fixtures/formats');

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'alliance-digest-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const HEADER = 'client_id,session,srs,ors';
/** 400 rows; `alt` gives other values of the same width (a same-size rewrite). */
const csv = (alt = false) =>
  HEADER +
  '\n' +
  Array.from({ length: 400 }, (_, i) => `C${String(i % 40).padStart(2, '0')},${1 + Math.floor(i / 40)},${alt ? 31 : 30},${alt ? 21 : 20}`).join('\n') +
  '\n';

/** The CSV opened with 1 KiB reads; `fault` runs once, after the first KiB read once armed. */
async function withFault(f: string, fault: () => void) {
  let armed = false;
  let done = false;
  const input = await openCsvTuned(f, { digest: 'sha256' }, undefined, {
    chunkSize: 1024,
    afterRead: (bytes) => {
      if (armed && !done && bytes >= 1024) {
        done = true;
        fault();
      }
    },
  });
  return { input, arm: () => void (armed = true), fired: () => done };
}

describe('CSV: the digest is of the bytes the pass read', () => {
  it('a file removed before invalid UTF-8 is located is one line, not a raw ENOENT', async () => {
    const f = path.join(tmp, 'removed-bad-utf8.csv');
    // Valid rows over the first chunk, then a byte that is not UTF-8.
    writeFileSync(f, Buffer.concat([Buffer.from(csv()), Buffer.from('C99,1,30,2'), Buffer.from([0xff]), Buffer.from('\n')]));
    let armed = false;
    let removed = false;
    const input = await openCsvTuned(f, {}, undefined, {
      chunkSize: 1024,
      sampleSize: 64, // the bad byte lies past the sample that opening checks
      afterRead: () => {
        if (armed && !removed) {
          removed = true;
          unlinkSync(f);
        }
      },
    });
    armed = true; // after opening, which reads the header
    const msg = await failure(input.read(() => undefined));
    expect(removed).toBe(true);
    expect(msg).toMatch(/removed-bad-utf8\.csv: the file was removed or renamed while it was being read/);
    expect(msg.split('\n')).toHaveLength(1);
  });
  it('a whole pass gives the file size and node:crypto SHA-256 of the file; a header-only read gives none', async () => {
    const f = path.join(tmp, 'plain.csv');
    writeFileSync(f, '\uFEFF' + csv());
    const input = await openCsv(f, { digest: 'sha256' });
    expect(input.digest()).toBeNull(); // opening reads only the head and the header
    let n = 0;
    await input.read(() => void n++);
    expect(n).toBe(400);
    const bytes = readFileSync(f);
    expect(input.digest()).toEqual({ bytes: bytes.length, sha256: sha(bytes) });
    // The byte-range path hashes too, and agrees.
    await input.readRanges!(() => undefined);
    expect(input.digest()).toEqual({ bytes: bytes.length, sha256: sha(bytes) });
  });

  it('tiny chunks (the BOM split over reads): the same digest', async () => {
    const f = path.join(tmp, 'tiny.csv');
    writeFileSync(f, '\uFEFF' + csv());
    const input = await openCsvTuned(f, { digest: 'sha256' }, undefined, { chunkSize: 1, sampleSize: 64 });
    const rows: string[] = [];
    await input.read((fields) => void rows.push(fields.join(',')));
    expect(rows).toHaveLength(400);
    expect(input.digest()?.sha256).toBe(sha(readFileSync(f)));
  });

  it('the parallel byte-range reader (--threads) hashes what it reads too, BOM included', async () => {
    const f = path.join(tmp, 'parallel.csv');
    writeFileSync(f, '\uFEFF' + csv());
    for (const inlineScan of [true, false]) {
      const input = await openCsvTuned(f, { digest: 'sha256' }, undefined, { chunkSize: 512, threads: 2, parallelMinBytes: 1, inlineScan });
      let n = 0;
      await input.readRanges!(() => void n++);
      expect(n).toBe(400);
      expect(input.digest()).toEqual({ bytes: statSync(f).size, sha256: sha(readFileSync(f)) });
      // A same-size rewrite, then the one-thread reader: the content differs.
      writeFileSync(f, '\uFEFF' + csv(true));
      expect(await failure(input.read(() => undefined))).toMatch(/its content differs/);
      writeFileSync(f, '\uFEFF' + csv());
    }
  });

  it('a same-size rewrite during the pass: the digest is of exactly the records analysed, and the next pass stops', async () => {
    const f = path.join(tmp, 'rewrite-during.csv');
    writeFileSync(f, csv());
    const { input, arm, fired } = await withFault(f, () => writeFileSync(f, csv(true))); // same size, other values
    const seen: string[] = [];
    arm();
    await input.read((fields) => void seen.push(fields.join(',')));
    expect(fired()).toBe(true);
    // The rows after the first chunk come from the new version (a chunk already in flight
    // may still hold the old bytes): whatever the mixture, the digest is of those bytes.
    expect(seen.some((r) => r.endsWith(',31,21'))).toBe(true);
    const analysed = HEADER + '\n' + seen.join('\n') + '\n';
    expect(input.digest()).toEqual({ bytes: Buffer.byteLength(analysed), sha256: sha(analysed) });
    expect(input.digest()?.sha256).not.toBe(sha(csv(true)));
    expect(await failure(input.read(() => undefined))).toMatch(
      /rewrite-during\.csv: the file changed while it was being read \(its content differs between two readings of [\d,]+ bytes\)/,
    );
  });

  it('truncated during the pass: one line naming both sizes, no digest', async () => {
    const f = path.join(tmp, 'shrink-during.csv');
    writeFileSync(f, csv());
    const { input, arm } = await withFault(f, () => truncateSync(f, 2000));
    arm();
    const msg = await failure(input.read(() => undefined));
    expect(msg).toMatch(/shrink-during\.csv: the file changed while it was being read \([\d,]+ bytes when opened, [\d,]+ read\)/);
    expect(input.digest()).toBeNull();
  });

  it('removed during the pass: the pass reads what it opened; the next one stops with one line', async () => {
    const f = path.join(tmp, 'gone-during.csv');
    writeFileSync(f, csv());
    const { input, arm } = await withFault(f, () => unlinkSync(f));
    arm();
    let n = 0;
    await input.read(() => void n++);
    expect(n).toBe(400);
    expect(input.digest()?.sha256).toBe(sha(csv()));
    expect(await failure(input.read(() => undefined))).toMatch(/gone-during\.csv: the file was removed or renamed while it was being read/);
  });

  it('a same-size rewrite between passes (modification time restored): the next pass stops with one line', async () => {
    const f = path.join(tmp, 'rewrite-between.csv');
    writeFileSync(f, csv());
    const st = statSync(f);
    const input = await openCsv(f, {});
    await input.read(() => undefined);
    writeFileSync(f, csv(true));
    utimesSync(f, st.atime, st.mtime);
    const msg = await failure(input.readRanges!(() => undefined));
    expect(msg).toMatch(/the file changed while it was being read \(its content differs/);
    expect(msg.split('\n')).toHaveLength(1);
  });
});

/** CRC-32 (ISO-HDLC: zlib's, PNG's), bit by bit: a reference independent of node:zlib. */
function crc32Ref(data: Buffer | string): string {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  let c = 0xffffffff;
  for (const x of bytes) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ((c ^ 0xffffffff) >>> 0).toString(16).padStart(8, '0');
}

/** What a pass that was not asked for SHA-256 gives: CRC-32 (SHA-256 where Node.js has no zlib.crc32, before 20.15). */
const quick = (data: Buffer | string) => {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  return 'crc32' in zlib ? { bytes: bytes.length, crc32: crc32Ref(bytes) } : { bytes: bytes.length, sha256: sha(bytes) };
};

describe('without SHA-256 asked for (every command; the report asks for it): CRC-32 of the same bytes', () => {
  it('the reference gives the published check value of CRC-32', () => {
    expect(crc32Ref('123456789')).toBe('cbf43926');
  });

  it('the one-thread, byte-range and parallel readers give the CRC-32 of the file, BOM included', async () => {
    const f = path.join(tmp, 'quick.csv');
    writeFileSync(f, '\uFEFF' + csv());
    const bytes = readFileSync(f);
    const input = await openCsv(f, {});
    await input.read(() => undefined);
    expect(input.digest()).toEqual(quick(bytes));
    await input.readRanges!(() => undefined);
    expect(input.digest()).toEqual(quick(bytes));
    for (const inlineScan of [true, false]) {
      const par = await openCsvTuned(f, {}, undefined, { chunkSize: 512, threads: 2, parallelMinBytes: 1, inlineScan });
      await par.readRanges!(() => undefined);
      expect(par.digest()).toEqual(quick(bytes));
    }
    // Tiny reads: the running CRC over many chunks is the CRC of the whole.
    const tiny = await openCsvTuned(f, {}, undefined, { chunkSize: 7, sampleSize: 64 });
    await tiny.read(() => undefined);
    expect(tiny.digest()).toEqual(quick(bytes));
  });

  it('a compressed input: the CRC-32 of the original file, hashed while copied', async () => {
    const f = path.join(tmp, 'quick.csv.gz');
    copyFileSync(path.join(FORMATS, 'long.csv.gz'), f);
    const input = await openSniffed(f, { looksLikeHeader: (cells) => cells.includes('client_id') });
    await input.read(() => undefined);
    expect(input.digest()).toEqual(quick(readFileSync(f)));
  });

  it('a same-size rewrite during the pass: the next pass stops with one line, as with SHA-256', async () => {
    const f = path.join(tmp, 'quick-rewrite.csv');
    writeFileSync(f, csv());
    let armed = false;
    let done = false;
    const input = await openCsvTuned(f, {}, undefined, {
      chunkSize: 1024,
      afterRead: (bytes) => {
        if (armed && !done && bytes >= 1024) {
          done = true;
          writeFileSync(f, csv(true));
        }
      },
    });
    armed = true; // after opening, which reads the head
    await input.read(() => undefined);
    expect(done).toBe(true);
    const msg = await failure(input.read(() => undefined));
    expect(msg).toMatch(/quick-rewrite\.csv: the file changed while it was being read \(its content differs/);
    expect(msg.split('\n')).toHaveLength(1);
  });
});

describe('compressed and binary inputs: hashed while copied, analysed from the copy', () => {
  for (const name of ['long.csv.gz', 'long.zip', 'long.xlsx', 'long.sav', 'long.zsav', 'long.parquet']) {
    it(`${name}: digest of the original file; a rewrite of the original after opening changes nothing read`, async () => {
      const f = path.join(tmp, name);
      copyFileSync(path.join(FORMATS, name), f);
      const original = readFileSync(f);
      const input = await openSniffed(f, { looksLikeHeader: (cells) => cells.includes('client_id'), digest: 'sha256' });
      const rows = async () => {
        const out: string[] = [];
        await input.read((fields) => void out.push(fields.join('|')));
        return out;
      };
      const before = await rows();
      expect(before.length).toBeGreaterThan(10);
      expect(input.digest()).toEqual({ bytes: original.length, sha256: sha(original) });
      // Another file of the same size takes its place: the reads keep to what was hashed.
      const other = Buffer.alloc(original.length, 0x41);
      writeFileSync(f, other);
      expect(await rows()).toEqual(before);
      expect(input.digest()).toEqual({ bytes: original.length, sha256: sha(original) });
    });
  }

  it('the snapshot (a kernel copy, then hashed): a file that changed size or went away since it was opened is one line, no copy left', async () => {
    const f = path.join(tmp, 'snap.sav');
    copyFileSync(path.join(FORMATS, 'long.sav'), f);
    const before = spooledDirs().length;
    const grown = await openSource(f);
    writeFileSync(f, Buffer.concat([readFileSync(path.join(FORMATS, 'long.sav')), Buffer.from('xx')]));
    expect(await failure(snapshot(grown))).toMatch(/snap\.sav: the file changed while it was being read \([\d,]+ bytes when opened, [\d,]+ read\)/);
    const gone = await openSource(f);
    unlinkSync(f);
    expect(await failure(snapshot(gone))).toMatch(/snap\.sav: the file was removed or renamed while it was being read/);
    expect(spooledDirs()).toHaveLength(before);
    copyFileSync(path.join(FORMATS, 'long.sav'), f);
    const ok = await snapshot(await openSource(f, undefined, undefined, 'sha256'));
    expect(ok.file).not.toBe(f);
    expect(readFileSync(ok.file).equals(readFileSync(f))).toBe(true);
    expect(ok.digest.get()).toEqual({ bytes: statSync(f).size, sha256: sha(readFileSync(f)) });
  });

  it('standard input: the digest of the bytes piped in', async () => {
    const { Readable } = await import('node:stream');
    const data = csv();
    const input = await openCsv('-', { digest: 'sha256' }, Readable.from([Buffer.from(data)]));
    expect(input.digest()).toEqual({ bytes: Buffer.byteLength(data), sha256: sha(data) });
    await input.read(() => undefined); // the spooled copy reads the same
    expect(input.digest()?.sha256).toBe(sha(data));
  });
});

describe('the report manifest records what the analysis read', () => {
  const config = (file: string) => `files: [${file}]\ntoday: 2025-07-01\nreport:\n  sections: [validate, describe]\n  formats: [json]\n`;

  for (const name of ['long.csv', 'long.csv.gz', 'long.xlsx', 'long.sav', 'long.parquet']) {
    it(`${name}: manifest bytes and sha256 equal node:crypto of the input`, async () => {
      const dir = mkdtempSync(path.join(tmp, 'm-'));
      copyFileSync(path.join(FORMATS, name), path.join(dir, name));
      writeFileSync(path.join(dir, 'r.yaml'), config(name));
      const res = await runInProcess(['report', '--config', 'r.yaml', '--out', 'out', '--reproducible'], { cwd: dir });
      expect(res.stderr).toMatch(/wrote out/);
      const m = JSON.parse(readFileSync(path.join(dir, 'out/manifest.json'), 'utf8'));
      const bytes = readFileSync(path.join(dir, name));
      expect(m.inputs).toEqual([{ path: name, bytes: bytes.length, rows: expect.any(Number), sha256: sha(bytes) }]);
      expect(m.inputs[0].rows).toBeGreaterThan(10);
    });
  }

  /** runReport on data.csv with a progress hook that rewrites the input (same size) when section `at` starts. */
  async function rewriteAt(at: number): Promise<{ run: ReturnType<typeof runReport>; injected: () => boolean; f: string }> {
    const dir = mkdtempSync(path.join(tmp, 'r-'));
    const f = path.join(dir, 'data.csv');
    writeFileSync(f, csv());
    // failOn: error runs validate first (a whole read), then describe.
    writeFileSync(path.join(dir, 'r.yaml'), config('data.csv') + '  failOn: error\n');
    const cfg = await loadConfig('r.yaml', dir);
    const io = silentIo(dir);
    let injected = false;
    const run = runReport(sectionCheck(cfg, cfg.text!), io, {
      version: '0',
      reproducible: true,
      out: 'out',
      force: false,
      now: new Date(0),
      progress: (e) => {
        if (!e.done && e.index === at && !injected) {
          injected = true;
          writeFileSync(f, csv(true));
        }
      },
    });
    return { run, injected: () => injected, f };
  }

  it('a same-size rewrite after validation read the input, before describe reads it: one line', async () => {
    const { run, injected } = await rewriteAt(2);
    const msg = await failure(run);
    expect(injected()).toBe(true);
    expect(msg).toMatch(/^data\.csv: the file changed while it was being read \(its content differs between two readings of [\d,]+ bytes\)/);
  });

  it('a same-size rewrite before any section read the input: the manifest describes the version analysed', async () => {
    const { run, injected, f } = await rewriteAt(1);
    const out = await run;
    expect(injected()).toBe(true);
    const m = JSON.parse(String(out.files.get('manifest.json')));
    expect(m.inputs[0]).toMatchObject({ bytes: statSync(f).size, rows: 400, sha256: sha(csv(true)) });
    // The analysis saw the new values (srs 31 everywhere).
    const json = out.files.get('results.json')!;
    const results = JSON.parse(typeof json === 'function' ? [...json()].join('') : String(json));
    const srs = results.sections.describe.measures.find((x: { column: string }) => x.column === 'srs');
    expect(srs).toMatchObject({ n: 400, mean: 31, min: 31, max: 31 });
  });
});

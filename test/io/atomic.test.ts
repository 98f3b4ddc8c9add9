import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { writeDirAtomic, writeFileAtomic, writePieces } from '../../src/io/atomic.js';
import { BIN } from '../helpers/spawn.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'alliance-atomic-test-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => {
  const d = path.join(root, `case${n++}`);
  fs.mkdirSync(d);
  return d;
};
const listing = (d: string) => fs.readdirSync(d).sort();

describe('writeFileAtomic', () => {
  it('writes a new file and replaces an existing one, leaving no temp files', async () => {
    const d = fresh();
    const f = path.join(d, 'out.csv');
    await writeFileAtomic(f, 'a,b\n1,2\n');
    expect(fs.readFileSync(f, 'utf8')).toBe('a,b\n1,2\n');
    await writeFileAtomic(f, Buffer.from('x\n'));
    expect(fs.readFileSync(f, 'utf8')).toBe('x\n');
    expect(listing(d)).toEqual(['out.csv']);
  });

  it('a missing parent folder is a UserError (a typo in a path should not create folders)', async () => {
    const d = fresh();
    const f = path.join(d, 'a', 'b', 'out.json');
    const e = await writeFileAtomic(f, '{}').catch((x) => x);
    expect(e).toBeInstanceOf(UserError);
    expect(e.message).toMatch(/folder does not exist/);
    expect(fs.readdirSync(d)).toEqual([]);
  });

  it('streams an iterable of chunks', async () => {
    const f = path.join(fresh(), 'big.csv');
    function* chunks() {
      for (let i = 0; i < 5000; i++) yield `row ${i}\n`;
    }
    await writeFileAtomic(f, chunks());
    const lines = fs.readFileSync(f, 'utf8').split('\n');
    expect(lines).toHaveLength(5001);
    expect(lines[4999]).toBe('row 4999');
  });

  it('a device or pipe in the way is a UserError and stays what it was (never renamed over)', async () => {
    const d = fresh();
    const fifo = path.join(d, 'out.fifo');
    execFileSync('mkfifo', [fifo]);
    const e = await writeFileAtomic(fifo, 'x').catch((x) => x);
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).format()).toMatch(/is a device or pipe, not a file/);
    expect(fs.lstatSync(fifo).isFIFO()).toBe(true);
    expect(listing(d)).toEqual(['out.fifo']);
  });

  it('loops over short writes: every byte is written, and the error that follows one is thrown', async () => {
    // A write(2) on a disk that fills up (or past a file size limit) writes less than asked
    // without an error; only the next call fails.
    const written: Buffer[] = [];
    const shortWrites = {
      write: async (buf: Buffer, off: number, len: number) => {
        const n = Math.min(len, 1000);
        written.push(Buffer.from(buf.subarray(off, off + n)));
        return { bytesWritten: n, buffer: buf };
      },
    } as unknown as Parameters<typeof writePieces>[0];
    const pieces = Array.from({ length: 3000 }, (_, i) => `row ${i},é\n`);
    await writePieces(shortWrites, pieces);
    expect(Buffer.concat(written).toString('utf8')).toBe(pieces.join(''));
    let calls = 0;
    const full = {
      write: async (buf: Buffer, _off: number, len: number) => {
        if (calls++ > 0) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        return { bytesWritten: Math.floor(len / 2), buffer: buf };
      },
    } as unknown as Parameters<typeof writePieces>[0];
    await expect(writePieces(full, pieces)).rejects.toMatchObject({ code: 'ENOSPC' });
  });

  it('a file size limit met mid-file (ulimit -f) is an error, exit 2, not a short file with exit 0', () => {
    const d = fresh();
    const out = path.join(d, 'sim.csv');
    // 64 KiB limit; about 1 MB of CSV. Node ignores SIGXFSZ, so the write fails with EFBIG.
    const r = spawnSync('sh', ['-c', `ulimit -f 64 && exec "$0" "$@"`, process.execPath, BIN, 'simulate', '--clients', '2000', '--out', out], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/sim\.csv: cannot write here \(EFBIG\)/);
    expect(listing(d)).toEqual([]);
  });

  it('a directory in the way is a UserError and nothing is left behind', async () => {
    const d = fresh();
    fs.mkdirSync(path.join(d, 'out'));
    fs.writeFileSync(path.join(d, 'out', 'keep'), 'k');
    const e = await writeFileAtomic(path.join(d, 'out'), 'x').catch((x) => x);
    expect(e).toBeInstanceOf(UserError);
    expect(listing(d)).toEqual(['out']);
    expect(fs.readFileSync(path.join(d, 'out', 'keep'), 'utf8')).toBe('k');
  });
});

describe('writeDirAtomic', () => {
  const files = () =>
    new Map<string, string | Buffer>([
      ['report.md', '# Report\n'],
      ['tables/correlations.csv', 'a,b\n'],
      ['data.bin', Buffer.from([0, 1, 2])],
    ]);

  it('writes all files into a new folder', async () => {
    const d = fresh();
    const out = path.join(d, 'report');
    await writeDirAtomic(out, files());
    expect(listing(out)).toEqual(['data.bin', 'report.md', 'tables']);
    expect(fs.readFileSync(path.join(out, 'tables/correlations.csv'), 'utf8')).toBe('a,b\n');
    expect([...fs.readFileSync(path.join(out, 'data.bin'))]).toEqual([0, 1, 2]);
    expect(listing(d)).toEqual(['report']);
  });

  it('an existing folder without force: UserError exit 2, folder untouched', async () => {
    const d = fresh();
    const out = path.join(d, 'report');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'old.txt'), 'old');
    const e = await writeDirAtomic(out, files()).catch((x) => x);
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).exitCode).toBe(2);
    expect((e as UserError).format()).toContain('--force');
    expect(listing(out)).toEqual(['old.txt']);
    expect(listing(d)).toEqual(['report']);
  });

  it('with force the old folder is replaced entirely', async () => {
    const d = fresh();
    const out = path.join(d, 'report');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'old.txt'), 'old');
    await writeDirAtomic(out, files(), { force: true });
    expect(listing(out)).toEqual(['data.bin', 'report.md', 'tables']);
    expect(listing(d)).toEqual(['report']);
  });

  it('a failure mid-way leaves no partial folder and no temp folder', async () => {
    const d = fresh();
    const out = path.join(d, 'report');
    // The second entry needs "a.txt" to be a folder, but it was just written as a file.
    const bad = new Map<string, string>([
      ['a.txt', 'first'],
      ['a.txt/b.txt', 'second'],
    ]);
    await expect(writeDirAtomic(out, bad)).rejects.toThrow();
    expect(fs.existsSync(out)).toBe(false);
    expect(listing(d)).toEqual([]);
  });

  it('a failure mid-way with force leaves the old folder as it was', async () => {
    const d = fresh();
    const out = path.join(d, 'report');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'old.txt'), 'old');
    const bad = new Map<string, string>([
      ['a.txt', 'first'],
      ['a.txt/b.txt', 'second'],
    ]);
    await expect(writeDirAtomic(out, bad, { force: true })).rejects.toThrow();
    expect(listing(out)).toEqual(['old.txt']);
    expect(listing(d)).toEqual(['report']);
  });

  it('refuses paths that escape the folder', async () => {
    const d = fresh();
    await expect(writeDirAtomic(path.join(d, 'r'), new Map([['../x', 'x']]))).rejects.toThrow(/bad relative path/);
    await expect(writeDirAtomic(path.join(d, 'r'), new Map([['/etc/x', 'x']]))).rejects.toThrow(/bad relative path/);
    expect(listing(d)).toEqual([]);
  });

  it('creates missing parent folders', async () => {
    const d = fresh();
    await writeDirAtomic(path.join(d, 'x', 'y'), new Map([['a.txt', 'a']]));
    expect(fs.readFileSync(path.join(d, 'x', 'y', 'a.txt'), 'utf8')).toBe('a');
  });

  it('a file in the way of the output folder is a UserError (mkdir reports EEXIST)', async () => {
    const d = fresh();
    fs.writeFileSync(path.join(d, 'afile'), 'x');
    const e = await writeDirAtomic(path.join(d, 'afile', 'sub', 'report'), new Map([['a.txt', 'a']])).catch((x) => x);
    expect(e).toBeInstanceOf(UserError);
    expect(e.message).toMatch(/a part of the path is a file/);
    expect(fs.readdirSync(d)).toEqual(['afile']);
  });

  it('--force never replaces a file with the output folder', async () => {
    const d = fresh();
    const f = path.join(d, 'export.csv');
    fs.writeFileSync(f, 'precious');
    const e = await writeDirAtomic(f, new Map([['a.txt', 'a']]), { force: true }).catch((x) => x);
    expect(e).toBeInstanceOf(UserError);
    expect(e.message).toMatch(/is a file, not an output folder/);
    expect(fs.readFileSync(f, 'utf8')).toBe('precious');
    expect(fs.readdirSync(d)).toEqual(['export.csv']);
  });
});

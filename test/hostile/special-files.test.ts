/**
 * Special files (issue 16): devices are refused with one line, pipes and standard input are
 * spooled within a documented limit (and the copy is removed when that fails), config and
 * schema files are capped at 1 MiB; nothing hangs or fills $TMPDIR.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { runInProcess } from '../helpers/cli.js';
import { MAX_CONFIG_BYTES, spoolToTemp, readSmallText } from '../../src/io/source.js';
import { UserError } from '../../src/errors.js';
import { inflateTuning } from '../../src/io/table.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'alliance-special-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const oneLine = (s: string) => s.trimEnd().split('\n').length === 1;
const spoolDirs = () => readdirSync(tmpdir()).filter((n) => n.startsWith('alliance-stdin-'));

describe('devices', () => {
  for (const dev of ['/dev/urandom', '/dev/zero', '/dev/null']) {
    it(`describe ${dev} is refused at once`, async () => {
      const r = await runInProcess(['describe', dev]);
      expect(r.code).toBe(2);
      expect(oneLine(r.stderr)).toBe(true);
      expect(r.stderr).toContain(`${dev}: is a device, not a file`);
    });
    it(`--config ${dev} is refused at once`, async () => {
      const r = await runInProcess(['describe', 'x.csv', '--config', dev]);
      expect(r.code).toBe(2);
      expect(oneLine(r.stderr)).toBe(true);
      expect(r.stderr).toContain('is a device');
    });
  }

  it("a report config's files: [/dev/zero] says what it is, not 'not found'", async () => {
    const cfg = path.join(tmp, 'dev.yaml');
    writeFileSync(cfg, 'files: [/dev/zero]\n');
    const r = await runInProcess(['report', '--config', cfg, '--out', path.join(tmp, 'never')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a regular file/);
    expect(existsSync(path.join(tmp, 'never'))).toBe(false);
  });
});

describe('size limits', () => {
  it('a config file over 1 MiB is refused (regular file)', async () => {
    const cfg = path.join(tmp, 'big.yaml');
    writeFileSync(cfg, '# ' + 'x'.repeat(MAX_CONFIG_BYTES) + '\n');
    const r = await runInProcess(['describe', 'x.csv', '--config', cfg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/config file is larger than 1 MiB/);
  });

  it('readSmallText stops a stream at the limit without reading it all', async () => {
    const f = path.join(tmp, 'small.txt');
    writeFileSync(f, 'y'.repeat(5000));
    await expect(readSmallText(f, 'small.txt', 'config file', 1000)).rejects.toThrow(/larger than 1000 bytes/);
    expect(await readSmallText(f, 'small.txt', 'config file', 5000)).toHaveLength(5000);
  });

  it('spooling stops past the limit and removes its copy', async () => {
    const before = spoolDirs().length;
    const stream = Readable.from(
      (function* () {
        for (let i = 0; i < 100; i++) yield Buffer.from('a,b\n'.repeat(256));
      })(),
    );
    const err = await spoolToTemp(stream, '<stdin>', 10_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).format()).toMatch(/<stdin>: is larger than 10000 bytes, the most standard input or a pipe may hold/);
    expect(spoolDirs().length).toBe(before);
  });

  it('binary standard input is refused in its first block and leaves no copy', async () => {
    const before = spoolDirs().length;
    const r = await runInProcess(['describe', '-'], { stdin: Buffer.concat([Buffer.from('a,b\n'), Buffer.alloc(100_000, 0)]) });
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe(true);
    expect(r.stderr).toMatch(/binary data/);
    expect(spoolDirs().length).toBe(before);
  });
});

describe('compressed inputs: the limit of the decompressed copy', () => {
  // The limit is 4 GiB (MAX_SPOOL_BYTES); the knob lowers it so a 400 KB CSV passes it.
  const LIMIT = 100_000;
  const csv = Buffer.from('client_id,session,srs\n' + 'C1,1,30\n'.repeat(50_000));
  const gz = gzipSync(csv);
  const zip = Buffer.from(zipSync({ 'data.csv': new Uint8Array(csv) }));
  afterEach(() => {
    inflateTuning.maxBytes = undefined;
  });
  const GZ =
    'its decompressed content is larger than 100000 bytes, the most a compressed input may inflate to. ' +
    'Decompress it first (gunzip -k) and give the path of the .csv, which has no such limit, or split the export into smaller files.';
  const ZIP =
    'the CSV inside the zip archive (data.csv) is larger than 100000 bytes decompressed, the most a compressed input may inflate to. ' +
    'Unzip it first and give the path of data.csv, which has no such limit, or split the export into smaller files.';

  for (const [name, data, message] of [
    ['big.csv.gz', gz, GZ],
    ['big.zip', zip, ZIP],
  ] as const) {
    it(`${name} that inflates past the limit says so, not "standard input or a pipe", and leaves no copy`, async () => {
      const f = path.join(tmp, name);
      writeFileSync(f, data);
      // The compressed file is well within the limit: only its inflated copy passes it.
      expect(data.length).toBeLessThan(LIMIT / 10);
      const before = spoolDirs().length;
      inflateTuning.maxBytes = LIMIT;
      const r = await runInProcess(['describe', f]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd()).toBe(`alliance: ${f}: ${message}`);
      expect(spoolDirs().length).toBe(before);
    });

    it(`${name}: a limit of exactly its inflated size still reads it`, async () => {
      const f = path.join(tmp, name);
      writeFileSync(f, data);
      inflateTuning.maxBytes = csv.length;
      const r = await runInProcess(['describe', f]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      inflateTuning.maxBytes = csv.length - 1;
      expect((await runInProcess(['describe', f])).code).toBe(2);
    });
  }

  it('a gzip on standard input names <stdin> with the same message', async () => {
    inflateTuning.maxBytes = LIMIT;
    const r = await runInProcess(['describe', '-'], { stdin: gz });
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd()).toBe(`alliance: <stdin>: ${GZ}`);
  });
});

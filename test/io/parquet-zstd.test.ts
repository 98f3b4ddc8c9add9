/**
 * ZSTD pages of a Parquet file are inflated only up to the size their page header declares
 * (src/io/zstd.ts): hyparquet-compressors calls fzstd without it, so a small page inflated
 * whole (1 GiB for 33 KB of RLE blocks) before hyparquet compared the sizes. Frames written
 * by zstd 1.x (`zstd -3`, with and without --no-content-size) read as before; crafted frames
 * that inflate past the declared size are refused before they do.
 */
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compressors } from 'hyparquet-compressors';
import { parquetWriteFile } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';
import { zstdPage } from '../../src/io/zstd.js';

/** hyparquet-compressors' own ZSTD (what parquet.ts passed to hyparquet before). */
const libZstd = compressors.ZSTD as NonNullable<typeof compressors.ZSTD>;

/** What the two frames below hold: 120 lines repeated to 151,772 bytes (two blocks, compressed). */
function data(): Uint8Array {
  let u = '';
  for (let i = 0; i < 120; i++) u += `row ${i}, srs ${((i * 7919) % 400) / 10}\n`;
  let s = '';
  while (s.length < 150000) s += u;
  return new TextEncoder().encode(s);
}
/** `zstd -3` of data(): with its content size, and (from a pipe) without it. */
const WITH_SIZE = Buffer.from(
  'KLUv/aTcUAIAFAsAFlMqE8Cl0AHAWP4fOCmlTCkluXlR5dwrACAAIwDjYjSZx8W6hSmGjxrKcVjloXoJ4wlfKZSssG5QIDAAEAOCAYJBQAwKBAYCj9Plfz3XPL7rueax2GWjVKnLRqnTsxyLHJ7limNwNQf0UUmjKg2dSqQYGhkPJ4ZGNuYmZiUlMzmlMikZuVj4OF3uMzKPi9FkHhdckTqW2B9zbBojxhaLGJWUixVFLSkXa1WlCYDvqDHUtvU7kKOk6RKogUR39////w4s+NAvxeh62HpnhoSh4WAoih4cHbGQlJKLuJ7xa3Dm15dmvKS+mkc/p2TKUlgYKkBTBtPmEMxEUlGptui9w9bshEjNTzehpRgen2Uhj+6cdaBy8JaH8sGZEZ9gHjz9ARvGrtYfnsGk6FhyMEXgKGsbwlkN0uWEGjphTZkSlpQfwUWYUG8I+RDOYqCQy9hsLkgTDbiQ5Qp7VgITg0wFN1QFRQAACCABANjQDoSLSM4W',
  'base64',
);
const WITHOUT_SIZE = Buffer.from(
  'KLUv/QRYFAsAFlMqE8Cl0AHAWP4fOCmlTCkluXlR5dwrACAAIwDjYjSZx8W6hSmGjxrKcVjloXoJ4wlfKZSssG5QIDAAEAOCAYJBQAwKBAYCj9Plfz3XPL7rueax2GWjVKnLRqnTsxyLHJ7limNwNQf0UUmjKg2dSqQYGhkPJ4ZGNuYmZiUlMzmlMikZuVj4OF3uMzKPi9FkHhdckTqW2B9zbBojxhaLGJWUixVFLSkXa1WlCYDvqDHUtvU7kKOk6RKogUR39////w4s+NAvxeh62HpnhoSh4WAoih4cHbGQlJKLuJ7xa3Dm15dmvKS+mkc/p2TKUlgYKkBTBtPmEMxEUlGptui9w9bshEjNTzehpRgen2Uhj+6cdaBy8JaH8sGZEZ9gHjz9ARvGrtYfnsGk6FhyMEXgKGsbwlkN0uWEGjphTZkSlpQfwUWYUG8I+RDOYqCQy9hsLkgTDbiQ5Qp7VgITg0wFN1QFRQAACCABANjQDoSLSM4W',
  'base64',
);

/** A frame of `blocks` RLE blocks of 128 KiB (4 bytes each): `declared` bytes of content size, or none (a 1 MiB window). */
function rleFrame(blocks: number, declared: number | null): Uint8Array {
  const head =
    declared === null
      ? [0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x50]
      : [0x28, 0xb5, 0x2f, 0xfd, 0xe0, ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => Math.floor(declared / 2 ** (8 * i)) % 256)];
  const out = new Uint8Array(head.length + 4 * blocks);
  out.set(head);
  for (let i = 0; i < blocks; i++) {
    const h = ((128 * 1024) << 3) | (1 << 1) | (i === blocks - 1 ? 1 : 0);
    out.set([h & 255, (h >> 8) & 255, (h >> 16) & 255, 0x61], head.length + 4 * i);
  }
  return out;
}
/** A frame of raw blocks of `bytes` (one block each 128 KiB), with its content size. */
function rawFrame(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [
    new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0xe0, ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => Math.floor(bytes.length / 2 ** (8 * i)) % 256)]),
  ];
  for (let at = 0; at === 0 || at < bytes.length; at += 128 * 1024) {
    const n = Math.min(128 * 1024, bytes.length - at);
    const h = (n << 3) | (at + n >= bytes.length ? 1 : 0);
    parts.push(new Uint8Array([h & 255, (h >> 8) & 255, (h >> 16) & 255]), bytes.subarray(at, at + n));
  }
  return Buffer.concat(parts);
}

/** Byte for byte (toEqual compares 150,000 elements one by one: seconds). */
const same = (a: Uint8Array, b: Uint8Array) =>
  expect(Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length))).toBe(0);

describe('ZSTD pages: bounded by the declared page size', () => {
  it('reads frames zstd writes, with and without a content size, and raw, RLE and several frames', () => {
    const want = data();
    same(zstdPage(WITH_SIZE, want.length), want);
    same(zstdPage(WITHOUT_SIZE, want.length), want);
    same(libZstd(WITH_SIZE, want.length), want);
    const two = Buffer.concat([rawFrame(want.subarray(0, 1000)), rawFrame(want.subarray(1000))]);
    same(zstdPage(two, want.length), want);
    same(zstdPage(rleFrame(2, 256 * 1024), 256 * 1024), new Uint8Array(256 * 1024).fill(0x61));
  });

  it('refuses a page that gives more or less than its header declares', () => {
    const n = data().length;
    for (const frame of [WITH_SIZE, WITHOUT_SIZE]) {
      expect(() => zstdPage(frame, n - 1)).toThrow(`a ZSTD page inflates past the ${n - 1} bytes its page header declares`);
      expect(() => zstdPage(frame, n + 1)).toThrow(`parquet decompressed page length ${n} does not match header ${n + 1}`);
    }
    expect(() => zstdPage(WITH_SIZE.subarray(0, 200), n)).toThrow(/damaged ZSTD data/);
  });

  it('refuses a 1 GiB bomb in a 33 KB page before inflating it, with or without a declared content size', () => {
    // hyparquet-compressors' own ZSTD inflates such a page whole (here 16 MiB for a 1 KiB page).
    expect(libZstd(rleFrame(128, 16 << 20), 1024).length).toBe(16 << 20);
    const t = performance.now();
    expect(() => zstdPage(rleFrame(8192, 2 ** 30), 1 << 20)).toThrow(/inflates past the 1048576 bytes/);
    expect(() => zstdPage(rleFrame(8192, null), 1 << 20)).toThrow(/inflates past the 1048576 bytes/);
    // A frame declaring 1 KiB whose RLE blocks give 1 GiB: refused from its block headers.
    expect(() => zstdPage(rleFrame(8192, 1024), 1024)).toThrow(/inflates past the 1024 bytes/);
    expect(performance.now() - t).toBeLessThan(2000);
  });

  it('a Parquet file whose ZSTD page inflates past its size: one line, exit 2, naming the file', async () => {
    const f = path.join(mkdtempSync(path.join(os.tmpdir(), 'alliance-zstd-')), 'bomb.parquet');
    // Every page (the client ids, the scores) "compressed" to 64 MiB of RLE blocks without a declared size.
    parquetWriteFile({
      filename: f,
      columnData: [
        { name: 'client_id', data: ['A', 'A', 'B'] },
        { name: 'srs', data: [30, 31, 32] },
      ],
      schema: [
        { name: 'root', num_children: 2 },
        { name: 'client_id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
        { name: 'srs', type: 'DOUBLE', repetition_type: 'REQUIRED' },
      ],
      codec: 'ZSTD',
      compressors: { ZSTD: () => rleFrame(512, null) },
    });
    const r = await runInProcess(['describe', f]);
    expect(r.code, r.stderr).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^alliance: .*bomb\.parquet: cannot read the Parquet file \(a ZSTD page inflates past the \d+ bytes its page header declares\)/);
  });
});

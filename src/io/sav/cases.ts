/**
 * The cases of an SPSS system file, one at a time, as the raw bytes of a case record
 * (caseElements x 8 bytes, in the file's byte order), whatever the compression:
 *
 * - 0: the records follow the dictionary as they are;
 * - 1 (bytecode): blocks of 8 one-byte codes, each followed by the 8-byte values its
 *   codes call for: 0 padding, 1-251 the number code - bias, 252 end of data, 253 an
 *   8-byte value follows, 254 eight spaces, 255 system-missing;
 * - 2 (.zsav): the bytecode stream cut in blocks that are each a zlib stream; a header
 *   after the dictionary points to a trailer that lists the blocks (offsets and sizes),
 *   and each block is inflated with node:zlib on its own, never past the size the trailer
 *   declares for it (at most MAX_ZBLOCK), so a crafted block cannot inflate to gigabytes.
 *
 * Memory holds one read chunk (or one inflated block) and one case, never the file.
 */
import { promises as fsp } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { SavFormatError, type SavDictionary } from './dictionary.js';

const CHUNK = 1 << 20;

/**
 * The largest uncompressed size a .zsav block may declare: 4 times the 0x3FF000 bytes
 * (4 MiB less 4 KiB) that SPSS, PSPP and ReadStat write. Without a bound, a block of a few
 * MB can inflate to gigabytes (zlib reaches about 1000:1) before its size is compared.
 */
export const MAX_ZBLOCK = 16 << 20;

/** The decompressed-or-raw data stream after the dictionary, chunk by chunk. */
type Chunks = AsyncGenerator<Buffer, void, void>;

async function* fileChunks(fh: fsp.FileHandle, from: number, to: number, onBytes: (n: number) => void): Chunks {
  let at = from;
  while (at < to) {
    const b = Buffer.allocUnsafe(Math.min(CHUNK, to - at));
    const { bytesRead } = await fh.read(b, 0, b.length, at);
    if (bytesRead === 0) return;
    at += bytesRead;
    onBytes(at);
    yield b.subarray(0, bytesRead);
  }
}

async function* zlibChunks(fh: fsp.FileHandle, d: SavDictionary, size: number, onBytes: (n: number) => void): Chunks {
  const i64 = (b: Buffer, o: number) => Number(d.littleEndian ? b.readBigInt64LE(o) : b.readBigInt64BE(o));
  const i32 = (b: Buffer, o: number) => (d.littleEndian ? b.readInt32LE(o) : b.readInt32BE(o));
  const head = Buffer.alloc(24);
  await fh.read(head, 0, 24, d.dataOffset);
  const zheader = i64(head, 0);
  const ztrailer = i64(head, 8);
  const zlen = i64(head, 16);
  if (zheader !== d.dataOffset || ztrailer <= zheader || zlen < 24 || ztrailer + zlen > size)
    throw new SavFormatError('its zlib header does not point to a trailer inside the file: it is truncated or damaged');
  const trailer = Buffer.alloc(zlen);
  await fh.read(trailer, 0, zlen, ztrailer);
  const n = i32(trailer, 20);
  if (n < 0 || 24 + 24 * n !== zlen) throw new SavFormatError(`its zlib trailer lists ${n} blocks in ${zlen} bytes`);
  for (let k = 0; k < n; k++) {
    const e = 24 + 24 * k;
    const cofs = i64(trailer, e + 8);
    const ulen = i32(trailer, e + 16);
    const clen = i32(trailer, e + 20);
    if (cofs < zheader + 24 || cofs + clen > ztrailer || clen < 0) throw new SavFormatError(`zlib block ${k + 1} lies outside the data`);
    if (ulen < 0 || ulen > MAX_ZBLOCK)
      throw new SavFormatError(
        `zlib block ${k + 1} (at byte ${cofs}) declares an uncompressed size of ${ulen} bytes; a block holds 0 to ${MAX_ZBLOCK} (${MAX_ZBLOCK >> 20} MiB)`,
      );
    const b = Buffer.allocUnsafe(clen);
    await fh.read(b, 0, clen, cofs);
    let out: Buffer;
    try {
      // Inflation stops as soon as the output passes the declared size (zlib's 1-byte minimum aside).
      out = inflateSync(b, { maxOutputLength: Math.max(1, ulen) });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
        throw new SavFormatError(`zlib block ${k + 1} (at byte ${cofs}) inflates to more than the ${ulen} bytes its trailer gives`);
      throw new SavFormatError(`zlib block ${k + 1} cannot be inflated (${(e as Error).message})`);
    }
    if (out.length !== ulen) throw new SavFormatError(`zlib block ${k + 1} inflates to ${out.length} bytes, not the ${ulen} its trailer gives`);
    onBytes(cofs + clen);
    yield out;
  }
}

/**
 * Calls `onCase(bytes, n)` for every case (n 1-based; `bytes` is reused), in order.
 * `onBytes(offset)` reports how far into the file the read is.
 */
export async function readCases(file: string, d: SavDictionary, onCase: (bytes: Buffer, n: number) => void, onBytes: (n: number) => void): Promise<number> {
  const fh = await fsp.open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const chunks = d.compression === 2 ? zlibChunks(fh, d, size, onBytes) : fileChunks(fh, d.dataOffset, size, onBytes);
    return await decode(chunks, d, onCase);
  } finally {
    await fh.close();
  }
}

async function decode(chunks: Chunks, d: SavDictionary, onCase: (bytes: Buffer, n: number) => void): Promise<number> {
  const caseBytes = d.caseElements * 8;
  const record = Buffer.alloc(caseBytes);
  // Bytes one case can take at most: a code and 8 bytes per element, plus a code block.
  const worst = d.compression === 0 ? caseBytes : caseBytes + 8 * Math.ceil(d.caseElements / 8) + 8;
  let buf = Buffer.alloc(Math.max(CHUNK, 2 * worst));
  let pos = 0;
  let end = 0;
  let done = false;
  const fill = async () => {
    if (pos > 0) {
      buf.copy(buf, 0, pos, end);
      end -= pos;
      pos = 0;
    }
    while (!done && end < worst) {
      const r = await chunks.next();
      if (r.done) {
        done = true;
        break;
      }
      const c = r.value;
      if (end + c.length > buf.length) {
        const bigger = Buffer.alloc(Math.max(buf.length * 2, end + c.length));
        buf.copy(bigger, 0, 0, end);
        buf = bigger;
      }
      c.copy(buf, end);
      end += c.length;
    }
  };
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  const le = d.littleEndian;
  // Bytecode state: the current block of 8 codes and the next one to use.
  const codes = Buffer.alloc(8);
  let ci = 8;
  let eof = false;
  let n = 0;
  for (;;) {
    if (d.cases >= 0 && n >= d.cases) break;
    if (end - pos < worst && !done) await fill();
    if (d.compression === 0) {
      if (end - pos === 0) break;
      if (end - pos < caseBytes) throw new SavFormatError(`the file ends inside case ${n + 1}: it is truncated`);
      buf.copy(record, 0, pos, pos + caseBytes);
      pos += caseBytes;
    } else {
      let e = 0;
      while (e < d.caseElements) {
        if (ci === 8) {
          if (end - pos < 8) {
            if (e === 0 && end === pos) {
              eof = true;
              break;
            }
            throw new SavFormatError(`the file ends inside case ${n + 1}: it is truncated`);
          }
          for (let b = 0; b < 8; b++) codes[b] = buf[pos + b];
          pos += 8;
          ci = 0;
        }
        const code = codes[ci++];
        const o = e * 8;
        if (code === 0) continue;
        if (code === 252) {
          if (e > 0) throw new SavFormatError(`the data ends inside case ${n + 1}: it is truncated`);
          eof = true;
          break;
        }
        if (code === 253) {
          if (end - pos < 8) throw new SavFormatError(`the file ends inside case ${n + 1}: it is truncated`);
          for (let b = 0; b < 8; b++) record[o + b] = buf[pos + b];
          pos += 8;
        } else if (code === 254) for (let b = 0; b < 8; b++) record[o + b] = 0x20;
        else view.setFloat64(o, code === 255 ? d.sysmis : code - d.bias, le);
        e++;
      }
      if (eof) break;
    }
    n++;
    onCase(record, n);
  }
  if (d.cases >= 0 && n < d.cases) throw new SavFormatError(`the file holds ${n} cases, not the ${d.cases} its header gives: it is truncated`);
  return n;
}

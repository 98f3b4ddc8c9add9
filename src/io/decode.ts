/**
 * Bytes to text: BOM detection, chunk-safe decoding, and the "is this text at all" check.
 *
 * Decoding uses Buffer's native decoders (they are several times faster than a streaming
 * TextDecoder) and keeps chunk boundaries safe by hand: an incomplete UTF-8 sequence or
 * an odd UTF-16 byte at the end of a chunk is carried into the next one. UTF-8 is
 * validated with `isUtf8` (simdutf) so invalid bytes are an error, never a silent U+FFFD.
 * `latin1` is read as Windows-1252, its superset that Excel writes (bytes 0x80-0x9F are
 * the € sign, curly quotes and so on, not C1 controls), as the WHATWG Encoding standard does.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { UserError } from '../errors.js';
import type { Dialect } from './types.js';

export type Encoding = Dialect['encoding'];

export interface BomInfo {
  encoding: Encoding | null;
  /** BOM length in bytes (0 when none). */
  length: number;
}

export function detectBom(head: Buffer): BomInfo {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf8', length: 3 };
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf16le', length: 2 };
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf16be', length: 2 };
  return { encoding: null, length: 0 };
}

/** Windows-1252 characters for bytes 0x80..0x9F (undefined ones stay as the byte value). */
const CP1252 = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d,
  0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];
const C1 = /[\x80-\x9f]/;
const C1_ALL = /[\x80-\x9f]/g;
const c1ToCp1252 = (ch: string): string => String.fromCharCode(CP1252[ch.charCodeAt(0) - 0x80]);

/** Thrown by `ChunkDecoder` on invalid UTF-8; `offset` is relative to the start of the buffer given to `decode`. */
export class InvalidUtf8 extends Error {
  constructor(readonly offset: number) {
    super('invalid UTF-8');
  }
}

/**
 * Decodes a byte stream chunk by chunk. `decode(buf, end, last)` decodes `buf[0..end)`
 * and returns the text plus how many bytes at the end were NOT used (an incomplete
 * sequence the caller must put in front of the next chunk). Stateless between calls.
 */
export class ChunkDecoder {
  constructor(readonly encoding: Encoding) {}

  decode(buf: Buffer, end: number, last: boolean): { text: string; carry: number } {
    let cut = end;
    switch (this.encoding) {
      case 'utf8': {
        if (!last) cut = end - incompleteUtf8Tail(buf, end);
        const part = buf.subarray(0, cut);
        // Pure ASCII (the common case) decodes as a plain byte copy.
        if (isAscii(part)) return { text: part.toString('latin1'), carry: end - cut };
        if (!isUtf8(part)) throw new InvalidUtf8(firstInvalidUtf8(part));
        return { text: part.toString('utf8'), carry: end - cut };
      }
      case 'latin1': {
        const text = buf.toString('latin1', 0, cut);
        return { text: C1.test(text) ? text.replace(C1_ALL, c1ToCp1252) : text, carry: 0 };
      }
      case 'utf16le':
      case 'utf16be': {
        cut = end & ~1;
        // An odd trailing byte at the very end of the file is dropped (it is not a character).
        const part = buf.subarray(0, cut);
        let text: string;
        if (this.encoding === 'utf16le') text = part.toString('utf16le');
        else text = Buffer.from(part).swap16().toString('utf16le');
        return { text, carry: last ? 0 : end - cut };
      }
    }
  }
}

/** Number of bytes at the end of buf[0..end) that start a UTF-8 sequence not yet complete. */
function incompleteUtf8Tail(buf: Buffer, end: number): number {
  // Look back at most 3 bytes for a lead byte whose sequence runs past `end`.
  for (let back = 1; back <= 3 && back <= end; back++) {
    const b = buf[end - back];
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    let need = 1;
    if ((b & 0xe0) === 0xc0) need = 2;
    else if ((b & 0xf0) === 0xe0) need = 3;
    else if ((b & 0xf8) === 0xf0) need = 4;
    return need > back ? back : 0;
  }
  return 0;
}

/**
 * Offset of the first byte that is not part of a valid UTF-8 sequence (the length when
 * all is valid). Only used on the error path.
 */
export function firstInvalidUtf8(buf: Uint8Array): number {
  const n = buf.length;
  let i = 0;
  while (i < n) {
    const b = buf[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return i;
      const c = buf[i + k];
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return n;
}

/**
 * Physical line (1-based) and column (1-based, in bytes) of a byte offset, counting LF,
 * CRLF and CR as line breaks.
 */
export function lineOfOffset(buf: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < buf.length; i++) {
    const b = buf[i];
    if (b === 10 || (b === 13 && buf[i + 1] !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Checks the first block of bytes for binary content (NUL bytes where the encoding has
 * none). Throws UserError when the input does not look like text.
 */
export function checkNotBinary(head: Buffer, encoding: Encoding, display: string): void {
  if (encoding === 'utf16le' || encoding === 'utf16be') return;
  const nuls = utf16Nuls(head);
  if (nuls === 'none') return;
  if (nuls !== 'other')
    throw new UserError(`looks like UTF-16 text without a byte-order mark`, {
      location: { file: display },
      hint: `Re-run with --encoding ${nuls}`,
    });
  throw notText(display);
}

/**
 * The NUL bytes of a first block (up to 64 KiB): 'none'; mostly every other byte, as in
 * UTF-16 text without a byte-order mark ('utf16le' or 'utf16be', the order they fit); or
 * 'other' (binary data).
 */
function utf16Nuls(head: Buffer): 'none' | 'utf16le' | 'utf16be' | 'other' {
  let nul = 0;
  let nulEven = 0;
  const n = Math.min(head.length, 64 * 1024);
  for (let i = 0; i < n; i++) {
    if (head[i] === 0) {
      nul++;
      if ((i & 1) === 0) nulEven++;
    }
  }
  if (nul === 0) return 'none';
  if (nul > n / 4) {
    if (nulEven > nul * 0.9) return 'utf16be';
    if (nul - nulEven > nul * 0.9) return 'utf16le';
  }
  return 'other';
}

/**
 * True when a first block (from the start of the input) holds NUL bytes as UTF-16 text does,
 * with or without a byte-order mark (the zero half of each ASCII character, in every other
 * byte): text the CSV reader reads (or, without a mark, asks for --encoding), where binary
 * data has NULs scattered (1 byte in 256 of random data).
 */
export function looksLikeUtf16(head: Buffer): boolean {
  const nuls = utf16Nuls(head);
  return nuls === 'utf16le' || nuls === 'utf16be';
}

/** Checks decoded text from the first block for control characters that CSV text never has. */
export function checkTextSample(text: string, display: string): void {
  let bad = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) throw notText(display);
    if (c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12 && c !== 26) bad++;
  }
  if (bad > 8 && bad > text.length / 100) throw notText(display);
}

function notText(display: string): UserError {
  return new UserError('does not look like a CSV text file (it contains binary data)', {
    location: { file: display },
    hint: 'Give the path of a CSV export (plain text, one row per session); spreadsheets must be saved as CSV first',
  });
}

/** Number of bytes the characters `text[from..]` take in `encoding` (text decoded by ChunkDecoder). */
export function encodedLength(text: string, from: number, encoding: Encoding): number {
  const chars = text.length - from;
  if (chars === 0) return 0;
  switch (encoding) {
    case 'utf8':
      return Buffer.byteLength(text.substring(from), 'utf8');
    case 'latin1':
      return chars;
    case 'utf16le':
    case 'utf16be':
      return 2 * chars;
  }
}

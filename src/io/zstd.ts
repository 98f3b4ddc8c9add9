/**
 * ZSTD pages of a Parquet file, inflated only up to the size the page header declares.
 *
 * hyparquet-compressors (1.1.2) calls fzstd as `decompress(input)`, without the output size
 * hyparquet hands it: fzstd then allocates each frame's declared content size (up to 2 GiB)
 * or, for a frame that declares none, collects every block it decodes, and hyparquet
 * compares the length with the page header only afterwards. A 33 KB page declaring 1 GiB
 * of RLE blocks inflated whole first (the pattern of the .zsav bug, src/io/sav/cases.ts).
 *
 * Here every frame's header and block headers are read first (a few bytes each): a frame
 * that declares its content size is inflated by fzstd straight into its place in one
 * buffer of the declared page size, after its raw and RLE blocks (whose sizes the block
 * headers give) and its declared size are checked against the room left; a frame that
 * declares none is inflated by fzstd's streaming decoder, block by block (at most 128 KiB
 * each) into that buffer, stopping at the first block that would pass it, with its window
 * (which fzstd allocates) at most 128 MiB, the default limit of zstd's own decoder. So
 * memory holds the declared page size plus at most one window, whatever the data.
 */
import { Decompress, decompress } from 'fzstd';

/** zstd's own decoder refuses larger windows unless told otherwise (ZSTD_WINDOWLOG_LIMIT_DEFAULT = 27). */
const MAX_WINDOW = 1 << 27;

interface Frame {
  /** Offset just past the frame. */
  end: number;
  /** A skippable frame (no output). */
  skip: boolean;
  /** Declared content size, or null when the frame declares none. */
  content: number | null;
  window: number;
  /** Bytes the raw and RLE blocks give (exact; compressed blocks are not counted). */
  known: number;
}

const damaged = (what: string) => new Error(`damaged ZSTD data (${what})`);

function readLE(b: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = v * 256 + b[at + i];
  return v;
}

/** The frame starting at `p` (RFC 8878, 3.1), its blocks walked by their headers. */
function frameAt(b: Uint8Array, p: number): Frame {
  if (p + 8 <= b.length && (b[p] & 0xf0) === 0x50 && b[p + 1] === 0x2a && b[p + 2] === 0x4d && b[p + 3] === 0x18) {
    const end = p + 8 + readLE(b, p + 4, 4);
    if (end > b.length) throw damaged('a skippable frame runs past the page');
    return { end, skip: true, content: 0, window: 0, known: 0 };
  }
  if (p + 6 > b.length || b[p] !== 0x28 || b[p + 1] !== 0xb5 || b[p + 2] !== 0x2f || b[p + 3] !== 0xfd) throw damaged('no frame magic number');
  const flg = b[p + 4];
  if (flg & 8) throw damaged('a reserved bit is set');
  const single = (flg >> 5) & 1;
  const checksum = (flg >> 2) & 1;
  const dictBytes = [0, 1, 2, 4][flg & 3];
  const fcf = flg >> 6;
  const sizeBytes = fcf ? 1 << fcf : single;
  let q = p + 5 + (single ? 0 : 1) + dictBytes;
  if (q + sizeBytes > b.length) throw damaged('a frame header runs past the page');
  const content = sizeBytes > 0 ? readLE(b, q, sizeBytes) + (fcf === 1 ? 256 : 0) : null;
  q += sizeBytes;
  let window = content ?? 0;
  if (!single) {
    const wd = b[p + 5];
    const base = 2 ** (10 + (wd >> 3));
    window = base + (base / 8) * (wd & 7);
  }
  let known = 0;
  for (let last = 0; !last;) {
    if (q + 3 > b.length) throw damaged('a block header runs past the page');
    const h = b[q] | (b[q + 1] << 8) | (b[q + 2] << 16);
    last = h & 1;
    const type = (h >> 1) & 3;
    const size = h >>> 3;
    q += 3;
    if (type === 3) throw damaged('a reserved block type');
    if (type !== 2) known += size;
    q += type === 1 ? 1 : size;
    if (q > b.length) throw damaged('a block runs past the page');
  }
  q += checksum ? 4 : 0;
  if (q > b.length) throw damaged('the checksum runs past the page');
  return { end: q, skip: false, content, window, known };
}

/**
 * The page inflated into exactly `length` bytes (hyparquet's Compressors signature), or an
 * error naming what is wrong: more output than `length` ("inflates past"), less, or damage.
 */
export function zstdPage(input: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const past = () => new Error(`a ZSTD page inflates past the ${length} bytes its page header declares`);
  let at = 0;
  for (let p = 0; p < input.length;) {
    const f = frameAt(input, p);
    const bytes = input.subarray(p, f.end);
    p = f.end;
    if (f.skip) continue;
    if (f.known > length - at) throw past();
    if (f.content !== null) {
      if (f.content > length - at) throw past();
      if (f.known > f.content) throw damaged('its blocks give more than the frame declares');
      decompress(bytes, out.subarray(at, at + f.content));
      at += f.content;
    } else {
      if (f.window > MAX_WINDOW) throw damaged(`a window of ${f.window} bytes, more than zstd's decoder accepts`);
      const d = new Decompress((chunk) => {
        if (chunk.length > length - at) throw past();
        out.set(chunk, at);
        at += chunk.length;
      });
      d.push(bytes, true);
    }
  }
  if (at !== length) throw new Error(`parquet decompressed page length ${at} does not match header ${length}`);
  return out;
}

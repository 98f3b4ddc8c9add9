/**
 * Sparklines: one block character per value (U+2581..U+2588), scaled linearly between
 * `lo` and `hi`; a missing value is a space. Text only, so every renderer can show it.
 */
const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

export function sparkline(values: ArrayLike<number>, lo?: number, hi?: number): string {
  let min = lo ?? Infinity;
  let max = hi ?? -Infinity;
  if (lo === undefined || hi === undefined) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isFinite(v)) continue;
      if (lo === undefined && v < min) min = v;
      if (hi === undefined && v > max) max = v;
    }
  }
  // The characters' codes, made into one string at the end (not one piece per +=).
  const codes = values.length <= scratch.length ? scratch : new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) codes[i] = SPACE;
    else if (!(max > min)) codes[i] = BLOCK_CODES[3];
    else {
      const t = (Math.min(max, Math.max(min, v)) - min) / (max - min);
      codes[i] = BLOCK_CODES[Math.min(BLOCKS.length - 1, Math.floor(t * BLOCKS.length))];
    }
  }
  let out = '';
  for (let i = 0; i < values.length; i += CHARS_AT_ONCE) out += String.fromCharCode(...codes.slice(i, Math.min(values.length, i + CHARS_AT_ONCE)));
  return out;
}

const BLOCK_CODES = BLOCKS.map((b) => b.charCodeAt(0));
const SPACE = 32;
/** Characters made by one String.fromCharCode call (its arguments go on the stack). */
const CHARS_AT_ONCE = 4096;
const scratch = new Array<number>(CHARS_AT_ONCE).fill(0);

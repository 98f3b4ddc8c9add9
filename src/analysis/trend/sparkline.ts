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
  let out = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      out += ' ';
      continue;
    }
    if (!(max > min)) {
      out += BLOCKS[3];
      continue;
    }
    const t = (Math.min(max, Math.max(min, v)) - min) / (max - min);
    out += BLOCKS[Math.min(BLOCKS.length - 1, Math.floor(t * BLOCKS.length))];
  }
  return out;
}

/**
 * A small seeded PRNG for the simulator: sfc32 (Chris Doty-Humphrey's Small Fast Counting
 * generator, 128-bit state, from PractRand) seeded through splitmix32, with Box-Muller
 * normals. Same seed -> same sequence on every platform: only 32-bit integer arithmetic,
 * Math.log/Math.sqrt/Math.cos/Math.sin (IEEE-754 fdlibm ports in V8).
 *
 * Private to the simulator on purpose: the committed fixtures/demo.csv is a function of
 * this exact sequence, so it must not change when a shared generator elsewhere evolves.
 * API as the project's planned src/stats/random.ts: a factory taking a seed, with
 * uniform() and normal().
 */
export interface Random {
  /** Uniform on [0, 1), 32 bits of resolution. */
  uniform(): number;
  /** Standard normal. */
  normal(): number;
}

const TWO32 = 4294967296;

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A generator for a non-negative integer seed (up to 2^53). */
export function createRandom(seed: number): Random {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
  const lo = seed >>> 0;
  const hi = Math.floor(seed / TWO32) >>> 0;
  const sm = splitmix32(lo ^ Math.imul(hi, 0x27d4eb2d));
  let a = sm();
  let b = sm();
  let c = sm();
  let d = sm();
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) next();
  let spare = 0;
  let hasSpare = false;
  return {
    uniform: () => next() / TWO32,
    normal: () => {
      if (hasSpare) {
        hasSpare = false;
        return spare;
      }
      const u1 = (next() + 0.5) / TWO32; // (0, 1): log is finite
      const u2 = next() / TWO32;
      const r = Math.sqrt(-2 * Math.log(u1));
      const th = 2 * Math.PI * u2;
      spare = r * Math.sin(th);
      hasSpare = true;
      return r * Math.cos(th);
    },
  };
}

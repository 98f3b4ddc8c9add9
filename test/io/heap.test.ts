import { describe, expect, it } from 'vitest';
import { getHeapStatistics } from 'node:v8';
import { EXIT } from '../../src/errors.js';
import { asOutOfMemory, checkHeap, FILL, outOfMemory, tooFull, youngReserve } from '../../src/io/heap.js';

describe('heap guard (src/io/heap.ts)', () => {
  it('reads the young generation from --max-semi-space-size (V8: the heap limit is old + 3 semi-spaces)', () => {
    const MB = 1024 * 1024;
    expect(youngReserve('')).toBe(48 * MB);
    expect(youngReserve('--max-old-space-size=200 --max-semi-space-size=4')).toBe(12 * MB);
    expect(youngReserve('--max_semi_space_size 64')).toBe(192 * MB);
  });

  it('matches what V8 reports for this process: the limit less the young reserve is the old-space limit', () => {
    // The test runner's heap: no --max-old-space-size, so the default old space (a whole number of MB).
    const old = getHeapStatistics().heap_size_limit - youngReserve(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`);
    expect(old).toBeGreaterThan(0);
    expect(old % (1024 * 1024)).toBe(0);
  });

  it('is too full past FILL, or when the large objects could not grow once more in the room left', () => {
    const MB = 1024 * 1024;
    const limit = 40 * MB;
    expect(tooFull({ used: FILL * limit + 1, limit, large: 0 })).toBe(true);
    expect(tooFull({ used: FILL * limit - MB, limit, large: 0 })).toBe(false);
    // 30 MB in use, 8 MB of it one array: its next copy (12 MB) would not fit in the 10 MB left.
    expect(tooFull({ used: 30 * MB, limit, large: 8 * MB })).toBe(true);
    expect(tooFull({ used: 30 * MB, limit, large: 6 * MB })).toBe(false);
  });

  it('lets a run with room go on', () => {
    expect(() => checkHeap(() => ({ file: 'x.csv', line: 3 }))).not.toThrow();
  });

  it('ends a run in one line with exit 71, naming where and what to do', () => {
    const e = outOfMemory({ file: 'data.csv', line: 812 });
    expect(e.exitCode).toBe(EXIT.memory);
    expect(EXIT.memory).toBe(71);
    expect(e.code).toBe('out-of-memory');
    expect(e.format()).toMatch(
      /^data\.csv:812: ran out of memory: the data read so far fills the \d+ MB heap Node\.js allows\. Give Node\.js a larger heap \(NODE_OPTIONS=--max-old-space-size=\d+, in MB, up to the machine's memory\), or split the export \(by site or period\)\.$/,
    );
  });

  it("maps the engine's failed buffer allocation to the same error, and nothing else", () => {
    expect(asOutOfMemory(new RangeError('Array buffer allocation failed'))?.code).toBe('out-of-memory');
    expect(asOutOfMemory(new RangeError('Invalid array length'))).toBeNull();
    expect(asOutOfMemory(new Error('Array buffer allocation failed'))).toBeNull();
  });
});

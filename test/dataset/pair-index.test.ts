import { expect, test } from 'vitest';
import { PairIndex } from '../../src/dataset/intern.js';

test('PairIndex agrees with a Map over many keys (growth, chains, -0)', () => {
  const idx = new PairIndex();
  const ref = new Map<string, number[]>();
  let row = 0;
  for (let i = 0; i < 20000; i++) {
    const c = (i * 7919) % 3001;
    const k = i % 5 === 0 ? 0.5 * (i % 13) : (i % 17) - 3;
    const prev = idx.append(c, k, row);
    const key = `${c}|${k + 0}`;
    const list = ref.get(key) ?? [];
    expect(prev).toBe(list.length > 0 ? list[list.length - 1] : -1);
    list.push(row++);
    ref.set(key, list);
  }
  for (const [key, list] of ref) {
    const [c, k] = key.split('|').map(Number);
    expect(idx.first(c, k)).toBe(list[0]);
  }
  expect(idx.first(99999, 1)).toBe(-1);
  idx.append(5, 0, row);
  expect(idx.first(5, -0)).toBe(idx.first(5, 0));
});

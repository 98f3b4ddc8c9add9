import { expect, it } from 'vitest';
import { memoryDataset } from './memory-dataset.js';

it('gives the same client and therapist indexes on a second scan, as the real Dataset does', async () => {
  const ds = memoryDataset(
    [{ name: 'x', role: 'outcome' }],
    [
      { client: 'a', session: 1, therapist: 't1', values: [1] },
      { client: 'b', session: 1, therapist: 't2', values: [2] },
    ],
  );
  const seen: number[][] = [];
  for (let pass = 0; pass < 2; pass++) {
    const idx: number[] = [];
    await ds.scan((row) => idx.push(row.client, row.therapist));
    seen.push(idx);
  }
  expect(seen[1]).toEqual(seen[0]);
  expect(ds.clients).toEqual(['a', 'b']);
  expect(ds.therapists).toEqual(['t1', 't2']);
});

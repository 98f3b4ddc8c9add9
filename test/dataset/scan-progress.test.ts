/**
 * Dataset.scan reports the reader's bytes through its options (ScanOptions.progress, which
 * wins over the dataset's own): over several inputs the bytes read grow to the total of
 * their sizes, and a shared scan (the report's) passes a participant's progress on.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDataset } from '../../src/dataset/open.js';
import { sharedScans } from '../../src/dataset/shared-scan.js';
import type { ScanProgress } from '../../src/dataset/types.js';
import { silentIo } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'alliance-scan-progress-'));
const io = silentIo(dir);

function recorder(): { progress: ScanProgress; bytes: [number, number][]; ends: number } {
  const r = { bytes: [] as [number, number][], ends: 0, progress: null as unknown as ScanProgress };
  r.progress = { rows: () => undefined, bytes: (read, total) => void r.bytes.push([read, total]), end: () => void r.ends++ };
  return r;
}

describe('ScanOptions.progress', () => {
  const a = path.join(dir, 'a.csv');
  const b = path.join(dir, 'b.csv');
  writeFileSync(a, 'client_id,session,srs,ors\n' + Array.from({ length: 300 }, (_, i) => `A${i % 30},${1 + Math.floor(i / 30)},30,20`).join('\n') + '\n');
  writeFileSync(b, 'client_id,session,srs,ors\n' + Array.from({ length: 500 }, (_, i) => `B${i % 50},${1 + Math.floor(i / 50)},31,21`).join('\n') + '\n');
  const total = statSync(a).size + statSync(b).size;

  it('bytes over two inputs grow to the total; end once', async () => {
    const ds = await openDataset([a, b], {}, io);
    const r = recorder();
    const stats = await ds.scan(() => undefined, { progress: r.progress });
    expect(stats.rows).toBe(800);
    expect(r.bytes.length).toBeGreaterThanOrEqual(2);
    expect(r.bytes.every(([, t]) => t === total)).toBe(true);
    expect(r.bytes.map(([x]) => x)).toEqual([...r.bytes.map(([x]) => x)].sort((x, y) => x - y));
    expect(r.bytes[0][0]).toBe(statSync(a).size);
    expect(r.bytes.at(-1)![0]).toBe(total);
    expect(r.ends).toBe(1);
    // A scan without it reports nothing to it.
    await ds.scan(() => undefined);
    expect(r.ends).toBe(1);
  });

  it("a shared scan passes a participant's progress on", async () => {
    const ds = await openDataset([a, b], {}, io);
    const shared = sharedScans(ds);
    const r = recorder();
    await Promise.all([
      shared.join(() => shared.dataset.scan(() => undefined, { progress: r.progress })),
      shared.join(() => shared.dataset.scan(() => undefined)),
    ]);
    expect(r.bytes.at(-1)).toEqual([total, total]);
  });
});

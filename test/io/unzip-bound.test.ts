/**
 * A zip holding one CSV is inflated to a temporary file in a stream (src/io/table.ts): fflate
 * inflates all it is given at once, so the archive is fed in small pieces and the feeding
 * waits for the copy. Before, a 1 MiB read of a crafted entry became up to a GiB in memory
 * at once (a 1.5 MB zip of a 1 GiB CSV: 1.6 GB peak RSS; now about 0.2 GB).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { zipSync } from 'fflate';
import { expect, it } from 'vitest';
import { openSniffed } from '../../src/io/table.js';

const MB = 1 << 20;

it('a zip whose CSV inflates to 64 MiB never holds it all in memory at once', async () => {
  const size = 64 * MB;
  const csv = Buffer.alloc(size, '1,2\n');
  Buffer.from('foo,bar\n').copy(csv);
  const zip = zipSync({ 'data.csv': csv }, { level: 6 });
  expect(zip.length).toBeLessThan(MB);
  const f = path.join(mkdtempSync(path.join(os.tmpdir(), 'alliance-unzip-')), 'bomb.zip');
  writeFileSync(f, zip);
  const base = process.memoryUsage().arrayBuffers;
  let peak = 0;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers - base)), 2);
  try {
    const input = await openSniffed(f, {});
    // The copy is whole (the CSV reader then reads it from disk).
    expect(input.kind).toBe('zip');
  } finally {
    clearInterval(sample);
  }
  // Fed whole, the entry's 64 MiB (and fflate's own copy) were alive at once: 128 MiB.
  expect(peak, `peak ${(peak / MB).toFixed(1)} MiB`).toBeLessThan(size);
});

it('the fixture zip still reads as its CSV', async () => {
  const zip = await openSniffed(path.resolve('fixtures/formats/long.zip'), {});
  const csv = await openSniffed(path.resolve('fixtures/formats/long.csv'), {});
  expect(zip.header).toEqual(csv.header);
  const rows = async (i: typeof zip) => {
    const out: string[][] = [];
    await i.read((fields) => out.push(fields.slice()));
    return out;
  };
  expect(await rows(zip)).toEqual(await rows(csv));
});

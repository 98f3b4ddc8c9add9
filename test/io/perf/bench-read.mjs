#!/usr/bin/env node
/**
 * Read throughput of the CSV layer (needs `npm run build` first):
 *   node test/io/perf/bench-read.mjs proj|all|csvparse FILE.csv [chunkBytes]
 * proj reads fields [0,1,4,5] (the hot path of the dataset layer), all materialises every
 * field, csvparse runs csv-parse 6 (streaming API) on the same file for comparison.
 * Run under `/usr/bin/time -v` for the peak RSS.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const [mode, file, chunk] = process.argv.slice(2);
if (!mode || !file) {
  console.error('usage: bench-read.mjs proj|all|csvparse FILE.csv [chunkBytes]');
  process.exit(2);
}
const t0 = process.hrtime.bigint();
let rows = 0;
let acc = 0;
if (mode === 'csvparse') {
  const { parse } = await import('csv-parse');
  const parser = fs.createReadStream(file, { highWaterMark: 1 << 20 }).pipe(parse({ relax_column_count: true }));
  await new Promise((resolve, reject) => {
    parser.on('readable', () => {
      let r;
      while ((r = parser.read()) !== null) {
        rows++;
        acc += r[4].length;
      }
    });
    parser.on('end', resolve);
    parser.on('error', reject);
  });
  rows--; // header
} else {
  const { openCsvTuned } = await import(path.join(root, 'dist/io/csv.js'));
  const input = await openCsvTuned(file, {}, undefined, { chunkSize: chunk ? Number(chunk) : undefined });
  const fields = mode === 'proj' ? [0, 1, 4, 5] : undefined;
  const st = await input.read(
    (f) => {
      rows++;
      acc += f[4].length;
    },
    { fields },
  );
  if (st.records !== rows) throw new Error('record count mismatch');
}
const s = Number(process.hrtime.bigint() - t0) / 1e9;
const mb = fs.statSync(file).size / 1e6;
console.log(`${mode}: ${rows} rows in ${s.toFixed(2)} s = ${(rows / s / 1e6).toFixed(2)} M rows/s (${(mb / s).toFixed(0)} MB/s) [check ${acc}]`);

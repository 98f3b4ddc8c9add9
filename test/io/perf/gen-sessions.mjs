#!/usr/bin/env node
/**
 * Writes a synthetic session export for speed measurements (not a test fixture):
 *   node test/io/perf/gen-sessions.mjs OUT.csv [CLIENTS=500000]
 * CLIENTS x 20 sessions; columns client_id,session,date,therapist,srs,ors,phq9; a third
 * of the therapist fields are quoted (one with an embedded delimiter, one with doubled
 * quotes). 500000 clients = 10M rows, about 430 MB. Deterministic (fixed LCG seed).
 */
import * as fs from 'node:fs';
const out = fs.openSync(process.argv[2] ?? '/tmp/io/big.csv', 'w');
const clients = +(process.argv[3] ?? 500000),
  sessions = 20;
let buf = 'client_id,session,date,therapist,srs,ors,phq9\n';
let seed = 12345;
const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296;
const therapists = ['T001', 'T002', '"Smith, J"', 'T004', '"O\'Brien ""Bo"""', 'T006'];
for (let c = 1; c <= clients; c++) {
  const th = therapists[c % therapists.length];
  let d = new Date(Date.UTC(2023, 0, 1) + (c % 365) * 86400000);
  for (let s = 1; s <= sessions; s++) {
    const date = d.toISOString().slice(0, 10);
    d = new Date(d.getTime() + 7 * 86400000);
    const srs = (30 + rnd() * 10).toFixed(1),
      ors = (10 + rnd() * 30).toFixed(1),
      phq = Math.floor(rnd() * 28);
    buf += `C${String(c).padStart(7, '0')},${s},${date},${th},${srs},${ors},${phq}\n`;
  }
  if (buf.length > 1 << 20) {
    fs.writeSync(out, buf);
    buf = '';
  }
}
fs.writeSync(out, buf);
fs.closeSync(out);

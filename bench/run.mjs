#!/usr/bin/env node
// npm run bench [-- --rows 1000000,10000000] [--runs 1] [--no-peers] [--no-formats]
//
// Generates benchmark files with `alliance simulate` (bench/data/, not committed), then
// times each command and each peer on the same file in the same run (whole process,
// wall-clock seconds and peak RSS from GNU time), and prints rows/s, MB/s, peak RSS and
// the ratio of each peer's time to the tool's. Machines are noisy: read the ratios.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, openSync, readSync, closeSync, writeFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { formatFiles } from './formats.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(root, 'bin/alliance.js');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const sizes = opt('rows', '1000000,10000000').split(',').map(Number);
const runs = Number(opt('runs', '1'));
const peers = !args.includes('--no-peers');
const dataDir = path.join(root, 'bench/data');
mkdirSync(dataDir, { recursive: true });

const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
if (!timeBin) console.error('bench: /usr/bin/time (GNU time) not found: peak RSS will not be reported (apt-get install time)');

function which(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** Runs a command `runs` times; returns the median seconds and the max peak RSS (MB). */
function measure(argv) {
  const times = [];
  let rss = 0;
  let status = 0;
  let stderr = '';
  for (let i = 0; i < runs; i++) {
    const full = timeBin ? [timeBin, '-f', '__BENCH__ %e %M', ...argv] : argv;
    const t0 = process.hrtime.bigint();
    const res = spawnSync(full[0], full.slice(1), { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, NO_COLOR: '1' } });
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    status = res.status ?? 1;
    stderr = res.stderr ?? '';
    const m = /__BENCH__ ([\d.]+) (\d+)/.exec(stderr);
    times.push(m ? Number(m[1]) : wall);
    if (m) rss = Math.max(rss, Number(m[2]) / 1024);
  }
  times.sort((a, b) => a - b);
  return { seconds: times[Math.floor(times.length / 2)], rss, status, stderr: stderr.replace(/__BENCH__.*\n?/, '').trim() };
}

function header(file) {
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(4096);
  const n = readSync(fd, buf, 0, 4096, 0);
  closeSync(fd);
  return buf.subarray(0, n).toString('utf8').split(/\r?\n/)[0].split(',');
}

const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' }).stdout;
const has = (cmd) => new RegExp(`^\\s+${cmd}\\b`, 'm').test(help);

const rowsOut = [];
for (const n of sizes) {
  // Shaped like the peers' reference file: n rows, n/20 clients with 20 sessions each.
  const file = path.join(dataDir, `sessions-${n}-c${Math.ceil(n / 20)}x20.csv`);
  if (!existsSync(file)) {
    console.error(`bench: generating ${file} with alliance simulate ...`);
    const simArgs = ['simulate', '--rows', String(n), '--clients', String(Math.ceil(n / 20)), '--sessions', '20-20', '--dropout', '0'];
    simArgs.push('--sites', '5', '--outcome', 'ORS,PHQ-9', '--missing', '0.02', '--seed', '1', '--out', file);
    const g = spawnSync(process.execPath, [bin, ...simArgs], { stdio: 'inherit' });
    if (g.status !== 0) throw new Error('simulate failed');
  }
  const mb = statSync(file).size / 1e6;
  console.error(`bench: ${file}: ${mb.toFixed(0)} MB`);
  const cols = header(file);
  const client = cols.find((c) => /client/i.test(c)) ?? cols[0];
  const alliance = cols.find((c) => /^srs$/i.test(c)) ?? cols[3];
  const outcome = cols.find((c) => /^ors$/i.test(c)) ?? cols[4];
  const tasks = [];
  const node = (name, ...rest) => has(name) && tasks.push({ name: `alliance ${name}`, argv: [process.execPath, bin, name, file, ...rest], tool: true });
  node('validate', '--format', 'json');
  node('describe', '--format', 'json');
  node('correlate', '--format', 'json', '--alliance', alliance, '--outcome', outcome);
  node('trend', '--format', 'json');
  if (n <= 1_000_000 && has('report')) {
    // The whole batch report (validate, describe, correlate by therapist, trend by quarter).
    const config = path.join(dataDir, `report-${n}.yaml`);
    writeFileSync(
      config,
      [
        `files: [${path.basename(file)}]`,
        `alliance: [${alliance}]`,
        `outcome: [${outcome}]`,
        'report:',
        '  sections: [validate, describe, correlate, trend]',
        '  formats: [html, md, csv, json]',
        'correlate:',
        '  by: therapist',
        'trend:',
        '  period: quarter',
        '',
      ].join('\n'),
    );
    const out = path.join(dataDir, `report-${n}`);
    rmSync(out, { recursive: true, force: true });
    tasks.push({ name: 'alliance report (4 sections)', argv: [process.execPath, bin, 'report', '--config', config, '--out', out, '--force', '--reproducible'], tool: true });
  }
  if (n <= 1_000_000 && !args.includes('--no-formats')) {
    // The same sessions in the other input formats and layouts (docs/formats.md): correlate on each.
    for (const f of await formatFiles(file, n)) {
      tasks.push({ name: `correlate: ${f.name}`, argv: [process.execPath, bin, 'correlate', f.file, '--format', 'json', '--alliance', alliance, '--outcome', outcome], tool: true });
    }
  }
  if (n <= 1_000_000 && has('model')) tasks.push({ name: 'alliance model', argv: [process.execPath, bin, 'model', file, '--alliance', alliance, '--outcome', outcome, '--format', 'json'], tool: true });
  if (peers) {
    const peerDir = path.join(root, 'bench/peers');
    if (which('Rscript') && spawnSync('Rscript', ['-e', 'library(data.table)']).status === 0) tasks.push({ name: 'peer: R data.table', argv: ['Rscript', path.join(peerDir, 'correlate.R'), file, client, alliance, outcome], peer: true });
    else console.error('bench: skipping peer R data.table (not installed: r-base-core r-cran-data.table)');
    if (spawnSync('/usr/bin/python3', ['-c', 'import pandas, scipy']).status === 0) tasks.push({ name: 'peer: pandas + SciPy', argv: ['/usr/bin/python3', path.join(peerDir, 'correlate.py'), file, client, alliance, outcome], peer: true });
    else console.error('bench: skipping peer pandas + SciPy (not installed: python3-pandas python3-scipy)');
    if (which('mlr')) tasks.push({ name: 'peer: Miller (pooled r only)', argv: ['mlr', '--icsv', '--ojson', 'stats2', '-a', 'corr', '-f', `${alliance},${outcome}`, file], peer: true });
    else console.error('bench: skipping peer Miller (not installed: miller)');
  }
  const results = [];
  for (const t of tasks) {
    console.error(`bench: ${n} rows: ${t.name} ...`);
    const m = measure(t.argv);
    results.push({ ...t, ...m });
  }
  const fastestPeer = Math.min(...results.filter((r) => r.peer && r.status === 0).map((r) => r.seconds));
  for (const r of results) {
    rowsOut.push({
      rows: n,
      task: r.name,
      seconds: r.seconds,
      rowsPerSec: n / r.seconds,
      mbPerSec: mb / r.seconds,
      peakRssMb: r.rss,
      vsFastestPeer: Number.isFinite(fastestPeer) && r.status === 0 ? fastestPeer / r.seconds : null,
      status: r.status,
      note: r.status === 0 ? '' : r.stderr.split('\n')[0],
    });
  }
}

const pad = (s, w) => String(s).padStart(w);
console.log(`${'rows'.padStart(9)}  ${'task'.padEnd(34)} ${pad('s', 7)} ${pad('rows/s', 11)} ${pad('MB/s', 7)} ${pad('peak MB', 8)} ${pad('peer/this', 9)}`);
for (const r of rowsOut) {
  console.log(
    `${pad(r.rows, 9)}  ${r.task.padEnd(34)} ${pad(r.seconds.toFixed(2), 7)} ${pad(Math.round(r.rowsPerSec).toLocaleString('en'), 11)} ${pad(r.mbPerSec.toFixed(1), 7)} ${pad(r.peakRssMb.toFixed(0), 8)} ${pad(r.vsFastestPeer === null ? '-' : r.vsFastestPeer.toFixed(2) + 'x', 9)}${r.status ? '  FAILED: ' + r.note : ''}`,
  );
}
console.log('\npeer/this: the fastest peer\'s time divided by this task\'s time in the same run (> 1 means faster than the peer).');

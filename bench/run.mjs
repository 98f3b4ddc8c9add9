#!/usr/bin/env node
// npm run bench [-- --rows 1000000,10000000] [--runs 1] [--pairs 7] [--jobs validate,trend,...] [--no-peers]
//
// Generates benchmark files with `alliance simulate` (bench/data/, not committed), then
// times each command and each peer doing the same job on the same file in the same run
// (whole process: wall-clock seconds and peak RSS from GNU time), and prints every row
// of issue 15's table: each command against the fastest peer and against R data.table,
// the batch report against its slowest section run alone, model against lme4, each
// input format (issue 11) and a terminal table of 1,000 groups. Machines are noisy:
// read the ratios, which are measured in one run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, openSync, readSync, closeSync, writeFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { formatFiles } from './formats.mjs';
import { peerRuntimes, peersFor } from './peers.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(root, 'bin/alliance.js');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return dflt;
  if (i + 1 >= args.length || args[i + 1].startsWith('--')) fail(`--${name} needs a value`);
  return args[i + 1];
};
/** A usage error: one line, exit 2 (nothing has run yet). */
function fail(message) {
  console.error(`bench: ${message}`);
  process.exit(2);
}
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (['--rows', '--runs', '--pairs', '--jobs'].includes(a)) i++;
  else if (a !== '--no-peers') fail(`unknown argument '${a}' (usage: the first line of bench/run.mjs)`);
}
/** A whole number of at least `min` given as --name (else the default). */
const count = (name, dflt, min) => {
  const v = opt(name, String(dflt));
  if (!/^\d+$/.test(v) || Number(v) < min) fail(`--${name} takes a whole number of at least ${min}, not '${v}'`);
  return Number(v);
};
const sizes = opt('rows', '1000000,10000000')
  .split(',')
  .map((v) => (/^\d+$/.test(v) && Number(v) >= 1000 ? Number(v) : fail(`--rows takes sizes of at least 1000 rows, separated by commas, not '${v}'`)));
const runs = count('runs', 1, 1);
// Goals that are a ratio of two whole runs at 1M rows (a command against R data.table, the
// report against its slowest section alone) are judged over this many interleaved pairs
// (the one, then the other, each pair's ratio taken; their median), besides the single runs
// of the table: runs a few seconds apart on a shared machine differ by 5-10 %, and more in
// bursts, and pairs put both sides of a ratio in the same moment.
const pairs = count('pairs', 7, 0);
const ALL_JOBS = ['validate', 'describe', 'correlate', 'trend', 'model', 'report', 'formats', 'render'];
const jobs = opt('jobs', ALL_JOBS.join(',')).split(',');
for (const j of jobs) if (!ALL_JOBS.includes(j)) fail(`--jobs: no job '${j}' (the jobs: ${ALL_JOBS.join(', ')})`);
const peers = !args.includes('--no-peers');
const dataDir = path.join(root, 'bench/data');
mkdirSync(dataDir, { recursive: true });

const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const hasTimeout = spawnSync('timeout', ['--version'], { stdio: 'ignore' }).status === 0;
if (!timeBin) console.error('bench: /usr/bin/time (GNU time) not found: peak RSS will not be reported (apt-get install time)');

// Every command and peer runs in one environment, without what changes how Node.js starts
// rather than what a command computes: NODE_OPTIONS, and NODE_EXTRA_CA_CERTS, which has
// Node.js read and parse a certificate bundle at every start (about 35 ms on the machine of
// README's figures) though nothing here opens a connection. Printed with the figures.
const cleared = ['NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS'].filter((k) => process.env[k] !== undefined);
const benchEnv = { ...process.env, NO_COLOR: '1' };
for (const k of cleared) delete benchEnv[k];

/** Median seconds of `node -e ''` in `env`, over 7 starts. */
function nodeStart(env) {
  const t = [];
  for (let i = 0; i < 7; i++) {
    const t0 = process.hrtime.bigint();
    spawnSync(process.execPath, ['-e', ''], { env, stdio: 'ignore' });
    t.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return median(t.sort((a, b) => a - b));
}

/**
 * The input the tasks being measured read: read through once before each run, so that every
 * task, the tool's and the peers', starts with it in the page cache (this VM's kernel also
 * drops cache on its own, kdamond, and a task that found its 390 MB input gone from memory
 * took twice its time or more).
 */
let warmFile = null;
const warmBuf = Buffer.alloc(8 << 20);
function warm() {
  if (warmFile === null) return;
  const fd = openSync(warmFile, 'r');
  try {
    while (readSync(fd, warmBuf, 0, warmBuf.length, null) > 0);
  } finally {
    closeSync(fd);
  }
}

/** The middle value of ascending `sorted` (the upper one of an even count). */
const median = (sorted) => sorted[Math.floor(sorted.length / 2)];

/** Runs a command `runs` times; returns the median seconds and the max peak RSS (MB). */
function measure(argv) {
  const times = [];
  let rss = 0;
  let status = 0;
  let stderr = '';
  for (let i = 0; i < runs; i++) {
    warm();
    // A task that runs past 20 minutes is stopped (coreutils timeout) and shown as failed.
    const limited = hasTimeout ? ['timeout', '-s', 'KILL', '1200', ...argv] : argv;
    const full = timeBin ? [timeBin, '-f', '__BENCH__ %e %M', ...limited] : limited;
    const t0 = process.hrtime.bigint();
    const res = spawnSync(full[0], full.slice(1), { encoding: 'utf8', maxBuffer: 1 << 30, env: benchEnv });
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    status = res.status ?? 1;
    stderr = res.error ? `${res.error.message}\n${res.stderr ?? ''}` : (res.stderr ?? '');
    const m = /__BENCH__ ([\d.]+) (\d+)/.exec(stderr);
    times.push(m ? Number(m[1]) : wall);
    if (m) rss = Math.max(rss, Number(m[2]) / 1024);
  }
  times.sort((a, b) => a - b);
  return { seconds: median(times), rss, status, stderr: stderr.replace(/__BENCH__.*\n?/, '').trim() };
}

function header(file) {
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(4096);
  const n = readSync(fd, buf, 0, 4096, 0);
  closeSync(fd);
  return buf.subarray(0, n).toString('utf8').split(/\r?\n/)[0].split(',');
}

function simulate(file, simArgs) {
  if (existsSync(file)) return;
  console.error(`bench: generating ${file} with alliance simulate ...`);
  const g = spawnSync(process.execPath, [bin, 'simulate', ...simArgs, '--seed', '1', '--out', file], { stdio: 'inherit' });
  if (g.status !== 0) throw new Error('simulate failed');
}

/** An instrument's range and clinical cut-off, from the tool's registry (`alliance instruments ID`). */
function instrument(id) {
  const { instrument: i } = JSON.parse(spawnSync(process.execPath, [bin, 'instruments', id, '--format', 'json'], { encoding: 'utf8' }).stdout);
  return { min: i.range.value[0], max: i.range.value[1], cutoff: i.cutoff.value, clinicalIf: i.cutoff.clinical_if };
}

const { have, skipped } = peers ? peerRuntimes() : { have: {}, skipped: ['all peers (--no-peers)'] };
for (const s of skipped) console.error(`bench: skipping peer ${s}: not installed`);
const instruments = { srs: instrument('SRS'), ors: instrument('ORS'), phq9: instrument('PHQ-9') };

const results = [];
const find = (n, name) => results.find((r) => r.rows === n && r.name === name && r.status === 0);
/** Per size: the report / slowest section pairs (see the report job). */
const reportPairs = new Map();
/** Per `${rows} ${job}`: the command / R data.table pairs at 1M rows. */
const rPairs = new Map();
/** Per size (10M rows and more): the seconds of correlate's runs on two threads, ascending (the moonshot). */
const moon = new Map();
const MOON_RUNS = 5;

/** `pairs` interleaved runs of `a` and `b`: each pair's seconds and the 1-minute load average before it. */
function interleave(label, a, b) {
  const list = [];
  for (let i = 0; i < pairs; i++) {
    console.error(`bench: ${label} pair ${i + 1} of ${pairs} ...`);
    const load = os.loadavg()[0];
    const x = measure(a);
    const y = measure(b);
    if (x.status === 0 && y.status === 0) list.push({ a: x.seconds, b: y.seconds, load });
  }
  return list;
}

/** The median of the pairs' ratios b / a, with their range. */
function pairRatio(list) {
  const r = list.map((p) => p.b / p.a).sort((x, y) => x - y);
  return { median: median(r), lo: r[0], hi: r[r.length - 1], n: r.length };
}
const run = (n, job, name, argv, kind) => {
  console.error(`bench: ${n.toLocaleString('en')} rows: ${name} ...`);
  const m = measure(argv);
  if (m.status !== 0) console.error(`bench:   exit ${m.status}: ${m.stderr.split('\n')[0]}`);
  results.push({ rows: n, job, name, kind, ...m });
  return m;
};

for (const n of sizes) {
  // Shaped like the peers' reference file: n rows, n/20 clients with 20 sessions each.
  const file = path.join(dataDir, `sessions-${n}-c${Math.ceil(n / 20)}x20.csv`);
  simulate(file, [
    '--rows',
    String(n),
    '--clients',
    String(Math.ceil(n / 20)),
    '--sessions',
    '20-20',
    '--dropout',
    '0',
    '--sites',
    '5',
    '--outcome',
    'ORS,PHQ-9',
    '--missing',
    '0.02',
  ]);
  console.error(`bench: ${file}: ${(statSync(file).size / 1e6).toFixed(0)} MB`);
  warmFile = file;
  const cols = header(file);
  const c = {
    rows: n,
    client: 'client_id',
    session: 'session',
    date: 'date',
    therapist: 'therapist_id',
    alliance: 'srs',
    outcome: 'ors',
    scores: cols.filter((h) => instruments[h]).map((h) => ({ column: h, ...instruments[h] })),
  };
  const tool = (job, name, ...rest) => run(n, job, name, [process.execPath, bin, ...rest], 'tool');
  const small = n <= 1_000_000;
  for (const job of ['validate', 'describe', 'correlate', 'trend', 'model']) {
    if (!jobs.includes(job)) continue;
    const extra = job === 'correlate' || job === 'model' ? ['--alliance', c.alliance, '--outcome', c.outcome] : [];
    tool(job, `alliance ${job}`, job, file, '--format', 'json', ...extra);
    // Both cores (src/io/parallel/): the same command on one thread and on two (main + a worker)
    // (the default above picks one of them by the input's size: defaultThreads).
    if (job === 'describe' || job === 'correlate')
      for (const t of ['1', '2']) tool(job, `alliance ${job} --threads ${t}`, job, file, '--format', 'json', '--threads', t, ...extra);
    // Issue 15's moonshot, correlate on 10M rows in 1 s on this machine: judged on the median
    // of MOON_RUNS runs on two threads (a single run of about a second moves by 5-10 %).
    if (job === 'correlate' && n >= 10_000_000) {
      const times = [];
      for (let i = 0; i < MOON_RUNS; i++) {
        const m = measure([process.execPath, bin, job, file, '--format', 'json', '--threads', '2', ...extra]);
        if (m.status === 0) times.push(m.seconds);
      }
      moon.set(
        n,
        times.sort((a, b) => a - b),
      );
    }
    // Every client's row, written as it is made (n/20 clients here; no peer writes them).
    if (job === 'trend') tool(job, 'alliance trend --clients --format csv', job, file, '--clients', '--format', 'csv');
    const ps = peers ? peersFor(job, file, c, have, path.join(root, 'bench/peers')) : [];
    for (const p of ps) run(n, job, p.name, p.argv, p.r ? 'peer-r' : 'peer');
    // At 1M the goal is against R data.table: judged on interleaved pairs (model's lme4
    // takes 20 s a run and is 18x behind: its single run stands).
    const r = ps.find((p) => p.r);
    if (small && r && job !== 'model' && pairs > 0)
      rPairs.set(
        `${n} ${job}`,
        interleave(`${n.toLocaleString('en')} rows: alliance ${job} / ${r.name}`, [process.execPath, bin, job, file, '--format', 'json', ...extra], r.argv),
      );
  }
  if (small && jobs.includes('report')) {
    // The batch report (validate, describe, correlate by therapist, trend by quarter) and
    // each of its sections run alone with the same options.
    const config = path.join(dataDir, `report-${n}.yaml`);
    const yaml = [`files: [${path.basename(file)}]`, `alliance: [${c.alliance}]`, `outcome: [${c.outcome}]`, 'report:'];
    yaml.push(
      '  sections: [validate, describe, correlate, trend]',
      '  formats: [html, md, csv, json]',
      'correlate:',
      '  by: therapist',
      'trend:',
      '  period: quarter',
      '',
    );
    writeFileSync(config, yaml.join('\n'));
    const out = path.join(dataDir, `report-${n}`);
    rmSync(out, { recursive: true, force: true });
    tool('report', 'alliance report (4 sections)', 'report', '--config', config, '--out', out, '--force', '--reproducible');
    // The same on one thread (threads: 1): every section fed by the main thread's one read.
    const config1 = path.join(dataDir, `report-${n}-threads1.yaml`);
    writeFileSync(config1, ['threads: 1', ...yaml].join('\n'));
    tool('report', 'alliance report (4 sections, threads: 1)', 'report', '--config', config1, '--out', out, '--force', '--reproducible');
    const alone = [
      ['section alone: validate', ['validate', file, '--format', 'json']],
      ['section alone: describe', ['describe', file, '--format', 'json']],
      [
        'section alone: correlate --by therapist',
        ['correlate', file, '--format', 'json', '--alliance', c.alliance, '--outcome', c.outcome, '--by', 'therapist'],
      ],
      ['section alone: trend --period quarter', ['trend', file, '--format', 'json', '--period', 'quarter']],
    ];
    for (const [name, argv] of alone) tool('report', name, ...argv);
    // Interleaved pairs: the report (default threads), then its slowest section alone, each
    // pair's ratio taken; a change in the machine's speed during the run weighs on both
    // sides of a pair. The 1-minute load average before each report is kept: by default
    // the report splits its sections over two threads only below one per core
    // (src/io/parallel/pool.ts spareCore), and a bench's back-to-back runs raise it.
    const times = alone.map(([name]) => find(n, name)?.seconds ?? -1);
    const [slowName, slowArgv] = alone[times.indexOf(Math.max(...times))];
    const list = interleave(
      `${n.toLocaleString('en')} rows: report / ${slowName}`,
      [process.execPath, bin, 'report', '--config', config, '--out', out, '--force', '--reproducible'],
      [process.execPath, bin, ...slowArgv],
    );
    reportPairs.set(n, { section: slowName.replace('section alone: ', ''), list });
  }
  if (small && jobs.includes('formats')) {
    // The same sessions in the other input formats and layouts (docs/formats.md): correlate on each.
    tool('formats', 'correlate: long CSV', 'correlate', file, '--format', 'json', '--alliance', c.alliance, '--outcome', c.outcome);
    for (const f of await formatFiles(file, n)) {
      warmFile = f.file;
      tool('formats', `correlate: ${f.name}`, 'correlate', f.file, '--format', 'json', '--alliance', c.alliance, '--outcome', c.outcome);
    }
    warmFile = file;
  }
}
if (jobs.includes('render')) {
  // Issue 15: a terminal table of one row per group grows linearly with the groups. 20
  // sessions per client, 10 clients per therapist: 1,000 and 2,000 therapists.
  for (const t of [1000, 2000]) {
    const file = path.join(dataDir, `sessions-${t * 200}-t${t}.csv`);
    warmFile = file;
    simulate(file, ['--rows', String(t * 200), '--clients', String(t * 10), '--sessions', '20-20', '--dropout', '0', '--therapists', String(t)]);
    for (const format of ['json', 'table'])
      run(
        t * 200,
        'render',
        `correlate --by therapist (${t.toLocaleString('en')}) --format ${format}`,
        [process.execPath, bin, 'correlate', file, '--by', 'therapist', '--format', format],
        'tool',
      );
  }
}

// ---- the table of every run ----
const pad = (s, w) => String(s).padStart(w);
const ratio = (x) => (x === null || !Number.isFinite(x) ? '-' : `${x.toFixed(2)}x`);
const peerTime = (n, job, kinds) => {
  const ts = results.filter((r) => r.rows === n && r.job === job && kinds.includes(r.kind) && r.status === 0).map((r) => r.seconds);
  return ts.length ? Math.min(...ts) : null;
};
console.log(
  `machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? '?'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${runs} run(s) each`,
);
console.log(
  cleared.length === 0
    ? `environment: as given (no NODE_OPTIONS or NODE_EXTRA_CA_CERTS); Node.js start ${nodeStart(benchEnv).toFixed(3)} s`
    : `environment: ${cleared.join(' and ')} cleared for every task; Node.js start ${nodeStart(benchEnv).toFixed(3)} s (${nodeStart({ ...process.env }).toFixed(3)} s with them)`,
);
console.log(`${'rows'.padStart(10)}  ${'job'.padEnd(9)} ${'task'.padEnd(46)} ${pad('s', 7)} ${pad('peak MB', 8)} ${pad('peer/this', 9)} ${pad('R/this', 7)}`);
for (const r of results) {
  const tool = r.kind === 'tool' && r.status === 0;
  const fast = tool ? peerTime(r.rows, r.job, ['peer', 'peer-r']) : null;
  const rr = tool ? peerTime(r.rows, r.job, ['peer-r']) : null;
  console.log(
    `${pad(r.rows.toLocaleString('en'), 10)}  ${r.job.padEnd(9)} ${r.name.padEnd(46)} ${pad(r.seconds.toFixed(2), 7)} ${pad(r.rss.toFixed(0), 8)} ${pad(ratio(fast && fast / r.seconds), 9)} ${pad(ratio(rr && rr / r.seconds), 7)}${r.status ? `  FAILED (exit ${r.status}): ${r.stderr.split('\n')[0]}` : ''}`,
  );
}
console.log("\npeer/this: the fastest peer's time for the same job divided by the tool's, in the same run (> 1: the tool is faster);");
console.log('R/this: the same against the R peer (data.table; lme4 + lmerTest for model).');
const showPairs = (what, list) =>
  console.log(
    `${what} (s, 1-minute load average before the pair): ${list.map((p) => `${p.a.toFixed(2)}/${p.b.toFixed(2)} (${p.load.toFixed(1)})`).join(', ')}`,
  );
for (const [key, list] of rPairs) {
  const [n, job] = key.split(' ');
  if (list.length > 0) showPairs(`alliance ${job} / R data.table pairs, ${Number(n).toLocaleString('en')} rows`, list);
}
for (const [n, pr] of reportPairs) if (pr.list.length > 0) showPairs(`report / ${pr.section} pairs, ${n.toLocaleString('en')} rows`, pr.list);

// ---- issue 15's table ----
console.log('\nIssue 15 goals, from the runs above:');
const goal = (text, met) => console.log(`  ${met === null ? '[ ]' : met ? '[x]' : '[!]'} ${text}`);
for (const n of sizes) {
  const big = n >= 10_000_000;
  for (const job of ['correlate', 'describe', 'validate', 'trend', 'model']) {
    const t = find(n, `alliance ${job}`);
    if (!t) continue;
    const fast = peerTime(n, job, ['peer', 'peer-r']);
    const rr = peerTime(n, job, ['peer-r']);
    const x = fast && fast / t.seconds;
    const xr = rr && rr / t.seconds;
    if (job === 'model' && big)
      goal(`model ${n.toLocaleString('en')} rows: ${t.seconds.toFixed(1)} s, ${t.rss.toFixed(0)} MB (goal < 30 s, < 1 GB)`, t.seconds < 30 && t.rss < 1024);
    else if (big)
      goal(
        `${job} ${n.toLocaleString('en')} rows: ${ratio(x)} the fastest peer, ${t.rss.toFixed(0)} MB (goal >= 2x, < 300 MB)`,
        x === null ? null : x >= 2 && t.rss < 300,
      );
    else {
      const pr = rPairs.get(`${n} ${job}`);
      const q = pr && pr.length > 0 ? pairRatio(pr) : null;
      goal(
        q
          ? `${job} ${n.toLocaleString('en')} rows vs R (data.table): median ${q.median.toFixed(2)}x over ${q.n} interleaved pairs (${q.lo.toFixed(2)}-${q.hi.toFixed(2)}x; single run above ${ratio(xr)}), ${t.rss.toFixed(0)} MB (goal >= 2x)`
          : `${job} ${n.toLocaleString('en')} rows vs R: ${ratio(xr)}${job === 'model' ? ' (lme4 + lmerTest)' : ' (data.table)'}, ${t.rss.toFixed(0)} MB (goal >= 2x)`,
        q ? q.median >= 2 : xr === null ? null : xr >= 2,
      );
    }
  }
  // The goal is for large inputs: below AUTO_THREADS_BYTES (256 MiB, src/io/parallel/pool.ts)
  // the default is one thread, and the two-thread run is shown for information ([ ]).
  const large = statSync(path.join(dataDir, `sessions-${n}-c${Math.ceil(n / 20)}x20.csv`), { throwIfNoEntry: false })?.size >= 256 * 1024 * 1024;
  for (const job of ['describe', 'correlate']) {
    const one = find(n, `alliance ${job} --threads 1`);
    const two = find(n, `alliance ${job} --threads 2`);
    if (one && two)
      goal(
        `${job} ${n.toLocaleString('en')} rows on two threads: ${two.seconds.toFixed(2)} s, ${two.rss.toFixed(0)} MB vs one thread ${one.seconds.toFixed(2)} s, ${one.rss.toFixed(0)} MB (${large ? 'goal: faster' : 'information: one thread is the default under 256 MiB'})`,
        large ? two.seconds < one.seconds : null,
      );
  }
  const mt = moon.get(n);
  if (mt && mt.length === MOON_RUNS)
    goal(
      `correlate ${n.toLocaleString('en')} rows on two threads, ${MOON_RUNS} runs: median ${median(mt).toFixed(2)} s (${mt[0].toFixed(2)}-${mt[mt.length - 1].toFixed(2)} s) (moonshot: <= 1 s on this machine)`,
      median(mt) <= 1,
    );
  const rep = find(n, 'alliance report (4 sections)');
  if (rep) {
    const alone = results.filter((r) => r.rows === n && r.job === 'report' && r.name.startsWith('section alone') && r.status === 0);
    const slow = Math.max(...alone.map((r) => r.seconds));
    goal(
      `report ${n.toLocaleString('en')} rows: ${rep.seconds.toFixed(2)} s = ${(rep.seconds / slow).toFixed(2)}x its slowest section alone (${slow.toFixed(2)} s), ${rep.rss.toFixed(0)} MB (${reportPairs.get(n)?.list.length ? 'information: the goal is judged on the pairs below' : 'goal <= 1.5x'})`,
      reportPairs.get(n)?.list.length ? null : rep.seconds / slow <= 1.5,
    );
    const pr = reportPairs.get(n);
    if (pr && pr.list.length > 0) {
      // The report over its section: a / b of each pair.
      const q = pairRatio(pr.list.map((p) => ({ a: p.b, b: p.a })));
      const loads = pr.list.map((p) => p.load);
      goal(
        `report ${n.toLocaleString('en')} rows, ${q.n} interleaved pairs with ${pr.section} alone: median ${q.median.toFixed(2)}x (${q.lo.toFixed(2)}-${q.hi.toFixed(2)}x); load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)} before the reports (two threads below ${os.cpus().length}) (goal <= 1.5x)`,
        q.median <= 1.5,
      );
    }
    const one = find(n, 'alliance report (4 sections, threads: 1)');
    if (one)
      goal(
        `report ${n.toLocaleString('en')} rows on one thread (one read feeding all four sections): ${one.seconds.toFixed(2)} s = ${(one.seconds / slow).toFixed(2)}x its slowest section alone, ${one.rss.toFixed(0)} MB (information)`,
        null,
      );
  }
  const formats = results.filter((r) => r.rows === n && r.job === 'formats');
  for (const f of formats)
    goal(
      `${f.name} ${n.toLocaleString('en')} rows: ${f.seconds.toFixed(2)} s, ${f.rss.toFixed(0)} MB${f.status ? ' FAILED' : ''} (goal < 300 MB)`,
      f.status === 0 && f.rss < 300,
    );
}
const render = (t, f) => find(t * 200, `correlate --by therapist (${t.toLocaleString('en')}) --format ${f}`);
const [j1, t1, j2, t2] = [render(1000, 'json'), render(1000, 'table'), render(2000, 'json'), render(2000, 'table')];
if (j1 && t1 && j2 && t2) {
  goal(
    `correlate --by therapist as a table: 1,000 groups ${t1.seconds.toFixed(2)} s (JSON ${j1.seconds.toFixed(2)} s), 2,000 groups ${t2.seconds.toFixed(2)} s (JSON ${j2.seconds.toFixed(2)} s); twice the groups, ${(t2.seconds / t1.seconds).toFixed(2)}x the time (goal: linear, <= 2.5x)`,
    t2.seconds / t1.seconds <= 2.5,
  );
}

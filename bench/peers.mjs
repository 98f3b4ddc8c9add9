// The peers of `npm run bench` (bench/run.mjs): for each job the tool does, what a
// researcher would run instead, on the same file (bench/peers/README.md says what each
// computes). A peer whose runtime or packages are missing is skipped, and said so.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ok = (cmd, args) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
const py = '/usr/bin/python3';

/** Which runtimes the peers need, checked once; `skipped` lists the missing ones with their Debian packages. */
export function peerRuntimes() {
  const have = {
    r: ok('Rscript', ['-e', 'library(data.table)']),
    lme4: ok('Rscript', ['-e', 'library(data.table); library(lmerTest)']),
    pandas: ok(py, ['-c', 'import pandas']),
    scipy: ok(py, ['-c', 'import pandas, scipy']),
    mlr: ok('sh', ['-c', 'command -v mlr']),
  };
  const skipped = [];
  if (!have.r) skipped.push('R data.table (Debian: r-base-core r-cran-data.table)');
  if (!have.lme4) skipped.push('R lme4 + lmerTest (Debian: r-cran-lme4; R package lmerTest)');
  if (!have.pandas) skipped.push('pandas (Debian: python3-pandas)');
  if (!have.scipy) skipped.push('pandas + SciPy for correlate (Debian: python3-scipy)');
  if (!have.mlr) skipped.push('Miller (Debian: miller)');
  return { have, skipped };
}

/**
 * The peers of one job on `file` (columns `c`: client, session, date, therapist,
 * alliance, outcome, and the score columns with their ranges and cut-offs).
 * Each: { name, argv, r: true when it is R data.table (the 1M-row yardstick) }.
 */
export function peersFor(job, file, c, have, dir) {
  const p = (f) => path.join(dir, f);
  const out = [];
  const add = (cond, name, argv, r = false) => cond && out.push({ name, argv, r });
  const ranges = c.scores.map((s) => `${s.column}=${s.min}:${s.max}`);
  const cuts = c.scores.map((s) => `${s.column}=${s.clinicalIf}${s.cutoff}`);
  switch (job) {
    case 'validate':
      add(have.r, 'R data.table validate.R', ['Rscript', p('validate.R'), file, c.client, c.session, c.date, ...ranges], true);
      add(have.pandas, 'pandas validate.py', [py, p('validate.py'), file, c.client, c.session, c.date, ...ranges]);
      break;
    case 'describe':
      add(have.r, 'R data.table describe.R', ['Rscript', p('describe.R'), file, c.client, c.session, c.date, c.therapist, ...cuts], true);
      add(have.pandas, 'pandas describe.py', [py, p('describe.py'), file, c.client, c.session, c.date, c.therapist, ...cuts]);
      break;
    case 'correlate':
      add(have.r, 'R data.table correlate.R', ['Rscript', p('correlate.R'), file, c.client, c.alliance, c.outcome], true);
      add(have.scipy, 'pandas + SciPy correlate.py', [py, p('correlate.py'), file, c.client, c.alliance, c.outcome]);
      add(have.mlr, 'Miller (pooled r only)', ['mlr', '--icsv', '--ojson', 'stats2', '-a', 'corr', '-f', `${c.alliance},${c.outcome}`, file]);
      break;
    case 'trend':
      add(have.r, 'R data.table trend.R', ['Rscript', p('trend.R'), file, c.client, c.session, c.alliance, c.outcome], true);
      add(have.pandas, 'pandas trend.py', [py, p('trend.py'), file, c.client, c.session, c.alliance, c.outcome]);
      break;
    case 'model':
      // lme4 on 10M rows needs many GB and hours: the issue asks for it on the 1M-row file.
      add(have.lme4 && c.rows <= 1_000_000, 'R lme4 + lmerTest model.R', ['Rscript', p('model.R'), file, c.client, c.alliance, c.outcome], true);
      break;
    default:
      break;
  }
  return out;
}

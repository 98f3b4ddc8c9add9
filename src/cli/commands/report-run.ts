/**
 * The run of `alliance report` (src/cli/commands/report.ts declares its options): loaded
 * only when the command runs.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { Command } from 'commander';
import type { Io } from '../../io/process.js';
import { packageVersion } from '../../version.js';
import { UserError } from '../../errors.js';
import { loadConfig } from '../../config/load.js';
import { writeDirAtomic } from '../../io/atomic.js';
import { printable } from '../../io/text-safety.js';
import { REPORT_MARKER, runReport, sectionCheck } from '../../report/batch/run.js';
import { reportSettings } from '../../report/batch/config.js';
import { scanProgress } from '../input.js';

export interface ReportFlags {
  config?: string;
  out?: string;
  force?: boolean;
  reproducible?: boolean;
  failOn?: 'error' | 'warning' | 'none';
  from?: string;
  to?: string;
  asOf?: string;
  [key: string]: unknown;
}

export async function run(_args: string[], flags: ReportFlags, _cmd: Command, io: Io): Promise<number> {
  if (!flags.config) throw new UserError('--config is required', { hint: 'Give the report config, e.g. alliance report --config fixtures/report.yaml' });
  const config = await loadConfig(flags.config, io.cwd);
  const text = config.text ?? (await readFile(path.resolve(io.cwd, flags.config), 'utf8'));
  const check = sectionCheck(config, text);
  const live = io.stderrIsTTY && !io.env.CI;
  const outGiven = flags.out;
  // Resolve the output folder before any work, so a clash is reported at once.
  const settings = reportSettings(check);
  const outDir = outGiven !== undefined ? path.resolve(io.cwd, outGiven) : (settings.out ?? path.resolve(io.cwd, 'report'));
  const outShown = outGiven ?? (path.relative(io.cwd, outDir) || '.');
  // The nearest existing ancestor of DIR must be a folder (checked before any work).
  for (let p = path.dirname(outDir); ; p = path.dirname(p)) {
    if (existsSync(p)) {
      if (!statSync(p).isDirectory())
        throw new UserError('cannot write here (a part of the path is a file, not a folder)', { location: { file: outShown }, hint: 'Check the output path' });
      break;
    }
    if (path.dirname(p) === p) break;
  }
  if (!flags.force) {
    if (existsSync(outDir))
      throw new UserError('already exists', { location: { file: outShown }, hint: 'Use --force to replace it, or choose another output folder' });
  }
  // The reads show a progress bar on a terminal (--progress / --no-progress force it).
  const forced = _cmd.opts<{ progress?: boolean }>().progress;
  const reads = scanProgress(io, 'alliance report', { forced });
  const result = await runReport(check, io, {
    version: packageVersion(),
    reproducible: Boolean(flags.reproducible),
    failOn: flags.failOn,
    period: { from: flags.from, to: flags.to, asOf: flags.asOf },
    out: outShown,
    outDir,
    force: Boolean(flags.force),
    now: new Date(),
    ...(reads ? { scanProgress: reads } : {}),
    progress: (e) => {
      const tag = `alliance report: [${e.index}/${e.total}] ${e.section}`;
      if (live) io.stderr.write(e.done ? '\r\x1b[K' : `\r\x1b[K${tag} ...`);
      else if (e.done) io.stderr.write(`${tag} done (${(e.seconds ?? 0).toFixed(2)} s)\n`);
    },
  });
  await writeDirAtomic(outDir, result.files, {
    force: Boolean(flags.force),
    marker: REPORT_MARKER,
    onRecover: (msg) => io.stderr.write(`alliance report: ${printable(msg)}\n`),
  });
  const why = result.stopped ? ' (stopped after validation: see the validation section)' : result.exitCode === 1 ? ' (validation found errors)' : '';
  io.stderr.write(`alliance report: wrote ${printable(outShown)} (${result.files.size} files)${why}\n`);
  return result.exitCode;
}

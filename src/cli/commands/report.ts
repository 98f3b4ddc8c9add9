/**
 * `alliance report --config report.yaml [--out DIR]`: a scheduled batch report. One config
 * in (the ordinary config plus a `report:` section, documented in fixtures/report.yaml and
 * docs/report.md), one folder out: report.html, report.md, one CSV per table,
 * results.json and manifest.json, written atomically (src/io/atomic.ts).
 *
 * Exit 0 done; 1 done but validation found errors (with failOn / --fail-on met, the folder
 * holds the validation section only); 2 config or input unusable, or DIR exists without
 * --force (the folder is then left as it was).
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { Command } from 'commander';
import { buildCommand, type CommandContext } from '../command.js';
import type { OptionSpec } from '../options.js';
import { packageVersion } from '../../version.js';
import { UserError } from '../../errors.js';
import { loadConfig } from '../../config/load.js';
import { writeDirAtomic } from '../../io/atomic.js';
import { printable } from '../../io/text-safety.js';
import { runReport, sectionCheck } from '../../report/batch/run.js';
import { reportSettings } from '../../report/batch/config.js';

interface ReportFlags {
  config?: string;
  out?: string;
  force?: boolean;
  reproducible?: boolean;
  failOn?: 'error' | 'warning' | 'none';
  [key: string]: unknown;
}

const REPORT_OPTIONS: OptionSpec[] = [
  { flags: '--config <file>', description: 'report config (YAML or JSON): inputs, mapping, sections and their options (see fixtures/report.yaml)' },
  { flags: '--out <dir>', description: "output folder (default: report.out from the config, else ./report); written atomically" },
  { flags: '--force', description: 'replace the output folder if it exists' },
  { flags: '--reproducible', description: 'leave the time of the run out of manifest.json (also when SOURCE_DATE_EPOCH is set)' },
  {
    flags: '--fail-on <level>',
    description: 'stop before analysis when validation finds errors (error) or errors or warnings (warning); the folder then holds the validation only',
    choices: ['error', 'warning', 'none'],
  },
];

export function reportCommand(ctx: CommandContext): Command {
  return buildCommand<ReportFlags>(
    {
      name: 'report',
      summary: 'scheduled batch report: HTML, Markdown, CSV and JSON from one config',
      options: REPORT_OPTIONS,
      examples: [
        'alliance report --config fixtures/report.yaml --out report',
        'alliance report --config clinic.yaml --out reports/2024-Q4 --force --fail-on error',
        'SOURCE_DATE_EPOCH=0 alliance report --config clinic.yaml --out out   # byte-identical reruns',
      ],
      async run(_args, flags, _cmd, io) {
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
          if (existsSync(outDir)) throw new UserError('already exists', { location: { file: outShown }, hint: 'Use --force to replace it, or choose another output folder' });
        }
        const result = await runReport(check, io, {
          version: packageVersion(),
          reproducible: Boolean(flags.reproducible),
          failOn: flags.failOn,
          out: outShown,
          outDir,
          force: Boolean(flags.force),
          now: new Date(),
          progress: (e) => {
            const tag = `alliance report: [${e.index}/${e.total}] ${e.section}`;
            if (live) io.stderr.write(e.done ? '\r\x1b[K' : `\r\x1b[K${tag} ...`);
            else if (e.done) io.stderr.write(`${tag} done (${(e.seconds ?? 0).toFixed(2)} s)\n`);
          },
        });
        await writeDirAtomic(outDir, result.files, {
          force: Boolean(flags.force),
          marker: 'manifest.json',
          onRecover: (msg) => io.stderr.write(`alliance report: ${printable(msg)}\n`),
        });
        const why = result.stopped ? ' (stopped after validation: see the validation section)' : result.exitCode === 1 ? ' (validation found errors)' : '';
        io.stderr.write(`alliance report: wrote ${printable(outShown)} (${result.files.size} files)${why}\n`);
        return result.exitCode;
      },
    },
    ctx,
  );
}

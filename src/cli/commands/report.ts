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
import type { Command } from 'commander';
import { buildCommand, lazyRun, type CommandContext } from '../command.js';
import { outPath, type OptionSpec } from '../options.js';
import type { ReportFlags } from './report-run.js';

const REPORT_OPTIONS: OptionSpec[] = [
  { flags: '--config <file>', description: 'report config (YAML or JSON): inputs, mapping, sections and their options (see fixtures/report.yaml)' },
  { flags: '--out <dir>', description: 'output folder (default: report.out from the config, else ./report); written atomically', parse: outPath },
  { flags: '--force', description: 'replace the output folder if it exists' },
  { flags: '--reproducible', description: 'leave the time of the run out of manifest.json (also when SOURCE_DATE_EPOCH is set)' },
  {
    flags: '--from <date>',
    description: 'period start: YYYY-MM-DD or a relative form (last-month, this-quarter, -3 months, ...); wins over report.filters.from',
  },
  { flags: '--to <date>', description: 'period end (inclusive), same forms; clients active in the period are reported over their course up to its end' },
  { flags: '--as-of <date>', description: "the day relative forms count from (default: the config's today, else SOURCE_DATE_EPOCH's day, else today)" },
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
        'alliance report --config clinic.yaml --from last-month --to last-month --out reports/monthly --force   # a monthly cron job',
      ],
      progress: true,
      run: lazyRun(() => import('./report-run.js')),
    },
    ctx,
  );
}

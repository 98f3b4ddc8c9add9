/**
 * `alliance trend FILE...`: client trajectories, reliable and clinically significant
 * change, alliance alerts, not-on-track flags and cohort series by period or group. The
 * JSON shape and the methods are documented in docs/trend.md.
 */
import type { Command } from 'commander';
import type { CommandContext } from '../command.js';
import type { OptionSpec } from '../options.js';
import { sectionCommand } from '../section-command.js';
import { trendSection } from '../../sections/trend/index.js';

const TREND_OPTIONS: OptionSpec[] = [
  { flags: '--clients', description: 'add the per-client table (and make it the --format csv output)' },
  { flags: '--pre <session>', description: 'pre time point: session number (with --post; default: first session with an outcome)' },
  { flags: '--post <session>', description: 'post time point: session number (with --pre; default: last session with an outcome)' },
  { flags: '--rc-threshold <points>', description: "reliable change in points (default: the outcome instrument's)" },
  { flags: '--reliability <r_xx>', description: 'use the Jacobson-Truax RCI with this reliability instead of a points threshold' },
  { flags: '--sd <sd>', description: 'SD of pre scores for the RCI (default: from the data)' },
  { flags: '--cutoff <type>', description: 'Jacobson-Truax clinical cut-off a, b or c (default: the instrument cut-off)', choices: ['a', 'b', 'c'] },
  { flags: '--functional-mean <m>', description: 'functional (non-clinical) population mean, for cut-offs b and c' },
  { flags: '--functional-sd <sd>', description: 'functional population SD, for cut-offs b and c' },
  { flags: '--clinical-mean <m>', description: 'clinical population mean (default: mean of pre scores)' },
  { flags: '--clinical-sd <sd>', description: 'clinical population SD (default: SD of pre scores)' },
  { flags: '--better <dir>', description: 'better direction of the outcome when it has no instrument: higher or lower', choices: ['higher', 'lower'] },
  { flags: '--alliance-cutoff <score>', description: "alliance below this is an alert (default: the instrument's, SRS 36)" },
  { flags: '--drop <points>', description: "alliance drop from the previous session that is an alert (default: the instrument's, SRS 1)" },
  { flags: '--ntp-quantile <q>', description: 'not on track: flag change below this quantile of the expected-response band (default 0.25)' },
  { flags: '--ntp-min-clients <n>', description: 'not on track: clients needed in a band cell before flagging against it (default 20)' },
  { flags: '--ntp-bands <k>', description: 'not on track: number of intake-severity bands, by intake quantiles (default 3)' },
  { flags: '--period <period>', description: 'cohort series by session date: month, quarter or year', choices: ['month', 'quarter', 'year'] },
  { flags: '--by <col>', description: 'cohort figures per therapist or group column, with confidence intervals' },
  { flags: '--min-clients <n>', description: 'suppress --by groups with fewer clients than this (default 5)' },
];

export function trendCommand(ctx: CommandContext): Command {
  return sectionCommand(
    trendSection,
    {
      summary: 'client trajectories, reliable change, alliance alerts, not-on-track flags, cohort trends',
      options: TREND_OPTIONS,
      examples: [
        'alliance trend sessions.csv --period month',
        'alliance trend sessions.csv --clients --format csv > clients.csv',
        'alliance trend sessions.csv --by therapist --min-clients 10',
        'alliance trend trial.csv --outcome bdi --instrument bdi=BDI-II --pre 1 --post 4 --reliability 0.801 --cutoff c --functional-mean 7.69 --functional-sd 7.52',
      ],
    },
    ctx,
  );
}

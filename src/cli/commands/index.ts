/**
 * The subcommands, in the order `alliance --help` lists them. Each module owns its
 * options, help text and run; this file only registers them.
 */
import type { Command } from 'commander';
import type { CommandContext } from '../command.js';
import { instrumentsCommand } from './instruments.js';
import { validateCommand } from './validate.js';
import { describeCommand } from './describe.js';
import { simulateCommand } from './simulate.js';
import { modelCommand } from './model.js';
import { correlateCommand } from './correlate.js';
import { trendCommand } from './trend.js';
import { rupturesCommand } from './ruptures.js';
import { reportCommand } from './report.js';

export type CommandFactory = (ctx: CommandContext) => Command;

export const COMMANDS: CommandFactory[] = [
  instrumentsCommand,
  validateCommand,
  describeCommand,
  simulateCommand,
  modelCommand,
  correlateCommand,
  trendCommand,
  rupturesCommand,
  reportCommand,
];

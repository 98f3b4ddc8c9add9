/**
 * What every subcommand module provides: a commander Command whose action runs the
 * command and records its exit code. `defineCommand` wires the shared conventions
 * (exit override, output streams, error -> one line + exit code) so a command module only
 * declares its options, help examples and `run`.
 */
import { Command, CommanderError } from 'commander';
import { isUserError, EXIT } from '../errors.js';
import { isBrokenPipe, type Io } from '../io/process.js';
import { asOutOfMemory } from '../io/heap.js';
import { printable } from '../io/text-safety.js';
import { addOptions, DEBUG_OPTION, PROGRESS_OPTIONS, type OptionSpec } from './options.js';

export interface CommandContext {
  io: Io;
  exitCode: number;
}

export interface CommandSpec<O> {
  name: string;
  summary: string;
  /** Positional arguments in commander syntax, e.g. "<files...>". */
  args?: string;
  options: OptionSpec[];
  /** Lines shown under "Examples:" in --help. */
  examples: string[];
  /** The command shows progress (it reads data, or writes much): it takes --progress / --no-progress (src/cli/progress.ts). */
  progress?: boolean;
  /** Runs the command; returns the exit code. Throw UserError for bad input or usage. */
  run(args: string[], options: O, cmd: Command, io: Io): Promise<number>;
}

export function configureCommon(cmd: Command, io: Io): Command {
  return cmd.exitOverride().configureOutput({
    writeOut: (s) => void io.stdout.write(s),
    writeErr: (s) => void io.stderr.write(s),
    // commander's messages echo the option or argument as typed: one printable line. Its own
    // suggestion starts a line ("\n(Did you mean --format?)"): joined with a space, not
    // shown as an escaped \n.
    outputError: (s, write) =>
      write(
        `alliance: ${printable(
          s
            .replace(/^error: /, '')
            .replace(/\n+$/, '')
            .replace(/\n\(Did you mean /g, ' (Did you mean '),
        )}\n`,
      ),
  });
}

export function buildCommand<O>(spec: CommandSpec<O>, ctx: CommandContext): Command {
  const cmd = new Command(spec.name).description(spec.summary);
  if (spec.args) {
    for (const a of spec.args.split(/\s+/).filter(Boolean)) cmd.argument(a);
  }
  addOptions(cmd, spec.options);
  if (spec.progress === true) addOptions(cmd, PROGRESS_OPTIONS);
  addOptions(cmd, [DEBUG_OPTION]);
  configureCommon(cmd, ctx.io);
  if (spec.examples.length > 0) {
    cmd.addHelpText('after', '\nExamples:\n' + spec.examples.map((e) => `  $ ${e}`).join('\n') + '\n');
  }
  cmd.action(async (...actionArgs: unknown[]) => {
    const self = actionArgs[actionArgs.length - 1] as Command;
    const positional = self.args;
    const opts = self.opts<O & { debug?: boolean }>();
    ctx.exitCode = await runGuarded(() => spec.run(positional, opts, self, ctx.io), ctx.io, Boolean(opts.debug));
  });
  return cmd;
}

/**
 * A run loaded when the command runs: a command module declares its options and help from
 * light modules, and the code that does the work (readers, analyses, renderers) is
 * imported only by the command invoked, so `alliance --help` and every command start
 * without loading the others.
 */
export function lazyRun<O>(load: () => Promise<{ run: CommandSpec<O>['run'] }>): CommandSpec<O>['run'] {
  return async (args, options, cmd, io) => (await load()).run(args, options, cmd, io);
}

/** Runs a command body and maps every failure to an exit code and one stderr line. */
export async function runGuarded(body: () => Promise<number>, io: Io, debug: boolean): Promise<number> {
  try {
    return await body();
  } catch (caught) {
    if (isBrokenPipe(caught)) return EXIT.ok;
    const err = asOutOfMemory(caught) ?? caught;
    if (isUserError(err)) {
      io.stderr.write(`alliance: ${printable(err.format())}\n`);
      if (debug && err.stack) io.stderr.write(err.stack + '\n');
      return err.exitCode;
    }
    if (err instanceof CommanderError) throw err;
    const e = err as Error;
    io.stderr.write(`alliance: internal error: ${printable(e?.message ?? String(err))} (please report it; rerun with --debug for details)\n`);
    if (debug && e?.stack) io.stderr.write(e.stack + '\n');
    return EXIT.internal;
  }
}

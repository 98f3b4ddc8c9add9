/**
 * The program: registers the subcommands and maps commander's own exits to ours
 * (usage errors -> 2; --help and --version -> 0). Commands never call process.exit.
 */
import { Command, CommanderError } from 'commander';
import { configureCommon, type CommandContext } from './command.js';
import { COMMANDS } from './commands/index.js';
import { EXIT, isUserError } from '../errors.js';
import type { Io } from '../io/process.js';
import { withPrivateCopies } from '../io/source.js';
import { printable } from '../io/text-safety.js';
import { packageVersion } from '../version.js';

export function buildProgram(ctx: CommandContext): Command {
  const program = new Command('alliance')
    .description('Validate psychotherapy session exports and report how alliance goes with outcome.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true);
  configureCommon(program, ctx.io);
  for (const factory of COMMANDS) program.addCommand(factory(ctx));
  program.addHelpText(
    'after',
    '\nExit codes: 0 success, 1 the data has error-level findings, 2 usage error or unreadable input, 70 internal error, 71 out of memory.\n',
  );
  return program;
}

export async function runCli(argv: string[], io: Io): Promise<number> {
  return withPrivateCopies(() => runProgram(argv, io));
}

async function runProgram(argv: string[], io: Io): Promise<number> {
  const ctx: CommandContext = { io, exitCode: EXIT.ok };
  const program = buildProgram(ctx);
  try {
    if (argv.length === 0) {
      // No command is a usage error: the help goes where messages go (stderr), so a
      // script that reads stdout gets nothing rather than help text, and exit 2.
      program.outputHelp({ error: true });
      return EXIT.usage;
    }
    // `alliance help NAME` for a NAME that is no command: commander would print the whole
    // help on stderr and exit 1 (which we took for a help shown, 0). It is the unknown
    // command it names: one line, exit 2.
    const named = argv[0] === 'help' && argv.length > 1 && !program.commands.some((c) => c.name() === argv[1]);
    await program.parseAsync(named ? argv.slice(1) : argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help shown on request exits 0; help shown because of an error (exitCode 1) is a usage error.
      const ok = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(err.code) && err.exitCode === 0;
      ctx.exitCode = ok ? EXIT.ok : EXIT.usage;
    } else if (isUserError(err)) {
      // An option's value parser (e.g. --instrument's COL=ID) runs while commander parses,
      // before any command body, so its UserError arrives here rather than in runGuarded.
      io.stderr.write(`alliance: ${printable(err.format())}\n`);
      ctx.exitCode = err.exitCode;
    } else {
      throw err;
    }
  }
  if (io.drain) await io.drain();
  const failed = io.writeError?.();
  if (failed) {
    // Nothing may end silently short: a failed write of the output is a usage-level failure.
    io.stderr.write(
      `alliance: cannot write the output to standard output (${failed.code ?? failed.message}). Check the free space and the redirection target.\n`,
    );
    return EXIT.usage;
  }
  return ctx.exitCode;
}

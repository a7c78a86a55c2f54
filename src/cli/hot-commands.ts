/**
 * Commands that scripts and build systems call once per image (`list`,
 * `header`, `info`, `dump` from launch.ts, `verify` from plain-verify.ts) run
 * without yargs when their command line is plain: loading and setting up
 * yargs is most of their start-up (docs/performance.md). A line is plain when
 * it holds only the command's positionals and its own long flags, as the
 * command declares them (declared-flags.ts); anything else (an alias, "-",
 * "--", help, a repeated single-value flag, a missing or extra argument) goes
 * to main.ts, which parses and reports it as always. The handler and the
 * error report are the ones main.ts uses.
 */
import type { CommandModule } from 'yargs';
import { declaredFlags, plainArguments } from './declared-flags.js';
import type { Io } from './io.js';
import { report } from './outcome.js';

/** The arguments yargs would hand `command`'s handler for argv (after the command name), or undefined when the line needs yargs. */
export function hotArguments<T>(command: CommandModule<object, T>, argv: readonly string[]): T | undefined {
  const declared = declaredFlags(command.builder);
  return declared && (plainArguments(argv, declared) as T | undefined);
}

/** Runs `command`'s handler on arguments from hotArguments and returns its exit code, reporting a failure as main.ts does. */
export async function runHandler<T>(command: CommandModule<object, T>, args: T, io: Io): Promise<number> {
  try {
    await command.handler(args as Parameters<typeof command.handler>[0]);
    return 0;
  } catch (e) {
    return report(e, io);
  }
}

/**
 * Runs `command` on argv (after the command name) if the line is plain and
 * returns its exit code; undefined (having done nothing) when main.ts must run it.
 */
export async function runPlainCommand<T>(command: CommandModule<object, T>, argv: readonly string[], io: Io): Promise<number | undefined> {
  const args = hotArguments(command, argv);
  return args === undefined ? undefined : runHandler(command, args, io);
}

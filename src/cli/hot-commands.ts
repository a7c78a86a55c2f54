/**
 * `sif list|header|info|dump|verify` with plain arguments run without yargs:
 * loading and setting up yargs is most of their start-up (docs/performance.md),
 * and scripts and build systems call them per image. A line is plain when it
 * holds only the command's positionals and its own long flags, as the
 * command declares them (declared-flags.ts); anything else (an alias, "-",
 * "--", help, a repeated single-value flag, a missing or extra argument) goes
 * to main.ts, which parses and reports it as always. The handler and the
 * error report are the ones main.ts uses.
 */
import type { CommandModule } from 'yargs';
import { declaredFlags, plainArguments } from './declared-flags.js';
import type { Io } from './io.js';
import { report } from './outcome.js';

type Factory = (io: Io) => CommandModule<object, object>;

/** Each hot command's module, loaded only when its line comes. */
const HOT: Readonly<Record<string, () => Promise<Factory>>> = {
  list: async () => (await import('./commands/inspect.js')).listCommand as Factory,
  header: async () => (await import('./commands/inspect.js')).headerCommand as Factory,
  info: async () => (await import('./commands/inspect.js')).infoCommand as Factory,
  dump: async () => (await import('./commands/inspect.js')).dumpCommand as Factory,
  verify: async () => (await import('./commands/verify.js')).verifyCommand as unknown as Factory,
};

/** The arguments yargs would hand `command`'s handler for argv (after the command name), or undefined when the line needs yargs. */
export function hotArguments(argv: readonly string[], command: CommandModule<object, object>): Record<string, unknown> | undefined {
  const declared = declaredFlags(command.builder);
  return declared && plainArguments(argv, declared);
}

/**
 * Runs argv's command if it is a hot one with plain arguments and returns its
 * exit code; undefined (having done nothing) when main.ts must run it.
 */
export async function runHotCommand(argv: readonly string[], io: Io): Promise<number | undefined> {
  const [name, ...rest] = argv;
  if (name === undefined || !Object.hasOwn(HOT, name)) return undefined;
  const command = (await HOT[name]!())(io);
  const args = hotArguments(rest, command);
  if (args === undefined) return undefined;
  try {
    await command.handler(args as Parameters<typeof command.handler>[0]);
    return 0;
  } catch (e) {
    return report(e, io);
  }
}

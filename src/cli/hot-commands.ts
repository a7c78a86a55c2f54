/**
 * `sif list|header|info|dump` with plain arguments run without yargs: loading
 * and setting up yargs is most of their start-up (docs/performance.md), and
 * scripts call them per image. Only a command line that yargs would take the
 * same way comes here: the command's positionals (read from its own `command`
 * string), each once and none starting with "-", and at most one `--json`
 * where the command has it. Anything else (another flag, "-", "--", help, a
 * missing or extra argument) goes to main.ts, which parses and reports it as
 * always. The handler and the error report are the ones main.ts uses.
 */
import type { CommandModule } from 'yargs';
import type { Io } from './io.js';
import { report } from './outcome.js';

/** Hot commands, and whether each declares `--json` (commands/inspect.ts). */
const HOT = { list: true, header: true, info: true, dump: false } as const;
type HotName = keyof typeof HOT;

const isHot = (name: string | undefined): name is HotName => name !== undefined && Object.hasOwn(HOT, name);

/** The arguments yargs would hand the command's handler, or undefined when the line needs yargs. */
export function hotArguments(argv: readonly string[], command: string): Record<string, unknown> | undefined {
  const [name, ...rest] = argv;
  if (!isHot(name)) return undefined;
  const names = [...command.matchAll(/<(\w+)>/g)].map((m) => m[1]!);
  const values: string[] = [];
  let json = false;
  for (const arg of rest) {
    if (arg === '--json' && HOT[name] && !json) json = true;
    else if (arg === '' || arg.startsWith('-')) return undefined;
    else values.push(arg);
  }
  if (values.length !== names.length) return undefined;
  const args: Record<string, unknown> = Object.fromEntries(names.map((n, i) => [n, values[i]]));
  if (HOT[name]) args.json = json;
  return args;
}

/**
 * Runs argv's command if it is a hot one with plain arguments and returns its
 * exit code; undefined (having done nothing) when main.ts must run it.
 */
export async function runHotCommand(argv: readonly string[], io: Io): Promise<number | undefined> {
  const name = argv[0];
  if (!isHot(name)) return undefined;
  const inspect = await import('./commands/inspect.js');
  const factories = { list: inspect.listCommand, header: inspect.headerCommand, info: inspect.infoCommand, dump: inspect.dumpCommand };
  const command = factories[name](io) as CommandModule<object, object>;
  const args = hotArguments(argv, command.command as string);
  if (args === undefined) return undefined;
  try {
    await command.handler(args as Parameters<typeof command.handler>[0]);
    return 0;
  } catch (e) {
    return report(e, io);
  }
}

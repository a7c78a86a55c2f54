/**
 * The yargs command line: every command, help, completion and strict flags.
 * Commands throw SifErrors; outcome.ts prints them and picks the exit code.
 */
import { readFileSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { UsageError } from '../errors.js';
import { commands } from './commands/index.js';
import { protectDash, restoreDash, showDash } from './dash.js';
import { processIo, type Io } from './io.js';
import { report } from './outcome.js';
import { refuseRepeatedFlags, type DeclaredOptions } from './repeated-flags.js';

const packageVersion = (): string =>
  (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * yargs' own completion command prints the script even for `completion --help`,
 * so it is registered under this hidden name (it still answers the script's
 * --get-yargs-completions queries) and `completion` is an ordinary command.
 */
const YARGS_COMPLETION = 'yargs-completion-script';

/** yargs 18 methods that @types/yargs 17 does not declare (or declares without arguments). */
interface YargsUntyped {
  getOptions(): DeclaredOptions;
  showCompletionScript($0: string, command: string): unknown;
  getInternalMethods(): { getUsageInstance(): { cacheHelpMessage(): void } };
}

/** Runs the CLI and returns the exit code. Never throws. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  try {
    const parser: Argv = yargs(protectDash(argv))
      .scriptName('sif')
      .usage('$0 <command> [options]\n\nInspect, write, sign and verify Singularity Image Format (SIF) images.')
      .command(commands(io))
      .command({
        command: 'completion',
        describe: 'Print a shell completion script (bash, or zsh when $SHELL is zsh)',
        handler: (): void => {
          (parser as unknown as YargsUntyped).showCompletionScript('sif', 'completion');
        },
      })
      .middleware(restoreDash, true)
      .middleware((args) => refuseRepeatedFlags(args, (parser as unknown as YargsUntyped).getOptions()), true)
      .completion(YARGS_COMPLETION, false)
      .demandCommand(1, 'specify a command')
      .strict()
      .recommendCommands()
      .help()
      .alias('h', 'help')
      .version(packageVersion())
      .wrap(null)
      .exitProcess(false)
      .fail((message, error) => {
        if (error) throw error;
        const unknown = message.startsWith('Not enough non-option arguments')
          ? unknownOptionMessage(argv, (parser as unknown as YargsUntyped).getOptions())
          : undefined;
        throw new UsageError(unknown ?? showDash(message));
      });
    skipHelpCache(parser);
    await parser.parseAsync();
    return 0;
  } catch (e) {
    return report(e, io);
  }
}

/**
 * yargs renders the command's whole help text as each command starts, to show
 * it should the command fail later; `.fail()` above never shows help, and the
 * render costs ~25 ms of CPU on every run (docs/performance.md). `--help`
 * renders on its own path.
 */
function skipHelpCache(parser: Argv): void {
  (parser as unknown as YargsUntyped).getInternalMethods().getUsageInstance().cacheHelpMessage = () => undefined;
}

/**
 * yargs reports a missing positional before an unknown flag, and an unknown
 * `--flag` swallows the next word as its value, so `sif list --bogus x.sif`
 * would say "Not enough non-option arguments". Name the unknown flag instead.
 */
function unknownOptionMessage(argv: readonly string[], options: DeclaredOptions): string | undefined {
  const known = new Set([...Object.keys(options.key), ...Object.values(options.alias).flat()]);
  const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  for (const arg of argv) {
    if (arg === '--') break;
    const name = /^--?(?:no-)?([^=]+)/.exec(arg)?.[1];
    if (name !== undefined && !/^-\d/.test(arg) && !known.has(name) && !known.has(camel(name))) return `Unknown argument: ${name}`;
  }
  return undefined;
}

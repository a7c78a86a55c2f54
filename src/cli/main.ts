/**
 * The only place that prints errors or chooses exit codes. Commands throw
 * SifErrors; this maps each code to its documented exit code.
 */
import { readFileSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { isSifError, UsageError } from '../errors.js';
import { commands } from './commands/index.js';
import { protectDash, restoreDash, showDash } from './dash.js';
import { stopOnInterrupt } from '../interrupts.js';
import { EXIT_BROKEN_PIPE, EXIT_CODES, EXIT_INTERRUPTED } from './exit-codes.js';
import { processIo, type Io } from './io.js';
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
 * SIGINT, SIGTERM or SIGHUP while a command writes: once the writer has rolled
 * its change back (or finished it) and released its lock (interrupts.ts), say
 * so and exit with 128 + the signal. Real processes only (launch.ts).
 */
export function exitOnInterrupt(io: Io = processIo()): void {
  stopOnInterrupt((signal) => {
    io.stderr.write(`sif: interrupted by ${signal}\n`);
    process.exit(EXIT_INTERRUPTED[signal]);
  });
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

function report(e: unknown, io: Io): number {
  if (isBrokenPipe(e, io)) return EXIT_BROKEN_PIPE;
  const debug = io.env.SIF_DEBUG === '1';
  if (isSifError(e)) {
    io.stderr.write(`sif: ${oneLine(e.message)}\n`);
    if (debug && e.stack) io.stderr.write(`${e.stack}\n`);
    return EXIT_CODES[e.code];
  }
  const message = e instanceof Error ? e.message : String(e);
  io.stderr.write(`sif: internal error: ${oneLine(message)}\n`);
  io.stderr.write(debug && e instanceof Error && e.stack ? `${e.stack}\n` : 'sif: run with SIF_DEBUG=1 for details\n');
  return EXIT_CODES.SIF_INTERNAL;
}

/**
 * The reader of stdout went away (`sif dump 3 x.sif | head -c 10`). Go tools,
 * siftool included, die of SIGPIPE there without a word; we stop as quietly.
 */
function isBrokenPipe(e: unknown, io: Io): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || (code === 'ERR_STREAM_DESTROYED' && io.stdout.destroyed);
}

const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ').trim();

/**
 * The only place that prints errors or chooses exit codes. Commands throw
 * SifErrors; this maps each code to its documented exit code.
 */
import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { isSifError, UsageError } from '../errors.js';
import { commands } from './commands/index.js';
import { EXIT_CODES } from './exit-codes.js';
import { processIo, type Io } from './io.js';

const packageVersion = (): string =>
  (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Runs the CLI and returns the exit code. Never throws. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  try {
    const parser = yargs([...argv])
      .scriptName('sif')
      .usage('$0 <command> [options]\n\nInspect, write, sign and verify Singularity Image Format (SIF) images.')
      .command(commands(io))
      .demandCommand(1, 'specify a command')
      .strict()
      .recommendCommands()
      .completion('completion', 'Print a shell completion script (bash, or zsh when $SHELL is zsh)')
      .help()
      .alias('h', 'help')
      .version(packageVersion())
      .wrap(null)
      .exitProcess(false)
      .fail((message, error) => {
        throw error ?? new UsageError(message);
      });
    await parser.parseAsync();
    return 0;
  } catch (e) {
    return report(e, io);
  }
}

function report(e: unknown, io: Io): number {
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

const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ').trim();

/** Entry point used by bin/sif. */
export async function run(argv: readonly string[]): Promise<void> {
  process.exitCode = await main(argv);
}

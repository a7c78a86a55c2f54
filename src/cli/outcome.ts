/**
 * The only place that prints errors or chooses exit codes. Commands throw
 * SifErrors; this maps each code to its documented exit code. Kept apart
 * from main.ts so that the hot commands (hot-commands.ts) report errors the
 * same way without loading yargs.
 */
import { fromSystemError, isSifError, oneLine } from '../errors.js';
import { stopOnInterrupt } from '../interrupts.js';
import { EXIT_BROKEN_PIPE, EXIT_CODES, EXIT_INTERRUPTED } from './exit-codes.js';
import { processIo, type Io } from './io.js';

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

/** Prints a command's failure as one `sif: …` line and returns its exit code. */
export function report(error: unknown, io: Io): number {
  if (isBrokenPipe(error, io)) return EXIT_BROKEN_PIPE;
  const e = outputError(error) ?? error;
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
 * A failed write to stdout (`sif dump 2 x.sif > /dev/full`): every file the
 * commands write names its path (fromSystemError), so a bare errno from a
 * write is the output stream's, reported as the I/O error it is.
 */
function outputError(e: unknown): Error | undefined {
  const err = e as NodeJS.ErrnoException;
  const bare = err instanceof Error && !isSifError(err) && err.syscall === 'write' && err.path === undefined && typeof err.code === 'string';
  return bare ? fromSystemError(err, 'stdout') : undefined;
}

/**
 * The reader of stdout went away (`sif dump 3 x.sif | head -c 10`). Go tools,
 * siftool included, die of SIGPIPE there without a word; we stop as quietly.
 */
function isBrokenPipe(e: unknown, io: Io): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || (code === 'ERR_STREAM_DESTROYED' && io.stdout.destroyed);
}

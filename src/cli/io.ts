import type { Readable, Writable } from 'node:stream';

/** Where a command writes. Injected so tests can run commands in-process. */
export interface Io {
  readonly stdin: Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  readonly stdinIsTTY: boolean;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: NodeJS.ProcessEnv;
  /** True when stderr is a terminal (progress bars, colour). */
  readonly stderrIsTTY: boolean;
  readonly stdoutIsTTY: boolean;
}

/**
 * Write errors on stdout (EPIPE when a pipe's reader exits) reach the command
 * through write()'s callback; without a listener Node would also crash on the
 * stream's 'error' event.
 */
const reportedThroughWrite = (): void => undefined;

export function processIo(): Io {
  if (!process.stdout.listeners('error').includes(reportedThroughWrite)) process.stdout.on('error', reportedThroughWrite);
  return {
    stdin: process.stdin,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    stderrIsTTY: Boolean(process.stderr.isTTY),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
  };
}

/** Writes and waits for the stream to accept more, so large dumps keep memory bounded. */
export function write(stream: Writable, chunk: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const ok = stream.write(chunk, (err) => (err ? reject(err) : undefined));
    if (ok) resolve();
    else stream.once('drain', resolve);
  });
}

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function useColor(io: Io, stream: 'stdout' | 'stderr'): boolean {
  const tty = stream === 'stdout' ? io.stdoutIsTTY : io.stderrIsTTY;
  return tty && !io.env.NO_COLOR && io.env.TERM !== 'dumb';
}

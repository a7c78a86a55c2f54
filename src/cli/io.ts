import { fstatSync, readFileSync, statSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';

/** Where a command writes. Injected so tests can run commands in-process. */
export interface Io {
  readonly stdin: Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  readonly stdinIsTTY: boolean;
  /** True when the process started with no stdin at all (fd 0 closed); absent means an open stream. */
  readonly stdinWasClosed?: () => boolean;
  /** The regular file stdin reads (`< file`), when it is one; absent in-process. */
  readonly stdinFile?: () => { dev: number; ino: number } | undefined;
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
    stdinWasClosed,
    stdinFile,
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

function stdinFile(): { dev: number; ino: number } | undefined {
  try {
    const st = fstatSync(0);
    return st.isFile() ? { dev: st.dev, ino: st.ino } : undefined;
    /* c8 ignore next 3 -- fd 0 closed and not yet replaced: nothing to compare */
  } catch {
    return undefined;
  }
}

/** Linux's open-mode bits in /proc/self/fdinfo's octal `flags:` field, and the read-write mode. */
const O_ACCMODE = 0o3;
const O_RDWR = 0o2;

/**
 * Node puts /dev/null on a closed fd 0 before any script runs, opened
 * read-write (node::PlatformInit); a shell's `< /dev/null` or a parent's
 * 'ignore' opens it read-only. So the open mode tells "no stdin" from "an
 * empty one". Linux only (/proc); elsewhere stdin counts as open.
 */
function stdinWasClosed(): boolean {
  try {
    const flags = /^flags:\s*([0-7]+)$/m.exec(readFileSync('/proc/self/fdinfo/0', 'utf8'))?.[1];
    const stdin = fstatSync(0);
    const devNull = statSync('/dev/null');
    const readWrite = flags !== undefined && (parseInt(flags, 8) & O_ACCMODE) === O_RDWR;
    return readWrite && stdin.isCharacterDevice() && stdin.rdev === devNull.rdev;
    /* c8 ignore next 3 -- only without Linux's /proc, where nothing tells them apart */
  } catch {
    return false;
  }
}

/**
 * Runs the CLI in-process with in-memory streams and returns what it wrote:
 * the fuzzer calls it directly, and tests call the built copy in dist/.
 */
import { PassThrough } from 'node:stream';
import { main } from './main.js';

export interface CapturedRun {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export interface CaptureOptions {
  /** The environment the CLI sees (default: empty, so the caller's never leaks in). */
  env?: NodeJS.ProcessEnv;
  /** Everything stdin will deliver, then end of file (default: nothing). */
  input?: string | Buffer;
  /** Present stdin, stdout and stderr as a terminal: prompts, hidden input (default false). */
  tty?: boolean;
}

/** `sif ARGS` in this process; never throws (main maps every error to an exit code). */
export async function captureMain(args: readonly string[], options: CaptureOptions = {}): Promise<CapturedRun> {
  const tty = options.tty ?? false;
  const stdin = tty ? Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined }) : new PassThrough();
  stdin.end(options.input ?? '');
  const [stdout, out] = collector();
  const [stderr, err] = collector();
  const io = { stdin, stdinIsTTY: tty, stdout, stderr, env: { ...options.env }, stdoutIsTTY: tty, stderrIsTTY: tty };
  const code = await main(args, io);
  return { code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() };
}

function collector(): [PassThrough, Buffer[]] {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return [stream, chunks];
}

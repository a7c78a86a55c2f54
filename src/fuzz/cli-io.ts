/** Runs the CLI in-process with in-memory streams, as the fuzzer and its tests do. */
import { PassThrough } from 'node:stream';
import { main } from '../cli/main.js';

export interface CliOutcome {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export async function runCliInMemory(argv: readonly string[], env: NodeJS.ProcessEnv = {}, input = ''): Promise<CliOutcome> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const stdin = new PassThrough();
  stdin.end(input);
  const code = await main(argv, { stdin, stdinIsTTY: false, stdout, stderr, env, stdoutIsTTY: false, stderrIsTTY: false });
  return { code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() };
}

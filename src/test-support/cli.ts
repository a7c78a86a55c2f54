/** Runs the built CLI (dist/) in-process or as a real child process, capturing its output. */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { GO_IMAGES, REPO_ROOT } from './reference.js';

export interface CliResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export const SIF_BIN = join(REPO_ROOT, 'bin/sif');

/** In-process: fast enough to run every corpus image through every command. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}, input?: string | Buffer): Promise<CliResult> {
  const { main } = (await import(join(REPO_ROOT, 'dist/cli/main.js'))) as typeof import('../cli/main.js');
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const stdin = new PassThrough();
  stdin.end(input ?? '');
  const code = await main(args, { stdin, stdinIsTTY: false, stdout, stderr, env: { ...env }, stdoutIsTTY: false, stderrIsTTY: false });
  return { code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() };
}

/** A real `bin/sif` process, as users run it. */
export function spawnCli(args: string[], options: { env?: NodeJS.ProcessEnv; input?: string | Buffer } = {}): CliResult {
  const r = spawnSync(SIF_BIN, args, { env: { ...process.env, ...options.env }, input: options.input, maxBuffer: 1 << 30 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString() };
}

export function runTool(cmd: string, args: string[]): { code: number; stdout: Buffer; stderr: string } {
  const r = spawnSync(cmd, args, { maxBuffer: 1 << 30 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString() };
}

/** A writable copy of a reference image in `dir` (default two-groups.sif), to change safely. */
export function copyImage(dir: string, name = 'img.sif', src = join(GO_IMAGES, 'two-groups.sif')): string {
  const path = join(dir, name);
  copyFileSync(src, path);
  chmodSync(path, 0o644);
  return path;
}

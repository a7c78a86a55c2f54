/** Runs the built CLI (dist/) in-process or as a real child process, capturing its output. */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CaptureOptions, CapturedRun } from '../cli/capture.js';
import { GO_IMAGES, REPO_ROOT } from './reference.js';

export type CliResult = CapturedRun;

export const SIF_BIN = join(REPO_ROOT, 'bin/sif');

/** `sif ARGS` in-process against the built CLI (dist/), with in-memory streams. */
export async function captureCli(args: string[], options: CaptureOptions = {}): Promise<CliResult> {
  const { captureMain } = (await import(join(REPO_ROOT, 'dist/cli/capture.js'))) as typeof import('../cli/capture.js');
  return captureMain(args, options);
}

/** In-process: fast enough to run every corpus image through every command. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, input?: string | Buffer): Promise<CliResult> {
  return captureCli(args, { env, input });
}

/** A real `bin/sif` process, as users run it. */
export function spawnCli(args: string[], options: { env?: NodeJS.ProcessEnv; input?: string | Buffer; cwd?: string } = {}): CliResult {
  const r = spawnSync(SIF_BIN, args, { env: { ...process.env, ...options.env }, input: options.input, cwd: options.cwd, maxBuffer: 1 << 30 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString() };
}

export function runTool(cmd: string, args: string[]): CliResult {
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

/**
 * Real `bin/sif` processes for crash and race tests: run one, optionally
 * killed with SIGKILL a given time after start or after a lock file appears
 * (to land in the short write phase rather than in Node's start-up).
 */
import type { Test } from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { SIF_BIN } from './cli.js';

/** The user the permission tests run `sif` as (switching to it needs root). */
export const NOBODY = 65534;

/**
 * One failed line instead of many confusing ones: a checkout under a directory
 * nobody may not enter (mktemp -d makes them 0700) leaves bin/sif unreachable.
 */
export function nobodyCanRunSif(t: Test): boolean {
  const canRead = spawnSync('test', ['-r', SIF_BIN], { uid: NOBODY, gid: NOBODY }).status === 0;
  return t.ok(canRead, `user nobody can read ${SIF_BIN} (not in a checkout under a 0700 directory)`);
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from the lock file's appearance to the exit (the write phase), when it appeared. */
  lockedMs: number | undefined;
}

export interface KillPlan {
  afterMs: number;
  /** Count `afterMs` from the lock file's appearance instead of from the start. */
  fromLock: boolean;
}

export interface RunOptions {
  kill?: KillPlan;
  /** The lock file whose appearance marks the write phase. */
  lockPath?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
}

export function runSif(args: string[], options: RunOptions = {}): Promise<Exit> {
  const child = spawn(process.execPath, [SIF_BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
  child.stdin.end(options.input ?? '');
  let [stdout, stderr] = ['', ''];
  let lockSeen: number | undefined;
  let exited = false;
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const { kill, lockPath } = options;
  const arm = () => setTimeout(() => child.kill('SIGKILL'), kill!.afterMs);
  if (kill && !kill.fromLock) arm();
  const poll = () => {
    if (exited) return;
    if (lockSeen === undefined && lockPath !== undefined && existsSync(lockPath)) {
      lockSeen = Date.now();
      if (kill?.fromLock) arm();
    }
    setImmediate(poll);
  };
  poll();
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      exited = true;
      resolve({ code, signal, stdout, stderr, lockedMs: lockSeen === undefined ? undefined : Date.now() - lockSeen });
    }),
  );
}

/** A kill plan: two of three aim at the write phase, the rest anywhere in the run. */
export function killPlan(i: number, random: number, totalMs: number, writeMs: number): KillPlan {
  const fromLock = i % 3 !== 0;
  return { fromLock, afterMs: Math.round((fromLock ? writeMs : totalMs) * random) };
}

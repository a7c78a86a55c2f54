/**
 * A real HKP keyserver for tests: Debian's `sks` on 127.0.0.1, on a free
 * port, with a throwaway database (recipe: ../shared/reference/remote.md §3).
 * One per test file; stopped (and its directory removed) at teardown.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

/** Debian installs sks in /usr/sbin, which a user's PATH may lack. */
export const SKS_BIN = ['/usr/sbin/sks', '/usr/bin/sks'].find((p) => existsSync(p));

export interface Sks {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** Adds armored public keys through HKP, as a user's `gpg --send-keys` would. */
  add(armored: string | Buffer): Promise<void>;
}

/** Bounds start-up so a broken sks fails the test instead of hanging it. */
const START_DEADLINE_MS = 20_000;

export async function startSks(t: { teardown(fn: () => unknown): void }): Promise<Sks> {
  const base = mkdtempSync(join(tmpdir(), 'sif-sks-'));
  for (const d of ['dump', 'var/lib/sks', 'var/log/sks', 'var/run/sks']) mkdirSync(join(base, d), { recursive: true });
  const built = spawnSync(SKS_BIN!, ['build', '-basedir', base, '-stdoutlog'], { cwd: base, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`sks build failed: ${built.stderr}${built.stdout}`);
  const port = await freePort();
  const child = spawn(SKS_BIN!, ['db', '-basedir', base, '-stdoutlog', '-hkp_address', '127.0.0.1', '-hkp_port', String(port), '-disable_mailsync'], {
    cwd: base,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  t.teardown(() => stop(child, base));
  const url = `http://127.0.0.1:${port}`;
  await waitUntilServing(url, child, () => log);
  return {
    url,
    port,
    async add(armored) {
      const body = new URLSearchParams({ keytext: armored.toString() });
      const r = await fetch(`${url}/pks/add`, { method: 'POST', body });
      if (!r.ok) throw new Error(`sks refused the key: ${r.status} ${await r.text()}`);
    },
  };
}

async function waitUntilServing(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + START_DEADLINE_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sks exited with ${child.exitCode}: ${log()}`);
    try {
      await fetch(`${url}/pks/lookup?op=stats`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`sks did not serve ${url} within ${START_DEADLINE_MS} ms: ${log()}`);
}

async function stop(child: ChildProcess, base: string): Promise<void> {
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(base, { recursive: true, force: true });
}

/**
 * Who holds a lock file, and the one rule for when that holder is gone. Both
 * lock kinds use it: an image's `IMG.lock` (image/write/lock.ts) and a
 * keyring's lock (keys/lock.ts), through the one lock file of lock-file.ts.
 *
 * A lock is stale only when its owner is PROVEN dead: it names this host,
 * this boot (/proc/sys/kernel/random/boot_id), this PID namespace (the link
 * /proc/self/ns/pid), and its PID is free or now belongs to a process that
 * started at another time. Anything else is live: another host name, a
 * writer in a container or `unshare --pid` (its PID means another process
 * here), a lock written before a reboot (the boot id of a different machine
 * with the same host name looks the same), an owner line without these
 * fields (older versions of sif), or a /proc that does not show our own PID
 * namespace. Those locks are waited for, never broken.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/** The owner line of a lock file, as JSON. */
export interface LockOwner {
  pid: number;
  /** Process start time from /proc (clock ticks after boot), so a reused PID is not taken for the owner. */
  start?: string;
  host: string;
  /** Boot id: a PID and start time mean something only within one boot. */
  boot?: string;
  /** PID namespace (`pid:[4026531836]`): a PID means something only within it. */
  pidns?: string;
  /** Unique per lock, so a writer releases only its own. */
  token: string;
}

interface ProcView {
  boot: string | undefined;
  pidns: string | undefined;
  /** /proc shows our PID namespace: /proc/PID is the process we call PID. */
  ours: boolean;
}

const readOr = (read: () => string) => {
  try {
    return read().trim();
  } catch {
    return undefined;
  }
};

let view: ProcView | undefined;

function procView(): ProcView {
  view ??= {
    boot: readOr(() => readFileSync('/proc/sys/kernel/random/boot_id', 'latin1')),
    pidns: readOr(() => readlinkSync('/proc/self/ns/pid')),
    ours: readOr(() => readlinkSync('/proc/self')) === String(process.pid),
  };
  return view;
}

/** Start time of a process (field 22 of /proc/PID/stat), or undefined when /proc cannot tell. */
function processStart(pid: number | 'self'): string | undefined {
  const stat = readOr(() => readFileSync(`/proc/${pid}/stat`, 'latin1'));
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

let tokens = 0;

/** The owner line of a lock this process takes now. */
export function currentOwner(): LockOwner {
  const { boot, pidns, ours } = procView();
  const start = ours ? processStart('self') : undefined;
  const token = `${process.pid}-${process.hrtime.bigint().toString(36)}-${tokens++}`;
  return { pid: process.pid, ...(start ? { start } : {}), host: hostname(), ...(boot ? { boot } : {}), ...(pidns ? { pidns } : {}), token };
}

/** The owner line at the start of a lock file's text; undefined when it is missing or not ours. */
export function parseOwner(line: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(line) as Partial<LockOwner> | null;
    return typeof owner?.pid === 'number' && typeof owner.host === 'string' ? (owner as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

/** True only when the owner is proven dead (see the module comment). */
export function ownerIsDead(owner: Pick<LockOwner, 'pid' | 'start' | 'host' | 'boot' | 'pidns'>): boolean {
  const here = procView();
  const comparable = here.ours && here.boot !== undefined && here.pidns !== undefined;
  if (!comparable || owner.host !== hostname() || owner.boot !== here.boot || owner.pidns !== here.pidns) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return true;
  }
  const start = processStart(owner.pid);
  return owner.start !== undefined && start !== undefined && start !== owner.start;
}

/** "process 1234 on host", as lock errors name the holder. */
export const describeOwner = (owner: Pick<LockOwner, 'pid' | 'host'>) => `process ${owner.pid} on ${owner.host}`;

/**
 * A FileOps that fails at its n-th call: either the disk fills up (ENOSPC,
 * later calls work) or the process "dies" (that call and every later one throw,
 * optionally after half of the write reached the disk). On a crash it
 * snapshots the lock file, which a dead writer would have left behind.
 */
import { readFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { nodeFileOps, type FileOps } from '../image/write/file-ops.js';

export type Fault = 'none' | 'enospc' | 'crash' | 'torn-crash';

export class FaultyOps implements FileOps {
  calls = 0;
  private dead = false;
  /** The lock file as it was when the process died (undefined: there was none). */
  lockAtCrash: string | undefined;

  constructor(
    private readonly failAt: number,
    private readonly fault: Fault,
    private readonly lockPath: string,
  ) {}

  private async gate(write?: () => Promise<void>): Promise<void> {
    if (this.dead) throw new Error('simulated crash: process is dead');
    const n = this.calls++;
    if (n !== this.failAt || this.fault === 'none') return;
    if (this.fault === 'enospc') throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    if (this.fault === 'torn-crash' && write) await write();
    this.dead = true;
    try {
      this.lockAtCrash = readFileSync(this.lockPath, 'utf8');
    } catch {
      this.lockAtCrash = undefined;
    }
    throw new Error('simulated crash');
  }

  async writeAt(handle: FileHandle, data: Uint8Array, position: number): Promise<void> {
    await this.gate(() => nodeFileOps.writeAt(handle, data.subarray(0, data.length >> 1), position));
    await nodeFileOps.writeAt(handle, data, position);
  }

  async sync(handle: FileHandle): Promise<void> {
    await this.gate();
    await nodeFileOps.sync(handle);
  }

  async truncate(handle: FileHandle, length: number): Promise<void> {
    await this.gate();
    await nodeFileOps.truncate(handle, length);
  }
}

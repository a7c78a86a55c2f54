/**
 * `createImage`: a new image is written to a temporary file beside the target
 * and renamed over it only when complete, so an existing file at the path is
 * never half-overwritten, and a failed create leaves it byte-identical.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants, unlinkSync } from 'node:fs';
import { lstat, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fromSystemError, UsageError } from '../../errors.js';
import { onInterrupt, uninterruptible } from '../../interrupts.js';
import {
  archToBytes,
  DESCRIPTOR_SIZE,
  HEADER_SIZE,
  LAUNCH_SCRIPT_SIZE,
  MAGIC,
  VERSION,
} from '../../format/constants.js';
import { headerLayout, type RawHeader } from '../../format/layout.js';
import { isDevice, notRegularFile } from '../../source/file.js';
import { Editor, NO_JOURNAL, resolveEditTime, type InternalEditOptions } from './editor.js';
import { nodeFileOps, type FileOps } from './file-ops.js';
import { zeroRange } from './journal.js';
import { ImageLock } from './lock.js';
import { parseUuid, randomUuid } from './uuid.js';
import type { CreateOptions } from './types.js';

/** Where the reference puts the descriptor table. */
export const DESCRIPTORS_OFFSET = 4096;
export const DEFAULT_DESCRIPTORS = 48;
/** Larger tables would make every load read megabytes; the reference's own images use 48. */
export const MAX_DESCRIPTORS = 65536;

function launchScriptBytes(script: string | Uint8Array | undefined): Buffer {
  const bytes = typeof script === 'string' ? Buffer.from(script, 'utf8') : Buffer.from(script ?? []);
  // The reference keeps room for a NUL terminator.
  if (bytes.length >= LAUNCH_SCRIPT_SIZE) throw new UsageError('launch script too large');
  return bytes;
}

/** The header of a new, empty image, checked as the reference's Opt* functions check it. */
export function newHeader(options: CreateOptions): RawHeader {
  const capacity = options.descriptors ?? DEFAULT_DESCRIPTORS;
  if (!Number.isInteger(capacity) || capacity < 0 || capacity > MAX_DESCRIPTORS) {
    throw new UsageError(`invalid descriptor capacity: ${capacity} (0 to ${MAX_DESCRIPTORS})`);
  }
  const id = options.id !== undefined ? parseUuid(options.id) : options.deterministic ? Buffer.alloc(16) : randomUuid();
  const time = resolveEditTime(options);
  const total = BigInt(capacity);
  const tableSize = total * BigInt(DESCRIPTOR_SIZE);
  return {
    launchScript: launchScriptBytes(options.launchScript),
    magic: MAGIC,
    version: VERSION,
    arch: archToBytes('unknown'),
    id,
    createdAt: time,
    modifiedAt: time,
    descriptorsFree: total,
    descriptorsTotal: total,
    descriptorsOffset: BigInt(DESCRIPTORS_OFFSET),
    descriptorsSize: tableSize,
    dataOffset: BigInt(DESCRIPTORS_OFFSET) + tableSize,
    dataSize: 0n,
  };
}

async function writeImage(tmp: string, header: RawHeader, options: CreateOptions, ops: FileOps): Promise<void> {
  const handle = await open(tmp, fsConstants.O_RDWR | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o755);
  try {
    await ops.writeAt(handle, headerLayout.encode(header), 0);
    // Real zeros, not a hole: later descriptor writes then never need new blocks.
    await zeroRange(handle, ops, HEADER_SIZE, Number(header.dataOffset) - HEADER_SIZE);
    if (options.objects?.length) {
      const editor = await Editor.open(tmp, handle, ops, NO_JOURNAL, header.modifiedAt);
      await editor.addObjects(options.objects);
    }
    await ops.sync(handle);
  } finally {
    await handle.close();
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, fsConstants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Creates an image at `path`, replacing any file there, with `objects` added
 * in order. Defaults: random v4 UUID (nil when deterministic), now (Go's zero
 * time when deterministic), 48 descriptors, no launch script, no objects.
 */
export async function createImage(path: string, options: CreateOptions = {}): Promise<void> {
  const ops = (options as InternalEditOptions).fileOps ?? nodeFileOps;
  const header = newHeader(options);
  const existing = await lstat(path).catch(() => undefined);
  if (existing && isDevice(existing)) throw notRegularFile(path);
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const lock = await ImageLock.acquire(path, { timeoutMs: options.lockTimeoutMs, ops, tmp });
  const forget = onInterrupt(() => unlinkSync(tmp)); // a signal abandons the new image; the old one stays
  try {
    await writeImage(tmp, header, options, ops);
    await uninterruptible(async () => {
      await rename(tmp, path);
      await syncDirectory(dirname(path));
    });
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw fromSystemError(e, path);
  } finally {
    forget();
    await lock.release();
  }
}

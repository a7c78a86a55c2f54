/**
 * The lock file doubles as a write-ahead journal. Line 1 names the owner; each
 * change then appends a `begin` record and, once the data is on disk, a
 * `commit` record holding the exact metadata bytes about to be written. Both
 * identify the image state they were written for (image-state.ts), so a
 * journal is replayed only onto that state: after `begin` the next writer cuts
 * the appended data off again (rollback); after `commit` it writes the
 * recorded bytes again (redo). Either way the image holds exactly the old
 * state or the complete new one. See replay.ts.
 */
import type { FileHandle } from 'node:fs/promises';
import { parseOwner, type LockOwner } from '../../locks/owner.js';
import type { FileOps } from './file-ops.js';

/** The owner of an image's lock, with which image inode it protects. */
export interface ImageLockOwner extends LockOwner {
  /** Device and inode of the image when locked. */
  dev?: number;
  ino?: number;
  /** Temporary file of `createImage`, removed when its owner died. */
  tmp?: string;
}

/** A change begins: the image as it was, before any byte of the change. */
export interface BeginRecord {
  /** File size. */
  begin: number;
  /** [offset, length] of the descriptor table. */
  table: [number, number];
  /** SHA-256 (hex) of the header and the descriptor table. */
  state: string;
}

/** The metadata bytes of one change, with what they replace and what follows them. */
export interface CommitRecord {
  /** [file position, base64 bytes], written in this order. */
  writes: [number, string][];
  /** The bytes each write replaces (base64), so a partly written commit is recognized. */
  replaces: string[];
  /** File size once the data is written, before the metadata. */
  size: number;
  /** SHA-256 (hex) of the header and descriptor table once every write is made. */
  state: string;
  /** Zero [offset, length] after the metadata (deleted data). */
  zero?: [number, number];
  /** Truncate to this size after the metadata (compaction). */
  truncate?: number;
}

export type JournalRecord = BeginRecord | { commit: CommitRecord };

export interface ParsedLock {
  owner: ImageLockOwner | undefined;
  /** The last change: earlier ones were complete when it began. */
  begin: BeginRecord | undefined;
  /** Its commit, when it got that far. */
  commit: CommitRecord | undefined;
  /** Any record at all: a journal with none changed nothing. */
  recorded: boolean;
}

/** Parses a lock file; a torn last line (owner killed mid-append) is ignored. */
export function parseLock(text: string): ParsedLock {
  const lines = text.split('\n');
  lines.pop(); // the text after the last newline is an incomplete record
  const records = lines.slice(1).flatMap((l) => {
    try {
      const r = JSON.parse(l) as unknown;
      return typeof r === 'object' && r !== null ? [r as Partial<BeginRecord> & { commit?: CommitRecord }] : [];
    } catch {
      return [];
    }
  });
  let at = records.length - 1;
  while (at >= 0 && !('begin' in records[at]!)) at--;
  const begin = at >= 0 ? (records[at] as BeginRecord) : undefined;
  const commit = at >= 0 ? records.slice(at + 1).find((r) => r.commit)?.commit : undefined;
  return { owner: lines[0] === undefined ? undefined : parseOwner(lines[0]), begin, commit, recorded: records.length > 0 };
}

const ZERO_CHUNK = Buffer.alloc(1 << 20);

/** Overwrites [offset, offset + length) with zeros in bounded chunks. */
export async function zeroRange(handle: FileHandle, ops: FileOps, offset: number, length: number) {
  for (let done = 0; done < length; done += ZERO_CHUNK.length) {
    await ops.writeAt(handle, ZERO_CHUNK.subarray(0, Math.min(ZERO_CHUNK.length, length - done)), offset + done);
  }
}

/** Writes a commit record's bytes; used both by a live writer and by recovery. */
export async function applyCommit(handle: FileHandle, ops: FileOps, c: CommitRecord) {
  for (const [position, bytes] of c.writes) await ops.writeAt(handle, Buffer.from(bytes, 'base64'), position);
  if (c.zero) await zeroRange(handle, ops, c.zero[0], c.zero[1]);
  if (c.truncate !== undefined) await ops.truncate(handle, c.truncate);
  await ops.sync(handle);
}

/**
 * What identifies the image state a journal record was written for: the file
 * size, and a SHA-256 of the header and the descriptor table (the bytes every
 * change rewrites, and the ones that differ between any two images). Objects'
 * data is not hashed: a change never rewrites data that is referenced.
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { HEADER_SIZE } from '../../format/constants.js';
import type { RawHeader } from '../../format/layout.js';
import { readExactly } from '../../source/file.js';
import type { BeginRecord, CommitRecord } from './journal.js';

type Region = [offset: number, length: number];

/** [offset, length] of the descriptor table the header declares. */
export const tableOf = (header: RawHeader): Region => [Number(header.descriptorsOffset), Number(header.descriptorsSize)];

/** The header and the table as they are on disk (shorter where the file ends early). */
async function readState(handle: FileHandle, table: Region): Promise<Buffer[]> {
  return Promise.all([[0, HEADER_SIZE] as Region, table].map(([offset, length]) => readExactly(handle, length, offset)));
}

const digest = (parts: Buffer[]) => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest('hex');

/** Copies each write into the parts of the state it overlaps. */
function overlay(parts: Buffer[], table: Region, writes: readonly [number, Buffer][]): void {
  const starts = [0, table[0]];
  for (const [position, bytes] of writes) {
    parts.forEach((part, i) => {
      const from = Math.max(position, starts[i]!);
      const to = Math.min(position + bytes.length, starts[i]! + part.length);
      if (from < to) bytes.copy(part, from - starts[i]!, from - position, to - position);
    });
  }
}

/** The `begin` record of a change to the image open at `handle`, whose header is `header`. */
export async function beginRecord(handle: FileHandle, header: RawHeader): Promise<BeginRecord> {
  const table = tableOf(header);
  const size = (await handle.stat()).size;
  return { begin: size, table, state: digest(await readState(handle, table)) };
}

/** The identity fields of a `commit` record for `writes`, read before any of them is made. */
export async function commitIdentity(handle: FileHandle, table: Region, writes: readonly [number, Buffer][]) {
  const replaces = await Promise.all(writes.map(([position, bytes]) => readExactly(handle, bytes.length, position)));
  const parts = await readState(handle, table);
  overlay(parts, table, writes);
  const size = (await handle.stat()).size;
  return { replaces: replaces.map((b) => b.toString('base64')), size, state: digest(parts) } satisfies Partial<CommitRecord>;
}

/** The image is the state `begin` was written for, possibly with bytes appended: cutting them off restores it. */
export async function isBeginState(handle: FileHandle, begin: BeginRecord): Promise<boolean> {
  const { size } = await handle.stat();
  return typeof begin.state === 'string' && Array.isArray(begin.table) && size >= begin.begin && digest(await readState(handle, begin.table)) === begin.state;
}

/**
 * The image is the state `commit` was written for, with each metadata byte
 * old or already new (the writes may have stopped anywhere), and the rest of
 * the header and table as the commit leaves them: writing it again finishes it.
 */
export async function isCommitState(handle: FileHandle, table: Region, commit: CommitRecord): Promise<boolean> {
  const { size } = await handle.stat();
  if (!Array.isArray(commit.replaces) || (size !== commit.size && size !== commit.truncate)) return false;
  const writes = commit.writes.map(([position, bytes]): [number, Buffer] => [position, Buffer.from(bytes, 'base64')]);
  for (const [k, [position, bytes]] of writes.entries()) {
    const old = Buffer.from(commit.replaces[k] ?? '', 'base64');
    const now = await readExactly(handle, bytes.length, position);
    if (old.length !== bytes.length || now.length !== bytes.length || now.some((b, i) => b !== bytes[i] && b !== old[i])) return false;
  }
  const parts = await readState(handle, table);
  overlay(parts, table, writes);
  return digest(parts) === commit.state;
}

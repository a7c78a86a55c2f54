/**
 * Recovery from a dead writer's journal (journal.ts): the one check every
 * writer runs, through the lock, before its own change. A journal is applied
 * only to the exact state it was written for; any other file at the path (an
 * image copied over it, one changed by another tool since) is left untouched
 * and the journal is reported as not matching.
 */
import { constants as fsConstants } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { fromSystemError } from '../../errors.js';
import type { FileOps } from './file-ops.js';
import { isBeginState, isCommitState } from './image-state.js';
import { applyCommit, type ParsedLock } from './journal.js';

/**
 * Replays a dead owner's journal on the image: finishes its last change when
 * the image is that change's state with the metadata partly written, cuts
 * appended data off when it is the state before the change. False, with the
 * image untouched, when the image is neither. A missing image has nothing to repair.
 */
export async function replayJournal(imagePath: string, lock: ParsedLock, ops: FileOps): Promise<boolean> {
  if (lock.owner?.tmp) await unlink(lock.owner.tmp).catch(() => undefined);
  const { begin, commit } = lock;
  if (!begin) return !lock.recorded;
  let handle;
  try {
    handle = await open(imagePath, fsConstants.O_RDWR | fsConstants.O_NOFOLLOW);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw fromSystemError(e, imagePath);
  }
  try {
    if (commit && (await isCommitState(handle, begin.table, commit))) {
      await applyCommit(handle, ops, commit);
      return true;
    }
    if (!(await isBeginState(handle, begin))) return false;
    if ((await handle.stat()).size > begin.begin) {
      await ops.truncate(handle, begin.begin);
      await ops.sync(handle);
    }
    return true;
  } finally {
    await handle.close();
  }
}

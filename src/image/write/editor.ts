/**
 * `editImage`: the one way to change an existing image. It takes the image's
 * lock, then each change (one call: a delete, or all the objects of one
 * `addObjects`) runs as
 *   journal `begin` → data → fsync → journal `commit` → descriptors → header → fsync,
 * so a writer killed at any point leaves the old state or (after replay) the
 * complete new one, and a refused or failed change leaves the file byte-identical.
 */
import { createHash } from 'node:crypto';
import { constants as fsConstants, fsyncSync, ftruncateSync } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';
import { fromSystemError, IoError } from '../../errors.js';
import { DESCRIPTOR_SIZE, GO_ZERO_TIME } from '../../format/constants.js';
import type { Descriptor } from '../../format/descriptor.js';
import { descriptorLayout, headerLayout } from '../../format/layout.js';
import { FileSource, isDevice, notRegularFile, readExactly } from '../../source/file.js';
import { SifImage } from '../image.js';
import { writeData } from './data.js';
import { nodeFileOps, type FileOps } from './file-ops.js';
import { onInterrupt, uninterruptible } from '../../interrupts.js';
import { beginRecord, commitIdentity, tableOf } from './image-state.js';
import { applyCommit, type CommitRecord, type JournalRecord } from './journal.js';
import { ImageLock } from './lock.js';
import { planDelete, planSetPrimary } from './plan-edit.js';
import { assertInt64, completeAdd, placeAdd, planAdds, resolveInput, type AddSlot, type Change } from './plan-add.js';
import type { DeleteOptions, EditOptions, ImageEditor, ObjectInput } from './types.js';

/** Where an editor makes its records durable; a lock, or nothing for a file no one else sees yet. */
export interface Journal {
  record(r: JournalRecord): Promise<void>;
  keepForRecovery(): void;
}

export const NO_JOURNAL: Journal = { record: async () => undefined, keepForRecovery: () => undefined };

/** EditOptions plus the test seam; not exported from the package. */
export interface InternalEditOptions extends EditOptions {
  fileOps?: FileOps;
}

/** The edit's time: `time`, else Go's zero time when deterministic, else now. */
export function resolveEditTime(options: EditOptions): bigint {
  const t = options.time ?? (options.deterministic ? GO_ZERO_TIME : BigInt(Math.floor(Date.now() / 1000)));
  assertInt64(t, 'time');
  return t;
}

export class Editor implements ImageEditor {
  private current!: SifImage;
  private queue: Promise<unknown> = Promise.resolve();
  private broken: unknown;

  private constructor(
    private readonly path: string,
    private readonly handle: FileHandle,
    private readonly ops: FileOps,
    private readonly journal: Journal,
    private readonly time: bigint,
  ) {}

  static async open(path: string, handle: FileHandle, ops: FileOps, journal: Journal, time: bigint): Promise<Editor> {
    const editor = new Editor(path, handle, ops, journal, time);
    await editor.reload();
    return editor;
  }

  get image(): SifImage {
    return this.current;
  }

  async addObject(input: ObjectInput): Promise<Descriptor> {
    const [added] = await this.addObjects([input]);
    return added!;
  }

  addObjects(inputs: readonly ObjectInput[]): Promise<Descriptor[]> {
    return this.serialize(async () => {
      if (inputs.length === 0) return [];
      const slots = planAdds(this.current, inputs.map((input) => resolveInput(input, this.time)));
      await this.apply(() => this.appendData(slots, inputs));
      return slots.map(({ id }) => this.current.descriptors.find((d) => d.id === id)!);
    });
  }

  /**
   * Writes each object's data after the one before, then fsyncs once; returns
   * the metadata of them all, which one journal commit then makes durable
   * together: a crash never leaves some of them added.
   */
  private async appendData(slots: readonly AddSlot[], inputs: readonly ObjectInput[]): Promise<Change> {
    let header = this.current.header.raw;
    const descriptors: Change['descriptors'] = [];
    for (const [k, slot] of slots.entries()) {
      const plan = placeAdd(header, slot);
      const hash = plan.input.digestExtra ? createHash('sha256') : undefined;
      const size = await writeData(this.handle, this.ops, plan.offset, inputs[k]!.data, hash);
      const added = completeAdd(header, plan, size, hash?.digest(), this.time);
      header = added.header;
      descriptors.push(...added.descriptors);
    }
    await this.ops.sync(this.handle);
    return { header, descriptors };
  }

  deleteObject(id: number, options: DeleteOptions = {}): Promise<void> {
    return this.serialize(async () => {
      const change = planDelete(this.current, id, options, this.time);
      await this.apply(async () => change);
    });
  }

  setPrimary(id: number): Promise<void> {
    return this.serialize(async () => {
      const change = planSetPrimary(this.current, id, this.time);
      if (change) await this.apply(async () => change);
    });
  }

  /** Runs changes one at a time, even when the caller does not await each. */
  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.broken !== undefined) {
        throw new IoError('SIF_IO', `${this.path}: an earlier change failed half-way; the next writer repairs the image`);
      }
      return fn();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async reload(): Promise<void> {
    this.current = await SifImage.fromSource(await FileSource.borrow(this.path, this.handle));
  }

  /**
   * Journal `begin`, the data step, journal `commit`, then the metadata (see
   * the module comment). A signal before the commit point rolls the change
   * back; from there on the metadata is written to the end first.
   */
  private async apply(prepare: () => Promise<Change>): Promise<void> {
    const begin = await beginRecord(this.handle, this.current.header.raw);
    const undo = onInterrupt(() => this.rollbackNow(begin.begin));
    let record: CommitRecord;
    try {
      await this.journal.record(begin);
      record = await toRecord(this.handle, tableOf(this.current.header.raw), await prepare());
      await this.journal.record({ commit: record });
    } catch (e) {
      await this.rollback(begin.begin);
      throw fromSystemError(e, this.path);
    } finally {
      undo();
    }
    try {
      await uninterruptible(() => applyCommit(this.handle, this.ops, record));
    } catch (e) {
      this.broken = e;
      this.journal.keepForRecovery();
      throw fromSystemError(e, this.path);
    }
    await this.reload();
  }

  /** Cuts off data appended by a change that did not commit. */
  private async rollback(size: number): Promise<void> {
    try {
      await this.ops.truncate(this.handle, size);
      await this.ops.sync(this.handle);
    } catch (e) {
      this.broken = e;
      this.journal.keepForRecovery(); // its `begin` record lets the next writer cut it off
    }
  }

  /** `rollback` on a signal, which cannot wait for promises; nothing of the change is written yet. */
  private rollbackNow(size: number): void {
    try {
      ftruncateSync(this.handle.fd, size);
      fsyncSync(this.handle.fd);
    } catch {
      this.journal.keepForRecovery();
    }
  }
}

/** The bytes of a change at their file positions: descriptors first, the header last. */
async function toRecord(handle: FileHandle, table: [number, number], change: Change): Promise<CommitRecord> {
  const writes = change.descriptors.length > 0 ? [await descriptorSpan(handle, change)] : [];
  writes.push([0, headerLayout.encode(change.header)]);
  return {
    writes: writes.map(([position, bytes]) => [position, bytes.toString('base64')]),
    ...(await commitIdentity(handle, table, writes)),
    ...(change.zero ? { zero: change.zero } : {}),
    ...(change.truncate !== undefined ? { truncate: change.truncate } : {}),
  };
}

/**
 * The changed descriptors as ONE write, from the first changed slot to the
 * last, the slots between keeping their bytes on disk. The reference lists
 * every used slot whatever the header says, so descriptors written one by one
 * would let a writer killed in between leave only some new objects (or two
 * primary partitions) visible.
 */
async function descriptorSpan(handle: FileHandle, change: Change): Promise<[number, Buffer]> {
  const slots = change.descriptors.map((d) => d.slot);
  const first = Math.min(...slots);
  const position = Number(change.header.descriptorsOffset) + first * DESCRIPTOR_SIZE;
  const bytes = await readExactly(handle, (Math.max(...slots) - first + 1) * DESCRIPTOR_SIZE, position);
  for (const { slot, raw } of change.descriptors) descriptorLayout.encode(raw, bytes, (slot - first) * DESCRIPTOR_SIZE);
  return [position, bytes];
}

/**
 * Opens `path` read-write, takes its exclusive lock (failing with IoError
 * SIF_LOCKED, "image is locked", after `lockTimeoutMs`, default 0), runs `edit`
 * and releases the lock. Every change the editor makes is committed when its
 * promise resolves. Times default to now; see EditOptions.
 */
export async function editImage<T>(
  path: string,
  edit: (editor: ImageEditor) => Promise<T>,
  options: EditOptions = {},
): Promise<T> {
  const ops = (options as InternalEditOptions).fileOps ?? nodeFileOps;
  const time = resolveEditTime(options);
  const st = await lstat(path).catch((e: unknown) => {
    throw fromSystemError(e, path);
  });
  // A device or a pipe cannot take the journaled append and truncate; a symbolic link is refused at open, a directory by open.
  if (isDevice(st)) throw notRegularFile(path);
  const lock = await ImageLock.acquire(path, { timeoutMs: options.lockTimeoutMs, ops });
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, fsConstants.O_RDWR | fsConstants.O_NOFOLLOW).catch((e: unknown) => {
      throw fromSystemError(e, path);
    });
    // The journal names the inode seen when locking; a file renamed over the path since is another image.
    const opened = await handle.stat();
    if (isDevice(opened)) throw notRegularFile(path);
    const { ino, dev } = opened;
    if (ino !== lock.owner.ino || dev !== lock.owner.dev) {
      throw new IoError('SIF_IO', `${path}: the image was replaced while waiting for its lock; try again`);
    }
    return await edit(await Editor.open(path, handle, ops, lock, time));
  } finally {
    await handle?.close();
    await lock.release();
  }
}

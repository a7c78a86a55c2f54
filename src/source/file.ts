/**
 * The file source (Node only): page-cache reads through one FileHandle, the
 * blocking reads the digest engine uses beside other hashing, and the device
 * and inode a worker checks before it hashes the same file.
 */
import { constants as fsConstants, readSync, type BigIntStats, type Stats } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { fromSystemError, IoError, SifError } from '../errors.js';
import { readRange, type ByteSource, type FileIdentity } from './byte-source.js';

export interface FileSourceOptions {
  /** Open read-write, refusing a symbolic link (for the writer). Default false. */
  writable?: boolean;
}

export class FileSource implements ByteSource {
  private constructor(
    readonly handle: FileHandle,
    readonly identity: FileIdentity,
    readonly size: number,
    /** Whether close() closes the handle: not when the caller lent it. */
    private readonly owned: boolean,
  ) {}

  get name(): string {
    return this.identity.path;
  }

  /** Opens the file at `path`; errors are SifErrors naming it. The caller must `close()` it. */
  static async open(path: string, options: FileSourceOptions = {}): Promise<FileSource> {
    // O_NONBLOCK, as keys/store.ts opens keyrings: opening a pipe to read would wait for its writer
    // (`sif list <(curl …)` before curl starts), and over() refuses a pipe anyway; reads of files and
    // block devices ignore the flag.
    const flags = options.writable ? fsConstants.O_RDWR | fsConstants.O_NOFOLLOW : fsConstants.O_RDONLY | fsConstants.O_NONBLOCK;
    let handle: FileHandle;
    try {
      handle = await open(path, flags);
    } catch (e) {
      throw fromSystemError(e, path);
    }
    try {
      return await FileSource.over(path, handle, true);
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  /**
   * A source over a handle the caller opened and keeps (the writer re-reads
   * its image this way after every change): close() leaves it open.
   */
  static borrow(path: string, handle: FileHandle): Promise<FileSource> {
    return FileSource.over(path, handle, false);
  }

  private static async over(path: string, handle: FileHandle, owned: boolean): Promise<FileSource> {
    try {
      const st = await handle.stat({ bigint: true });
      if (st.isDirectory()) throw Object.assign(new Error(), { code: 'EISDIR' });
      if (st.isFIFO() || st.isSocket()) throw Object.assign(new Error(), { code: 'ESPIPE' });
      return new FileSource(handle, { kind: 'file', path, dev: st.dev, ino: st.ino }, await fileSize(path, st), owned);
    } catch (e) {
      throw e instanceof SifError ? e : fromSystemError(e, path);
    }
  }

  /**
   * The file `identity` describes, opened anew (by a worker); undefined when
   * its path no longer names that file (replaced, removed) or cannot be opened.
   */
  static async reopen(identity: FileIdentity): Promise<FileSource | undefined> {
    const source = await FileSource.open(identity.path).catch(() => undefined);
    if (source === undefined || (source.identity.dev === identity.dev && source.identity.ino === identity.ino)) return source;
    await source.close();
    return undefined;
  }

  async read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    return (await this.handle.read(buffer, offset, length, position)).bytesRead;
  }

  readonly readBlocking = (buffer: Uint8Array, offset: number, length: number, position: number): number =>
    readSync(this.handle.fd, buffer, offset, length, position);

  async close(): Promise<void> {
    if (this.owned) await this.handle.close();
  }
}

/**
 * The bytes a source may read: a regular file's size, or a block device's
 * (an image written to a disk or a loop device, which siftool reads too; stat
 * says 0 for those, Linux says their size in 512-byte sectors under /sys).
 */
async function fileSize(path: string, st: BigIntStats): Promise<number> {
  if (st.isFile()) return Number(st.size);
  if (!st.isBlockDevice()) throw new IoError('SIF_IO', `read ${path}: not a regular file or block device`);
  const major = ((st.rdev >> 8n) & 0xfffn) | ((st.rdev >> 32n) & ~0xfffn);
  const minor = (st.rdev & 0xffn) | ((st.rdev >> 12n) & ~0xffn);
  const sectors = await readFile(`/sys/dev/block/${major}:${minor}/size`, 'utf8').catch(() => '');
  if (!/^\d+\n?$/.test(sectors)) throw new IoError('SIF_IO', `read ${path}: the size of this block device is unknown here`);
  return Number.parseInt(sectors, 10) * 512;
}

/** A device, a pipe or a socket is no image to change or replace (renaming over /dev/zero as root would remove the device). */
export const isDevice = (st: Stats | BigIntStats): boolean => st.isBlockDevice() || st.isCharacterDevice() || st.isFIFO() || st.isSocket();

/** What every writer says of such a path. */
export const notRegularFile = (path: string): IoError => new IoError('SIF_IO', `${path}: not a regular file (sif changes image files only)`);

/** readRange on a FileHandle the writer holds: up to `length` bytes from `position`. */
export const readExactly = (handle: FileHandle, length: number, position: number): Promise<Buffer> =>
  readRange({ read: async (buf, off, len, pos) => (await handle.read(buf, off, len, pos)).bytesRead }, position, length);

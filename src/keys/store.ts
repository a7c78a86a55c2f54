/**
 * Keyring files on disk. Reads never follow a symlink; writes go to a temp
 * file in the same directory that is fsynced and renamed over the keyring, and
 * then the directory is fsynced, so a crash leaves either the old or the new
 * file — never a truncated one. Permissions follow Apptainer: the keys
 * directory 0700 and its files 0600, fixed (with a warning) when wrong.
 */
import { constants } from 'node:fs';
import { chmod, lstat, mkdir, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fromSystemError, IoError } from '../errors.js';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
/** The global keyring is readable by everyone, as Apptainer writes it. */
export const GLOBAL_FILE_MODE = 0o644;

const TEMP_MARK = '.sif-tmp-';

/** Reads a keyring without following a symlink; a keyring that does not exist is empty. */
export async function readKeyringBytes(path: string): Promise<Buffer> {
  let handle: FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO planted at the keyring path must not hang.
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw fromSystemError(e, path);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new IoError('SIF_IO', `${path}: not a regular file`);
    return await handle.readFile();
  } catch (e) {
    throw fromSystemError(e, path);
  } finally {
    await handle.close();
  }
}

/** Go's `%o` of a permission: "755". */
const octal = (mode: number) => (mode & 0o777).toString(8);

/**
 * Creates the keys directory (0700) when `create` is set and fixes the modes
 * of the directory and of the keyring files in it. Returns Apptainer-worded
 * warnings for every fix; a directory that does not exist is left alone.
 */
export async function securePrivateDir(dir: string, files: readonly string[], create: boolean): Promise<string[]> {
  if (create) {
    try {
      await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new IoError('SIF_IO', `${dir}: not a directory`, { cause: e });
      throw fromSystemError(e, dir);
    }
  }
  const warnings: string[] = [];
  await fixMode(dir, PRIVATE_DIR_MODE, 'Directory', warnings);
  for (const file of files) await fixMode(file, PRIVATE_FILE_MODE, 'File', warnings);
  return warnings;
}

async function fixMode(path: string, want: number, what: 'Directory' | 'File', warnings: string[]): Promise<void> {
  let info;
  try {
    // A symlinked keys directory is fine (home directories often are); a symlinked keyring file is not.
    info = what === 'Directory' ? await stat(path) : await lstat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw fromSystemError(e, path);
  }
  if (what === 'File' && info.isSymbolicLink()) throw new IoError('SIF_IO', `open ${path}: refusing to follow a symbolic link`);
  if (what === 'File' && !info.isFile()) throw new IoError('SIF_IO', `${path}: not a regular file`);
  if (what === 'Directory' && !info.isDirectory()) throw new IoError('SIF_IO', `${path}: not a directory`);
  // Fixing the mode of /tmp or another shared directory would lock everyone else out of it.
  if (what === 'Directory' && info.mode & 0o1000) {
    throw new IoError('SIF_IO', `refusing to use ${path} as a keys directory: it is a shared directory (sticky bit set)`);
  }
  if ((info.mode & 0o777) === want) return;
  warnings.push(`${what} mode (${octal(info.mode)}) on ${path} needs to be ${octal(want)}, fixing that...`);
  try {
    await chmod(path, want);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EPERM') throw new IoError('SIF_IO', `chmod ${path}: operation not permitted (owned by another user?)`, { cause: e });
    throw fromSystemError(e, path);
  }
}

/**
 * Replaces `path` with `bytes` atomically: temp file (O_EXCL, O_NOFOLLOW) in
 * the same directory, write, fsync, rename, fsync the directory. The owner of
 * an existing file is kept when we are root (e.g. `sudo` on a user's keyring).
 */
export async function replaceFileAtomically(path: string, bytes: Uint8Array, mode: number): Promise<void> {
  const dir = dirname(path);
  const { randomBytes } = await import('node:crypto'); // not at import: sif list/info/header load no crypto
  const temp = join(dir, `.${basename(path)}${TEMP_MARK}${process.pid}-${randomBytes(6).toString('hex')}`);
  const owner = await existingOwner(path);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
    await handle.chmod(mode); // the umask must not loosen or tighten what Apptainer expects
    if (owner) await handle.chown(owner.uid, owner.gid);
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, path);
  } catch (e) {
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw fromSystemError(e, (e as NodeJS.ErrnoException).path === temp ? dir : path);
  }
  await syncDirectory(dir);
}

async function existingOwner(path: string): Promise<{ uid: number; gid: number } | undefined> {
  try {
    const info = await lstat(path);
    if (info.isSymbolicLink()) throw new IoError('SIF_IO', `open ${path}: refusing to follow a symbolic link`);
    if (!info.isFile()) throw new IoError('SIF_IO', `${path}: not a regular file`);
    const root = process.getuid?.() === 0;
    return root && (info.uid !== 0 || info.gid !== 0) ? { uid: info.uid, gid: info.gid } : undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fromSystemError(e, path);
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Removes temp files a killed writer left next to `path`. Only call while
 * holding the keyring lock: then no live writer can own one.
 */
export async function removeStaleTempFiles(path: string): Promise<void> {
  const dir = dirname(path);
  const prefix = `.${basename(path)}${TEMP_MARK}`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return; // no directory yet: nothing to clean
  }
  for (const name of names.filter((n) => n.startsWith(prefix))) await unlink(join(dir, name)).catch(() => undefined);
}

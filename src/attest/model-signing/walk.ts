/**
 * The files of a model as model_signing serializes them (`file.py`,
 * `serialization.py`): the path itself if it is a file (named `.`), else
 * every regular file under it, hidden ones included, minus ignored paths. A
 * symbolic link is an error unless allowed; then a link to a file is hashed
 * as that file, and a link to a directory is refused (whether pathlib's `**`
 * follows one depends on the Python version). Sockets, pipes and devices are
 * errors, as there.
 */
import type { Dirent, Stats } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fromSystemError, IoError, UsageError } from '../../errors.js';
import { isIgnored } from './paths.js';

export interface ModelFile {
  /** The model-relative POSIX path: the resource name; `.` when the model is this one file. */
  readonly name: string;
  /** Where to read it. */
  readonly path: string;
}

export interface WalkOptions {
  readonly allowSymlinks: boolean;
  /** Model-relative paths left out, with everything under them. */
  readonly ignorePaths: readonly string[];
}

/** The model's files, in no particular order. */
export async function modelFiles(root: string, options: WalkOptions): Promise<ModelFile[]> {
  if (isIgnored('.', options.ignorePaths)) return [];
  const kind = await entryKind(root, await lstatOf(root), options);
  if (kind === 'file') return [{ name: '.', path: root }];
  const out: ModelFile[] = [];
  await walkDirectory(root, '', options, out);
  return out;
}

async function walkDirectory(dir: string, relative: string, options: WalkOptions, out: ModelFile[]): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw fromSystemError(e, dir);
  }
  for (const entry of entries) {
    const name = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (isIgnored(name, options.ignorePaths)) continue;
    const path = join(dir, entry.name);
    const kind = entry.isSymbolicLink() ? await entryKind(path, await lstatOf(path), options) : await entryKind(path, entry, options);
    if (kind === 'file') out.push({ name, path });
    else await walkDirectory(path, name, options, out);
  }
}

/** Whether to hash `path` as a file or walk it as a directory; anything else is an error. */
async function entryKind(path: string, entry: Dirent | Stats, options: WalkOptions): Promise<'file' | 'directory'> {
  if (entry.isSymbolicLink()) {
    if (!options.allowSymlinks) throw new UsageError(`${path}: a symbolic link in the model (allow them with --allow-symlinks)`);
    let target: Stats;
    try {
      target = await stat(path);
    } catch (e) {
      throw fromSystemError(e, path);
    }
    if (target.isFile()) return 'file';
    throw new IoError('SIF_IO', `${path}: a symbolic link to ${target.isDirectory() ? 'a directory' : 'a special file'}, which model_signing hashes differently by Python version: not supported`);
  }
  if (entry.isFile()) return 'file';
  if (entry.isDirectory()) return 'directory';
  throw new IoError('SIF_IO', `${path}: neither a file nor a directory (a socket, pipe or device)`);
}

async function lstatOf(path: string): Promise<Stats> {
  try {
    return await lstat(path);
  } catch (e) {
    throw fromSystemError(e, path);
  }
}

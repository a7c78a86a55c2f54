/**
 * `sif pull oras://… IMG`: Apptainer's ORAS download with its checks (the
 * artifact is a SIF, the file's size and sha256 are the layer's, the bytes are
 * a SIF image), written atomically: a temporary file beside IMG, fsync'd and
 * renamed over it only once every check (and the caller's verification, if
 * any) passed. A failure leaves IMG as it was and no temporary file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { lstat, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fromSystemError, IoError, RemoteError } from '../errors.js';
import { SifImage } from '../image/image.js';
import { isDevice, notRegularFile } from '../source/file.js';
import { Registry, type RemoteOptions } from './registry.js';

export interface PullOptions extends RemoteOptions {
  /** Replace an existing IMG (Apptainer's --force). */
  readonly force?: boolean;
  /** Bytes downloaded so far. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Checks the downloaded image before it is kept (verify-before-keep); a throw discards it. */
  readonly check?: (path: string) => Promise<void>;
}

export interface PullResult {
  readonly manifestDigest: string;
  readonly layerDigest: string;
  readonly size: number;
}

export async function pullImage(target: string, dest: string, options: PullOptions = {}): Promise<PullResult> {
  const existing = await lstat(dest).catch(() => undefined);
  if (existing && isDevice(existing)) throw notRegularFile(dest);
  if (!options.force && (await stat(dest).catch(() => undefined))) {
    throw new IoError('SIF_IO', `image file already exists: "${dest}" - will not overwrite`);
  }
  const registry = await Registry.connect(target, options);
  const artifact = await registry.resolve();
  const { size, digest } = artifact.layer;
  const temp = join(dirname(dest), `.${basename(dest)}.pull-${randomBytes(6).toString('hex')}`);
  let handle;
  try {
    handle = await open(temp, 'wx', 0o644);
  } catch (e) {
    throw fromSystemError(e, temp);
  }
  try {
    const hash = createHash('sha256');
    let written = 0;
    const reply = await registry.blob(digest);
    for await (const chunk of reply.chunks()) {
      written += chunk.length;
      if (written > size) {
        await reply.discard();
        break;
      }
      hash.update(chunk);
      await handle.write(chunk);
      options.onProgress?.(written, size);
    }
    if (written !== size) throw new RemoteError('SIF_REMOTE', `${registry.name}: image file size(${written}) and expected size(${size}) does not match`);
    const got = `sha256:${hash.digest('hex')}`;
    if (got !== digest) throw new RemoteError('SIF_REMOTE', `${registry.name}: image file hash(${got}) and expected hash(${digest}) does not match`);
    await handle.sync();
    await handle.close();
    handle = undefined;
    const image = await SifImage.open(temp).catch((e: unknown) => {
      throw new RemoteError('SIF_NOT_SIF_ARTIFACT', `${registry.name}: the pulled file is not a SIF image: ${(e as Error).message}`);
    });
    await image.close();
    await options.check?.(temp);
    await rename(temp, dest).catch((e: unknown) => {
      throw fromSystemError(e, dest);
    });
    await syncDirectory(dirname(dest));
    return { manifestDigest: artifact.manifestDigest, layerDigest: digest, size };
  } catch (e) {
    await handle?.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw e instanceof Error && !(e instanceof RemoteError) && 'errno' in e ? fromSystemError(e, dest) : e;
  }
}

/** Makes the rename durable. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

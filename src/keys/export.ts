/**
 * `sif key export`: one key's bytes exactly as the keyring holds them —
 * binary, or ASCII-armored with a CRC-24 line for older readers. A secret key
 * is exported still encrypted with its own passphrase, so no prompt is needed.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import * as openpgp from 'openpgp';
import { fromSystemError, IoError } from '../errors.js';
import type { KeyringEntry } from './keyring.js';
import { GLOBAL_FILE_MODE, PRIVATE_FILE_MODE, replaceFileAtomically } from './store.js';

/** The export file's content. */
export function exportedKey(entry: KeyringEntry, armor: boolean): Uint8Array {
  if (!armor) return entry.bytes;
  const type = entry.key.isPrivate() ? openpgp.enums.armor.privateKey : openpgp.enums.armor.publicKey;
  // A copy: openpgp.js's CRC-24 reads the bytes through a Uint32Array, which needs an aligned offset.
  return Buffer.from(openpgp.armor(type, new Uint8Array(entry.bytes), undefined, undefined, undefined, true));
}

/**
 * Writes an exported key: 0600 for secret keys, 0644 for public ones. An
 * existing file (or symlink) is refused unless `force`, which replaces it atomically.
 */
export async function writeExportFile(path: string, bytes: Uint8Array, secret: boolean, force: boolean): Promise<void> {
  const mode = secret ? PRIVATE_FILE_MODE : GLOBAL_FILE_MODE;
  if (force) return replaceFileAtomically(path, bytes, mode);
  let handle;
  try {
    handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new IoError('SIF_IO', `${path} already exists; pass --force to overwrite it`);
    throw fromSystemError(e, path);
  }
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (e) {
    throw fromSystemError(e, path);
  } finally {
    await handle.close();
  }
}

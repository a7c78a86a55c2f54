/**
 * Reads OpenPGP keys from key files (parse.ts parses their bytes).
 */
import type * as openpgp from 'openpgp';
import { readWholeFile } from '../bounded-read.js';
import { fromSystemError } from '../errors.js';
import { parseKeys } from './parse.js';

export { fingerprintOf } from './keyring.js';
export { armoredKeyBlocks, parseKeys, readKeyFileItems } from './parse.js';

/** Reads a key file; a missing file is an IoError, unparsable content a KeyError. */
export async function readKeyFile(path: string): Promise<openpgp.Key[]> {
  let bytes: Buffer;
  try {
    bytes = await readWholeFile(path, 'a key file');
  } catch (e) {
    throw fromSystemError(e, path);
  }
  return parseKeys(bytes, path);
}

/** Like readKeyFile, but a keyring that does not exist yet is simply empty. */
export async function readKeyringIfPresent(path: string): Promise<openpgp.Key[]> {
  try {
    return await readKeyFile(path);
  } catch (e) {
    if ((e as { code?: string }).code === 'SIF_NOT_FOUND') return [];
    throw e;
  }
}

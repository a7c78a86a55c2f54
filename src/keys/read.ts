/**
 * Reads OpenPGP keys from key files in every form users have them: Apptainer's
 * binary keyrings (concatenated transferable keys), one armored block holding
 * several keys, or several armored blocks `cat`-ed together (which openpgp.js
 * alone would read as just the first).
 */
import { readFile } from 'node:fs/promises';
import * as openpgp from 'openpgp';
import { fromSystemError, KeyError } from '../errors.js';

const BEGIN = /-----BEGIN PGP (?:PUBLIC|PRIVATE) KEY BLOCK-----/g;
const END = /-----END PGP (?:PUBLIC|PRIVATE) KEY BLOCK-----/g;

/**
 * Each BEGIN line up to the first END line after it, in one forward pass. (A
 * lazy regex over the whole text rescans to the end for every unterminated
 * BEGIN: quadratic, so a few MB of BEGIN lines would hang the CLI.)
 */
export function armoredKeyBlocks(text: string): string[] {
  const blocks: string[] = [];
  BEGIN.lastIndex = 0;
  for (let begin = BEGIN.exec(text); begin; begin = BEGIN.exec(text)) {
    END.lastIndex = BEGIN.lastIndex;
    if (!END.exec(text)) break; // no later BEGIN can be closed either
    blocks.push(text.slice(begin.index, END.lastIndex));
    BEGIN.lastIndex = END.lastIndex;
  }
  return blocks;
}

const isArmored = (bytes: Uint8Array) => Buffer.from(bytes.subarray(0, 512)).toString('latin1').includes('-----BEGIN PGP');

/** Parses every key in `bytes`. An empty input yields no keys; garbage is a KeyError naming `source`. */
export async function parseKeys(bytes: Uint8Array, source: string): Promise<openpgp.Key[]> {
  if (bytes.length === 0) return [];
  try {
    if (!isArmored(bytes)) return await openpgp.readKeys({ binaryKeys: bytes });
    const blocks = armoredKeyBlocks(Buffer.from(bytes).toString('utf8'));
    if (blocks.length === 0) throw new Error('no complete armored key block');
    const keys: openpgp.Key[] = [];
    for (const armoredKeys of blocks) keys.push(...(await openpgp.readKeys({ armoredKeys })));
    return keys;
  } catch (e) {
    throw new KeyError('SIF_KEY_INVALID', `${source}: not a valid OpenPGP key file: ${(e as Error).message}`, { cause: e });
  }
}

/** Reads a key file; a missing file is an IoError, unparsable content a KeyError. */
export async function readKeyFile(path: string): Promise<openpgp.Key[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
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

/** Upper-case 40-hex primary-key fingerprint, the form descriptors and Apptainer print. */
export const fingerprintOf = (key: openpgp.Key): string => key.getFingerprint().toUpperCase();

/**
 * Parses OpenPGP keys from the bytes of key files in every form users have
 * them: Apptainer's binary keyrings (concatenated transferable keys), one
 * armored block holding several keys, or several armored blocks `cat`-ed
 * together (which openpgp.js alone would read as just the first). Every
 * reader — sign, verify, the `sif key` commands and the web page — goes
 * through readKeyringItems, so all of them skip exactly what Apptainer's
 * go-crypto skips. No file access here (read.ts reads files).
 */
import * as openpgp from 'openpgp';
import { KeyError } from '../errors.js';
import { isArmored } from './armor.js';
import { isSkipped, readKeyringItems, type KeyringEntry, type KeyringItem } from './keyring.js';

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

/** The binary packets of a key file: its armored blocks decoded and joined, or the bytes themselves. */
async function dearmor(bytes: Uint8Array, source: string): Promise<Uint8Array> {
  if (!isArmored(bytes)) return bytes;
  const blocks = armoredKeyBlocks(Buffer.from(bytes).toString('latin1'));
  if (blocks.length === 0) throw new KeyError('SIF_KEY_INVALID', `${source}: not a valid OpenPGP key file: no complete armored key block`);
  const parts: Uint8Array[] = [];
  for (const block of blocks) {
    try {
      const { data } = await openpgp.unarmor(block);
      // For string input openpgp.js returns the bytes, not a stream.
      parts.push(data as unknown as Uint8Array);
    } catch (e) {
      throw new KeyError('SIF_KEY_INVALID', `${source}: not a valid OpenPGP key file: ${(e as Error).message}`, { cause: e });
    }
  }
  return Buffer.concat(parts);
}

/** The keys of a key file's bytes, and what go-crypto would skip in it; `source` names it in errors. */
export async function readKeyFileItems(bytes: Uint8Array, source: string): Promise<KeyringItem[]> {
  return readKeyringItems(await dearmor(bytes, source), source);
}

/** Parses every key in `bytes` that Apptainer reads. An empty input yields no keys; garbage is a KeyError. */
export async function parseKeys(bytes: Uint8Array, source: string): Promise<openpgp.Key[]> {
  return (await readKeyFileItems(bytes, source)).filter((i): i is KeyringEntry => !isSkipped(i)).map((e) => e.key);
}

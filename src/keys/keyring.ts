/**
 * An Apptainer keyring in memory: the transferable keys of `pgp-public` or
 * `pgp-secret`, in file order, each with the exact bytes it was read with.
 * Rewriting a keyring concatenates those bytes, so keys nobody changed stay
 * byte-identical, and only keys we create or re-encrypt are serialized anew.
 */
import * as openpgp from 'openpgp';
import { KeyError, UsageError } from '../errors.js';
import { PacketError, primaryBitLength, splitKeyBlocks, type KeyBlock } from './packets.js';
import { fingerprintOf } from './read.js';

export type KeyringKind = 'public' | 'secret';

export interface KeyringEntry {
  /** The transferable key exactly as stored. */
  readonly bytes: Uint8Array;
  readonly key: openpgp.Key;
  /** Upper-case 40-hex primary fingerprint. */
  readonly fingerprint: string;
  /** go-crypto's BitLength() of the primary key, which Apptainer lists. */
  readonly bits: number;
}

export interface Keyring {
  readonly path: string;
  readonly kind: KeyringKind;
  readonly entries: readonly KeyringEntry[];
}

const ARMOR_START = '-----BEGIN PGP';

/**
 * Parses binary keyring bytes (concatenated transferable keys). Anything that
 * is not exactly that — armor, garbage, a truncated key, a key openpgp.js
 * cannot read — is a KeyError, so a damaged keyring is never rewritten.
 */
export async function parseKeyring(bytes: Uint8Array, path: string, kind: KeyringKind): Promise<Keyring> {
  if (Buffer.from(bytes.subarray(0, 64)).toString('latin1').trimStart().startsWith(ARMOR_START)) {
    throw new KeyError('SIF_KEY_INVALID', `${path}: keyring is ASCII-armored; Apptainer keyrings are binary (import the file into a new keysdir instead)`);
  }
  const entries = await parseKeyBlocks(bytes, path);
  return { path, kind, entries };
}

/** Parses binary transferable keys, keeping each one's bytes. */
export async function parseKeyBlocks(bytes: Uint8Array, source: string): Promise<KeyringEntry[]> {
  let blocks: KeyBlock[];
  try {
    blocks = splitKeyBlocks(bytes);
  } catch (e) {
    if (!(e instanceof PacketError)) throw e;
    throw new KeyError('SIF_KEY_INVALID', `${source}: not a valid OpenPGP keyring: ${e.message}`, { cause: e });
  }
  const entries: KeyringEntry[] = [];
  for (const block of blocks) entries.push(await entryFromBlock(block, source));
  return entries;
}

async function entryFromBlock(block: KeyBlock, source: string): Promise<KeyringEntry> {
  let keys: openpgp.Key[];
  try {
    keys = await openpgp.readKeys({ binaryKeys: block.bytes });
  } catch (e) {
    throw new KeyError('SIF_KEY_INVALID', `${source}: key at byte ${block.offset} cannot be read: ${(e as Error).message}`, { cause: e });
  }
  const key = keys[0];
  if (keys.length !== 1 || !key) throw new KeyError('SIF_KEY_INVALID', `${source}: key at byte ${block.offset} cannot be read`);
  return { bytes: block.bytes, key, fingerprint: fingerprintOf(key), bits: primaryBitLength(block) };
}

/** An entry for a key we created or changed: serialized once, by openpgp.js. */
export function entryFromKey(key: openpgp.Key): KeyringEntry {
  const bytes = key.write();
  const [block] = splitKeyBlocks(bytes);
  return { bytes, key, fingerprint: fingerprintOf(key), bits: block ? primaryBitLength(block) : 0 };
}

/** The keyring file's new content: every entry's bytes, in order. */
export const serializeKeyring = (entries: readonly KeyringEntry[]): Buffer => Buffer.concat(entries.map((e) => e.bytes));

/** Index of the key with this fingerprint, or -1. */
export const indexOfFingerprint = (entries: readonly KeyringEntry[], fingerprint: string): number =>
  entries.findIndex((e) => e.fingerprint === fingerprint);

/**
 * Accepts a fingerprint the way users paste it: any case, optional `0x`,
 * spaces as gpg prints them. Returns 40 upper-case hex digits.
 */
export function normalizeFingerprint(text: string): string {
  const hex = text.trim().replace(/^0x/i, '').replace(/\s+/g, '').toUpperCase();
  if (!/^[0-9A-F]{40}$/.test(hex)) {
    throw new UsageError(`${JSON.stringify(text)} is not a key fingerprint: expected 40 hex digits, optionally prefixed with 0x`);
  }
  return hex;
}

/**
 * An Apptainer keyring in memory: the transferable keys of `pgp-public` or
 * `pgp-secret` that go-crypto (Apptainer) reads, in file order, each with the
 * exact bytes it was read with, and the bytes go-crypto skips (v3 keys,
 * marker packets, unknown algorithms) in their places. Rewriting a keyring
 * writes those pieces back (see serializeKeyring), so keys nobody changed and
 * skipped bytes stay byte-identical, and only keys we create, merge or
 * re-encrypt are serialized anew.
 */
import * as openpgp from 'openpgp';
import { KeyError } from '../errors.js';
import { isArmored } from './armor.js';
import { PacketError, primaryBitLength, splitPackets } from './packets.js';
import { splitKeyring, type KeySegment, type SkippedSegment } from './segments.js';

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

export type { SkippedSegment } from './segments.js';

/** Upper-case 40-hex primary-key fingerprint, the form descriptors and Apptainer print. */
export const fingerprintOf = (key: openpgp.Key): string => key.getFingerprint().toUpperCase();

/** A piece of a keyring file: a key, or bytes go-crypto skips. */
export type KeyringItem = KeyringEntry | SkippedSegment;

export const isSkipped = (item: KeyringItem): item is SkippedSegment => 'reason' in item;

export interface Keyring {
  readonly path: string;
  readonly kind: KeyringKind;
  /** Every piece of the file, in order. */
  readonly items: readonly KeyringItem[];
  /** The keys alone, in order: what `sif key list` indexes and `sif sign --keyidx` counts. */
  readonly entries: readonly KeyringEntry[];
}

export const makeKeyring = (path: string, kind: KeyringKind, items: readonly KeyringItem[]): Keyring => ({
  path,
  kind,
  items,
  entries: items.filter((i): i is KeyringEntry => !isSkipped(i)),
});

/**
 * Parses binary keyring bytes (concatenated transferable keys). What
 * go-crypto skips is kept aside; anything else that is not a keyring —
 * armor, garbage, a truncated key, a key openpgp.js cannot read — is a
 * KeyError, so a damaged keyring is never rewritten.
 */
export async function parseKeyring(bytes: Uint8Array, path: string, kind: KeyringKind): Promise<Keyring> {
  if (isArmored(bytes)) {
    throw new KeyError('SIF_KEY_INVALID', `${path}: keyring is ASCII-armored; Apptainer keyrings are binary (import the file into a new keysdir instead)`);
  }
  return makeKeyring(path, kind, await readKeyringItems(bytes, path));
}

/** The keys and skipped runs of binary transferable keys, each with its bytes. */
export async function readKeyringItems(bytes: Uint8Array, source: string): Promise<KeyringItem[]> {
  let segments;
  try {
    segments = splitKeyring(bytes);
  } catch (e) {
    if (!(e instanceof PacketError)) throw e;
    throw new KeyError('SIF_KEY_INVALID', `${source}: not a valid OpenPGP keyring: ${e.message}`, { cause: e });
  }
  const items: KeyringItem[] = [];
  for (const segment of segments) items.push(segment.kind === 'key' ? await entryFromSegment(segment, source) : segment);
  return items;
}

async function entryFromSegment(segment: KeySegment, source: string): Promise<KeyringItem> {
  let keys: openpgp.Key[];
  try {
    keys = await openpgp.readKeys({ binaryKeys: segment.readable });
  } catch (e) {
    throw new KeyError('SIF_KEY_INVALID', `${source}: key at byte ${segment.offset} cannot be read: ${(e as Error).message}`, { cause: e });
  }
  const key = keys[0];
  if (keys.length !== 1 || !key) throw new KeyError('SIF_KEY_INVALID', `${source}: key at byte ${segment.offset} cannot be read`);
  // go-crypto's ReadEntity: "entity without any identities".
  if (!key.users.some((u) => u.userID && (u.selfCertifications.length > 0 || u.revocationSignatures.length > 0))) {
    return { kind: 'skipped', bytes: segment.bytes, offset: segment.offset, reason: 'key without a self-signed user ID' };
  }
  return { bytes: segment.bytes, key, fingerprint: fingerprintOf(key), bits: primaryBitLength(segment.primary) };
}

/** An entry for a key we created or changed: serialized once, by openpgp.js. */
export function entryFromKey(key: openpgp.Key): KeyringEntry {
  const bytes = key.write();
  const [primary] = splitPackets(bytes);
  return { bytes, key, fingerprint: fingerprintOf(key), bits: primary ? primaryBitLength(primary.body) : 0 };
}

/** The keyring with `added` appended at the end. */
export const withAdded = (ring: Keyring, added: readonly KeyringEntry[]): Keyring => makeKeyring(ring.path, ring.kind, [...ring.items, ...added]);

/** The keyring without any copy of the key; skipped bytes stay where they were. */
export const withoutKey = (ring: Keyring, fingerprint: string): Keyring =>
  makeKeyring(ring.path, ring.kind, ring.items.filter((i) => isSkipped(i) || i.fingerprint !== fingerprint));

/** The keyring with `replacement` in the place of `entry`. */
export const withReplaced = (ring: Keyring, entry: KeyringEntry, replacement: KeyringEntry): Keyring =>
  makeKeyring(ring.path, ring.kind, ring.items.map((i) => (i === entry ? replacement : i)));

/**
 * The keyring file's new content: every piece's bytes, in order — except that
 * in a secret keyring the skipped pieces go after the keys. go-crypto resumes
 * after a key it skips only at a *public* key, so in pgp-secret it would lose
 * every key that follows one (segments.ts).
 */
export function serializeKeyring(ring: Keyring): Buffer {
  const items = ring.kind === 'secret' ? [...ring.entries, ...ring.items.filter(isSkipped)] : ring.items;
  return Buffer.concat(items.map((i) => i.bytes));
}

/** Index of the key with this fingerprint, or -1. */
export const indexOfFingerprint = (entries: readonly KeyringEntry[], fingerprint: string): number =>
  entries.findIndex((e) => e.fingerprint === fingerprint);


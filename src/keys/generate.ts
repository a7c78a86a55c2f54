/**
 * `sif key newpair`: a v4 key pair Apptainer and gpg 2.2 read, stored in both
 * keyrings. Ed25519 is the legacy EdDSA form (algorithm 22) that go-crypto
 * and older verifiers accept — never the RFC 9580 Ed25519 (27) packets.
 */
import * as openpgp from 'openpgp';
import { KeyError, UsageError } from '../errors.js';
import { entryFromKey, indexOfFingerprint, withAdded, type KeyringEntry } from './keyring.js';
import { updateKeyrings, type Loaded } from './keyrings.js';
import { secretPathOf, type KeyringLocation } from './location.js';
import type { KeyAlgorithm } from './algorithms.js';
import type { LockOptions } from './lock.js';


export interface NewKeyOptions {
  name: string;
  email: string;
  /** Default: none. */
  comment?: string;
  /** '' leaves the private key unprotected. */
  passphrase: string;
  /** Default 'rsa4096', as Apptainer. */
  algorithm?: KeyAlgorithm;
  /** Creation time; default now. */
  date?: Date;
}

const KEY_TYPES: Readonly<Record<KeyAlgorithm, { type: 'rsa'; rsaBits: number } | { type: 'ecc'; curve: 'ed25519Legacy' }>> = {
  rsa4096: { type: 'rsa', rsaBits: 4096 },
  rsa3072: { type: 'rsa', rsaBits: 3072 },
  ed25519: { type: 'ecc', curve: 'ed25519Legacy' },
};

/** Generates the key pair (encrypted with iterated S2K + AES-256 when a passphrase is given). */
export async function generateKeyPair(options: NewKeyOptions): Promise<openpgp.PrivateKey> {
  const userID = { name: options.name, email: options.email, ...(options.comment ? { comment: options.comment } : {}) };
  try {
    const { privateKey } = await openpgp.generateKey({
      ...KEY_TYPES[options.algorithm ?? 'rsa4096'],
      userIDs: [userID],
      ...(options.passphrase ? { passphrase: options.passphrase } : {}),
      date: options.date,
      format: 'object',
      config: { aeadProtect: false, v6Keys: false, s2kType: openpgp.enums.s2k.iterated },
    });
    return privateKey;
  } catch (e) {
    if (/user ID format/i.test((e as Error).message)) {
      throw new UsageError(`invalid user ID: ${JSON.stringify(options.email)} is not an email address`, { cause: e });
    }
    throw e;
  }
}

/** Appends the new key to pgp-secret and its public part to pgp-public. */
export async function storeKeyPair(location: KeyringLocation, key: openpgp.PrivateKey, lock?: LockOptions): Promise<Loaded<KeyringEntry>> {
  secretPathOf(location);
  const secretEntry = entryFromKey(key);
  return updateKeyrings(
    location,
    async (current) => {
      const secret = current.secret!;
      if ([current.public, secret].some((ring) => indexOfFingerprint(ring.entries, secretEntry.fingerprint) >= 0)) {
        throw new KeyError('SIF_KEY_EXISTS', `the key with fingerprint ${secretEntry.fingerprint} already belongs to the keyring`);
      }
      return {
        changes: { secret: withAdded(secret, [secretEntry]), public: withAdded(current.public, [entryFromKey(key.toPublic())]) },
        result: secretEntry,
      };
    },
    lock,
  );
}

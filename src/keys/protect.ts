/**
 * Passphrase protection of secret keys: the one place keys are unlocked, for
 * signing and for import alike. openpgp.js's decryptKey refuses keys whose
 * packets are only partly encrypted, which is exactly what Apptainer's
 * `key newpair` writes (primary encrypted, encryption subkey clear), so each
 * packet is handled on its own here. Re-encryption always uses iterated+salted
 * S2K with AES-256 and never AEAD or Argon2, which go-crypto and gpg 2.2 cannot read.
 */
import * as openpgp from 'openpgp';
import { KeyError } from '../errors.js';
import { fingerprintOf } from './read.js';

/** The only protection settings we write: readable by go-crypto (Apptainer) and gpg 2.2. */
const PROTECTION_CONFIG: openpgp.Config = { ...openpgp.config, aeadProtect: false, s2kType: openpgp.enums.s2k.iterated as const };

/** The runtime API of openpgp.js's secret key packets that its typings leave out. */
interface SecretPacket {
  isDummy(): boolean;
  isDecrypted(): boolean | null;
  decrypt(passphrase: string): Promise<void>;
  encrypt(passphrase: string, config: openpgp.Config): Promise<void>;
}

/** Every key packet of a private key is a secret one (openpgp.js refuses public subkeys there), possibly a gnu-dummy stub. */
const packetsOf = (key: openpgp.PrivateKey) => key.getKeys().map((k) => k.keyPacket as unknown as SecretPacket);

/** An independent copy, in the same protection state (serialization keeps it). */
async function copyOf(key: openpgp.PrivateKey): Promise<openpgp.PrivateKey> {
  try {
    return await openpgp.readPrivateKey({ binaryKey: key.write() });
  } catch (e) {
    // openpgp.js reads some malformed secret key packets that it then cannot write (TypeError).
    throw new KeyError('SIF_KEY_INVALID', `key ${fingerprintOf(key)} is damaged: ${(e as Error).message}`, { cause: e });
  }
}

const lockedPackets = (key: openpgp.PrivateKey) => packetsOf(key).filter((p) => !p.isDummy() && !p.isDecrypted());

/** True when some key packet with private material is passphrase-protected: it needs a passphrase to sign or re-protect. */
export const isLocked = (key: openpgp.PrivateKey): boolean => lockedPackets(key).length > 0;

/** True when the primary key carries private material (gpg's --export-secret-subkeys strips it). */
export const hasPrimarySecret = (key: openpgp.PrivateKey): boolean => !(key.keyPacket as unknown as SecretPacket).isDummy();

/**
 * A decrypted copy of `key`, whether all, some or none of its packets are
 * encrypted. A wrong passphrase is a KeyError SIF_KEY_INVALID naming the key
 * (never the passphrase), as is key material that decrypts but does not
 * match its public key; `key` itself stays locked.
 */
export async function unlockKey(key: openpgp.PrivateKey, passphrase: string): Promise<openpgp.PrivateKey> {
  const copy = await copyOf(key);
  try {
    for (const packet of lockedPackets(copy)) await packet.decrypt(passphrase);
  } catch (e) {
    throw new KeyError('SIF_KEY_INVALID', `wrong passphrase for key ${fingerprintOf(key)}`, { cause: e });
  }
  try {
    await (copy as unknown as { validate(): Promise<void> }).validate(); // public API its typings leave out
  } catch (e) {
    throw new KeyError('SIF_KEY_INVALID', `key ${fingerprintOf(key)} is damaged: ${(e as Error).message}`, { cause: e });
  }
  return copy;
}

/** A copy of the decrypted `key` with every private packet encrypted under `passphrase` (non-empty). */
export async function lockKey(key: openpgp.PrivateKey, passphrase: string): Promise<openpgp.PrivateKey> {
  const copy = await copyOf(key);
  for (const packet of packetsOf(copy)) {
    if (!packet.isDummy()) await packet.encrypt(passphrase, PROTECTION_CONFIG);
  }
  return copyOf(copy);
}

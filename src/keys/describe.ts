/** What `sif key list` shows about a key, computed the way Apptainer (go-crypto) computes it. */
import type * as openpgp from 'openpgp';
import type { KeyringEntry } from './keyring.js';

export interface UserIdentity {
  /** The User ID packet's text, e.g. "Jane Doe (work) <jane@example.com>". */
  readonly userId: string;
  readonly name: string;
  readonly comment: string;
  readonly email: string;
}

export interface KeyInfo {
  /** Position in the keyring file, from 0: what `sif sign --keyidx` takes. */
  readonly index: number;
  /** Upper-case 40-hex primary fingerprint. */
  readonly fingerprint: string;
  /** Upper-case 16-hex key ID. */
  readonly keyId: string;
  readonly created: Date;
  /** "rsa", "dsa", "eddsa" (Ed25519 legacy), "ecdsa", "ed25519", … */
  readonly algorithm: string;
  /** ECC curve name as openpgp.js names it, or null. */
  readonly curve: string | null;
  /** go-crypto's BitLength(), which Apptainer prints (Ed25519: 263). */
  readonly bits: number;
  /** User IDs in file order. */
  readonly users: readonly UserIdentity[];
  /** Whether the entry holds private key material. */
  readonly secret: boolean;
  /** For secret keys: whether the primary key is protected by a passphrase. */
  readonly encrypted: boolean;
}

const ALGORITHM_NAMES: Readonly<Record<string, string>> = {
  rsaEncryptSign: 'rsa',
  rsaSign: 'rsa',
  rsaEncrypt: 'rsa',
  eddsaLegacy: 'eddsa',
};

export function describeEntry(entry: KeyringEntry, index: number): KeyInfo {
  const { key } = entry;
  const algorithm = key.getAlgorithmInfo();
  const users = key.users.flatMap((u) => (u.userID ? [identity(u.userID.userID)] : []));
  return {
    index,
    fingerprint: entry.fingerprint,
    keyId: key.getKeyID().toHex().toUpperCase(),
    created: key.getCreationTime(),
    algorithm: ALGORITHM_NAMES[algorithm.algorithm] ?? algorithm.algorithm,
    curve: 'curve' in algorithm && algorithm.curve ? String(algorithm.curve) : null,
    bits: entry.bits,
    users,
    secret: key.isPrivate(),
    encrypted: key.isPrivate() && isPrimaryProtected(key),
  };
}

/** Whether the primary key's private material needs a passphrase (what signing needs). */
const isPrimaryProtected = (key: openpgp.PrivateKey) => {
  const packet = key.keyPacket as unknown as { isDummy(): boolean; isDecrypted(): boolean | null };
  return !packet.isDummy() && !packet.isDecrypted();
};

const identity = (userId: string): UserIdentity => ({ userId, ...parseUserId(userId) });

/**
 * go-crypto's parseUserId: "name (comment) <email>", each part optional, and a
 * bare address taken as the email. Apptainer prints these three parts.
 */
export function parseUserId(id: string): { name: string; comment: string; email: string } {
  const span = { n: [0, 0], c: [0, 0], e: [0, 0] };
  let state = 0;
  for (let i = 0; i < id.length; i++) {
    const ch = id[i];
    if (state === 0) [span.n[0], state] = [i, 1];
    if (state === 1) {
      if (ch === '(') [span.n[1], state] = [i, 2];
      else if (ch === '<') [span.n[1], state] = [i, 5];
    } else if (state === 2 || state === 3) {
      if (state === 2) [span.c[0], state] = [i, 3];
      if (ch === ')') [span.c[1], state] = [i, 4];
    } else if (state === 4) {
      if (ch === '<') state = 5;
    } else if (state === 5 || state === 6) {
      if (state === 5) [span.e[0], state] = [i, 6];
      if (ch === '>') [span.e[1], state] = [i, 7];
    }
  }
  if (state === 1) span.n[1] = id.length;
  if (state === 3) span.c[1] = id.length;
  if (state === 6) span.e[1] = id.length;
  const part = ([start, end]: number[]) => id.slice(start, end).trim();
  const [name, comment, email] = [part(span.n), part(span.c), part(span.e)];
  // RFC 2822 3.4: alternate simple form of a mailbox
  return email === '' && name.includes('@') ? { name: '', comment, email: name } : { name, comment, email };
}

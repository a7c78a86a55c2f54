/**
 * The pair of keyrings one `sif key` command works on — a keys directory's
 * `pgp-public` + `pgp-secret`, or the global public keyring — and the one way
 * to change them: lock, read, compute the new key lists, write atomically.
 */
import { parseKeyring, serializeKeyring, type Keyring } from './keyring.js';
import type { KeyringLocation } from './location.js';
import { uninterruptible } from '../interrupts.js';
import { withLock, type LockOptions } from './lock.js';
import { PRIVATE_FILE_MODE, readKeyringBytes, removeStaleTempFiles, replaceFileAtomically, securePrivateDir } from './store.js';

export interface KeyringSet {
  readonly public: Keyring;
  /** Undefined for the global keyring. */
  readonly secret: Keyring | undefined;
}

export interface Loaded<T> {
  readonly value: T;
  /** Mode fixes made on the way, worded as Apptainer words them. */
  readonly warnings: string[];
}

/** Reads both keyrings (missing files are empty), fixing modes of an existing keys directory. */
export async function loadKeyrings(location: KeyringLocation): Promise<Loaded<KeyringSet>> {
  const warnings = location.privateDir ? await securePrivateDir(location.privateDir, paths(location), false) : [];
  return { value: await readBoth(location), warnings };
}

async function readBoth(location: KeyringLocation): Promise<KeyringSet> {
  const pub = await parseKeyring(await readKeyringBytes(location.publicPath), location.publicPath, 'public');
  const secretPath = location.secretPath;
  const secret = secretPath === undefined ? undefined : await parseKeyring(await readKeyringBytes(secretPath), secretPath, 'secret');
  return { public: pub, secret };
}

const paths = (location: KeyringLocation) => [location.publicPath, ...(location.secretPath ? [location.secretPath] : [])];

/** New versions of the keyrings (see withAdded, withoutKey, withReplaced); one left undefined is not rewritten. */
export interface KeyringChanges {
  public?: Keyring;
  secret?: Keyring;
}

/**
 * Changes the keyrings under the lock. `change` sees the current keyrings and
 * returns the new entry lists plus a result; it may throw to change nothing.
 * The secret keyring is written first, so a crash in between never loses a
 * private key; if writing the public keyring fails, the secret one is put back.
 */
export async function updateKeyrings<T>(
  location: KeyringLocation,
  change: (current: KeyringSet) => Promise<{ changes: KeyringChanges; result: T }>,
  lockOptions: LockOptions = {},
): Promise<Loaded<T>> {
  const warnings = location.privateDir ? await securePrivateDir(location.privateDir, paths(location), true) : [];
  const value = await withLock(
    location.lockPath,
    async () => {
      for (const path of paths(location)) await removeStaleTempFiles(path);
      const current = await readBoth(location);
      const { changes, result } = await change(current);
      // A signal waits until both keyrings are written: a key pair is never half stored.
      await uninterruptible(() => writeChanges(location, current, changes));
      return result;
    },
    lockOptions,
  );
  return { value, warnings };
}

async function writeChanges(location: KeyringLocation, current: KeyringSet, changes: KeyringChanges): Promise<void> {
  const secretPath = location.secretPath;
  if (changes.secret && secretPath !== undefined) {
    await replaceFileAtomically(secretPath, serializeKeyring(changes.secret), PRIVATE_FILE_MODE);
  }
  if (!changes.public) return;
  try {
    await replaceFileAtomically(location.publicPath, serializeKeyring(changes.public), location.publicMode);
  } catch (e) {
    if (changes.secret && secretPath !== undefined && current.secret) {
      await replaceFileAtomically(secretPath, serializeKeyring(current.secret), PRIVATE_FILE_MODE).catch(() => undefined);
    }
    throw e;
  }
}

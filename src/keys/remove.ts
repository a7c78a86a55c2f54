/**
 * `sif key remove`: drops a key from pgp-public, pgp-secret or both — every
 * copy of it, so a compromised key that appears twice is really gone. Every
 * other key is written back with its exact bytes — unlike Apptainer, which
 * re-serializes the remaining secret keys as public keys and so strips their
 * private material (sypgp.storePrivKeyring).
 */
import { KeyError } from '../errors.js';
import { normalizeFingerprint } from './fingerprint.js';
import { withoutKey } from './keyring.js';
import { updateKeyrings, type Loaded } from './keyrings.js';
import { secretPathOf, type KeyringLocation } from './location.js';
import type { LockOptions } from './lock.js';

export type RemoveFrom = 'public' | 'secret' | 'both';

export interface Removed {
  readonly fingerprint: string;
  /** Copies removed from the public keyring (0 when it held none or was not asked). */
  readonly public: number;
  /** Copies removed from the secret keyring. */
  readonly secret: number;
}

/** Removes every copy of the key; not finding it where asked is a KeyError SIF_KEY_NOT_FOUND and changes nothing. */
export async function removeKey(location: KeyringLocation, fingerprintText: string, from: RemoveFrom, lock?: LockOptions): Promise<Loaded<Removed>> {
  const fingerprint = normalizeFingerprint(fingerprintText.trim(), 'key remove');
  if (from !== 'public') secretPathOf(location);
  return updateKeyrings(
    location,
    async (current) => {
      const keptPublic = from === 'secret' ? undefined : withoutKey(current.public, fingerprint);
      const keptSecret = from === 'public' || !current.secret ? undefined : withoutKey(current.secret, fingerprint);
      const removed = {
        fingerprint,
        public: keptPublic ? current.public.entries.length - keptPublic.entries.length : 0,
        secret: keptSecret ? current.secret!.entries.length - keptSecret.entries.length : 0,
      };
      if (removed.public === 0 && removed.secret === 0) {
        const where = { public: location.publicPath, secret: location.secretPath, both: `${location.publicPath} or ${location.secretPath}` }[from];
        throw new KeyError('SIF_KEY_NOT_FOUND', `no key with fingerprint ${fingerprint} in ${where}`);
      }
      return {
        changes: { public: removed.public ? keptPublic : undefined, secret: removed.secret ? keptSecret : undefined },
        result: removed,
      };
    },
    lock,
  );
}

/**
 * `sif key remove`: drops one key from pgp-public, pgp-secret or both. Every
 * other key is written back with its exact bytes — unlike Apptainer, which
 * re-serializes the remaining secret keys as public keys and so strips their
 * private material (sypgp.storePrivKeyring).
 */
import { KeyError } from '../errors.js';
import { indexOfFingerprint, normalizeFingerprint, type KeyringEntry } from './keyring.js';
import { updateKeyrings, type Loaded } from './keyrings.js';
import { secretPathOf, type KeyringLocation } from './location.js';
import type { LockOptions } from './lock.js';

export type RemoveFrom = 'public' | 'secret' | 'both';

export interface Removed {
  readonly fingerprint: string;
  readonly public: boolean;
  readonly secret: boolean;
}

const without = (entries: readonly KeyringEntry[], index: number) => entries.filter((_, i) => i !== index);

/** Removes the key; not finding it where asked is a KeyError SIF_KEY_NOT_FOUND and changes nothing. */
export async function removeKey(location: KeyringLocation, fingerprintText: string, from: RemoveFrom, lock?: LockOptions): Promise<Loaded<Removed>> {
  const fingerprint = normalizeFingerprint(fingerprintText);
  if (from !== 'public') secretPathOf(location);
  return updateKeyrings(
    location,
    async (current) => {
      const inPublic = from === 'secret' ? -1 : indexOfFingerprint(current.public.entries, fingerprint);
      const secretEntries = current.secret?.entries ?? [];
      const inSecret = from === 'public' ? -1 : indexOfFingerprint(secretEntries, fingerprint);
      if (inPublic < 0 && inSecret < 0) {
        const where = { public: location.publicPath, secret: location.secretPath, both: `${location.publicPath} or ${location.secretPath}` }[from];
        throw new KeyError('SIF_KEY_NOT_FOUND', `no key with fingerprint ${fingerprint} in ${where}`);
      }
      return {
        changes: {
          public: inPublic >= 0 ? without(current.public.entries, inPublic) : undefined,
          secret: inSecret >= 0 ? without(secretEntries, inSecret) : undefined,
        },
        result: { fingerprint, public: inPublic >= 0, secret: inSecret >= 0 },
      };
    },
    lock,
  );
}

/**
 * What keyservers bring into a keyring, through the one locked, atomic
 * rewrite (keyrings.ts): `sif key pull` appends keys the public keyring
 * lacks, `sif key refresh` merges updates (revocations, new expiry, user IDs)
 * into keys it holds, with import's merge rules (merge.ts).
 */
import { KeyError } from '../errors.js';
import { exportedKey } from './export.js';
import { indexOfFingerprint, withAdded, type Keyring, type KeyringEntry } from './keyring.js';
import { updateKeyrings, type Loaded } from './keyrings.js';
import { mergeCopies } from './import.js';
import type { KeyringLocation } from './location.js';
import type { LockOptions } from './lock.js';

/** Appends the keys the public keyring does not hold yet; returns how many (0: all there already, as Apptainer). */
export async function addPulledKeys(location: KeyringLocation, entries: readonly KeyringEntry[], lock?: LockOptions): Promise<Loaded<number>> {
  if (entries.some((e) => e.key.isPrivate())) throw new KeyError('SIF_KEY_INVALID', 'the keyserver sent private key material; nothing stored');
  return updateKeyrings(
    location,
    async (current) => {
      const fresh = entries.filter((e, i) => indexOfFingerprint(current.public.entries, e.fingerprint) < 0 && indexOfFingerprint(entries.slice(0, i), e.fingerprint) < 0);
      return { changes: fresh.length > 0 ? { public: withAdded(current.public, fresh) } : {}, result: fresh.length };
    },
    lock,
  );
}

export interface Refreshed {
  readonly fingerprint: string;
  /** What the update brought, e.g. ["revocation"]; empty when nothing. */
  readonly added: readonly string[];
}

/** Merges each update into the public keyring's copies of its key; keys the keyring no longer holds are left out. */
export async function mergeUpdates(location: KeyringLocation, updates: readonly KeyringEntry[], lock?: LockOptions): Promise<Loaded<Refreshed[]>> {
  return updateKeyrings(
    location,
    async (current) => {
      let ring = current.public;
      const outcomes: Refreshed[] = [];
      for (const update of updates) {
        /* c8 ignore next -- the key was removed while its update was fetched, before the lock */
        if (indexOfFingerprint(ring.entries, update.fingerprint) < 0) continue;
        const merged = await mergeCopies(ring, update.key.isPrivate() ? update.key.toPublic() : update.key);
        if (merged.added.length > 0) ring = merged.ring;
        outcomes.push({ fingerprint: update.fingerprint, added: merged.added });
      }
      const changed = outcomes.some((o) => o.added.length > 0);
      return { changes: changed ? { public: ring } : {}, result: outcomes };
    },
    lock,
  );
}

/**
 * The armored public key `sif key push ARG` sends: as Apptainer, the key whose
 * primary key or a subkey has the ID in ARG's last 16 hex digits; a 40-digit
 * ARG must also be that key's whole fingerprint (Apptainer looks at the ID only).
 */
export function pushCandidate(ring: Keyring, arg: string): string {
  if (ring.entries.length === 0) throw new KeyError('SIF_KEY_NOT_FOUND', 'no public keys in local store to choose from');
  const id = arg.slice(-16).toLowerCase();
  const ids = (e: KeyringEntry) => [e.key.getKeyID().toHex(), ...e.key.subkeys.map((s) => s.getKeyID().toHex())];
  const matches = ring.entries.filter((e) => ids(e).includes(id) && (arg.length === 16 || e.fingerprint === arg.toUpperCase()));
  if (matches.length !== 1) throw new KeyError('SIF_KEY_NOT_FOUND', 'could not find the requested key');
  return Buffer.from(exportedKey(matches[0]!, true)).toString('latin1');
}

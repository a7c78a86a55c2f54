/**
 * A KeyFinder (trust.ts) that asks keyservers for a signer's key when no
 * loaded keyring holds it, as Apptainer's hybrid keyring does, but by the
 * FULL fingerprint the signature descriptor records (Apptainer's 64-bit key
 * ID loses leading zeros and fails for one key in sixteen). Only a key with
 * exactly that fingerprint is taken; fetched keys stay in memory, one request
 * per fingerprint per run. A keyserver that fails or misbehaves gives a
 * warning, and the signature stays unknown-signer: never a pass.
 */
import { fetchKeys } from '../keyserver/fetch-key.js';
import type { HkpOptions } from '../keyserver/hkp.js';
import type { Keyserver } from '../keyserver/url.js';
import { isPgpKey, type KeyFinder, type TrustKey, type VerificationKey } from './trust.js';

export interface RemoteLookup {
  /** Asked in order; the first 2xx answer counts. */
  readonly servers: readonly Keyserver[];
  readonly hkp?: HkpOptions;
  /** Why a lookup found no usable key, worded for a `warning:` line. */
  readonly onWarning: (message: string) => void;
}

/** `local` for every signature, plus the signer's key from a keyserver when `local` lacks it. */
export function remoteKeyFinder(local: readonly TrustKey[], lookup: RemoteLookup): KeyFinder {
  const fetched = new Map<string, Promise<VerificationKey | undefined>>();
  return async ({ fingerprint }) => {
    if (fingerprint === undefined || local.some((k) => isPgpKey(k) && k.key.getFingerprint().toUpperCase() === fingerprint)) return local;
    let pending = fetched.get(fingerprint);
    if (!pending) fetched.set(fingerprint, (pending = fetchSigner(fingerprint, lookup)));
    const key = await pending;
    return key ? [...local, key] : local;
  };
}

async function fetchSigner(fingerprint: string, lookup: RemoteLookup): Promise<VerificationKey | undefined> {
  try {
    const { entries, server } = await fetchKeys(lookup.servers, fingerprint, lookup.hkp);
    const match = entries.find((e) => e.fingerprint === fingerprint);
    if (!match) {
      const got = entries.map((e) => e.fingerprint).join(', ') || 'none';
      lookup.onWarning(`failed to get key material for ${fingerprint}: ${server.url} answered with another key (${got}); not used`);
      return undefined;
    }
    // A public copy: a keyserver has no business sending secret material, and none is needed to verify.
    return { key: match.key.isPrivate() ? match.key.toPublic() : match.key, source: 'remote', path: server.url };
  } catch (e) {
    // Whatever went wrong, the signer stays unknown: a lookup can only ever add a key, never pass a signature by failing.
    lookup.onWarning(`failed to get key material for ${fingerprint}: ${(e as Error).message}`);
    return undefined;
  }
}

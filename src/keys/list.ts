/** Reading keys back out of a keyring: listing, and picking one by fingerprint or index. */
import { KeyError } from '../errors.js';
import { describeEntry, type KeyInfo } from './describe.js';
import { normalizeFingerprint } from './fingerprint.js';
import { indexOfFingerprint, type Keyring, type KeyringEntry } from './keyring.js';
import { loadKeyrings, type Loaded } from './keyrings.js';
import { secretPathOf, type KeyringLocation } from './location.js';

/** One keyring of `location`, read-only. `secret` on the global keyring is a UsageError. */
export async function openKeyring(location: KeyringLocation, secret: boolean): Promise<Loaded<Keyring>> {
  if (secret) secretPathOf(location);
  const { value, warnings } = await loadKeyrings(location);
  return { value: secret ? value.secret! : value.public, warnings };
}

/** Every key of one keyring, in file order (the order `sif sign --keyidx` counts in). */
export async function listKeys(location: KeyringLocation, secret: boolean): Promise<Loaded<{ path: string; keys: KeyInfo[] }>> {
  const { value: ring, warnings } = await openKeyring(location, secret);
  return { value: { path: ring.path, keys: ring.entries.map(describeEntry) }, warnings };
}

export interface KeySelector {
  /** 40 hex digits, any case (keys/fingerprint.ts). */
  fingerprint?: string;
  /** Index as `sif key list` prints it. */
  index?: number;
}

/** The entry a selector names; a KeyError SIF_KEY_NOT_FOUND when there is none. */
export function selectEntry(ring: Keyring, selector: KeySelector): KeyringEntry {
  if (ring.entries.length === 0) throw new KeyError('SIF_KEY_NOT_FOUND', `keyring ${ring.path} is empty`);
  if (selector.fingerprint !== undefined) {
    const fingerprint = normalizeFingerprint(selector.fingerprint.trim(), '--fingerprint');
    const entry = ring.entries[indexOfFingerprint(ring.entries, fingerprint)];
    if (!entry) throw new KeyError('SIF_KEY_NOT_FOUND', `no key with fingerprint ${fingerprint} in ${ring.path}`);
    return entry;
  }
  const index = selector.index ?? 0;
  const entry = Number.isInteger(index) && index >= 0 ? ring.entries[index] : undefined;
  if (!entry) throw new KeyError('SIF_KEY_NOT_FOUND', `no key with index ${index} in ${ring.path} (it holds ${ring.entries.length}; see sif key list)`);
  return entry;
}

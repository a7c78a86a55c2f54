/**
 * Trust material, as verification is handed it: loaded keys or a KeyFinder
 * consulted per signature (network lookups plug in as finders). Pure: loading
 * keys from files is keyset.ts, below the verifier's concerns.
 */
import type * as openpgp from 'openpgp';

/**
 * `global`: the global keyring; `local`: the keysdir's pgp-public or a
 * `--keyring` file; `remote`: fetched from a keyserver for this run only.
 */
export type KeySource = 'local' | 'global' | 'remote';

export interface VerificationKey {
  readonly key: openpgp.Key;
  readonly source: KeySource;
  /** The file the key was read from; for a fetched key, the keyserver's URL. */
  readonly path: string;
}

/** What a verifier asks a finder for: the signer the signature descriptor records. */
export interface KeyRequest {
  /** Upper-case 40-hex fingerprint recorded in the signature descriptor, when there is one. */
  readonly fingerprint: string | undefined;
}

/** Resolves the keys that may have made a signature (as sigstore-js's KeyFinderFunc); may be async. */
export type KeyFinder = (request: KeyRequest) => Promise<readonly VerificationKey[]> | readonly VerificationKey[];

/** Loaded keys, or a finder consulted per signature. */
export type TrustMaterial = readonly VerificationKey[] | KeyFinder;

/** The keys `trust` offers for one signature. */
export async function keysFor(trust: TrustMaterial, request: KeyRequest): Promise<readonly VerificationKey[]> {
  return typeof trust === 'function' ? trust(request) : trust;
}

/**
 * Trust material, as verification is handed it: loaded keys or a KeyFinder
 * consulted per signature (network lookups plug in as finders). Pure: loading
 * keys from files is keyset.ts, below the verifier's concerns.
 */
import type { KeyObject } from 'node:crypto';
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

/**
 * A public key that verifies DSSE signatures: a `--key` file, or (when a
 * certificate chain verified) the leaf certificate's key. Any key that fits
 * a signature counts.
 */
export interface PublicKeyMaterial {
  /** The key for dsse/algorithms.ts; in the web build, a WebCrypto key of its browser twin (src/web/browser/pem-keys.ts). */
  readonly publicKey: KeyObject;
  /** The OpenSSH `SHA256:` key ID, matched against the key ID hint of each envelope signature. */
  readonly keyId: string;
  /** Who signed, as reported: the key ID for a bare key, the subject for a certificate. */
  readonly identity: string;
  /** The file the key (or certificate) was read from. */
  readonly path: string;
}

/** One piece of trust material: a PGP key or a public key for DSSE; each format uses its own kind. */
export type TrustKey = VerificationKey | PublicKeyMaterial;

export const isPublicKeyMaterial = (k: TrustKey): k is PublicKeyMaterial => 'publicKey' in k;

export const isPgpKey = (k: TrustKey): k is VerificationKey => !isPublicKeyMaterial(k);

/** What a verifier asks a finder for: the signer the signature descriptor records. */
export interface KeyRequest {
  /** Upper-case 40-hex fingerprint recorded in the signature descriptor, when there is one. */
  readonly fingerprint: string | undefined;
}

/** Resolves the keys that may have made a signature (as sigstore-js's KeyFinderFunc); may be async. */
export type KeyFinder = (request: KeyRequest) => Promise<readonly TrustKey[]> | readonly TrustKey[];

/** Loaded keys, or a finder consulted per signature. */
export type TrustMaterial = readonly TrustKey[] | KeyFinder;

/** The keys `trust` offers for one signature. */
export async function keysFor(trust: TrustMaterial, request: KeyRequest): Promise<readonly TrustKey[]> {
  return typeof trust === 'function' ? trust(request) : trust;
}

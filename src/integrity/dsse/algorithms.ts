/**
 * The signature algorithm of each key type, as Apptainer loads sigstore's
 * signers and verifiers (hash SHA-256): Ed25519 pure, RSA PKCS#1 v1.5 with
 * SHA-256, ECDSA with SHA-256 on every curve and DER signatures. Sigstore
 * bundles (and model_signing) hash ECDSA by curve instead: `ecdsaHash`.
 */
import { constants, sign, verify, type KeyObject } from 'node:crypto';
import { KeyError } from '../../errors.js';

/**
 * The digest ECDSA signs: `sha256` on every curve (Apptainer, in-image DSSE),
 * or `by-curve`, the curve's own (P-256 SHA-256, P-384 SHA-384, P-521
 * SHA-512: Sigstore's PKIX_ECDSA_* key details, what model_signing uses).
 */
export type EcdsaHash = 'sha256' | 'by-curve';

const CURVE_HASH: Readonly<Record<string, string>> = { prime256v1: 'sha256', secp384r1: 'sha384', secp521r1: 'sha512' };

const ecdsaDigest = (key: KeyObject, mode: EcdsaHash) =>
  mode === 'sha256' ? 'sha256' : (CURVE_HASH[key.asymmetricKeyDetails?.namedCurve ?? ''] ?? 'sha256');

/** Signs `message` (the PAE) with a private key. */
export function signMessage(key: KeyObject, message: Buffer, ecdsaHash: EcdsaHash = 'sha256'): Buffer {
  switch (key.asymmetricKeyType) {
    case 'ed25519':
      return sign(null, message, key);
    case 'rsa':
      return sign('sha256', message, { key, padding: constants.RSA_PKCS1_PADDING });
    case 'ec':
      return sign(ecdsaDigest(key, ecdsaHash), message, { key, dsaEncoding: 'der' });
    default:
      throw new KeyError('SIF_KEY_INVALID', `unsupported key type ${key.asymmetricKeyType}: DSSE keys are Ed25519, ECDSA or RSA`);
  }
}

/** Whether `signature` over `message` verifies with a public key; false for any malformed input. */
export function verifyMessage(key: KeyObject, message: Buffer, signature: Buffer, ecdsaHash: EcdsaHash = 'sha256'): boolean {
  try {
    switch (key.asymmetricKeyType) {
      case 'ed25519':
        return verify(null, message, key, signature);
      case 'rsa':
        return verify('sha256', message, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
      case 'ec': {
        // sigstore's ECDSA verifier accepts ASN.1 DER, then IEEE P1363 r‖s.
        const hash = ecdsaDigest(key, ecdsaHash);
        return verify(hash, message, { key, dsaEncoding: 'der' }, signature) || verify(hash, message, { key, dsaEncoding: 'ieee-p1363' }, signature);
      }
      default:
        return false;
    }
  } catch {
    return false; // OpenSSL refuses a malformed signature rather than answering false
  }
}

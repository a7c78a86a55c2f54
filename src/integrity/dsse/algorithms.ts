/**
 * The signature algorithm of each key type, as Apptainer loads sigstore's
 * signers and verifiers (hash SHA-256): Ed25519 pure, RSA PKCS#1 v1.5 with
 * SHA-256, ECDSA with SHA-256 on every curve and DER signatures.
 */
import { constants, sign, verify, type KeyObject } from 'node:crypto';
import { KeyError } from '../../errors.js';

/** Signs `message` (the PAE) with a private key. */
export function signMessage(key: KeyObject, message: Buffer): Buffer {
  switch (key.asymmetricKeyType) {
    case 'ed25519':
      return sign(null, message, key);
    case 'rsa':
      return sign('sha256', message, { key, padding: constants.RSA_PKCS1_PADDING });
    case 'ec':
      return sign('sha256', message, { key, dsaEncoding: 'der' });
    default:
      throw new KeyError('SIF_KEY_INVALID', `unsupported key type ${key.asymmetricKeyType}: DSSE keys are Ed25519, ECDSA or RSA`);
  }
}

/** Whether `signature` over `message` verifies with a public key; false for any malformed input. */
export function verifyMessage(key: KeyObject, message: Buffer, signature: Buffer): boolean {
  try {
    switch (key.asymmetricKeyType) {
      case 'ed25519':
        return verify(null, message, key, signature);
      case 'rsa':
        return verify('sha256', message, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
      case 'ec':
        // sigstore's ECDSA verifier accepts ASN.1 DER, then IEEE P1363 r‖s.
        return verify('sha256', message, { key, dsaEncoding: 'der' }, signature) || verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature);
      default:
        return false;
    }
  } catch {
    return false; // OpenSSL refuses a malformed signature rather than answering false
  }
}

/**
 * The key hint of our bundles and envelopes: hex SHA-256 of the public key's
 * PEM text, what model_signing writes as `publicKey.hint` and checks (Node's
 * SPKI PEM export is byte-identical to Python's).
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';

/** The SPKI PEM text of a public key, or of a private key's public half. */
export const publicKeyPem = (key: KeyObject): string => (key.type === 'public' ? key : createPublicKey(key)).export({ type: 'spki', format: 'pem' }).toString();

export const keyHint = (key: KeyObject): string => createHash('sha256').update(publicKeyPem(key)).digest('hex');

/**
 * The key ID a DSSE signature names: the OpenSSH fingerprint of the public key
 * (go-securesystemslib SHA256KeyID), "SHA256:" and the unpadded base64 of the
 * SHA-256 of the key's SSH wire encoding (ssh-wire.ts).
 */
import { createHash, type KeyObject } from 'node:crypto';
import { sshKeyIdOf, sshWireKey } from './ssh-wire.js';

/** `SHA256:…`, the OpenSSH fingerprint of `key` (public, or the public half of a private key). */
export function sshKeyId(key: KeyObject): string {
  const wire = sshWireKey(key.export({ format: 'jwk' }), key.asymmetricKeyType);
  return sshKeyIdOf(createHash('sha256').update(wire).digest());
}

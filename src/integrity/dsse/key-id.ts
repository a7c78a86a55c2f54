/**
 * The key ID a DSSE signature names: the OpenSSH fingerprint of the public key
 * (go-securesystemslib SHA256KeyID), "SHA256:" and the unpadded base64 of the
 * SHA-256 of the key's SSH wire encoding.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { KeyError } from '../../errors.js';

const sshString = (b: Buffer) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
};

/** An SSH mpint of a non-negative big-endian integer: no leading zeros, a 0x00 when the high bit is set. */
const sshMpint = (b: Buffer) => {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  const digits = b.subarray(i);
  return sshString(digits.length > 0 && digits[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), digits]) : digits);
};

const EC_CURVES: Readonly<Record<string, string>> = { 'P-256': 'nistp256', 'P-384': 'nistp384', 'P-521': 'nistp521' };

/** The SSH wire encoding of a public key (RFC 4253, 5656, 8709). */
function sshWireKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  const b = (s: string | undefined) => Buffer.from(s ?? '', 'base64url');
  const type = key.asymmetricKeyType;
  if (type === 'ed25519') return Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(b(jwk.x))]);
  if (type === 'rsa') return Buffer.concat([sshString(Buffer.from('ssh-rsa')), sshMpint(b(jwk.e)), sshMpint(b(jwk.n))]);
  const curve = type === 'ec' ? EC_CURVES[jwk.crv ?? ''] : undefined;
  if (curve !== undefined) {
    const point = Buffer.concat([Buffer.from([4]), b(jwk.x), b(jwk.y)]);
    return Buffer.concat([sshString(Buffer.from(`ecdsa-sha2-${curve}`)), sshString(Buffer.from(curve)), sshString(point)]);
  }
  throw new KeyError('SIF_KEY_INVALID', `unsupported key type ${type}${jwk.crv ? ` (${jwk.crv})` : ''}: DSSE keys are Ed25519, ECDSA P-256/P-384/P-521 or RSA`);
}

/** `SHA256:…`, the OpenSSH fingerprint of `key` (public, or the public half of a private key). */
export function sshKeyId(key: KeyObject): string {
  const digest = createHash('sha256').update(sshWireKey(key)).digest('base64');
  return `SHA256:${digest.replace(/=+$/, '')}`;
}

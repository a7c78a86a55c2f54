/**
 * The SSH wire encoding of a public key (RFC 4253, 5656, 8709) from its JWK:
 * what the DSSE key ID hashes (key-id.ts). Pure, so the web build computes the
 * same key IDs from WebCrypto's JWK export.
 */
import { KeyError } from '../../errors.js';

/** The JWK members the encoding reads. */
export interface PublicJwk {
  readonly kty?: string | undefined;
  readonly crv?: string | undefined;
  readonly x?: string | undefined;
  readonly y?: string | undefined;
  readonly n?: string | undefined;
  readonly e?: string | undefined;
}

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

/**
 * The wire encoding of an Ed25519 (`OKP`), RSA or ECDSA P-256/P-384/P-521
 * public key; other keys are a KeyError naming `typeName` (node:crypto's
 * asymmetricKeyType).
 */
export function sshWireKey(jwk: PublicJwk, typeName: string | undefined): Buffer {
  // JWK members are base64url; the 'base64' decoder reads that alphabet too, in Node and in the web build's `buffer` (which has no 'base64url').
  const b = (s: string | undefined) => Buffer.from(s ?? '', 'base64');
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(b(jwk.x))]);
  if (jwk.kty === 'RSA') return Buffer.concat([sshString(Buffer.from('ssh-rsa')), sshMpint(b(jwk.e)), sshMpint(b(jwk.n))]);
  const curve = jwk.kty === 'EC' ? EC_CURVES[jwk.crv ?? ''] : undefined;
  if (curve !== undefined) {
    const point = Buffer.concat([Buffer.from([4]), b(jwk.x), b(jwk.y)]);
    return Buffer.concat([sshString(Buffer.from(`ecdsa-sha2-${curve}`)), sshString(Buffer.from(curve)), sshString(point)]);
  }
  throw new KeyError('SIF_KEY_INVALID', `unsupported key type ${typeName}${jwk.crv ? ` (${jwk.crv})` : ''}: DSSE keys are Ed25519, ECDSA P-256/P-384/P-521 or RSA`);
}

/** `SHA256:` and the unpadded base64 of a SHA-256 digest of the wire encoding. */
export const sshKeyIdOf = (digest: Uint8Array): string => `SHA256:${Buffer.from(digest).toString('base64').replace(/=+$/, '')}`;

/**
 * PGP clear-signing and checking with openpgp.js, following the reference's
 * rules: v4 keys, the hash actually used is recorded, SHA-224/256/384/512 are
 * the only hashes accepted, the first signature packet by a known key is the
 * one checked, and an expired or revoked key fails (judged now, as
 * Apptainer does).
 */
import * as openpgp from 'openpgp';
import { KeyError } from '../errors.js';
import { HashType } from '../format/constants.js';
import type { ClearSigned } from './cleartext.js';
import { splitPackets } from './packets.js';

/**
 * openpgp.js settings for every call. RSA keys from 1024 bits are accepted
 * because Apptainer lets users make them (`key newpair --bit-length 1024`).
 * A key whose self-signature is newer than the image signature (a key whose
 * expiry was extended, for one) is judged as it is now, as the reference
 * judges every key, instead of being refused.
 */
export const PGP_CONFIG: Partial<openpgp.Config> = { minRSABits: 1024, allowInsecureVerificationWithReformattedKeys: true };

const SIGN_HASHES: Partial<Record<number, number>> = {
  [openpgp.enums.hash.sha256]: HashType.SHA256,
  [openpgp.enums.hash.sha384]: HashType.SHA384,
  [openpgp.enums.hash.sha512]: HashType.SHA512,
};

const VERIFY_HASHES = new Set<number>([
  openpgp.enums.hash.sha224,
  openpgp.enums.hash.sha256,
  openpgp.enums.hash.sha384,
  openpgp.enums.hash.sha512,
]);

/** Public-key algorithms the reference's go-crypto (2022) reads. */
const GO_READABLE = new Set<string>(['rsaEncryptSign', 'rsaSign', 'dsa', 'ecdsa', 'eddsaLegacy']);

export interface ClearSignature {
  /** The armored clear-signed message. */
  readonly text: string;
  /** HashType code of the hash the signature really uses (what openpgp.js chose). */
  readonly hashType: number;
}

/** Refuses keys the reference cannot verify: v6 keys and the RFC 9580 Ed25519/Ed448 algorithms. */
export function assertReferenceCompatible(key: openpgp.Key): void {
  const { version } = key.keyPacket;
  const { algorithm } = key.getAlgorithmInfo();
  if (version !== 4 || !GO_READABLE.has(algorithm)) {
    throw new KeyError(
      'SIF_KEY_INVALID',
      `key ${key.getFingerprint().toUpperCase()} is a v${version} ${algorithm} key; ` +
        'Apptainer and sylabs/sif verify only v4 RSA, DSA, ECDSA and EdDSA (legacy Ed25519) keys',
    );
  }
}

/** Clear-signs `text` (asking for SHA-256, as the reference does) with an unlocked key. */
export async function clearSign(text: string, key: openpgp.PrivateKey, date = new Date()): Promise<ClearSignature> {
  assertReferenceCompatible(key);
  const message = await openpgp.createCleartextMessage({ text });
  let armored: string;
  try {
    armored = await openpgp.sign({
      message,
      signingKeys: key,
      date,
      config: { ...PGP_CONFIG, preferredHashAlgorithm: openpgp.enums.hash.sha256 },
    });
  } catch (e) {
    // An expired or revoked key, or one without a usable signing (sub)key.
    const fp = key.getFingerprint().toUpperCase();
    throw new KeyError('SIF_KEY_INVALID', `cannot sign with key ${fp}: ${(e as Error).message}`, { cause: e });
  }
  const signature = await openpgp.readSignature({ armoredSignature: armored.slice(armored.indexOf('-----BEGIN PGP SIGNATURE-----')) });
  const used = signature.packets[0]?.hashAlgorithm ?? 0;
  const hashType = SIGN_HASHES[used];
  // openpgp.js always allows the SHA-256 we ask for; this guards against a future change of that rule.
  /* c8 ignore next 3 */
  if (hashType === undefined) {
    throw new KeyError('SIF_KEY_INVALID', `the key signed with hash algorithm ${used}; SIF records only SHA-256, SHA-384 and SHA-512`);
  }
  return { text: armored, hashType };
}

export type PgpFailure = 'invalid' | 'unknown-signer' | 'expired' | 'revoked';

export interface PgpCheck {
  /** The key whose primary or subkey made the signature, when one was found and the maths held. */
  readonly signer: openpgp.Key | undefined;
  /** Upper-case 16-hex issuer key ID of the first signature packet, when it has one. */
  readonly issuerKeyId: string | undefined;
  readonly failure: PgpFailure | undefined;
  /** What went wrong, for "signature object N not valid: <reason>". */
  readonly reason: string | undefined;
}

const fail = (failure: PgpFailure, reason: string, issuerKeyId?: string, signer?: openpgp.Key): PgpCheck => ({
  signer,
  issuerKeyId,
  failure,
  reason,
});

/** Checks a decoded clear-signed message against `keys`, judging key validity at `now`. */
export async function checkClearSigned(cs: ClearSigned, keys: readonly openpgp.Key[], now = new Date()): Promise<PgpCheck> {
  let firstIssuer: string | undefined;
  for (const packet of splitPackets(cs.signature, cs.signatureError)) {
    if (packet.error !== undefined) return fail('invalid', packet.error, firstIssuer);
    if (packet.tag !== 2) return fail('invalid', 'non signature packet found', firstIssuer);
    let signature: openpgp.Signature;
    try {
      signature = await openpgp.readSignature({ binarySignature: packet.bytes, config: PGP_CONFIG });
    } catch (e) {
      return fail('invalid', (e as Error).message, firstIssuer);
    }
    const sig = signature.packets[0];
    // openpgp.js keeps packets of versions it does not support as unparseable ones
    if (!(sig instanceof openpgp.SignaturePacket)) return fail('invalid', 'unsupported signature packet', firstIssuer);
    if (/^0+$/.test(sig.issuerKeyID.toHex())) return fail('invalid', "signature doesn't have an issuer", firstIssuer);
    const issuer = sig.issuerKeyID.toHex().toUpperCase();
    firstIssuer ??= issuer;
    if (!VERIFY_HASHES.has(sig.hashAlgorithm ?? 0)) {
      return fail('invalid', 'hash algorithm mismatch with cleartext message headers', issuer);
    }
    const candidates = keys.filter((k) => k.getKeys(sig.issuerKeyID).length > 0);
    if (candidates.length > 0) return checkWithKeys(cs, signature, candidates, issuer, now);
  }
  return fail('unknown-signer', 'signature made by unknown entity', firstIssuer);
}

/** Like the reference: the first candidate whose maths holds decides; validity is judged after. */
async function checkWithKeys(
  cs: ClearSigned,
  signature: openpgp.Signature,
  candidates: readonly openpgp.Key[],
  issuer: string,
  now: Date,
): Promise<PgpCheck> {
  const message = await openpgp.createMessage({ binary: canonicalText(cs.signed) });
  let reason = 'signature verification failed';
  for (const key of candidates) {
    const result = await openpgp.verify({ message, signature, verificationKeys: key, date: now, config: PGP_CONFIG });
    try {
      const first = result.signatures[0];
      if (!first) throw new Error('unsupported signature type');
      await first.verified;
      await key.getSigningKey(signature.packets[0]!.issuerKeyID, now, undefined, { ...openpgp.config, ...PGP_CONFIG });
      return { signer: key, issuerKeyId: issuer, failure: undefined, reason: undefined };
    } catch (e) {
      reason = (e as Error).message;
      const named = `key ${key.getFingerprint().toUpperCase()}: ${reason.charAt(0).toLowerCase()}${reason.slice(1)}`;
      if (/revoked/i.test(reason)) return fail('revoked', named, issuer, key);
      if (/expired/i.test(reason)) return fail('expired', named, issuer, key);
    }
  }
  return fail('invalid', reason, issuer);
}

/**
 * The reference hashes text signatures through go-crypto's canonical-text
 * writer: a LF not preceded by CR becomes CRLF, and the byte after any CR is
 * passed through. After this, openpgp.js's own canonicalisation changes nothing.
 */
export function canonicalText(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  let afterCr = false;
  for (const b of bytes) {
    if (afterCr) afterCr = false;
    else if (b === 0x0d) afterCr = true;
    else if (b === 0x0a) out.push(0x0d);
    out.push(b);
  }
  return Uint8Array.from(out);
}

/**
 * PGP clear-signing and checking, following the reference's rules: v4 keys,
 * the hash actually used is recorded, SHA-224/256/384/512 are the only hashes
 * accepted, go-crypto's packet rules pick the packet that decides
 * (detached.ts), and a revoked or expired key fails (judged now, as Apptainer
 * does). openpgp.js signs, and checks the maths of the deciding packet.
 */
import * as openpgp from 'openpgp';
import { KeyError } from '../../errors.js';
import { HashType } from '../../format/constants.js';
import type { ClearSigned } from './cleartext.js';
import { decidingPacket } from './detached.js';
import { keyExpired, keyRevoked, signatureExpired, signingKeys, type SigningKey } from './key-usage.js';
import { ByteReader } from './packets.js';
import type { ParsedSignature } from './signature-packet.js';

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
  /** Upper-case 16-hex issuer key ID of the deciding (else the first) signature packet, when it has one. */
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

/**
 * Checks a decoded clear-signed message against `keys`, judging key validity
 * at `now`, as the reference does: go-crypto's rules pick the deciding
 * packet (detached.ts); openpgp.js is trusted only with the maths of that
 * packet, re-encoded from what go-crypto read.
 */
export async function checkClearSigned(cs: ClearSigned, keys: readonly openpgp.Key[], now = new Date()): Promise<PgpCheck> {
  const decision = decidingPacket(new ByteReader(cs.signature, cs.signatureError), (issuer) => signingKeys(keys, issuer));
  if (decision.kind === 'unknown-issuer') return fail('unknown-signer', 'signature made by unknown entity', decision.firstIssuer);
  if (decision.kind === 'invalid') return fail('invalid', decision.reason, decision.firstIssuer);
  const sig = decision.signature;
  const issuer = sig.issuerKeyId!;
  if (sig.sigType !== 0 && sig.sigType !== 1) return fail('invalid', `unsupported signature type: ${sig.sigType}`, issuer);
  if (sig.version !== 4) return fail('invalid', `version ${sig.version} signatures are not supported`, issuer); // stricter than the reference
  const signed = sig.sigType === 1 ? canonicalText(cs.signed) : cs.signed;
  let reason: string = MATHS_FAILURES.signature;
  for (const key of decision.keys) {
    const maths = await verifyMaths(sig, key, signed);
    if (maths !== undefined) {
      reason = maths;
      continue;
    }
    if (keyRevoked(key, now)) return fail('revoked', `key ${fingerprintOf(key.entity)}: key revoked`, issuer, key.entity);
    if (signatureExpired(sig.created, sig.lifetime, now)) return fail('invalid', 'signature expired', issuer, key.entity);
    if (keyExpired(key, now)) return fail('expired', `key ${fingerprintOf(key.entity)}: key expired`, issuer, key.entity);
    return { signer: key.entity, issuerKeyId: issuer, failure: undefined, reason: undefined };
  }
  return fail('invalid', reason, issuer);
}

const fingerprintOf = (key: openpgp.Key) => key.getFingerprint().toUpperCase();

/**
 * Why the maths failed, in go-crypto's words; openpgp.js's own messages are
 * never shown (docs/signing.md lists these reasons).
 */
const MATHS_FAILURES = {
  algorithm: 'public key and signature use different algorithms',
  hashTag: "hash tag doesn't match",
  signature: 'signature verification failed',
} as const;

/** The maths of `sig` with one key packet; undefined when it holds, else why not. */
async function verifyMaths(sig: ParsedSignature, key: SigningKey, signed: Uint8Array): Promise<string | undefined> {
  if (sig.pubKeyAlgo !== key.keyPacket.algorithm) return MATHS_FAILURES.algorithm;
  try {
    const [packet] = (await openpgp.readSignature({ binarySignature: reencoded(sig), config: PGP_CONFIG })).packets;
    // Binary: openpgp.js hashes `signed` as given; the packet's own type is hashed in its trailer.
    const data = { text: null, getBytes: () => signed } as unknown as openpgp.LiteralDataPacket;
    await packet!.verify(key.keyPacket, openpgp.enums.signature.binary, data, null as unknown as Date, false, { ...openpgp.config, ...PGP_CONFIG });
    return undefined;
  } catch (e) {
    return /digest did not match/i.test((e as Error).message) ? MATHS_FAILURES.hashTag : MATHS_FAILURES.signature;
  }
}

/**
 * The packet go-crypto read, written plainly for openpgp.js: the hashed area
 * as signed, the issuer go-crypto chose as the only unhashed subpacket, and
 * the MPIs as read (anything after them, which go-crypto never reads, is gone).
 */
function reencoded(sig: ParsedSignature): Uint8Array {
  const issuer = Buffer.concat([Buffer.from([9, 16]), Buffer.from(sig.issuerKeyId!, 'hex')]);
  const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
  const body = Buffer.concat([
    Buffer.from([sig.version, sig.sigType, sig.pubKeyAlgo, sig.hashId]),
    u16(sig.hashedArea.length),
    sig.hashedArea,
    u16(issuer.length),
    issuer,
    sig.hashTag,
    ...sig.mpis,
  ]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([Buffer.from([0xc2, 0xff]), length, body]);
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

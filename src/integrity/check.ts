/**
 * Checks one signature object for one task, in the reference's order: hash
 * type, signature maths, metadata, fingerprint binding, object set, then
 * header, descriptor and data digests.
 */
import type * as openpgp from 'openpgp';
import { SifError } from '../errors.js';
import { FINGERPRINT_SIZE, HashType } from '../format/constants.js';
import { descriptorIntegrityBytes, signatureInfo, type Descriptor } from '../format/descriptor.js';
import { headerIntegrityBytes } from '../format/header.js';
import type { SifImage } from '../image/image.js';
import type { PgpCheck, PgpFailure } from './clearsign.js';
import type { ClearSigned } from './cleartext.js';
import { DIGEST_SIZES, hashBytes, type DigestAlg, type ObjectDigests } from './digest.js';
import * as err from './errors.js';
import { primaryIdentity, signingKeys } from './key-usage.js';
import type { KeySource, VerificationKey } from './keyset.js';
import { MetadataError, parseMetadata, type ImageMetadata } from './metadata.js';
import type { SignatureData } from './select.js';

/** What one verification task covers. */
export interface Task {
  readonly kind: 'group' | 'object';
  /** The group ID of a group task, the object ID of an object task. */
  readonly id: number;
  /** The group whose signatures a non-legacy task consults. */
  readonly groupId: number;
  readonly legacy: boolean;
  /** The objects to verify, in table order. */
  readonly objects: readonly Descriptor[];
}

export interface Signer {
  /** Upper-case 40-hex primary-key fingerprint. */
  readonly fingerprint: string;
  /** Upper-case 16-hex ID of the key (primary or subkey) that made the signature. */
  readonly keyId: string;
  /** The primary User ID ("Name (Comment) <email>"), when the key has one. */
  readonly name: string | undefined;
  /**
   * [GLOBAL] when the global keyring holds the key, else [LOCAL] when a local
   * one does, else [REMOTE]: as Apptainer, "holds" means its primary key may
   * sign there, so a key that signs only with a subkey is [REMOTE].
   */
  readonly source: KeySource | 'remote';
  /** A local keyring (keysdir or --keyring) holds the key, as for `source`: Apptainer's KeyLocal. */
  readonly local: boolean;
}

export interface SignatureVerdict {
  readonly signature: Descriptor;
  /** Only a 'pgp' signature reaches the reference's per-signature callback (Apptainer prints and counts it). */
  readonly format: 'pgp' | 'dsse' | 'unknown';
  /** Upper-case fingerprint stored in the signature descriptor, if any. */
  readonly descriptorFingerprint: string | undefined;
  /** Set when a key verified the signature maths, even if a later check failed. */
  readonly signer: Signer | undefined;
  /** Objects whose digests matched, in order; those before the failure when it failed. */
  readonly verified: readonly Descriptor[];
  readonly error: SifError | undefined;
}

export interface CheckContext {
  readonly image: SifImage;
  readonly digests: ObjectDigests;
  readonly signatures: SignatureData;
  readonly keys: readonly VerificationKey[];
  readonly now: Date;
}

const DSSE_PAYLOAD_TYPE = 'application/vnd.sylabs.sif-metadata+json';

/** A DSSE envelope (sif ≥ 2.9) carrying SIF metadata; checked with PEM keys, not PGP. */
export function isDsseEnvelope(bytes: Buffer): boolean {
  try {
    const v = JSON.parse(bytes.toString('utf8')) as { payloadType?: unknown } | null;
    return typeof v === 'object' && v !== null && v.payloadType === DSSE_PAYLOAD_TYPE;
  } catch {
    return false;
  }
}

/** Upper-case hex of the descriptor's 20-byte entity, undefined when zero. */
export function descriptorFingerprint(sig: Descriptor): string | undefined {
  const fp = sig.raw.extra.subarray(4, 4 + FINGERPRINT_SIZE);
  return fp.some((b) => b !== 0) ? fp.toString('hex').toUpperCase() : undefined;
}

/** Mutable state of one check; frozen into a SignatureVerdict. */
class Verdict {
  format: SignatureVerdict['format'] = 'unknown';
  signer: Signer | undefined;
  verified: Descriptor[] = [];
  constructor(readonly sig: Descriptor) {}
  done(error?: SifError): SignatureVerdict {
    const { sig: signature, format, signer, verified } = this;
    return { signature, format, descriptorFingerprint: descriptorFingerprint(signature), signer, verified, error };
  }
}

/** Checks `sig` for `task`. Never throws for problems of the signature or image: they are the verdict. */
export async function checkSignature(ctx: CheckContext, task: Task, sig: Descriptor): Promise<SignatureVerdict> {
  const v = new Verdict(sig);
  try {
    const cs = await recognizeFormat(ctx, sig, v);
    const original = await ctx.signatures.duplicateOf(sig); // stricter than the reference
    if (original !== undefined) throw err.signatureNotValid(sig.id, 'bad-signature', `duplicate of signature object ${original}`);
    await (task.legacy ? checkLegacy(ctx, task, sig, cs, v) : checkMetadataSignature(ctx, task, sig, cs, v));
    return v.done();
  } catch (e) {
    if (e instanceof SifError) return v.done(e);
    throw e;
  }
}

function hashTypeOf(sig: Descriptor): number {
  try {
    return signatureInfo(sig).hashType;
  } catch {
    throw err.signatureProblem(sig.id, 'hash-unsupported', 'hash algorithm unsupported');
  }
}

/** The failure kind of each openpgp check result other than an unknown signer. */
const PGP_FAILURES: Record<Exclude<PgpFailure, 'unknown-signer'>, err.NotValidReason> = {
  invalid: 'bad-signature',
  expired: 'key-expired',
  revoked: 'key-revoked',
};

/**
 * The signature's format, sniffed as the reference does before anything else
 * (sylabs/sif ≥ 2.9 Verify): a DSSE envelope, which PGP keys cannot check, a
 * clear-signed message, or neither. Only a clear-signed message reaches the
 * reference's per-signature callback; the other two end its verification
 * without a result for the signature (the verdict's `format` says which).
 */
async function recognizeFormat(ctx: CheckContext, sig: Descriptor, v: Verdict): Promise<ClearSigned> {
  const bytes = await ctx.signatures.bytes(sig);
  if (bytes === undefined) throw err.signatureNotValid(sig.id, 'oversized', `object too large for a signature (${sig.size} bytes)`);
  if (isDsseEnvelope(bytes)) {
    v.format = 'dsse';
    throw err.signatureNotValid(sig.id, 'unsupported-envelope', 'DSSE signature: needs a public key or certificate');
  }
  const cs = await ctx.signatures.clearSigned(sig);
  if (cs === undefined) throw err.signatureNotValid(sig.id, 'not-clearsigned', 'signature format not recognized');
  v.format = 'pgp';
  return cs;
}

/** Checks the clear-signed PGP signature; returns the signed plaintext. */
async function checkPgp(ctx: CheckContext, sig: Descriptor, cs: ClearSigned, v: Verdict): Promise<Buffer> {
  if (cs.extraneous) throw err.signatureNotValid(sig.id, 'not-clearsigned', cs.extraneous); // stricter than the reference
  // Loaded here, not at import, so verify can start hashing while openpgp loads.
  const { checkClearSigned } = await import('./clearsign.js');
  const check = await checkClearSigned(cs, ctx.keys.map((k) => k.key), ctx.now);
  if (check.signer) v.signer = await signerOf(check, ctx.keys);
  if (check.failure === 'unknown-signer') throw err.unknownSigner(sig.id, check.issuerKeyId, descriptorFingerprint(sig));
  if (check.failure !== undefined) throw err.signatureNotValid(sig.id, PGP_FAILURES[check.failure], check.reason ?? check.failure);
  return cs.plaintext;
}

async function signerOf(check: PgpCheck, keys: readonly VerificationKey[]): Promise<Signer> {
  const key = check.signer!;
  // Apptainer's label: a keyring "has" the signer when its primary key ID names a key allowed to sign there.
  const has = (source: KeySource) => signingKeys(keys.filter((k) => k.source === source).map((k) => k.key), key.getKeyID().toHex()).length > 0;
  return {
    fingerprint: key.getFingerprint().toUpperCase(),
    keyId: check.issuerKeyId ?? key.getKeyID().toHex().toUpperCase(),
    name: await primaryUserId(key),
    source: has('global') ? 'global' : has('local') ? 'local' : 'remote',
    local: has('local'),
  };
}

/** The primary identity's User ID, chosen as go-crypto chooses it. */
async function primaryUserId(key: openpgp.Key): Promise<string | undefined> {
  return primaryIdentity(key)?.user.userID?.userID ?? key.users.find((u) => u.userID)?.userID?.userID;
}

/** The signer's primary fingerprint must be the one the descriptor records. */
function assertFingerprintBinding(sig: Descriptor, v: Verdict): void {
  if (v.signer && v.signer.fingerprint !== descriptorFingerprint(sig)) {
    throw err.signatureProblem(sig.id, 'fingerprint-mismatch', 'fingerprint in descriptor does not correspond to signing entity');
  }
}

async function checkMetadataSignature(ctx: CheckContext, task: Task, sig: Descriptor, cs: ClearSigned, v: Verdict): Promise<void> {
  hashTypeOf(sig);
  const plaintext = await checkPgp(ctx, sig, cs, v);
  let md: ImageMetadata;
  try {
    md = parseMetadata(plaintext.toString('utf8'));
  } catch (e) {
    if (e instanceof MetadataError) throw err.signatureNotValid(sig.id, 'bad-metadata', e.message);
    throw e;
  }
  const minId = Math.min(...ctx.image.descriptors.filter((d) => d.groupId === task.groupId).map((d) => d.id));
  const signedIds = md.objects.map((o) => (minId + o.relativeId) >>> 0);
  assertFingerprintBinding(sig, v);
  if (task.kind === 'group') assertSameObjects(task.objects, signedIds);
  await checkDigests(ctx, task, md, signedIds, v);
}

/** A group signature must list exactly the group's objects. */
function assertSameObjects(objects: readonly Descriptor[], signedIds: readonly number[]): void {
  const signed = new Set(signedIds);
  for (const d of objects) if (!signed.has(d.id)) throw err.objectNotSigned(d.id);
  const present = new Set(objects.map((d) => d.id));
  const extra = [...signed].filter((id) => !present.has(id)).sort((a, b) => a - b);
  if (extra.length > 0) throw err.signedObjectNotFound(extra[0]!);
}

async function checkDigests(ctx: CheckContext, task: Task, md: ImageMetadata, ids: readonly number[], v: Verdict) {
  const h = md.header.digest;
  if (!hashBytes(h.alg, headerIntegrityBytes(ctx.image.header)).equals(h.value)) throw err.headerIntegrity();
  for (const d of task.objects) {
    const om = md.objects[ids.indexOf(d.id)];
    if (!om) throw err.objectNotSigned(d.id);
    const dd = om.descriptorDigest;
    if (!hashBytes(dd.alg, descriptorIntegrityBytes(d)).equals(dd.value)) throw err.descriptorIntegrity(d.id);
    if (!(await ctx.digests.digest(d, om.objectDigest.alg)).equals(om.objectDigest.value)) throw err.objectIntegrity(d.id);
    v.verified.push(d);
  }
}

const LEGACY_ALGS: Partial<Record<number, DigestAlg>> = {
  [HashType.SHA256]: 'sha256',
  [HashType.SHA384]: 'sha384',
  [HashType.SHA512]: 'sha512',
};

/** Legacy: "SIFHASH:\n<hex>" over the data only; nothing protects the header or descriptors. */
async function checkLegacy(ctx: CheckContext, task: Task, sig: Descriptor, cs: ClearSigned, v: Verdict): Promise<void> {
  const plaintext = await checkPgp(ctx, sig, cs, v);
  const alg = LEGACY_ALGS[hashTypeOf(sig)];
  assertFingerprintBinding(sig, v);
  if (alg === undefined) throw err.signatureProblem(sig.id, 'hash-unsupported', 'hash algorithm unsupported');
  const expected = legacyDigest(sig, plaintext, alg);
  const objects = task.objects;
  const actual =
    task.kind === 'group' ? await ctx.digests.digestConcatenation(objects, alg) : await ctx.digests.digest(objects[0]!, alg);
  if (!actual.equals(expected)) throw err.objectIntegrity(task.kind === 'group' ? undefined : task.id);
  v.verified = [...objects];
}

function legacyDigest(sig: Descriptor, plaintext: Buffer, alg: DigestAlg): Buffer {
  let text = plaintext.toString('latin1');
  if (text.startsWith('SIFHASH:\n')) text = text.slice(9);
  if (text.endsWith('\n')) text = text.slice(0, -1);
  if (!/^[0-9a-fA-F]*$/.test(text)) throw err.signatureProblem(sig.id, 'bad-legacy-digest', 'legacy digest: invalid hex');
  if (text.length % 2 !== 0) throw err.signatureProblem(sig.id, 'bad-legacy-digest', 'legacy digest: odd length hex string');
  const value = Buffer.from(text, 'hex');
  if (value.length !== DIGEST_SIZES[alg]) throw err.signatureProblem(sig.id, 'bad-legacy-digest', 'digest malformed');
  return value;
}

/**
 * Checks one signature object for one task, in the reference's order: hash
 * type, signature maths, metadata, fingerprint binding, object set, then
 * header, descriptor and data digests.
 */
import { SifError } from '../errors.js';
import { FINGERPRINT_SIZE, HashType } from '../format/constants.js';
import { descriptorIntegrityBytes, signatureInfo, type Descriptor } from '../format/descriptor.js';
import { headerIntegrityBytes } from '../format/header.js';
import type { SifImage } from '../image/image.js';
import { DIGEST_SIZES, hashBytes, type DigestAlg, type ObjectDigests } from './digest.js';
import * as err from './errors.js';
import { keysFor, type TrustMaterial } from './trust.js';
import { MetadataError, parseMetadata, type ImageMetadata } from './metadata.js';
import type { SignatureData } from './select.js';
import { sniffSignature, type SignatureFormatName } from './signature-format.js';
import type { OpenedSignature, Signer } from './signature.js';

export type { Signer } from './signature.js';

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

export interface SignatureVerdict {
  readonly signature: Descriptor;
  /** Only a 'pgp' signature reaches the reference's per-signature callback (Apptainer prints and counts it). */
  readonly format: SignatureFormatName | 'unknown';
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
  readonly trust: TrustMaterial;
  readonly now: Date;
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
    const opened = await recognizeFormat(ctx, sig, v);
    const original = await ctx.signatures.duplicateOf(sig); // stricter than the reference
    if (original !== undefined) throw err.signatureNotValid(sig.id, 'bad-signature', `duplicate of signature object ${original}`);
    await (task.legacy ? checkLegacy(ctx, task, sig, opened, v) : checkMetadataSignature(ctx, task, sig, opened, v));
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

/**
 * The signature's format, sniffed as the reference does before anything else
 * (sylabs/sif ≥ 2.9 Verify; signature-format.ts); the verdict's `format` says which.
 */
async function recognizeFormat(ctx: CheckContext, sig: Descriptor, v: Verdict): Promise<OpenedSignature> {
  const bytes = await ctx.signatures.bytes(sig);
  if (bytes === undefined) throw err.signatureNotValid(sig.id, 'oversized', `object too large for a signature (${sig.size} bytes)`);
  const sniffed = sniffSignature(bytes);
  if (sniffed === undefined) throw err.signatureNotValid(sig.id, 'not-clearsigned', 'signature format not recognized');
  v.format = sniffed.format;
  return sniffed.opened;
}

/** Verifies the signature with the trusted keys; returns the signed payload. */
async function checkSigner(ctx: CheckContext, sig: Descriptor, opened: OpenedSignature, v: Verdict): Promise<Buffer> {
  const keys = await keysFor(ctx.trust, { fingerprint: descriptorFingerprint(sig) });
  const { signer, failure } = await opened.verify(keys, ctx.now);
  v.signer = signer;
  if (failure?.kind === 'no-key-material') throw err.noKeyMaterial(sig.id, failure.reason);
  if (failure?.kind === 'unknown-signer') throw err.unknownSigner(sig.id, failure.keyId, descriptorFingerprint(sig), failure.message);
  if (failure !== undefined) throw err.signatureNotValid(sig.id, failure.kind, failure.reason);
  return opened.payload;
}

/**
 * A PGP signer's primary fingerprint must be the one the descriptor records.
 * A DSSE signature names no PGP entity, so its descriptor must record none
 * (stricter than the reference, which ignores it): else a DSSE key could
 * claim a PGP fingerprint that a policy then counts.
 */
function assertFingerprintBinding(sig: Descriptor, v: Verdict): void {
  if (!v.signer) return;
  const bound = v.signer.kind === 'pgp' ? v.signer.fingerprint : undefined;
  if (bound !== descriptorFingerprint(sig)) {
    throw err.signatureProblem(sig.id, 'fingerprint-mismatch', 'fingerprint in descriptor does not correspond to signing entity');
  }
}

async function checkMetadataSignature(ctx: CheckContext, task: Task, sig: Descriptor, opened: OpenedSignature, v: Verdict): Promise<void> {
  hashTypeOf(sig);
  const plaintext = await checkSigner(ctx, sig, opened, v);
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
async function checkLegacy(ctx: CheckContext, task: Task, sig: Descriptor, opened: OpenedSignature, v: Verdict): Promise<void> {
  const plaintext = await checkSigner(ctx, sig, opened, v);
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

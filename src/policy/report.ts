/**
 * Adapter from the integrity verifier's report to the per-signature report
 * the policies decide on (decide.ts): one entry per signature, classified the
 * way Apptainer's ECL callback classifies the reference's errors.
 */
import { SIGNATURE_NOT_VALID, SignatureError, type SifError } from '../errors.js';
import type { RemoteOptions } from '../remote/registry.js';
import { SifImage } from '../image/image.js';
import type { SignatureVerdict as Checked, Signer } from '../integrity/check.js';
import type { ObjectDigests } from '../integrity/digest.js';
import type { KeySetOptions } from '../integrity/keyset.js';
import type { TrustMaterial } from '../integrity/trust.js';
import { primaryPartitionId, verifyIntegrity, type VerifyReport } from '../integrity/verify.js';
import type { SignatureReport, SignatureOutcome, VerificationReport } from './decide.js';

export interface CollectedReport {
  readonly report: VerificationReport;
  /** The integrity verifier's own report, for callers that print it. */
  readonly integrity: VerifyReport;
  /** Signing entity (PGP: User ID, else fingerprint; DSSE: key ID or certificate subject) per signature object ID, when its key was found. */
  readonly signers: ReadonlyMap<number, string>;
  /** Objects each signature verified, per signature object ID. */
  readonly objects: ReadonlyMap<number, readonly number[]>;
}

export interface CollectOptions {
  /** Which keys to trust. */
  readonly keys: KeySetOptions;
  /** ECL legacyinsecure: only legacy signatures of the primary system partition. */
  readonly legacy: boolean;
  /** How to reach a remote image. */
  readonly remote?: RemoteOptions;
}

/**
 * The reference's SignatureNotValidError (bad or unverifiable signature
 * maths, unreadable metadata) is what Apptainer's ECL tolerates; the
 * verifier's errors say which failure they are (SignatureError.reason).
 * Everything else (fingerprint binding, object set, digests) is an
 * integrity failure.
 */
export function classify(error: SifError | undefined): SignatureOutcome {
  if (error === undefined) return 'verified';
  if (!(error instanceof SignatureError)) return 'integrity';
  if (error.reason === 'unknown-signer' || error.reason === 'no-key-material') return 'unknown-signer';
  return SIGNATURE_NOT_VALID.has(error.reason) ? 'not-valid' : 'integrity';
}

const toSignatureReport = (group: number, s: Checked): SignatureReport => ({
  id: s.signature.id,
  group,
  fingerprint: s.descriptorFingerprint,
  verdict: classify(s.error),
  ...(s.signer?.kind === 'key' ? { keyIds: s.signer.keyIds } : {}),
  ...(s.error ? { error: s.error } : {}),
});

const signerName = (s: Signer) => (s.kind === 'pgp' ? (s.name ?? s.fingerprint) : s.identity);

/**
 * Verifies every signature of `path` (no stop at the first failure) and
 * reports each. The keys load first (keyset.ts reads files, so it loads only
 * here: the web page collects with keys of its own, collectFrom).
 */
export async function collectReport(path: string, options: CollectOptions): Promise<CollectedReport> {
  const { loadTrustMaterial } = await import('../integrity/keyset.js');
  const keys = await loadTrustMaterial(options.keys);
  const image = await SifImage.open(path, { remote: options.remote });
  try {
    return await collectFrom(image, keys, options.legacy);
  } finally {
    await image.close();
  }
}

/** collectReport of an image already open, with trust material already loaded. */
export async function collectFrom(image: SifImage, keys: TrustMaterial, legacy: boolean, digests?: ObjectDigests): Promise<CollectedReport> {
  const objects = legacy ? [primaryPartitionId(image)] : undefined;
  const integrity = await verifyIntegrity(image, { keys, legacy, digests, ...(objects ? { objects } : {}) });
  const checked = integrity.tasks.flatMap((t) => t.signatures.map((s) => ({ task: t.id, s })));
  return {
    report: { groups: integrity.tasks.map((t) => t.id), signatures: checked.map(({ task, s }) => toSignatureReport(task, s)) },
    integrity,
    signers: new Map(checked.flatMap(({ s }) => (s.signer ? [[s.signature.id, signerName(s.signer)]] : []))),
    objects: new Map(checked.map(({ s }) => [s.signature.id, s.verified.map((d) => d.id)])),
  };
}

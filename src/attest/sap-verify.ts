/**
 * The consumer side of SAP AI Core's `AICORE_ARTIFACT_SIGNATURES`: the
 * signatures a step is handed (a JSON object from input artifact name to
 * signature string, sap-aicore.ts) checked against the artifacts' files, as
 * SAP's example does with `hashlib.file_digest(f, "sha256")`. The value is
 * what `sif digest --format sap-aicore` writes: the sha256 of the whole file
 * (an image or any other file), as bare hex or `sha256:HEX`.
 */
import { IntegrityError, SignatureError, type SifError } from '../errors.js';
import { RangeDigests, type ObjectDigestsOptions } from '../integrity/digest.js';
import { FileSource } from '../source/file.js';
import type { SapSignatures } from './sap-aicore.js';

/** matched; mismatched (another sha256); unsigned (no entry for the name); unusable (an entry that is no sha256). */
export type ArtifactVerdict = 'matched' | 'mismatched' | 'unsigned' | 'unusable';

export interface ArtifactCheck {
  /** The input artifact's name: the key in the signatures. */
  readonly name: string;
  readonly path: string;
  readonly verdict: ArtifactVerdict;
  /** The signature's value as given; absent when unsigned. */
  readonly signature?: string;
  /** Lowercase hex sha256 of the file. */
  readonly sha256: string;
}

export interface ArtifactsCheck {
  /** Every artifact matched. */
  readonly ok: boolean;
  /** In the order asked for. */
  readonly artifacts: readonly ArtifactCheck[];
}

/** The sha256 a signature value names (bare hex or `sha256:HEX`, either case), lowercase; undefined if it names none. */
export function signedSha256(value: string): string | undefined {
  const hex = /^(?:sha256:)?([0-9a-fA-F]{64})$/.exec(value)?.[1];
  return hex?.toLowerCase();
}

/**
 * Hashes each artifact's file (all side by side through the digest engine)
 * and compares it with its signature. A file that cannot be read is an
 * error naming it; a failed comparison is a verdict (artifactsCheckError).
 */
export async function checkArtifacts(
  signatures: SapSignatures,
  artifacts: readonly { readonly name: string; readonly path: string }[],
  options: ObjectDigestsOptions = {},
): Promise<ArtifactsCheck> {
  const sources: FileSource[] = [];
  const digests = new RangeDigests(options);
  try {
    for (const { path } of artifacts) sources.push(await FileSource.open(path));
    const hashed = sources.map((s) => digests.digest(s, [{ id: 0, offset: 0, size: s.size }], 'sha256'));
    const out: ArtifactCheck[] = [];
    for (const [i, { name, path }] of artifacts.entries()) {
      const sha256 = (await hashed[i]!).toString('hex');
      const signature = Object.hasOwn(signatures, name) ? signatures[name] : undefined;
      out.push({ name, path, verdict: verdictOf(signature, sha256), ...(signature === undefined ? {} : { signature }), sha256 });
    }
    return { ok: out.every((a) => a.verdict === 'matched'), artifacts: out };
  } finally {
    digests.close();
    await Promise.all(sources.map((s) => s.close()));
  }
}

function verdictOf(signature: string | undefined, sha256: string): ArtifactVerdict {
  if (signature === undefined) return 'unsigned';
  const signed = signedSha256(signature);
  if (signed === undefined) return 'unusable';
  return signed === sha256 ? 'matched' : 'mismatched';
}

/**
 * The first failed artifact as an error with `sif verify`'s exit codes:
 * mismatched 10 (SIF_INTEGRITY), unusable 10 (SIF_SIGNATURE_INVALID), unsigned
 * 11 (SIF_SIGNATURE_NOT_FOUND); undefined when every artifact matched.
 */
export function artifactsCheckError(check: ArtifactsCheck): SifError | undefined {
  const failed = check.artifacts.filter((a) => a.verdict !== 'matched');
  const first = failed[0];
  if (first === undefined) return undefined;
  const more = failed.length > 1 ? ` (and ${failed.length - 1} more of ${check.artifacts.length} artifacts failed)` : '';
  switch (first.verdict) {
    case 'mismatched':
      return new IntegrityError('artifact', `artifact ${JSON.stringify(first.name)} (${first.path}): sha256 ${first.sha256} differs from its signature ${first.signature}${more}`);
    case 'unusable':
      return new SignatureError('SIF_SIGNATURE_INVALID', `artifact ${JSON.stringify(first.name)}: its signature ${JSON.stringify(first.signature)} is not a sha256 digest (64 hex digits, or sha256:HEX)${more}`, { reason: 'bad-metadata' });
    default:
      return new SignatureError('SIF_SIGNATURE_NOT_FOUND', `artifact ${JSON.stringify(first.name)}: no entry for it in the signatures${more}`, { reason: 'not-found' });
  }
}

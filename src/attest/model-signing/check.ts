/**
 * Checks a model against a model_signing statement, as `model_signing verify`
 * does after the signature (`verifying.py`): the statement's resources must
 * hash to its root digest, and the model, hashed with the statement's
 * serialization, must have exactly those resources with those digests. Every
 * resource gets a verdict, so a caller can say which files changed.
 */
import { IntegrityError } from '../../errors.js';
import type { ObjectDigestsOptions } from '../../integrity/digest.js';
import { hashModel, rootDigest, type ManifestItem } from './manifest.js';
import { modelName } from './paths.js';
import { GIT_PATHS, type Serialization } from './serialization.js';
import { readModelStatement } from './statement.js';

export type ResourceVerdict = 'matched' | 'mismatched' | 'missing' | 'extra';

export interface ResourceCheck {
  /** The resource's name: a model-relative path, or `path:start:end` for a shard. */
  readonly name: string;
  /** matched; mismatched (another digest); missing (signed, not in the model); extra (in the model, not signed). */
  readonly verdict: ResourceVerdict;
  /** What the statement says; absent for an extra resource. */
  readonly expected?: { readonly algorithm: string; readonly digest: string };
  /** What the model has; absent for a missing resource. */
  readonly actual?: { readonly algorithm: string; readonly digest: string };
}

export interface ModelCheck {
  /** Every resource matched and the statement's root digest is that of its resources. */
  readonly ok: boolean;
  readonly predicateType: string;
  /** The subject's name (informative: model_signing never compares it); undefined for the legacy predicate. */
  readonly modelName: string | undefined;
  readonly rootDigest: {
    /** The subject's digest; undefined for the legacy predicate. */
    readonly signed: string | undefined;
    /** sha256 over the statement's resource digests, as listed: must equal `signed`. */
    readonly ofResources: string;
    /** The root digest of the model as hashed here (`model_signing digest`). */
    readonly model: string;
  };
  /** The serialization the model was hashed with: the statement's, ignore paths added. */
  readonly serialization: Serialization;
  /** The statement's resources in its order, then the model's extra ones in model_signing's order. */
  readonly resources: readonly ResourceCheck[];
}

export interface CheckModelOptions extends ObjectDigestsOptions {
  /** More model-relative paths to leave out (model_signing `--ignore-paths`, the signature file); default none. */
  readonly ignorePaths?: readonly string[];
  /** Leave out `.git`, `.gitattributes`, `.github`, `.gitignore` (model_signing's default); default true. */
  readonly ignoreGitPaths?: boolean;
  /** Override the statement's `allow_symlinks`. */
  readonly allowSymlinks?: boolean;
}

/**
 * Checks the model at `path` (a file or directory) against `statement` (a
 * parsed model_signing statement whose signature the caller verified). A
 * malformed statement throws a SignatureError; a model that does not match
 * is a result with `ok: false` (modelCheckError turns it into an error).
 */
export async function checkModel(statement: unknown, path: string, options: CheckModelOptions = {}): Promise<ModelCheck> {
  const signed = readModelStatement(statement);
  const serialization: Serialization = {
    ...signed.serialization,
    allowSymlinks: options.allowSymlinks ?? signed.serialization.allowSymlinks,
    ignorePaths: [...signed.serialization.ignorePaths, ...(options.ignorePaths ?? []), ...((options.ignoreGitPaths ?? true) ? GIT_PATHS : [])],
  };
  const local = await hashModel(path, modelName(path), serialization, options);
  const ofResources = rootDigest(signed.items);
  const resources = compare(signed.items, local.items);
  const consistent = signed.rootDigest === undefined || signed.rootDigest === ofResources;
  return {
    ok: consistent && resources.every((r) => r.verdict === 'matched'),
    predicateType: signed.predicateType,
    modelName: signed.modelName,
    rootDigest: { signed: signed.rootDigest, ofResources, model: rootDigest(local.items) },
    serialization,
    resources,
  };
}

/** Each signed resource against the model's, then the model's unsigned ones, in the model's order. */
function compare(expected: readonly ManifestItem[], actual: readonly ManifestItem[]): ResourceCheck[] {
  const local = new Map(actual.map((i) => [i.name, i]));
  const out: ResourceCheck[] = [];
  for (const e of expected) {
    const a = local.get(e.name);
    local.delete(e.name);
    const want = { algorithm: e.algorithm, digest: e.digest };
    if (a === undefined) out.push({ name: e.name, verdict: 'missing', expected: want });
    else out.push({ name: e.name, verdict: a.algorithm === e.algorithm && a.digest === e.digest ? 'matched' : 'mismatched', expected: want, actual: { algorithm: a.algorithm, digest: a.digest } });
  }
  for (const a of local.values()) out.push({ name: a.name, verdict: 'extra', actual: { algorithm: a.algorithm, digest: a.digest } });
  return out;
}

/**
 * The failure of a check as one error (exit 10): the first problem named,
 * with counts, or undefined when the check passed.
 */
export function modelCheckError(check: ModelCheck): IntegrityError | undefined {
  if (check.ok) return undefined;
  if (check.rootDigest.signed !== undefined && check.rootDigest.signed !== check.rootDigest.ofResources) {
    return new IntegrityError('artifact', `model_signing statement is inconsistent: root digest ${check.rootDigest.signed}, but its resources hash to ${check.rootDigest.ofResources}`);
  }
  const failed = check.resources.filter((r) => r.verdict !== 'matched');
  const counts = (['mismatched', 'missing', 'extra'] as const)
    .map((v) => [v, failed.filter((r) => r.verdict === v).length] as const)
    .filter(([, n]) => n > 0)
    .map(([v, n]) => `${n} ${v}`);
  return new IntegrityError('artifact', `the model does not match the signature: ${counts.join(', ')} (first: ${failed[0]!.verdict} ${JSON.stringify(failed[0]!.name)})`);
}

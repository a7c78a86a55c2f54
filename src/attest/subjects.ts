/**
 * The second half of verifying an attestation: its subjects against the
 * artifact. A matcher per artifact kind (an image, a model_signing model)
 * reports each subject as model_signing reports files:
 * matched, mismatched, missing from the artifact, and the artifact's extra
 * parts that no subject names.
 */
import type { ObjectDigestsOptions } from '../integrity/digest.js';
import type { ModelCheck } from './model-signing/index.js';
import type { Statement } from './statement.js';

export type SubjectStatus = 'matched' | 'mismatched' | 'missing';

export interface SubjectCheck {
  readonly name: string;
  readonly status: SubjectStatus;
  /** The subject's digest, `alg:hex`. */
  readonly expected: string;
  /** The artifact's digest in the same algorithm, when it has that part. */
  readonly actual?: string;
}

export interface SubjectReport {
  readonly subjects: readonly SubjectCheck[];
  /** Parts of the artifact no subject names. */
  readonly extra: readonly string[];
  /** A model_signing signature's whole check (its resources are the subjects above), which decides. */
  readonly model?: ModelCheck;
}

export interface MatchOptions extends Pick<ObjectDigestsOptions, 'onProgress'> {
  /**
   * A model's paths to leave out, as given on the command line (relative to
   * the working directory), the attestation file among them as model_signing
   * leaves its signature out; an image has no such paths.
   */
  readonly ignorePaths?: readonly string[];
  /** A model: leave out git's files (model_signing's default); default true. */
  readonly ignoreGitPaths?: boolean;
  /** A model: override the signature's `allow_symlinks`. */
  readonly allowSymlinks?: boolean;
}

/** Checks a verified statement's subjects against the artifact at `path`. */
export type SubjectMatcher = (statement: Statement, path: string, options: MatchOptions) => Promise<SubjectReport>;

/** Every subject matched and nothing extra (for a model: model_signing's verdict). */
export const subjectsHold = (r: SubjectReport): boolean =>
  r.model !== undefined ? r.model.ok : r.subjects.every((s) => s.status === 'matched') && r.extra.length === 0;

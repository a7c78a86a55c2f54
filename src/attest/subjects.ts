/**
 * The second half of verifying an attestation: its subjects against the
 * artifact. A matcher per artifact kind (an image here, a model_signing
 * model elsewhere) reports each subject as model_signing reports files:
 * matched, mismatched, missing from the artifact, and the artifact's extra
 * parts that no subject names.
 */
import type { ObjectDigestsOptions } from '../integrity/digest.js';
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
}

/** Checks a verified statement's subjects against the artifact at `path`. */
export type SubjectMatcher = (statement: Statement, path: string, options: Pick<ObjectDigestsOptions, 'onProgress'>) => Promise<SubjectReport>;

/** Every subject matched and nothing extra. */
export const subjectsHold = (r: SubjectReport): boolean => r.subjects.every((s) => s.status === 'matched') && r.extra.length === 0;

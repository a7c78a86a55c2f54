import type { ErrorCode } from '../errors.js';

/**
 * Exit code of every error code. Build systems branch on these, so they are
 * public API (docs/errors.md) and every code must be mapped.
 */
export const EXIT_CODES: Readonly<Record<ErrorCode, number>> = {
  SIF_INTERNAL: 1,
  SIF_USAGE: 2,
  SIF_IO: 3,
  SIF_NOT_FOUND: 3,
  SIF_LOCKED: 7,
  SIF_STALE_JOURNAL: 9,
  SIF_INVALID_MAGIC: 4,
  SIF_UNSUPPORTED_VERSION: 4,
  SIF_TRUNCATED: 4,
  SIF_CORRUPT: 4,
  SIF_CAPACITY: 4,
  SIF_NO_OBJECTS: 5,
  SIF_OBJECT_NOT_FOUND: 5,
  SIF_MULTIPLE_OBJECTS: 5,
  SIF_INVALID_ID: 5,
  SIF_INVALID_GROUP: 5,
  SIF_GROUP_NOT_FOUND: 5,
  SIF_CONFLICT: 8,
  SIF_NO_KEY_MATERIAL: 6,
  SIF_KEY_INVALID: 6,
  SIF_KEY_NOT_FOUND: 6,
  SIF_KEY_EXISTS: 6,
  SIF_INTEGRITY: 10,
  SIF_SIGNATURE_INVALID: 10,
  SIF_SIGNATURE_NOT_FOUND: 11,
  SIF_ATTESTATION_INVALID: 10,
  SIF_NOT_SIGNED_BY_REQUIRED: 12,
  SIF_SIGNED_BY_FORBIDDEN: 12,
  SIF_NOT_IN_EXECGROUP: 12,
  SIF_UNKNOWN_SIGNER: 13,
  SIF_SIGNER_KEY_NOT_VALID: 14,
  SIF_KEYSERVER: 2, // Apptainer's exit code for failed key search, pull and push
  SIF_REMOTE: 16,
  SIF_REMOTE_DENIED: 17,
  SIF_NOT_SIF_ARTIFACT: 4,
  SIF_CERTIFICATE_UNTRUSTED: 13,
  SIF_CERTIFICATE_NOT_VALID: 14,
  SIF_CERTIFICATE_REVOKED: 14,
  SIF_OCSP_FAILED: 15,
};

/** stdout was closed by its reader; 128 + SIGPIPE, what a shell reports for a tool killed by SIGPIPE. */
export const EXIT_BROKEN_PIPE = 141;

/** Stopped by a signal while writing: 128 + the signal's number, what a shell reports for a process it killed. */
export const EXIT_INTERRUPTED: Readonly<Record<string, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

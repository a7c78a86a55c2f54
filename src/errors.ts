/**
 * One error hierarchy for the whole library. Every error carries a stable `code`;
 * the CLI maps codes to exit codes (src/cli/exit-codes.ts, docs/errors.md).
 * Codes are public API: never rename one.
 */

export type UsageCode = 'SIF_USAGE';
export type IoCode = 'SIF_IO' | 'SIF_LOCKED' | 'SIF_NOT_FOUND' | 'SIF_STALE_JOURNAL';
export type FormatCode =
  | 'SIF_INVALID_MAGIC'
  | 'SIF_UNSUPPORTED_VERSION'
  | 'SIF_TRUNCATED'
  | 'SIF_CORRUPT'
  | 'SIF_CAPACITY';
export type SelectionCode =
  | 'SIF_NO_OBJECTS'
  | 'SIF_OBJECT_NOT_FOUND'
  | 'SIF_MULTIPLE_OBJECTS'
  | 'SIF_INVALID_ID'
  | 'SIF_INVALID_GROUP'
  | 'SIF_GROUP_NOT_FOUND';
export type KeyCode = 'SIF_NO_KEY_MATERIAL' | 'SIF_KEY_INVALID' | 'SIF_KEY_NOT_FOUND' | 'SIF_KEY_EXISTS';
export type ConflictCode = 'SIF_CONFLICT';
export type IntegrityCode = 'SIF_INTEGRITY';
export type SignatureCode =
  | 'SIF_SIGNATURE_INVALID'
  | 'SIF_SIGNATURE_NOT_FOUND'
  | 'SIF_UNKNOWN_SIGNER'
  | 'SIF_SIGNER_KEY_NOT_VALID'
  | 'SIF_NOT_SIGNED_BY_REQUIRED'
  | 'SIF_SIGNED_BY_FORBIDDEN'
  | 'SIF_ATTESTATION_INVALID';
/** A remote image (https://, oras://): the server failed, refused, or sent bytes that contradict themselves. */
export type RemoteCode = 'SIF_REMOTE' | 'SIF_REMOTE_DENIED' | 'SIF_NOT_SIF_ARTIFACT';
/** Codes of X.509 certificate checks (`--certificate`): the chain, its validity now, OCSP. */
export type CertificateCode = 'SIF_CERTIFICATE_UNTRUSTED' | 'SIF_CERTIFICATE_NOT_VALID' | 'SIF_CERTIFICATE_REVOKED' | 'SIF_OCSP_FAILED';
/** Codes of signer policies (ECL) that reject an image before looking at its signatures. */
export type PolicyCode = 'SIF_NOT_IN_EXECGROUP';
export type KeyserverCode = 'SIF_KEYSERVER';

export type ErrorCode =
  | UsageCode
  | IoCode
  | FormatCode
  | SelectionCode
  | ConflictCode
  | KeyCode
  | IntegrityCode
  | SignatureCode
  | CertificateCode
  | PolicyCode
  | KeyserverCode
  | RemoteCode
  | 'SIF_INTERNAL';

export class SifError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Bad arguments or flag values: nothing was read or written. */
export class UsageError extends SifError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SIF_USAGE', message, options);
  }
}

/** The file system refused: missing file, permission, disk full, lock held. */
export class IoError extends SifError {
  constructor(code: IoCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** The bytes are not a SIF we can trust to read. */
export class FormatError extends SifError {
  constructor(code: FormatCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A selector matched nothing, or more than one object where one was wanted. */
export class SelectionError extends SifError {
  constructor(code: SelectionCode, message: string) {
    super(code, message);
  }
}

/**
 * The change contradicts what the image holds: a second primary partition, a
 * partition that cannot be made primary, compaction of an object that is not last.
 * Nothing was written.
 */
export class ConflictError extends SifError {
  constructor(message: string) {
    super('SIF_CONFLICT', message);
  }
}

/** Key material is missing, unreadable, or cannot be used. */
export class KeyError extends SifError {
  constructor(code: KeyCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** `artifact`: a file or model checked against an attestation (model_signing, SAP AI Core), not a SIF part. */
export type IntegrityKind = 'header' | 'descriptor' | 'object' | 'metadata' | 'artifact';

/** A digest did not match: the image changed after it was signed. */
export class IntegrityError extends SifError {
  readonly kind: IntegrityKind;
  readonly id: number | undefined;

  constructor(kind: IntegrityKind, message: string, id?: number) {
    super('SIF_INTEGRITY', message);
    this.kind = kind;
    this.id = id;
  }
}

/**
 * Why a signature check failed, set where the failure is found (so callers
 * classify on it, never on message text):
 * - `unknown-signer`: no trusted key made the signature;
 * - `bad-signature`: the signature packets or maths do not hold;
 * - `key-expired`, `key-revoked`: the signer's key is not valid now;
 * - `not-clearsigned`: the object is not a clear-signed message;
 * - `no-key-material`: no trust material of the signature's kind (a DSSE signature, no public key);
 * - `unsupported-envelope`: a DSSE envelope that cannot be checked (fields of the wrong type, bad
 *   base64, no signature, too many signatures);
 * - `oversized`: the object is too large to be a signature;
 * - `bad-metadata`: the signed text is not SIF image metadata;
 * - `fingerprint-mismatch`: the descriptor names another key than the signer's;
 * - `hash-unsupported`: the descriptor's hash type is unknown;
 * - `bad-legacy-digest`: a legacy "SIFHASH" digest is malformed;
 * - `object-not-signed`: an object to verify is missing from the signature;
 * - `not-found`: a group or object has no signature;
 * - `not-signed-by-required`, `signed-by-forbidden`: a signer policy refused the signers.
 */
export type SignatureFailure =
  | 'unknown-signer'
  | 'no-key-material'
  | 'bad-signature'
  | 'key-expired'
  | 'key-revoked'
  | 'not-clearsigned'
  | 'unsupported-envelope'
  | 'oversized'
  | 'bad-metadata'
  | 'fingerprint-mismatch'
  | 'hash-unsupported'
  | 'bad-legacy-digest'
  | 'object-not-signed'
  | 'not-found'
  | 'not-signed-by-required'
  | 'signed-by-forbidden';

/**
 * The failures the Go reference reports as SignatureNotValidError ("signature
 * object N not valid"): the ones Apptainer's ECL tolerates as unvalidated.
 */
export const SIGNATURE_NOT_VALID: ReadonlySet<SignatureFailure> = new Set<SignatureFailure>([
  'unknown-signer',
  'bad-signature',
  'key-expired',
  'key-revoked',
  'not-clearsigned',
  'unsupported-envelope',
  'oversized',
  'bad-metadata',
]);

/** A signature exists but does not verify, names an unknown key, or is missing entities. */
export class SignatureError extends SifError {
  readonly id: number | undefined;
  readonly reason: SignatureFailure;

  constructor(code: SignatureCode, message: string, options: { reason: SignatureFailure; id?: number; cause?: unknown }) {
    super(code, message, options);
    this.id = options.id;
    this.reason = options.reason;
  }
}

/**
 * A verification certificate cannot be trusted: no chain to a root for code
 * signing, not valid at the verification time, revoked, or its OCSP status
 * could not be established.
 */
export class CertificateError extends SifError {
  constructor(code: CertificateCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A signer policy (ECL) has no rule for the image. */
export class PolicyError extends SifError {
  constructor(code: PolicyCode, message: string) {
    super(code, message);
  }
}

/** A keyserver could not be reached, refused the request or answered something that is not what was asked for. */
export class KeyserverError extends SifError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SIF_KEYSERVER', message, options);
  }
}

/**
 * A remote image could not be read: the server is unreachable, answered an
 * error, lied (a size or range that does not match), stalled, or refused the
 * credentials; or the registry's artifact is not a SIF image.
 */
export class RemoteError extends SifError {
  constructor(code: RemoteCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Type guard playing the role of Go's errors.Is for our codes. */
export function isSifError(e: unknown, code?: ErrorCode): e is SifError {
  return e instanceof SifError && (code === undefined || e.code === code);
}

/** Maps a Node system error (ENOENT, EACCES, ENOSPC, …) to an IoError with a one-line message. */
export function fromSystemError(e: unknown, path: string): SifError {
  if (e instanceof SifError) return e;
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOENT':
      return new IoError('SIF_NOT_FOUND', `open ${path}: no such file or directory`, { cause: e });
    case 'EACCES':
    case 'EPERM':
      return new IoError('SIF_IO', `open ${path}: permission denied`, { cause: e });
    case 'EISDIR':
      return new IoError('SIF_IO', `read ${path}: is a directory`, { cause: e });
    case 'ESPIPE':
      return new IoError('SIF_IO', `read ${path}: illegal seek (a pipe: save the image to a file first)`, { cause: e });
    case 'ENOSPC':
      return new IoError('SIF_IO', `write ${path}: no space left on device`, { cause: e });
    case 'EROFS':
      return new IoError('SIF_IO', `write ${path}: read-only file system`, { cause: e });
    case 'ELOOP':
      return new IoError('SIF_IO', `open ${path}: refusing to follow a symbolic link`, { cause: e });
    default:
      return new IoError('SIF_IO', `${path}: ${err?.message ?? String(e)}`, { cause: e });
  }
}

/** A message on one line, as the CLI prints every error (`sif: …`) and the web page shows it. */
export const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, ' ').trim();

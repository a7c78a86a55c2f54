/**
 * The verification failures, with the reference's texts (without its
 * "integrity: " prefix) made specific where it is vague.
 */
import { IntegrityError, SignatureError, type SignatureFailure } from '../errors.js';

export const headerIntegrity = () => new IntegrityError('header', 'header integrity compromised');

export const descriptorIntegrity = (id: number) =>
  new IntegrityError('descriptor', `data object descriptor integrity compromised: ${id}`, id);

/** `id` is undefined for a legacy group signature, whose digest covers several objects. */
export const objectIntegrity = (id?: number) =>
  new IntegrityError('object', id === undefined ? 'data object integrity compromised' : `data object integrity compromised: ${id}`, id);

export const signedObjectNotFound = (id: number) => new IntegrityError('metadata', `object ${id}: signed object not found`, id);

export const nonGroupedObject = () =>
  new IntegrityError('metadata', 'non-signature object not associated with object group');

export const objectNotSigned = (id: number) =>
  new SignatureError('SIF_SIGNATURE_NOT_FOUND', `object ${id}: object not signed`, { id, reason: 'object-not-signed' });

export const signatureNotFound = (id: number, isGroup: boolean) =>
  new SignatureError('SIF_SIGNATURE_NOT_FOUND', `signature not found for object${isGroup ? ' group' : ''} ${id}`, { id, reason: 'not-found' });

/** Failures the reference reports as SignatureNotValidError (SIGNATURE_NOT_VALID), other than an unknown signer. */
export type NotValidReason = 'bad-signature' | 'key-expired' | 'key-revoked' | 'not-clearsigned' | 'unsupported-envelope' | 'oversized' | 'bad-metadata';

/**
 * Key validity: the maths held, but the signer's key is not valid now. Its own
 * code, so a build system never reads it as "the image changed after signing";
 * certificate validity (DSSE) will join it.
 */
const KEY_VALIDITY: ReadonlySet<NotValidReason> = new Set<NotValidReason>(['key-expired', 'key-revoked']);

/** The reference's SignatureNotValidError; `detail` completes the message (the reference's text, whatever the code). */
export const signatureNotValid = (sigId: number, reason: NotValidReason, detail: string) =>
  new SignatureError(KEY_VALIDITY.has(reason) ? 'SIF_SIGNER_KEY_NOT_VALID' : 'SIF_SIGNATURE_INVALID', `signature object ${sigId} not valid: ${detail}`, {
    id: sigId,
    reason,
  });

/**
 * A SignatureNotValidError whose cause is a signer we have no key for; names
 * the key, or says what the format's own `detail` says (DSSE).
 */
export const unknownSigner = (sigId: number, keyId: string | undefined, fingerprint: string | undefined, detail?: string) => {
  const who = keyId ? `unknown key ID ${keyId}` : 'an unknown key';
  const fp = fingerprint ? ` (descriptor fingerprint ${fingerprint})` : '';
  return new SignatureError('SIF_UNKNOWN_SIGNER', `signature object ${sigId} not valid: ${detail ?? `signed by ${who}${fp}`}`, { id: sigId, reason: 'unknown-signer' });
};

/**
 * No trust material of the signature's kind was given (a DSSE signature and no
 * public key): the reference's text, naming the object. An unknown signer to
 * the policies, which --ignore-unknown-signers may tolerate.
 */
export const noKeyMaterial = (sigId: number, detail: string) =>
  new SignatureError('SIF_UNKNOWN_SIGNER', `${detail} (signature object ${sigId})`, { id: sigId, reason: 'no-key-material' });

/** Integrity problems of a signature the reference reports without naming it; we name it. */
export const signatureProblem = (sigId: number, reason: Exclude<SignatureFailure, NotValidReason | 'unknown-signer'>, detail: string) =>
  new SignatureError('SIF_SIGNATURE_INVALID', `signature object ${sigId}: ${detail}`, { id: sigId, reason });

/**
 * The verification failures, with the reference's texts (without its
 * "integrity: " prefix) made specific where it is vague.
 */
import { IntegrityError, SignatureError } from '../errors.js';

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
  new SignatureError('SIF_SIGNATURE_NOT_FOUND', `object ${id}: object not signed`, { id });

export const signatureNotFound = (id: number, isGroup: boolean) =>
  new SignatureError('SIF_SIGNATURE_NOT_FOUND', `signature not found for object${isGroup ? ' group' : ''} ${id}`, { id });

/** The reference's SignatureNotValidError. */
export const signatureNotValid = (sigId: number, reason: string) =>
  new SignatureError('SIF_SIGNATURE_INVALID', `signature object ${sigId} not valid: ${reason}`, { id: sigId });

/** A SignatureNotValidError whose cause is a signer we have no key for; names the key. */
export const unknownSigner = (sigId: number, keyId: string | undefined, fingerprint: string | undefined) => {
  const who = keyId ? `unknown key ID ${keyId}` : 'an unknown key';
  const fp = fingerprint ? ` (descriptor fingerprint ${fingerprint})` : '';
  return new SignatureError('SIF_UNKNOWN_SIGNER', `signature object ${sigId} not valid: signed by ${who}${fp}`, { id: sigId });
};

/** Problems the reference reports without naming the signature; we name it. */
export const signatureProblem = (sigId: number, reason: string) =>
  new SignatureError('SIF_SIGNATURE_INVALID', `signature object ${sigId}: ${reason}`, { id: sigId });

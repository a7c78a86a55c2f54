/**
 * Keyless (Fulcio + Rekor) bundles, checked offline against a given Sigstore
 * trusted root by @sigstore/verify: the certificate chain to Fulcio, the SCT,
 * the transparency-log entry and timestamps, then the identity and issuer
 * asked for, as `model_signing verify sigstore` takes them. Loaded only for
 * this path (docs/dependencies.md).
 */
import { CertificateError, SignatureError, type SifError } from '../errors.js';
import type { Json } from '../integrity/dsse/envelope.js';
import type { AttestationSigner, KeylessTrust } from './trust.js';

/** Verifies a keyless bundle; throws a SifError naming what failed. */
export async function verifyKeyless(bundle: { [key: string]: Json }, trust: KeylessTrust): Promise<AttestationSigner> {
  const [{ bundleFromJSON }, { TrustedRoot }, sigstore] = await Promise.all([import('@sigstore/bundle'), import('@sigstore/protobuf-specs'), import('@sigstore/verify')]);
  let verifier;
  try {
    verifier = new sigstore.Verifier(sigstore.toTrustMaterial(TrustedRoot.fromJSON(trust.trustedRoot)));
  } catch (e) {
    throw new CertificateError('SIF_CERTIFICATE_UNTRUSTED', `the trusted root cannot be used: ${message(e)}`, { cause: e });
  }
  let entity;
  try {
    entity = sigstore.toSignedEntity(bundleFromJSON(bundle));
  } catch (e) {
    throw new SignatureError('SIF_ATTESTATION_INVALID', `the keyless bundle cannot be read: ${message(e)}`, { reason: 'unsupported-envelope', cause: e });
  }
  try {
    verifier.verify(entity, { subjectAlternativeName: trust.identity, extensions: { issuer: trust.issuer } });
  } catch (e) {
    throw asSifError(e, sigstore.PolicyError);
  }
  return { kind: 'keyless', identity: `${trust.identity} (issuer ${trust.issuer})`, keyId: '' };
}

const message = (e: unknown) => String((e as Error).message ?? e).split('\n')[0];

/** @sigstore/verify's error codes in ours: a policy miss is exit 12, an untrusted certificate 13, anything else a bad signature. */
function asSifError(e: unknown, policyError: new (...args: never[]) => Error): SifError {
  const code = (e as { code?: string }).code;
  const text = `keyless verification failed: ${message(e)}`;
  if (e instanceof policyError) return new SignatureError('SIF_NOT_SIGNED_BY_REQUIRED', text, { reason: 'not-signed-by-required', cause: e });
  if (code === 'CERTIFICATE_ERROR') return new CertificateError('SIF_CERTIFICATE_UNTRUSTED', text, { cause: e });
  return new SignatureError('SIF_SIGNATURE_INVALID', text, { reason: 'bad-signature', cause: e });
}

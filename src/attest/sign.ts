/**
 * Signs an in-toto statement into a DSSE envelope, bare or in a Sigstore
 * bundle v0.3, with the PEM keys `sif sign --key` reads. ECDSA signs the
 * curve's own hash in DER (what Sigstore and model_signing verify); the key
 * ID and bundle hint are hex SHA-256 of the public key's PEM (key-hint.ts).
 */
import { pae } from '../integrity/dsse/envelope.js';
import type { DsseSigningKey } from '../integrity/dsse/keys.js';
import { BUNDLE_MEDIA_TYPE, IN_TOTO_PAYLOAD_TYPE } from './bundle.js';
import { keyHint } from './key-hint.js';
import type { Statement } from './statement.js';

export type AttestationForm = 'bundle' | 'dsse';

export interface SignOptions {
  readonly format: AttestationForm;
  /** DER certificates, leaf first, that the bundle carries instead of a key hint. */
  readonly certificates?: readonly Buffer[];
  /**
   * `model-signing` writes as model_signing v1.1.0 does: an empty envelope
   * keyid, and certificates always as `x509CertificateChain`; default `sigstore`.
   */
  readonly dialect?: 'sigstore' | 'model-signing';
}

/** The attestation's JSON text (compact, no newline) of a statement, serialised compactly. */
export const signStatement = (statement: Statement, key: DsseSigningKey, options: SignOptions): Promise<string> =>
  signPayload(Buffer.from(JSON.stringify(statement), 'utf8'), key, options);

/**
 * The same for a statement already serialised: a format that fixes the
 * payload's bytes (model_signing writes protobuf's indented JSON) gives them.
 */
export async function signPayload(payload: Buffer, key: DsseSigningKey, options: SignOptions): Promise<string> {
  const { signMessage } = await import('../integrity/dsse/algorithms.js');
  const hint = keyHint(key.privateKey);
  const modelSigning = options.dialect === 'model-signing';
  const sig = signMessage(key.privateKey, pae(IN_TOTO_PAYLOAD_TYPE, payload), 'by-curve').toString('base64');
  const envelope = { payload: payload.toString('base64'), payloadType: IN_TOTO_PAYLOAD_TYPE, signatures: [{ sig, keyid: modelSigning ? '' : hint }] };
  if (options.format === 'dsse') return JSON.stringify(envelope);
  return JSON.stringify({ mediaType: BUNDLE_MEDIA_TYPE, verificationMaterial: material(hint, options.certificates ?? [], modelSigning), dsseEnvelope: envelope });
}

/**
 * The key hint, or the certificates: one as v0.3's `certificate`, a chain (or
 * any for model_signing) as `x509CertificateChain`, the shape model_signing
 * writes for self-managed PKI.
 */
function material(hint: string, certificates: readonly Buffer[], alwaysChain: boolean) {
  const raw = (der: Buffer) => ({ rawBytes: der.toString('base64') });
  if (certificates.length === 0) return { publicKey: { hint }, tlogEntries: [] };
  if (certificates.length === 1 && !alwaysChain) return { certificate: raw(certificates[0]!), tlogEntries: [] };
  return { x509CertificateChain: { certificates: certificates.map(raw) }, tlogEntries: [] };
}

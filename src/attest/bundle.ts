/**
 * An attestation file as written: a Sigstore bundle (JSON, v0.1 to v0.3) or a
 * bare DSSE envelope, carrying an in-toto statement. The reader accepts every
 * shape model_signing releases wrote (docs/attestations.md, "Bundle shapes
 * read"), which @sigstore/bundle partly refuses, and checks only the
 * structure: signatures are checked by verify.ts.
 */
import { SignatureError } from '../errors.js';
import { decodeBase64, envelopeFromJson, EnvelopeError, type Envelope, type Json } from '../integrity/dsse/envelope.js';

/** The media type we write, and the one model_signing writes and requires. */
export const BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const BUNDLE_MEDIA_TYPES = new Set([BUNDLE_MEDIA_TYPE, ...['0.1', '0.2', '0.3'].map((v) => `application/vnd.dev.sigstore.bundle+json;version=${v}`)]);

/** The only payload type of an in-toto statement. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** Largest attestation file read: a statement naming every object of a big image is well under 1 MiB. */
export const MAX_ATTESTATION_BYTES = 16 << 20;

/** Most signatures a bare envelope may carry (each is tried with every key). */
const MAX_SIGNATURES = 64;

/** What the file says about its signer; the caller's trust decides whether to believe it. */
export type Material =
  /** A bare envelope: the caller's keys or certificate only. */
  | { readonly kind: 'none' }
  /** A key named by a hint (v1.1.0+), or given whole as PEM text (model_signing v0.3.1 to v1.0.1). */
  | { readonly kind: 'public-key'; readonly hint: string | undefined; readonly pem: string | undefined }
  /** A certificate, leaf first (`x509CertificateChain`, or v0.3's single `certificate`); `logged` when it has tlog entries (keyless). */
  | { readonly kind: 'certificates'; readonly certificates: readonly Buffer[]; readonly logged: boolean };

export interface Attestation {
  readonly form: 'bundle' | 'dsse';
  readonly envelope: Envelope;
  /** The envelope's payload, decoded. */
  readonly payload: Buffer;
  /** Each signature, decoded, with its key ID ('' when absent or null). */
  readonly signatures: readonly { readonly keyid: string; readonly sig: Buffer }[];
  readonly material: Material;
  /** The parsed bundle, for the keyless verifier. */
  readonly json: { [key: string]: Json };
}

/** A refusal of the file's structure: exit 10, reason unsupported-envelope. */
export const invalid = (message: string) => new SignatureError('SIF_ATTESTATION_INVALID', message, { reason: 'unsupported-envelope' });

const isObject = (v: Json | undefined): v is { [key: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads an attestation file's bytes; throws SIF_ATTESTATION_INVALID with the first problem found. */
export function readAttestation(bytes: Buffer): Attestation {
  if (bytes.length > MAX_ATTESTATION_BYTES) throw invalid(`the attestation is ${bytes.length} bytes, over the ${MAX_ATTESTATION_BYTES}-byte limit`);
  let json: Json;
  try {
    json = JSON.parse(bytes.toString('utf8')) as Json;
  } catch (e) {
    throw invalid(`the attestation is not JSON: ${(e as Error).message}`);
  }
  if (!isObject(json)) throw invalid('the attestation is not a JSON object');
  if (json.mediaType === undefined && json.payloadType === undefined) throw invalid('neither a Sigstore bundle (mediaType) nor a DSSE envelope (payloadType)');
  if (json.mediaType === undefined) return { form: 'dsse', material: { kind: 'none' }, json, ...openEnvelope(json, MAX_SIGNATURES) };
  if (typeof json.mediaType !== 'string' || !BUNDLE_MEDIA_TYPES.has(json.mediaType)) {
    throw invalid(`unsupported bundle media type ${JSON.stringify(json.mediaType)} (expected ${BUNDLE_MEDIA_TYPE})`);
  }
  if (!isObject(json.dsseEnvelope)) throw invalid('the bundle holds no dsseEnvelope (a message signature is not an attestation)');
  // sigstore_bundle.proto: "the DSSE envelope MUST have exactly one signature".
  return { form: 'bundle', material: materialOf(json.verificationMaterial), json, ...openEnvelope(json.dsseEnvelope, 1) };
}

function openEnvelope(value: Json, maxSignatures: number) {
  let envelope: Envelope;
  try {
    envelope = envelopeFromJson(value);
  } catch (e) {
    if (!(e instanceof EnvelopeError)) throw e;
    throw invalid(`dsse: ${e.message}`);
  }
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw invalid(`payload type ${JSON.stringify(envelope.payloadType)} is not an in-toto statement (${IN_TOTO_PAYLOAD_TYPE})`);
  }
  const count = envelope.signatures.length;
  if (count === 0 || count > maxSignatures) throw invalid(`the envelope has ${count} signatures (expected ${maxSignatures === 1 ? 'exactly 1' : `1 to ${maxSignatures}`})`);
  const payload = decodeBase64(envelope.payload);
  if (payload === undefined) throw invalid('dsse: unable to base64 decode payload');
  const signatures = envelope.signatures.map((s) => {
    const sig = decodeBase64(s.sig);
    if (sig === undefined || sig.length === 0) throw invalid('dsse: a signature is empty or not base64');
    return { keyid: s.keyid, sig };
  });
  return { envelope, payload, signatures };
}

/** `bytes` fields of protobuf JSON: standard or URL-safe base64. */
function bytesField(value: Json | undefined, where: string): Buffer {
  const decoded = typeof value === 'string' ? decodeBase64(value) : undefined;
  if (decoded === undefined || decoded.length === 0) throw invalid(`${where}: not base64 bytes`);
  return decoded;
}

/** Most certificates a chain may hold: real ones have two or three. */
const MAX_CHAIN = 10;

function materialOf(value: Json | undefined): Material {
  if (!isObject(value)) throw invalid('the bundle has no verificationMaterial');
  const logged = Array.isArray(value.tlogEntries) && value.tlogEntries.length > 0;
  const forms = ['publicKey', 'x509CertificateChain', 'certificate'].filter((k) => value[k] !== undefined && value[k] !== null);
  if (forms.length !== 1) throw invalid(`verificationMaterial must hold one of publicKey, x509CertificateChain, certificate (found ${forms.length})`);
  const { publicKey, x509CertificateChain: chain, certificate } = value;
  if (isObject(publicKey)) {
    const hint = typeof publicKey.hint === 'string' && publicKey.hint !== '' ? publicKey.hint : undefined;
    const pem = publicKey.rawBytes === undefined ? undefined : bytesField(publicKey.rawBytes, 'publicKey.rawBytes').toString('latin1');
    return { kind: 'public-key', hint, pem };
  }
  if (isObject(chain)) {
    const list = chain.certificates;
    if (!Array.isArray(list) || list.length === 0 || list.length > MAX_CHAIN) throw invalid(`x509CertificateChain must hold 1 to ${MAX_CHAIN} certificates`);
    const certificates = list.map((c, i) => bytesField(isObject(c) ? c.rawBytes : undefined, `x509CertificateChain.certificates[${i}].rawBytes`));
    return { kind: 'certificates', certificates, logged };
  }
  if (isObject(certificate)) return { kind: 'certificates', certificates: [bytesField(certificate.rawBytes, 'certificate.rawBytes')], logged };
  throw invalid(`verificationMaterial.${forms[0]} is not a JSON object`);
}

/**
 * The DSSE envelope as sylabs/sif writes and reads it (go-securesystemslib
 * dsse): compact JSON in upstream's key order, the pre-authentication
 * encoding (PAE) the signers sign, and Go's base64 and JSON leniencies on read.
 */

/** The payload type of SIF image metadata (sylabs/sif pkg/integrity/dsse.go). */
export const SIF_PAYLOAD_TYPE = 'application/vnd.sylabs.sif-metadata+json';

export interface EnvelopeSignature {
  /** The OpenSSH `SHA256:` key ID of the signer; a hint only, may be empty. */
  readonly keyid: string;
  /** The signature over the PAE, in base64 (as written). */
  readonly sig: string;
}

export interface Envelope {
  readonly payloadType: string;
  /** The payload in base64, as written. */
  readonly payload: string;
  readonly signatures: readonly EnvelopeSignature[];
}

/** Upstream's bytes: `json.Marshal` order, no trailing newline (sylabs/sif ≥ 2.17.1, Apptainer ≥ 1.4). */
export function encodeEnvelope(e: Envelope): Buffer {
  const signatures = e.signatures.map((s) => ({ keyid: s.keyid, sig: s.sig }));
  return Buffer.from(JSON.stringify({ payloadType: e.payloadType, payload: e.payload, signatures }), 'utf8');
}

/** `DSSEv1 SP len(type) SP type SP len(body) SP body`, lengths in bytes. */
export function pae(payloadType: string, body: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${body.length} `), body]);
}

// One character class each, no nested groups: a linear scan even for a payload of megabytes
// (a grouped pattern overflows the regexp engine's stack there).
const STD = /^[A-Za-z0-9+/]*={0,2}$/;
const URL_SAFE = /^[A-Za-z0-9\-_]*={0,2}$/;

/**
 * Go's padded standard base64, else padded URL-safe base64 (go-securesystemslib
 * b64Decode); undefined when neither decodes. Go's decoders skip CR and LF.
 */
export function decodeBase64(text: string): Buffer | undefined {
  const s = text.replace(/[\r\n]/g, '');
  if (s.length % 4 !== 0) return undefined;
  if (STD.test(s)) return Buffer.from(s, 'base64');
  if (URL_SAFE.test(s)) return Buffer.from(s, 'base64'); // reads the URL-safe alphabet too; the web build's `buffer` has no 'base64url'
  return undefined;
}

/** Go folds "K" with the Kelvin sign and "s" with the long s when matching field names. */
const fold = (s: string) => s.toLowerCase().replace(/\u212a/g, 'k').replace(/\u017f/g, 's');

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (v: Json | undefined): v is { [key: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value Go's decoder stores in field `name`: the last key that matches it case-insensitively. */
function goField(o: { [key: string]: Json }, name: string): Json | undefined {
  let value: Json | undefined;
  for (const key of Object.keys(o)) if (fold(key) === fold(name)) value = o[key];
  return value;
}

function parseJson(bytes: Buffer): Json | undefined {
  try {
    return JSON.parse(bytes.toString('utf8')) as Json;
  } catch {
    return undefined;
  }
}

/** The payload type of a JSON object, as Go decodes it; undefined when the bytes are not one. */
export function payloadTypeOf(bytes: Buffer): string | undefined {
  const v = parseJson(bytes);
  const type = isObject(v) ? goField(v, 'payloadType') : undefined;
  return typeof type === 'string' ? type : undefined;
}

/** Why an envelope cannot be decoded, in Go's words where Go has them. */
export class EnvelopeError extends Error {}

/** A string field as Go decodes it: null or absent is "", another type is an error. */
function stringField(o: { [key: string]: Json }, name: string, where: string): string {
  const v = goField(o, name);
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new EnvelopeError(`json: cannot unmarshal ${jsonType(v)} into Go struct field ${where}.${name} of type string`);
  return v;
}

const jsonType = (v: Json) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'object' ? 'object' : typeof v);

/** Parses an envelope as Go's encoding/json fills go-securesystemslib's Envelope. */
export function parseEnvelope(bytes: Buffer): Envelope {
  return envelopeFromJson(parseJson(bytes));
}

/** An envelope from parsed JSON (a bare envelope, or a Sigstore bundle's `dsseEnvelope`), as Go decodes it. */
export function envelopeFromJson(v: Json | undefined): Envelope {
  if (!isObject(v)) throw new EnvelopeError('envelope is not a JSON object');
  const list = goField(v, 'signatures');
  if (list !== undefined && list !== null && !Array.isArray(list)) {
    throw new EnvelopeError(`json: cannot unmarshal ${jsonType(list)} into Go struct field Envelope.signatures of type []dsse.Signature`);
  }
  const signatures = (list ?? []).map((s) => {
    if (s === null) return { keyid: '', sig: '' };
    if (!isObject(s)) throw new EnvelopeError(`json: cannot unmarshal ${jsonType(s)} into Go struct field Envelope.signatures of type dsse.Signature`);
    return { keyid: stringField(s, 'keyid', 'Signature'), sig: stringField(s, 'sig', 'Signature') };
  });
  return { payloadType: stringField(v, 'payloadType', 'Envelope'), payload: stringField(v, 'payload', 'Envelope'), signatures };
}

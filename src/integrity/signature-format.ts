/**
 * The seam between the integrity check and the signature formats, as sylabs/sif
 * keeps clearsign.go and dsse.go behind small encoder/decoder interfaces. The
 * check, the digest requests, the policy and the output see only what is
 * declared in signature.ts: a signature object's payload and the key identity that
 * verified it. A new format is a sibling of pgp/ with a `SignatureFormat`
 * added to FORMATS below.
 */
import { PGP_CLEARSIGN } from './pgp/format.js';
import type { OpenedSignature, SignatureDecoder } from './signature.js';

export type SignatureFormatName = 'pgp' | 'dsse';

/** The signature formats, in the order the reference sniffs them (sylabs/sif ≥ 2.9 Verify). */
const FORMATS: readonly { readonly name: SignatureFormatName; readonly decoder: SignatureDecoder | undefined; readonly is: (b: Buffer) => boolean }[] = [
  // No DSSE decoder yet: recognised so that it is reported as such, not as "format not recognized".
  { name: 'dsse', decoder: undefined, is: isDsseEnvelope },
  { name: 'pgp', decoder: PGP_CLEARSIGN, is: () => true },
];

export type SniffedSignature =
  | { readonly format: SignatureFormatName; readonly opened: OpenedSignature | undefined }
  | undefined;

/**
 * The one place a signature object's format is decided: the first format that
 * claims the bytes, with its opened signature (undefined when this build has
 * no decoder for it), or undefined when no format does.
 */
export function sniffSignature(object: Buffer): SniffedSignature {
  for (const f of FORMATS) {
    if (!f.is(object)) continue;
    if (f.decoder === undefined) return { format: f.name, opened: undefined };
    const opened = f.decoder.open(object);
    if (opened !== undefined) return { format: f.name, opened };
  }
  return undefined;
}

const DSSE_PAYLOAD_TYPE = 'application/vnd.sylabs.sif-metadata+json';

/** A DSSE envelope (sif ≥ 2.9) carrying SIF metadata; checked with PEM keys, not PGP. */
export function isDsseEnvelope(bytes: Buffer): boolean {
  try {
    const v = JSON.parse(bytes.toString('utf8')) as { payloadType?: unknown } | null;
    return typeof v === 'object' && v !== null && v.payloadType === DSSE_PAYLOAD_TYPE;
  } catch {
    return false;
  }
}

/**
 * The seam between the integrity check and the signature formats, as sylabs/sif
 * keeps clearsign.go and dsse.go behind small encoder/decoder interfaces. The
 * check, the digest requests, the policy and the output see only what is
 * declared in signature.ts: a signature object's payload and the key identity that
 * verified it. A new format is a sibling of pgp/ and dsse/ with a `SignatureFormat`
 * added to FORMATS below.
 */
import { DSSE_ENVELOPE } from './dsse/format.js';
import { payloadTypeOf, SIF_PAYLOAD_TYPE } from './dsse/envelope.js';
import { PGP_CLEARSIGN } from './pgp/format.js';
import type { OpenedSignature, SignatureDecoder } from './signature.js';

export type SignatureFormatName = 'pgp' | 'dsse';

/** The signature formats, in the order the reference sniffs them (sylabs/sif ≥ 2.9 Verify). */
const FORMATS: readonly { readonly name: SignatureFormatName; readonly decoder: SignatureDecoder; readonly is: (b: Buffer) => boolean }[] = [
  { name: 'dsse', decoder: DSSE_ENVELOPE, is: isDsseEnvelope },
  { name: 'pgp', decoder: PGP_CLEARSIGN, is: () => true },
];

export type SniffedSignature = { readonly format: SignatureFormatName; readonly opened: OpenedSignature } | undefined;

/**
 * The one place a signature object's format is decided: the first format that
 * claims the bytes and opens them, or undefined when none does.
 */
export function sniffSignature(object: Buffer): SniffedSignature {
  for (const f of FORMATS) {
    if (!f.is(object)) continue;
    const opened = f.decoder.open(object);
    if (opened !== undefined) return { format: f.name, opened };
  }
  return undefined;
}

/** A DSSE envelope (sif ≥ 2.9) carrying SIF metadata: JSON whose payloadType, as Go decodes it, is SIF's. */
export function isDsseEnvelope(bytes: Buffer): boolean {
  return payloadTypeOf(bytes) === SIF_PAYLOAD_TYPE;
}

/**
 * The seam between the integrity check and the signature formats, as sylabs/sif
 * keeps clearsign.go and dsse.go behind small encoder/decoder interfaces. The
 * check, the digest requests, the policy and the output see only what is
 * declared here: a signature object's payload and the key identity that
 * verified it. A new format is a sibling of pgp/ with a `SignatureFormat`
 * added to FORMATS below.
 */
import type { NotValidReason } from './errors.js';
import type { KeySource, VerificationKey } from './keyset.js';
import { PGP_CLEARSIGN } from './pgp/format.js';

/** The key identity that verified a signature's maths. */
export interface Signer {
  /** Upper-case 40-hex primary-key fingerprint. */
  readonly fingerprint: string;
  /** Upper-case 16-hex ID of the key (primary or subkey) that made the signature. */
  readonly keyId: string;
  /** The primary User ID ("Name (Comment) <email>"), when the key has one. */
  readonly name: string | undefined;
  /**
   * [GLOBAL] when the global keyring holds the key, else [LOCAL] when a local
   * one does, else [REMOTE]: as Apptainer, "holds" means its primary key may
   * sign there, so a key that signs only with a subkey is [REMOTE].
   */
  readonly source: KeySource | 'remote';
  /** A local keyring (keysdir or --keyring) holds the key, as for `source`: Apptainer's KeyLocal. */
  readonly local: boolean;
}

/** Why a decoder refused a signature; the check turns it into the reference's error. */
export interface DecodeFailure {
  readonly kind: NotValidReason | 'unknown-signer';
  /** What went wrong, for "signature object N not valid: <reason>". */
  readonly reason: string;
  /** Upper-case hex ID of the key the signature names, when it names one. */
  readonly keyId?: string | undefined;
}

/** The outcome of checking one signature object against the trust material. */
export interface DecodedSignature {
  /** Set when a key verified the signature maths, even if a later rule (expiry, revocation) failed. */
  readonly signer: Signer | undefined;
  readonly failure: DecodeFailure | undefined;
}

/** One signature object in a recognised format, not yet verified. */
export interface OpenedSignature {
  /** The signed payload, unverified: for selecting legacy signatures and prefetching digests only. */
  readonly payload: Buffer;
  /** Checks the signature with `keys`, judging key validity at `now`; never throws for a bad signature. */
  verify(keys: readonly VerificationKey[], now: Date): Promise<DecodedSignature>;
}

export interface SignatureDecoder {
  /** The object opened in this format, or undefined when the bytes are not in it. */
  open(object: Buffer): OpenedSignature | undefined;
}

/** A signature made by an encoder: the object's bytes and the HashType code it records. */
export interface EncodedSignature {
  readonly bytes: Buffer;
  readonly hashType: number;
}

export interface SignatureEncoder {
  /** Signs the encoded image metadata. */
  sign(metadata: string): Promise<EncodedSignature>;
}

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

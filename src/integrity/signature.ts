/**
 * The types of the seam between the integrity check and the signature formats
 * (signature-format.ts): what a decoder and an encoder are, and the key
 * identity a verified signature names. Kept apart from the format list so that
 * a format module can implement them without importing the list that names it.
 */
import type { NotValidReason } from './errors.js';
import type { KeySource, TrustKey } from './trust.js';

/** The key identity that verified a signature's maths: a PGP key or a public key (DSSE). */
export type Signer = PgpSigner | KeySigner;

/** The PGP key that verified a clear-signed signature. */
export interface PgpSigner {
  readonly kind: 'pgp';
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

/** The public key (trust.ts PublicKeyMaterial) that verified a DSSE signature. */
export interface KeySigner {
  readonly kind: 'key';
  /** The OpenSSH `SHA256:` key ID of the key. */
  readonly keyId: string;
  /** The key ID for a bare key, the certificate subject for a certificate. */
  readonly identity: string;
  /** The file the key was read from. */
  readonly path: string;
  /** Key IDs of every trusted key that verified one of the envelope's signatures, in envelope order. */
  readonly keyIds: readonly string[];
}

/** Why a decoder refused a signature; the check turns it into the reference's error. */
export interface DecodeFailure {
  readonly kind: NotValidReason | 'unknown-signer' | 'no-key-material';
  /** What went wrong, for "signature object N not valid: <reason>". */
  readonly reason: string;
  /** Upper-case hex ID of the key the signature names, when it names one. */
  readonly keyId?: string | undefined;
  /** The reference's whole text for an unknown signer, when it has one (DSSE); else ours names the key. */
  readonly message?: string;
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
  verify(keys: readonly TrustKey[], now: Date): Promise<DecodedSignature>;
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

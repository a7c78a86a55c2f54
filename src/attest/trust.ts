/**
 * What an attestation's verifier is told to trust (keys, an X.509 PKI, or a
 * Sigstore trusted root for keyless bundles), and whom it reports as signer.
 */
import type { PublicKeyMaterial } from '../integrity/trust.js';
import type { Certificate } from '../integrity/x509/certificate.js';

export interface KeylessTrust {
  /** A parsed `trusted_root.json` (application/vnd.dev.sigstore.trustedroot+json). */
  readonly trustedRoot: unknown;
  /** The certificate's subject alternative name (an e-mail address or URI), exactly. */
  readonly identity: string;
  /** The OIDC issuer recorded in the certificate, exactly. */
  readonly issuer: string;
}

export interface X509Trust {
  /** The signing certificate given out of band (`--certificate`); default the bundle's leaf. */
  readonly certificate?: Certificate;
  /** Added to the bundle's own chain certificates. */
  readonly intermediates: readonly Certificate[];
  readonly roots: readonly Certificate[];
  /** The verification time; now by default. */
  readonly now?: Date;
}

/** Exactly one kind of trust, as the CLI's flags give it. */
export type AttestationTrust =
  | { readonly kind: 'keys'; readonly keys: readonly PublicKeyMaterial[] }
  | { readonly kind: 'x509'; readonly x509: X509Trust }
  | { readonly kind: 'keyless'; readonly keyless: KeylessTrust };

export interface AttestationSigner {
  readonly kind: 'key' | 'certificate' | 'keyless';
  /** The key's file, the certificate subject, or the keyless identity (SAN) and issuer. */
  readonly identity: string;
  /** Hex SHA-256 of the signing key's PEM (the bundle hint); empty for keyless. */
  readonly keyId: string;
}


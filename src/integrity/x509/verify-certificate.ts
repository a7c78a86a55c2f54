/**
 * The front door of certificate trust, what `--certificate` does in
 * Apptainer's getOpts: verify the chain at a time, optionally ask OCSP, and
 * hand back the leaf's public key, which then verifies DSSE signatures like
 * any `--key`. Pure: roots, time and the OCSP transport are given.
 */
import { CertificateError } from '../../errors.js';
import type { Certificate } from './certificate.js';
import { verifyChain } from './chain.js';
import { checkRevocation, type OcspTransport } from './ocsp-check.js';

export interface CertificateTrustOptions {
  /** The signing certificate (`--certificate`). */
  readonly certificate: Certificate;
  /** Certificates that may link it to a root (`--certificate-intermediates`). */
  readonly intermediates?: readonly Certificate[];
  /** Trust anchors (`--certificate-roots`; the CLI's default is `systemRoots()`). */
  readonly roots: readonly Certificate[];
  /** The verification time; now by default. */
  readonly now?: Date;
  /** When given, every certificate of the chain is checked with its OCSP responder (`--ocsp-verify`). */
  readonly ocsp?: OcspTransport;
}

export interface TrustedCertificate {
  readonly certificate: Certificate;
  /** The first verified chain, leaf first. */
  readonly chain: readonly Certificate[];
  /** DER SubjectPublicKeyInfo of the certificate: the DSSE verification key. */
  readonly publicKeyInfo: Uint8Array;
  /** The certificate subject, Go's form (`CN=leaf,O=Apptainer,C=US`): the identity reported for its signatures. */
  readonly subject: string;
}

/** Verifies the certificate's chain (and revocation); throws a CertificateError otherwise. */
export async function trustCertificate(options: CertificateTrustOptions): Promise<TrustedCertificate> {
  const now = options.now ?? new Date();
  const chains = await verifyChain(options.certificate, { intermediates: options.intermediates ?? [], roots: options.roots, now });
  if (options.ocsp) {
    if (chains.length !== 1) throw new CertificateError('SIF_OCSP_FAILED', `unhandled OCSP condition, chain length ${chains.length} != 1`);
    await checkRevocation(chains[0]!, { transport: options.ocsp, now: options.now });
  }
  const certificate = options.certificate;
  return { certificate, chain: chains[0]!, publicKeyInfo: certificate.publicKeyInfo, subject: certificate.subject };
}

/**
 * `--certificate` as trust material: reads the certificate and pool files,
 * verifies the chain (system roots by default, OCSP over HTTP when asked) and
 * turns the leaf's key into one more DSSE public key whose reported identity
 * is the certificate subject. Node only (files, system roots).
 */
import { createPublicKey } from 'node:crypto';
import { readBounded } from '../../bounded-read.js';
import { fromSystemError, KeyError } from '../../errors.js';
import { sshKeyId } from '../dsse/key-id.js';
import type { PublicKeyMaterial } from '../trust.js';
import type { OcspTransport } from './ocsp-check.js';
import { httpOcspTransport } from './ocsp-transport.js';
import { certificatesFromPem, firstCertificateFromPem } from './pem.js';
import { systemRoots } from './system-roots.js';
import { trustCertificate } from './verify-certificate.js';

export interface CertificateKeyOptions {
  /** PEM file of the signing certificate (its first block). */
  readonly certificate: string;
  /** PEM file of intermediate certificates. */
  readonly intermediates?: string;
  /** PEM file of root certificates; default the system roots. */
  readonly roots?: string;
  /** Check revocation with each certificate's OCSP responder. */
  readonly ocsp?: boolean;
  /** The verification time; now by default. */
  readonly now?: Date;
  /** How OCSP requests travel; default HTTP POST with a 10 s timeout. */
  readonly ocspTransport?: OcspTransport;
}

/** Largest certificate or pool file read: a system bundle is ~200 KiB. */
const MAX_PEM_FILE = 4 << 20;

/** Verifies the certificate's chain now and returns its public key as DSSE trust material. */
export async function loadCertificateKey(options: CertificateKeyOptions): Promise<PublicKeyMaterial> {
  const certificate = await readPemFile(options.certificate, firstCertificateFromPem);
  const intermediates = options.intermediates ? await readPemFile(options.intermediates, certificatesFromPem) : [];
  const roots = options.roots ? await readPemFile(options.roots, certificatesFromPem) : systemRoots();
  const ocsp = options.ocsp ? (options.ocspTransport ?? httpOcspTransport()) : undefined;
  const trusted = await trustCertificate({ certificate, intermediates, roots, now: options.now, ocsp });
  let publicKey;
  try {
    publicKey = createPublicKey({ key: Buffer.from(trusted.publicKeyInfo), format: 'der', type: 'spki' });
  } catch (e) {
    throw new KeyError('SIF_KEY_INVALID', `${options.certificate}: cannot use the certificate's public key: ${(e as Error).message}`, { cause: e });
  }
  return { publicKey, keyId: sshKeyId(publicKey), identity: trusted.subject, path: options.certificate };
}

/** Reads a PEM file (bounded) and parses it with `read`; a parse failure is a KeyError naming the file. */
export async function readPemFile<T>(path: string, read: (text: string) => T): Promise<T> {
  let text: string;
  try {
    const tooLarge = () => new KeyError('SIF_KEY_INVALID', `${path}: too large for a PEM certificate file (over ${MAX_PEM_FILE} bytes)`);
    text = (await readBounded(path, MAX_PEM_FILE, tooLarge)).toString('latin1');
  } catch (e) {
    throw fromSystemError(e, path);
  }
  try {
    return read(text);
  } catch (e) {
    throw new KeyError('SIF_KEY_INVALID', `${path}: ${(e as Error).message}`, { cause: e });
  }
}

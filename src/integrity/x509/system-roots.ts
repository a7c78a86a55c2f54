/**
 * The system's trust anchors, the default of `--certificate-roots`, found
 * where Go 1.19 looks on Linux (crypto/x509/root_linux.go): $SSL_CERT_FILE or
 * the first distribution bundle that exists, else every file of
 * $SSL_CERT_DIR or the distribution folders. As Go's AppendCertsFromPEM, a
 * block that does not parse is skipped. Node only.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CertificateError } from '../../errors.js';
import { parseCertificate, type Certificate } from './certificate.js';
import { pemBlocks } from './pem.js';

const BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt', // Debian, Ubuntu, Gentoo
  '/etc/pki/tls/certs/ca-bundle.crt', // Fedora, RHEL 6
  '/etc/ssl/ca-bundle.pem', // OpenSUSE
  '/etc/pki/tls/cacert.pem', // OpenELEC
  '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem', // CentOS, RHEL 7
  '/etc/ssl/cert.pem', // Alpine
];
const FOLDERS = ['/etc/ssl/certs', '/etc/pki/tls/certs'];

export function systemRoots(env: NodeJS.ProcessEnv = process.env): Certificate[] {
  const bundle = env.SSL_CERT_FILE ?? BUNDLES.find((f) => existsSync(f));
  const files = bundle && existsSync(bundle) ? [bundle] : folderFiles(env.SSL_CERT_DIR?.split(':') ?? FOLDERS);
  const roots = files.flatMap((f) => certificatesIn(readFileSync(f, 'latin1')));
  if (roots.length === 0) throw new CertificateError('SIF_CERTIFICATE_UNTRUSTED', 'x509: failed to load system roots and no roots provided');
  return roots;
}

function folderFiles(folders: readonly string[]): string[] {
  return folders.filter((d) => existsSync(d)).flatMap((d) =>
    readdirSync(d)
      .map((f) => join(d, f))
      .filter((f) => statSync(f, { throwIfNoEntry: false })?.isFile()),
  );
}

function certificatesIn(text: string): Certificate[] {
  const certs: Certificate[] = [];
  for (const block of pemBlocks(text)) {
    if (block.type !== 'CERTIFICATE') continue;
    try {
      certs.push(parseCertificate(block.der));
    } catch {
      // Go's AppendCertsFromPEM skips a certificate it cannot parse.
    }
  }
  return certs;
}

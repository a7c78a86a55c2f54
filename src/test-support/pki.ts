/**
 * Throwaway X.509 hierarchies made with openssl for chain and OCSP tests:
 * each certificate is described by its issuer, key type and extension lines,
 * so a test reads as the chain it builds (no EKU, CA:FALSE, pathlen…).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type KeyType = 'ec' | 'rsa' | 'ed25519';

export interface CertSpec {
  /** The CN, and the file names (`NAME.pem`, `NAME.key`). */
  readonly name: string;
  /** The CN of the issuing certificate made before; self-signed when absent. */
  readonly issuer?: string;
  readonly key?: KeyType;
  /** An existing private key file to certify instead of a new key of type `key`. */
  readonly keyFile?: string;
  /** Lines of an openssl x509v3 extension section, e.g. `basicConstraints=critical,CA:TRUE`; none makes a v1 certificate. */
  readonly extensions: readonly string[];
  /** Validity from now; negative makes a certificate whose notAfter is before its notBefore (never valid). */
  readonly days?: number;
  /** Default 100 + its index; may be negative (Go accepts such serials). */
  readonly serial?: number;
  /** The subject in openssl's form; default `/C=US/O=sif tests/CN=NAME`. */
  readonly subject?: string;
  /** openssl -sigopt values for the issuer's signature, e.g. `rsa_padding_mode:pss`. */
  readonly sigopts?: readonly string[];
  /** The issuer's digest (openssl's -sha256, -sha1 …); openssl's default when absent. */
  readonly digest?: string;
}

/** The extension lines of a CA that may sign certificates (and OCSP-checkable when `ocsp` is given). */
export function caExtensions(options: { pathlen?: number; ocsp?: string } = {}): string[] {
  const pathlen = options.pathlen === undefined ? '' : `,pathlen:${options.pathlen}`;
  return [
    `basicConstraints=critical,CA:TRUE${pathlen}`,
    'keyUsage=critical,keyCertSign,cRLSign',
    'subjectKeyIdentifier=hash',
    'authorityKeyIdentifier=keyid',
    ...(options.ocsp ? [`authorityInfoAccess=OCSP;URI:${options.ocsp}`] : []),
  ];
}

/** A code-signing leaf; `eku` replaces the EKU line (empty string: none). */
export function leafExtensions(options: { eku?: string; ocsp?: string } = {}): string[] {
  const eku = options.eku ?? 'codeSigning';
  return [
    'keyUsage=critical,digitalSignature',
    'authorityKeyIdentifier=keyid',
    ...(eku ? [`extendedKeyUsage=${eku}`] : []),
    ...(options.ocsp ? [`authorityInfoAccess=OCSP;URI:${options.ocsp}`] : []),
  ];
}

const KEY_ARGS: Readonly<Record<KeyType, string[]>> = {
  ec: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  rsa: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
  ed25519: ['-algorithm', 'ED25519'],
};

/** Makes the certificates in order in `dir`; returns the path of each PEM certificate by name. */
export function makePki(dir: string, specs: readonly CertSpec[]): Record<string, string> {
  const paths: Record<string, string> = {};
  mkdirSync(dir, { recursive: true });
  specs.forEach((spec, i) => {
    const key = spec.keyFile ?? join(dir, `${spec.name}.key`);
    const csr = join(dir, `${spec.name}.csr`);
    const ext = join(dir, `${spec.name}.ext`);
    const cert = join(dir, `${spec.name}.pem`);
    if (!spec.keyFile) openssl(['genpkey', ...KEY_ARGS[spec.key ?? 'ec'], '-out', key]);
    openssl(['req', '-new', '-key', key, '-subj', spec.subject ?? `/C=US/O=sif tests/CN=${spec.name}`, '-out', csr]);
    writeFileSync(ext, `[v3]\n${spec.extensions.join('\n')}\n`);
    const extensions = spec.extensions.length > 0 ? ['-extfile', ext, '-extensions', 'v3'] : [];
    const sigopts = [...(spec.sigopts ?? []).flatMap((o) => ['-sigopt', o]), ...(spec.digest ? [`-${spec.digest}`] : [])];
    const signer = spec.issuer ? ['-CA', join(dir, `${spec.issuer}.pem`), '-CAkey', join(dir, `${spec.issuer}.key`)] : ['-signkey', key];
    const serial = String(spec.serial ?? 100 + i);
    openssl(['x509', '-req', '-in', csr, ...signer, '-set_serial', serial, '-days', String(spec.days ?? 30), ...extensions, ...sigopts, '-out', cert]);
    paths[spec.name] = cert;
  });
  return paths;
}

/** Concatenates PEM files into one pool file. */
export function poolFile(path: string, members: readonly string[]): string {
  writeFileSync(path, members.map((m) => readFileSync(m, 'utf8')).join(''));
  return path;
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

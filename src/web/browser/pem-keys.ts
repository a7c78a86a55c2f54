/**
 * PEM trust material for DSSE signatures in the web page, loaded on demand:
 * public keys (PKIX `PUBLIC KEY`, PKCS#1 `RSA PUBLIC KEY`, as `sif verify
 * --key` reads them) and a signing certificate whose chain is verified with
 * the intermediates and roots given (as `--certificate
 * --certificate-intermediates --certificate-roots`; the page has no system
 * roots and asks no OCSP responder). Keys become WebCrypto keys, which
 * platform/dsse-algorithms.ts checks signatures with; their key IDs are the
 * CLI's (ssh-wire.ts).
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { KeyError } from '../../errors.js';
import { sshKeyIdOf, sshWireKey, type PublicJwk } from '../../integrity/dsse/ssh-wire.js';
import type { PublicKeyMaterial } from '../../integrity/trust.js';
import type { Certificate } from '../../integrity/x509/certificate.js';
import { certificatesFromPem, firstCertificateFromPem, pemBlocks as derBlocks } from '../../integrity/x509/pem.js';
import { trustCertificate } from '../../integrity/x509/verify-certificate.js';

/** A DSSE public key in the browser: what dsse-algorithms.ts verifies with. */
export type WebPublicKey =
  | { readonly type: 'ed25519' | 'rsa'; readonly key: CryptoKey }
  | { readonly type: 'ec'; readonly curve: 'P-256' | 'P-384' | 'P-521'; readonly key: CryptoKey };

/** A PEM file given to the page: its text and the name messages give it. */
export interface PemFile {
  readonly text: string;
  readonly name: string;
}

/** The certificate pools a signing certificate's chain is built from. */
export interface CertificatePools {
  readonly intermediates?: readonly PemFile[];
  readonly roots?: readonly PemFile[];
}

/** The PEM labels read: `sif verify --key` files and `--certificate`. */
const PEM_KEY_LABELS: ReadonlySet<string> = new Set(['PUBLIC KEY', 'RSA PUBLIC KEY', 'CERTIFICATE']);

const CURVES: Readonly<Record<string, 'P-256' | 'P-384' | 'P-521'>> = { '1.2.840.10045.3.1.7': 'P-256', '1.3.132.0.34': 'P-384', '1.3.132.0.35': 'P-521' };
const RSA = '1.2.840.113549.1.1.1';
const EC = '1.2.840.10045.2.1';
const ED25519 = '1.3.101.112';

/**
 * The trust material of `file`'s first PEM block: a public key, or a
 * certificate whose chain verifies with `pools` (a KeyError or
 * CertificateError otherwise, naming the file as the CLI does).
 */
export async function readPemKey(file: PemFile, pools: CertificatePools = {}): Promise<PublicKeyMaterial> {
  const block = derBlocks(file.text)[0];
  if (!block || !PEM_KEY_LABELS.has(block.type)) {
    throw new KeyError('SIF_KEY_INVALID', `${file.name}: unknown Public key PEM file type: ${block?.type ?? ''}. Are you passing the correct public key?`);
  }
  if (block.type === 'CERTIFICATE') return certificateKey(file, pools);
  const spki = block.type === 'RSA PUBLIC KEY' ? rsaSpki(block.der) : block.der;
  const publicKey = await importSpki(spki, file.name, 'cannot read the public key');
  const keyId = await keyIdOf(publicKey);
  return material(publicKey, keyId, keyId, file.name);
}

/** As the CLI's loadCertificateKey: the chain verified now, the leaf's key under its subject. */
async function certificateKey(file: PemFile, pools: CertificatePools): Promise<PublicKeyMaterial> {
  const certificate = parsePem(file, firstCertificateFromPem);
  const intermediates = (pools.intermediates ?? []).flatMap((f) => parsePem(f, certificatesFromPem));
  const roots = (pools.roots ?? []).flatMap((f) => parsePem(f, certificatesFromPem));
  if (roots.length === 0) {
    throw new KeyError('SIF_KEY_INVALID', `${file.name}: no root certificates given: the web page has no system roots; give the chain's roots (as --certificate-roots)`);
  }
  const trusted = await trustCertificate({ certificate, intermediates, roots });
  const publicKey = await importSpki(trusted.publicKeyInfo, file.name, "cannot use the certificate's public key");
  return material(publicKey, await keyIdOf(publicKey), trusted.subject, file.name);
}

/** Trust material around a WebCrypto key: trust.ts types the key as node:crypto's, which the web build's dsse-algorithms.ts stands in for. */
const material = (publicKey: WebPublicKey, keyId: string, identity: string, path: string): PublicKeyMaterial => ({ publicKey: publicKey as never, keyId, identity, path });

/** As the CLI's readPemFile: a parse failure is a KeyError naming the file. */
function parsePem<T extends Certificate | Certificate[]>(file: PemFile, read: (text: string) => T): T {
  try {
    return read(file.text);
  } catch (e) {
    throw new KeyError('SIF_KEY_INVALID', `${file.name}: ${(e as Error).message}`, { cause: e });
  }
}

/** A PKCS#1 RSAPublicKey wrapped in a SubjectPublicKeyInfo (rsaEncryption, NULL parameters). */
function rsaSpki(pkcs1: Uint8Array): Uint8Array {
  const info = new pkijs.PublicKeyInfo({
    algorithm: new pkijs.AlgorithmIdentifier({ algorithmId: RSA, algorithmParams: new asn1js.Null() }),
    subjectPublicKey: new asn1js.BitString({ valueHex: pkcs1 }),
  });
  return new Uint8Array(info.toSchema().toBER(false));
}

/** Imports a DER SubjectPublicKeyInfo for verification: Ed25519, RSA (PKCS#1 v1.5, SHA-256), ECDSA P-256/P-384/P-521. */
async function importSpki(der: Uint8Array, name: string, what: string): Promise<WebPublicKey> {
  const spki = new Uint8Array(der); // an ArrayBuffer-backed copy, as pkijs's and WebCrypto's types ask
  let algorithm: string;
  let params: asn1js.AsnType | undefined;
  try {
    const info = pkijs.PublicKeyInfo.fromBER(spki);
    algorithm = info.algorithm.algorithmId;
    params = info.algorithm.algorithmParams as asn1js.AsnType | undefined;
  } catch (e) {
    throw new KeyError('SIF_KEY_INVALID', `${name}: ${what}: ${(e as Error).message}`, { cause: e });
  }
  const curve = algorithm === EC && params instanceof asn1js.ObjectIdentifier ? CURVES[params.getValue()] : undefined;
  const imported = (alg: AlgorithmIdentifier | EcKeyImportParams | RsaHashedImportParams) =>
    crypto.subtle.importKey('spki', spki, alg, true, ['verify']).catch((e: unknown) => {
      throw new KeyError('SIF_KEY_INVALID', `${name}: ${what}: ${(e as Error).message}`, { cause: e });
    });
  if (algorithm === ED25519) return { type: 'ed25519', key: await imported('Ed25519') };
  if (algorithm === RSA) return { type: 'rsa', key: await imported({ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }) };
  if (curve) return { type: 'ec', curve, key: await imported({ name: 'ECDSA', namedCurve: curve }) };
  throw new KeyError('SIF_KEY_INVALID', `${name}: unsupported key type ${algorithm}: DSSE keys are Ed25519, ECDSA P-256/P-384/P-521 or RSA`);
}

/** The OpenSSH `SHA256:` key ID, as the CLI computes it. */
async function keyIdOf(key: WebPublicKey): Promise<string> {
  const wire = sshWireKey((await crypto.subtle.exportKey('jwk', key.key)) as PublicJwk, key.type);
  return sshKeyIdOf(new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(wire))));
}

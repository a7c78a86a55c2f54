/**
 * Checks an attestation (a Sigstore bundle or a bare DSSE envelope) and
 * returns the in-toto statement it signs and who signed it, without looking
 * at any artifact: matching the subjects is the caller's step
 * (subjects.ts for images). Keys, certificates and keyless trust are given.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { CertificateError, KeyError, SignatureError, type CertificateCode } from '../errors.js';
import { pae } from '../integrity/dsse/envelope.js';
import { parseCertificate } from '../integrity/x509/certificate.js';
import { trustCertificate } from '../integrity/x509/verify-certificate.js';
import { readAttestation, type Attestation } from './bundle.js';
import { keyHint } from './key-hint.js';
import { paeCompat } from './pae-compat.js';
import { parseStatement, type Statement } from './statement.js';
import type { AttestationSigner, AttestationTrust, X509Trust } from './trust.js';

export type { AttestationSigner, AttestationTrust, KeylessTrust, X509Trust } from './trust.js';

export interface VerifiedAttestation {
  readonly form: 'bundle' | 'dsse';
  readonly statement: Statement;
  readonly signer: AttestationSigner;
}

/** Verifies the signature of an attestation file's bytes, then reads its statement. */
export async function verifyAttestation(bytes: Buffer, trust: AttestationTrust): Promise<VerifiedAttestation> {
  const attestation = readAttestation(bytes);
  const signer = await checkSigner(attestation, trust);
  return { form: attestation.form, statement: parseStatement(attestation.payload), signer };
}

async function checkSigner(a: Attestation, trust: AttestationTrust): Promise<AttestationSigner> {
  switch (trust.kind) {
    case 'keyless': {
      if (a.form !== 'bundle' || a.material.kind !== 'certificates') {
        throw new KeyError('SIF_NO_KEY_MATERIAL', 'keyless verification (--trusted-root) needs a Sigstore bundle with a certificate');
      }
      const { verifyKeyless } = await import('./keyless.js');
      return verifyKeyless(a.json, trust.keyless);
    }
    case 'x509':
      return verifyWith(a, [await certificateKey(a, trust.x509)], false);
    case 'keys':
      return verifyWith(a, trust.keys.map((k) => ({ publicKey: k.publicKey, signer: { kind: 'key', identity: k.path ?? k.identity, keyId: keyHint(k.publicKey) }, sshKeyId: k.keyId })), true);
  }
}

interface Candidate {
  readonly publicKey: KeyObject;
  readonly signer: AttestationSigner;
  /** The OpenSSH key ID, a second name an envelope's keyid may use. */
  readonly sshKeyId?: string;
}

/** The signing certificate (given, else the bundle's leaf), once its chain verifies. */
async function certificateKey(a: Attestation, x509: X509Trust): Promise<Candidate> {
  const carried = a.material.kind === 'certificates' ? a.material.certificates.map((der) => parseCertificate(der)) : [];
  const certificate = x509.certificate ?? carried[0];
  if (certificate === undefined) throw new KeyError('SIF_NO_KEY_MATERIAL', 'key material not provided: the attestation carries no certificate; give --key or --certificate');
  const trusted = await trustCertificate({ certificate, intermediates: [...x509.intermediates, ...carried.slice(1)], roots: x509.roots, now: x509.now }).catch((e: unknown) => {
    // A Fulcio certificate lives minutes and chains to no PKI's roots: say what would check it.
    if (a.material.kind === 'certificates' && a.material.logged && e instanceof CertificateError) {
      throw new CertificateError(e.code as CertificateCode, `${e.message} (a keyless bundle is checked with --trusted-root, --identity and --identity-provider)`, { cause: e });
    }
    throw e;
  });
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: Buffer.from(trusted.publicKeyInfo), format: 'der', type: 'spki' });
    /* c8 ignore next 3 -- pkijs read the key and the chain verified; only a key type OpenSSL cannot load gets here */
  } catch (e) {
    throw new KeyError('SIF_KEY_INVALID', `cannot use the certificate's public key: ${(e as Error).message}`, { cause: e });
  }
  return { publicKey, signer: { kind: 'certificate', identity: trusted.subject, keyId: keyHint(publicKey) } };
}

/**
 * The first candidate whose signature holds. Among keys, only those the file's
 * hints (or the key it carries) name are tried; a verified certificate is the
 * signer whatever the hints say.
 */
async function verifyWith(a: Attestation, candidates: readonly Candidate[], byHint: boolean): Promise<AttestationSigner> {
  const { verifyMessage } = await import('../integrity/dsse/algorithms.js');
  // Sigstore and model_signing hash ECDSA by curve (P-384: SHA-384); sigstore-js signs SHA-256 on every curve: either holds.
  const holds = (key: KeyObject, message: Buffer, sig: Buffer) =>
    verifyMessage(key, message, sig, 'by-curve') || (key.asymmetricKeyType === 'ec' && verifyMessage(key, message, sig, 'sha256'));
  const hints = new Set<string | undefined>(byHint ? [a.material.kind === 'public-key' ? a.material.hint : undefined, ...a.signatures.map((s) => s.keyid)].filter((h) => h !== undefined && h !== '') : []);
  const embedded = byHint && a.material.kind === 'public-key' && a.material.pem !== undefined ? spkiOfPem(a.material.pem) : undefined;
  const fits = (c: Candidate) =>
    embedded !== undefined ? spkiOf(c.publicKey).equals(embedded) : hints.size === 0 || hints.has(c.signer.keyId) || (c.sshKeyId !== undefined && hints.has(c.sshKeyId));
  // model_signing 0.2 signed a malformed PAE (pae-compat.ts); its verifiers still accept it.
  const messages = [pae(a.envelope.payloadType, a.payload), paeCompat(a.envelope.payloadType, a.payload)];
  let tried = false;
  for (const { sig } of a.signatures) {
    for (const c of candidates.filter(fits)) {
      tried = true;
      if (messages.some((m) => holds(c.publicKey, m, sig))) return c.signer;
    }
  }
  if (!tried) {
    const named = embedded !== undefined ? 'the public key in the bundle' : `key ${[...hints].join(', ')}`;
    throw new SignatureError('SIF_UNKNOWN_SIGNER', `the attestation is signed by ${named}; no such key given`, { reason: 'unknown-signer' });
  }
  throw new SignatureError('SIF_SIGNATURE_INVALID', 'the attestation signature does not verify: signature verification failed', { reason: 'bad-signature' });
}

const spkiOf = (key: KeyObject) => key.export({ type: 'spki', format: 'der' });

/** DER SubjectPublicKeyInfo of the PEM text a bundle carries; an unreadable one is refused. */
function spkiOfPem(pem: string): Buffer {
  try {
    return spkiOf(createPublicKey(pem));
  } catch (e) {
    throw new SignatureError('SIF_ATTESTATION_INVALID', `the bundle's public key cannot be read: ${(e as Error).message.split('\n')[0]}`, { reason: 'unsupported-envelope', cause: e });
  }
}

/**
 * Checks one X.509 or OCSP signature over raw signed bytes with WebCrypto, so
 * the same code runs in a browser. The algorithms are the ones Go's
 * crypto/x509 accepts (checkSignature with SHA-1 refused): RSA PKCS#1 v1.5 and
 * PSS, ECDSA and Ed25519. Failures are Go's messages, returned, never thrown.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

type Hash = 'SHA-256' | 'SHA-384' | 'SHA-512';
type Scheme = { kind: 'rsa'; hash: Hash; name: string } | { kind: 'pss'; name: string } | { kind: 'ecdsa'; hash: Hash; name: string } | { kind: 'ed25519'; name: string };

const SCHEMES: Readonly<Record<string, Scheme>> = {
  '1.2.840.113549.1.1.11': { kind: 'rsa', hash: 'SHA-256', name: 'SHA256-RSA' },
  '1.2.840.113549.1.1.12': { kind: 'rsa', hash: 'SHA-384', name: 'SHA384-RSA' },
  '1.2.840.113549.1.1.13': { kind: 'rsa', hash: 'SHA-512', name: 'SHA512-RSA' },
  '1.2.840.113549.1.1.10': { kind: 'pss', name: 'RSASSA-PSS' },
  '1.2.840.10045.4.3.2': { kind: 'ecdsa', hash: 'SHA-256', name: 'ECDSA-SHA256' },
  '1.2.840.10045.4.3.3': { kind: 'ecdsa', hash: 'SHA-384', name: 'ECDSA-SHA384' },
  '1.2.840.10045.4.3.4': { kind: 'ecdsa', hash: 'SHA-512', name: 'ECDSA-SHA512' },
  '1.3.101.112': { kind: 'ed25519', name: 'Ed25519' },
};

/** Go refuses these (x509.InsecureAlgorithmError); named as Go names them. */
const INSECURE: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.5': 'SHA1-RSA',
  '1.2.840.113549.1.1.4': 'MD5-RSA',
  '1.2.840.10045.4.1': 'ECDSA-SHA1',
};

const HASH_OIDS: Readonly<Record<string, Hash>> = {
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
};

const CURVES: Readonly<Record<string, { name: string; size: number }>> = {
  '1.2.840.10045.3.1.7': { name: 'P-256', size: 32 },
  '1.3.132.0.34': { name: 'P-384', size: 48 },
  '1.3.132.0.35': { name: 'P-521', size: 66 },
};

const KEY_KINDS: Readonly<Record<string, 'rsa' | 'ecdsa' | 'ed25519'>> = {
  '1.2.840.113549.1.1.1': 'rsa',
  '1.2.840.10045.2.1': 'ecdsa',
  '1.3.101.112': 'ed25519',
};

const GO_KEY_TYPES = { rsa: '*rsa.PublicKey', ecdsa: '*ecdsa.PublicKey', ed25519: 'ed25519.PublicKey' } as const;

/**
 * Verifies `signature` over `signed` by the key in `publicKeyInfo` (DER SPKI):
 * undefined when it holds, else Go's error text.
 */
export async function checkSignature(
  algorithm: pkijs.AlgorithmIdentifier,
  signed: Uint8Array,
  signature: Uint8Array,
  publicKeyInfo: Uint8Array,
): Promise<string | undefined> {
  const insecure = INSECURE[algorithm.algorithmId];
  if (insecure) return `x509: cannot verify signature: insecure algorithm ${insecure}`;
  const scheme = SCHEMES[algorithm.algorithmId];
  if (!scheme) return 'x509: cannot verify signature: algorithm unimplemented';
  // Parsed before, by parseCertificate: it cannot fail here.
  const spki = pkijs.PublicKeyInfo.fromBER(new Uint8Array(publicKeyInfo));
  const pssHash = scheme.kind === 'pss' ? HASH_OIDS[new pkijs.RSASSAPSSParams({ schema: algorithm.algorithmParams }).hashAlgorithm.algorithmId] : undefined;
  // Go knows RSA-PSS only with SHA-256/384/512 (crypto/x509 signatureAlgorithmDetails).
  if (scheme.kind === 'pss' && !pssHash) return 'x509: cannot verify signature: algorithm unimplemented';
  const keyKind = KEY_KINDS[spki.algorithm.algorithmId];
  const wanted = scheme.kind === 'pss' ? 'rsa' : scheme.kind;
  if (keyKind !== wanted) {
    const have = keyKind ? GO_KEY_TYPES[keyKind] : 'unknown';
    return `x509: signature algorithm specifies an ${wanted === 'ecdsa' ? 'ECDSA' : wanted === 'rsa' ? 'RSA' : 'Ed25519'} public key, but have public key of type ${have}`;
  }
  try {
    // Copies: WebCrypto takes only ArrayBuffer-backed views.
    const ok = await verifyWith(scheme, algorithm, spki, new Uint8Array(signed), new Uint8Array(signature), new Uint8Array(publicKeyInfo));
    return ok ? undefined : failure(scheme);
  } catch {
    return failure(scheme);
  }
}

function failure(scheme: Scheme): string {
  if (scheme.kind === 'ecdsa') return 'x509: ECDSA verification failure';
  if (scheme.kind === 'ed25519') return 'x509: Ed25519 verification failure';
  return 'crypto/rsa: verification error';
}

async function verifyWith(
  scheme: Scheme,
  algorithm: pkijs.AlgorithmIdentifier,
  spki: pkijs.PublicKeyInfo,
  signed: Uint8Array<ArrayBuffer>,
  signature: Uint8Array<ArrayBuffer>,
  der: Uint8Array<ArrayBuffer>,
): Promise<boolean> {
  const subtle = globalThis.crypto.subtle;
  switch (scheme.kind) {
    case 'ed25519': {
      const key = await subtle.importKey('spki', der, { name: 'Ed25519' }, false, ['verify']);
      return subtle.verify({ name: 'Ed25519' }, key, signature, signed);
    }
    case 'rsa': {
      const key = await subtle.importKey('spki', der, { name: 'RSASSA-PKCS1-v1_5', hash: scheme.hash }, false, ['verify']);
      return subtle.verify({ name: 'RSASSA-PKCS1-v1_5' }, key, signature, signed);
    }
    case 'pss': {
      const params = new pkijs.RSASSAPSSParams({ schema: algorithm.algorithmParams });
      const key = await subtle.importKey('spki', der, { name: 'RSA-PSS', hash: HASH_OIDS[params.hashAlgorithm.algorithmId]! }, false, ['verify']);
      return subtle.verify({ name: 'RSA-PSS', saltLength: params.saltLength }, key, signature, signed);
    }
    case 'ecdsa': {
      const curve = CURVES[(spki.algorithm.algorithmParams as asn1js.ObjectIdentifier | undefined)?.valueBlock?.toString() ?? ''];
      if (!curve) return false;
      const key = await subtle.importKey('spki', der, { name: 'ECDSA', namedCurve: curve.name }, false, ['verify']);
      const parsed = asn1js.fromBER(signature);
      if (parsed.offset === -1 || parsed.offset !== signature.length) return false;
      const raw = pkijs.createECDSASignatureFromCMS(parsed.result, curve.size);
      return subtle.verify({ name: 'ECDSA', hash: scheme.hash }, key, raw, signed);
    }
  }
}

/**
 * DSSE behind the signature-format seam (../signature-format.ts), as
 * sylabs/sif's dsse.go: the decoder opens an envelope carrying SIF metadata
 * and verifies it with public keys; the encoder signs metadata with one or
 * more PEM private keys into one envelope. The node:crypto algorithms load
 * only when a signature is checked or made, so the reader stays above the
 * byte-source seam (docs/architecture.md).
 */
import { HashType } from '../../format/constants.js';
import type { DecodedSignature, KeySigner, OpenedSignature, SignatureDecoder, SignatureEncoder } from '../signature.js';
import { isPublicKeyMaterial, type PublicKeyMaterial, type TrustKey } from '../trust.js';
import { decodeBase64, encodeEnvelope, EnvelopeError, pae, parseEnvelope, SIF_PAYLOAD_TYPE, type Envelope } from './envelope.js';
import type { DsseSigningKey } from './keys.js';

/**
 * Most signatures one envelope may carry: each is tried against every key,
 * so an envelope with thousands would make verification slow. Upstream writes
 * one per signer.
 */
export const MAX_ENVELOPE_SIGNATURES = 64;

const FAILED = 'dsse: verify envelope failed: ';
const BAD_BASE64 = `${FAILED}unable to base64 decode payload (is payload in the right format?)`;
const THRESHOLD = `${FAILED}accepted signatures do not match threshold, Found: 0, Expected 1`;

const refuse = (kind: 'unsupported-envelope' | 'bad-signature', reason: string): DecodedSignature => ({ signer: undefined, failure: { kind, reason } });

export const DSSE_ENVELOPE: SignatureDecoder = {
  open(object: Buffer): OpenedSignature {
    let envelope: Envelope;
    try {
      envelope = parseEnvelope(object);
    } catch (e) {
      if (!(e instanceof EnvelopeError)) throw e;
      const reason = `dsse: ${e.message}`;
      return { payload: Buffer.alloc(0), verify: async () => refuse('unsupported-envelope', reason) };
    }
    const payload = decodeBase64(envelope.payload);
    return { payload: payload ?? Buffer.alloc(0), verify: (keys) => verifyEnvelope(envelope, payload, keys) };
  },
};

/** go-securesystemslib's EnvelopeVerifier.Verify with threshold 1, over every key that fits. */
async function verifyEnvelope(envelope: Envelope, payload: Buffer | undefined, trust: readonly TrustKey[]): Promise<DecodedSignature> {
  const keys = trust.filter(isPublicKeyMaterial);
  if (keys.length === 0) {
    return { signer: undefined, failure: { kind: 'no-key-material', reason: 'key material not provided for DSSE envelope signature' } };
  }
  if (envelope.signatures.length === 0) return refuse('unsupported-envelope', `${FAILED}no signature found`); // go-securesystemslib's order
  if (payload === undefined) return refuse('unsupported-envelope', BAD_BASE64);
  if (envelope.signatures.length > MAX_ENVELOPE_SIGNATURES) {
    return refuse('unsupported-envelope', `dsse: envelope carries ${envelope.signatures.length} signatures (at most ${MAX_ENVELOPE_SIGNATURES} are checked)`);
  }
  const { verifyMessage } = await import('./algorithms.js');
  const message = pae(envelope.payloadType, payload);
  const accepted: PublicKeyMaterial[] = [];
  let tried = false;
  for (const s of envelope.signatures) {
    const sig = decodeBase64(s.sig);
    if (sig === undefined) return refuse('unsupported-envelope', BAD_BASE64);
    for (const key of keys) {
      if (accepted.includes(key) || (s.keyid !== '' && s.keyid !== key.keyId)) continue; // the key ID is a hint
      tried = true;
      if (await verifyMessage(key.publicKey, message, sig)) { // the web build's check is async (WebCrypto)
        accepted.push(key);
        break;
      }
    }
  }
  const first = accepted[0];
  if (first) return { signer: signerOf(first, accepted), failure: undefined };
  if (tried) return refuse('bad-signature', THRESHOLD);
  const named = [...new Set(envelope.signatures.map((s) => s.keyid))].join(', ');
  return { signer: undefined, failure: { kind: 'unknown-signer', reason: THRESHOLD, message: `${THRESHOLD} (signed by ${named}; no such key given)` } };
}

const signerOf = (key: PublicKeyMaterial, accepted: readonly PublicKeyMaterial[]): KeySigner => ({
  kind: 'key',
  keyId: key.keyId,
  identity: key.identity,
  path: key.path,
  keyIds: [...new Set(accepted.map((k) => k.keyId))],
});

/**
 * An encoder signing with every key, in order, into one envelope (upstream's
 * OptSignWithSigner(a, b)). The descriptor records SHA-256, as upstream does
 * whatever the key type.
 */
export function dsseEncoder(keys: readonly DsseSigningKey[]): SignatureEncoder {
  return {
    async sign(metadata) {
      const { signMessage } = await import('./algorithms.js');
      const body = Buffer.from(metadata, 'utf8');
      const message = pae(SIF_PAYLOAD_TYPE, body);
      const signatures = keys.map((k) => ({ keyid: k.keyId, sig: signMessage(k.privateKey, message).toString('base64') }));
      return { bytes: encodeEnvelope({ payloadType: SIF_PAYLOAD_TYPE, payload: body.toString('base64'), signatures }), hashType: HashType.SHA256 };
    },
  };
}

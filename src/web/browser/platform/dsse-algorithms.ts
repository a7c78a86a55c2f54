/**
 * The web build's dsse/algorithms.ts: DSSE signature checks with WebCrypto
 * over the keys pem-keys.ts imports, accepting what the node:crypto side
 * accepts — Ed25519, RSA PKCS#1 v1.5 with SHA-256, ECDSA (P-256/P-384/P-521)
 * with DER signatures, then IEEE P1363 r‖s. Signing is the CLI's.
 */
import { SifError } from '../../../errors.js';
import type { EcdsaHash } from '../../../integrity/dsse/algorithms.js';
import type { WebPublicKey } from '../pem-keys.js';

const CURVE_HASH = { 'P-256': 'SHA-256', 'P-384': 'SHA-384', 'P-521': 'SHA-512' } as const;
const CURVE_BYTES = { 'P-256': 32, 'P-384': 48, 'P-521': 66 } as const;

export function signMessage(): never {
  throw new SifError('SIF_INTERNAL', 'not available in the web page: use the sif CLI to sign');
}

/** Whether `signature` over `message` verifies with `key`; false for any malformed input. */
export async function verifyMessage(key: WebPublicKey, pae: Uint8Array, sig: Uint8Array, ecdsaHash: EcdsaHash = 'sha256'): Promise<boolean> {
  const message = new Uint8Array(pae); // ArrayBuffer-backed copies, as WebCrypto's types ask (a Buffer's may be shared)
  const signature = new Uint8Array(sig);
  try {
    switch (key.type) {
      case 'ed25519':
        return await crypto.subtle.verify('Ed25519', key.key, signature, message);
      case 'rsa':
        return await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key.key, signature, message);
      case 'ec': {
        const params = { name: 'ECDSA', hash: ecdsaHash === 'sha256' ? 'SHA-256' : CURVE_HASH[key.curve] };
        const size = CURVE_BYTES[key.curve];
        const der = derToP1363(signature, size);
        if (der && (await crypto.subtle.verify(params, key.key, der, message))) return true;
        return signature.length === 2 * size && (await crypto.subtle.verify(params, key.key, signature, message));
      }
    }
  } catch {
    return false; // WebCrypto refuses some malformed input rather than answering false
  }
}

/**
 * r‖s from a DER `SEQUENCE { INTEGER r, INTEGER s }`, each padded to `size`
 * bytes; undefined unless the DER is canonical (OpenSSL re-encodes and
 * compares, so node:crypto accepts only that).
 */
export function derToP1363(sig: Uint8Array, size: number): Uint8Array<ArrayBuffer> | undefined {
  const seq = header(sig, 0, 0x30);
  if (!seq || seq.end !== sig.length) return undefined;
  const r = integer(sig, seq.start, size);
  const s = r && integer(sig, r.end, size);
  if (!r || !s || s.end !== seq.end) return undefined;
  const out = new Uint8Array(2 * size);
  out.set(r.value, size - r.value.length);
  out.set(s.value, 2 * size - s.value.length);
  return out;
}

/** A DER tag and minimal length at `at`: where its contents start and end. */
function header(b: Uint8Array, at: number, tag: number): { start: number; end: number } | undefined {
  if (b[at] !== tag || at + 2 > b.length) return undefined;
  let len = b[at + 1]!;
  let start = at + 2;
  if (len === 0x81) {
    len = b[at + 2] ?? 0;
    if (len < 0x80) return undefined;
    start++;
  } else if (len > 0x80) return undefined;
  return start + len <= b.length ? { start, end: start + len } : undefined;
}

/** A minimal positive DER INTEGER of at most `size` significant bytes. */
function integer(b: Uint8Array, at: number, size: number): { value: Uint8Array; end: number } | undefined {
  const h = header(b, at, 0x02);
  if (!h || h.end === h.start) return undefined;
  let value = b.subarray(h.start, h.end);
  if (value[0]! & 0x80) return undefined; // negative
  if (value[0] === 0 && value.length > 1) {
    if (!(value[1]! & 0x80)) return undefined; // not minimal
    value = value.subarray(1);
  }
  return value.length <= size ? { value, end: h.end } : undefined;
}

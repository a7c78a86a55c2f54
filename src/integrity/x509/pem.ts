/**
 * Certificates from PEM text, as Apptainer reads `--certificate` (the first
 * block) and the pool files (every block, each one must be a certificate).
 */
import { KeyError } from '../../errors.js';
import { parseCertificate, type Certificate } from './certificate.js';

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Every certificate in `pem`; a file with no block, or a block that is not a certificate, is a KeyError. */
export function certificatesFromPem(pem: string): Certificate[] {
  const blocks = [...pemBlocks(pem)];
  if (blocks.length === 0 || blocks.some((b) => b.type !== 'CERTIFICATE' || !b.der)) throw new KeyError('SIF_KEY_INVALID', 'failed to decode PEM');
  return blocks.map((b) => parseCertificate(b.der!));
}

/** The PEM blocks of `text` in order; `der` is undefined when the body is not base64. */
export function* pemBlocks(text: string): Generator<{ type: string; der: Uint8Array | undefined }> {
  for (const [, type, body] of text.matchAll(BLOCK)) {
    const base64 = body!.replace(/\s+/g, '');
    const valid = BASE64.test(base64) && base64.length % 4 === 0;
    yield { type: type!, der: valid ? Buffer.from(base64, 'base64') : undefined };
  }
}

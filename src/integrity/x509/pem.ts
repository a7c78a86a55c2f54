/**
 * Certificates from PEM text, as Apptainer reads `--certificate` (its first
 * block) and the pool files (every block must be a certificate). The blocks
 * are found by the one PEM scanner (dsse/pem.ts).
 */
import { KeyError } from '../../errors.js';
import { pemBlocks as scanPem } from '../dsse/pem.js';
import { parseCertificate, type Certificate } from './certificate.js';

export interface DerBlock {
  readonly type: string;
  readonly der: Uint8Array;
}

/** The PEM blocks of `text`, decoded. */
export function pemBlocks(text: string): DerBlock[] {
  return scanPem(text).map((b) => {
    const lines = b.text.split(/\r?\n/).slice(1);
    const body = lines.slice(b.headers.size > 0 ? b.headers.size + 1 : 0, lines.indexOf(`-----END ${b.label}-----`));
    return { type: b.label, der: Buffer.from(body.join(''), 'base64') };
  });
}

/** The certificate in the first PEM block (`--certificate`). */
export function firstCertificateFromPem(text: string): Certificate {
  const first = pemBlocks(text)[0];
  if (!first) throw new KeyError('SIF_KEY_INVALID', 'failed to decode PEM');
  return parseCertificate(first.der);
}

/** Every certificate of a pool file; no block, or a block that is not a certificate, is a KeyError. */
export function certificatesFromPem(text: string): Certificate[] {
  const blocks = pemBlocks(text);
  if (blocks.length === 0 || blocks.some((b) => b.type !== 'CERTIFICATE')) throw new KeyError('SIF_KEY_INVALID', 'failed to decode PEM');
  return blocks.map((b) => parseCertificate(b.der));
}

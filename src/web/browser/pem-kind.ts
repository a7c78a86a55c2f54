/**
 * Which key files the page reads as PEM trust material for DSSE (pem-keys.ts,
 * loaded on demand) rather than OpenPGP keys: kept apart so telling them
 * apart costs the first load only the PEM scanner.
 */
import { pemBlocks } from '../../integrity/dsse/pem.js';

/**
 * Whether `text`'s first PEM block is not armored OpenPGP (`PGP PUBLIC KEY
 * BLOCK`, …): a PEM key, certificate, or a block that pem-keys.ts refuses
 * with `sif verify --key`'s message.
 */
export function isPemKey(text: string): boolean {
  const label = pemBlocks(text)[0]?.label;
  return label !== undefined && !label.startsWith('PGP ');
}

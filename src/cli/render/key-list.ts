/**
 * `sif key list` output: Apptainer 1.3+'s listing (sypgp.printEntity, one Go
 * tabwriter per key with padding 2) and our JSON (schema in docs/keys.md).
 */
import type { KeyInfo } from '../../keys/describe.js';
import { goLocalTimeString, type GoZone } from './go-local-time.js';
import { tabwrite } from './tabwriter.js';

/** "Public key listing (<path>):" or "Private key listing (<path>):", then a blank line. */
export const listingHeader = (secret: boolean, path: string): string =>
  `${secret ? 'Private' : 'Public'} key listing (${path}):\n\n`;

/** One key as Apptainer prints it, including the trailing blank line. */
export function renderKeyEntry(info: KeyInfo, zone: GoZone): string {
  const text =
    `${info.index})` +
    info.users.map((u) => `\tUser:\t${u.name} (${u.comment}) <${u.email}>\n`).join('') +
    `\tCreation time:\t${goLocalTimeString(info.created, zone)}\n` +
    `\tFingerprint:\t${info.fingerprint}\n` +
    `\tLength (in bits):\t${info.bits}\n`;
  return `${tabwrite(Buffer.from(text), 2).toString()}\n`;
}

export const renderKeyListing = (infos: readonly KeyInfo[], zone: GoZone): string =>
  infos.map((info) => renderKeyEntry(info, zone)).join('');

/** `sif key list --json`: a stable, documented shape (times in RFC 3339 UTC). */
export function keyListJson(path: string, secret: boolean, infos: readonly KeyInfo[]): object {
  return {
    keyring: path,
    secret,
    keys: infos.map((k) => ({
      index: k.index,
      fingerprint: k.fingerprint,
      keyId: k.keyId,
      created: k.created.toISOString().replace(/\.000Z$/, 'Z'),
      algorithm: k.algorithm,
      curve: k.curve,
      bits: k.bits,
      users: k.users.map((u) => ({ userId: u.userId, name: u.name, comment: u.comment, email: u.email })),
      hasSecretKey: k.secret,
      encrypted: k.encrypted,
    })),
  };
}

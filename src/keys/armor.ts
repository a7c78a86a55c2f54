/**
 * Whether a key file is ASCII-armored or binary: the one rule every key
 * reader uses (sign, verify, bootstrap-check, ECL, `sif key import` and the
 * keyring loader), so a file one command reads is read the same way by all.
 *
 * Binary OpenPGP starts with a packet tag, whose top bit is always set; text
 * never starts with such a byte (ASCII), so a file that starts with text and
 * holds a BEGIN line anywhere is armored, however long the note before the
 * armor is (gpg writes none, people paste one). A binary keyring is never
 * searched for a BEGIN line: a user ID may contain one.
 */
const BEGIN_ARMOR = '-----BEGIN PGP';

export function isArmored(bytes: Uint8Array): boolean {
  const first = bytes[0];
  return first !== undefined && (first & 0x80) === 0 && Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(BEGIN_ARMOR, 0, 'latin1');
}

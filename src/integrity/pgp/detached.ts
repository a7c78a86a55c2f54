/**
 * Which signature packet of a clear-signed message decides, by the loop of
 * the reference's go-crypto CheckDetachedSignatureAndHash: packets are read
 * in turn; a malformed one, a non-signature one, one without an issuer or
 * with a hash other than SHA-224/256/384/512 ends the check as invalid;
 * packets go-crypto does not support and unknown packet types are skipped; a
 * packet whose issuer has no signing key in the keyring is passed over; the
 * first whose issuer has one decides. Only a clean end of the stream (with
 * the armor checksum right) means "signed by an unknown entity".
 */
import { consumeAll, EOF, readFull, readHeader, type Reader } from './packets.js';
import { parseSignature, type ParsedSignature } from './signature-packet.js';

export type Decision<K> =
  | { kind: 'candidates'; signature: ParsedSignature; keys: readonly K[] }
  | { kind: 'unknown-issuer'; firstIssuer: string | undefined }
  | { kind: 'invalid'; reason: string; firstIssuer: string | undefined };

const SIGNATURE_TAG = 2;

/** Packet types go-crypto's packet.Read knows; any other is skipped. */
const KNOWN_TAGS = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 13, 14, 17, 18, 20]);

/**
 * Packets go-crypto skips when the version byte its first read starts with is
 * one it does not support (an UnsupportedError): the size of that read, and
 * the versions it supports. Any other known non-signature packet ends the
 * check: go-crypto says "non signature packet found", fails to parse it, or
 * (for an unsupported algorithm further in) skips it where we stop: stricter,
 * and documented.
 */
const SKIPPED_VERSIONS: Partial<Record<number, { read: number; supported: readonly number[] }>> = {
  1: { read: 10, supported: [3] },
  3: { read: 1, supported: [4, 5] },
  5: { read: 6, supported: [4, 5] },
  6: { read: 6, supported: [4, 5] },
  7: { read: 6, supported: [4, 5] },
  14: { read: 6, supported: [4, 5] },
};

/** SHA-224, SHA-256, SHA-384, SHA-512: the hashes sylabs/sif expects. */
const ALLOWED_HASH_IDS: ReadonlySet<number> = new Set([11, 8, 9, 10]);

/**
 * Walks the packets of `stream`; `keysFor(issuer)` returns the keyring's
 * signing keys with that key ID (go-crypto's KeysByIdUsage with the sign flag).
 */
export function decidingPacket<K>(stream: Reader, keysFor: (issuer: string) => readonly K[]): Decision<K> {
  let firstIssuer: string | undefined;
  const invalid = (reason: string): Decision<K> => ({ kind: 'invalid', reason, firstIssuer });
  for (;;) {
    const header = readHeader(stream);
    if (header.error === EOF) return { kind: 'unknown-issuer', firstIssuer };
    if (header.error !== undefined) return invalid(header.error);
    if (!KNOWN_TAGS.has(header.tag)) {
      consumeAll(header.body);
      continue;
    }
    if (header.tag !== SIGNATURE_TAG) {
      const skip = skippedVersion(header.tag, header.body);
      if (skip === 'skip') continue;
      return invalid(skip ?? 'non signature packet found');
    }
    const parsed = parseSignature(header.body);
    if ('error' in parsed) return invalid(parsed.error);
    if ('unsupported' in parsed) {
      consumeAll(header.body);
      continue;
    }
    const sig = parsed.signature;
    if (sig.issuerKeyId === undefined) return invalid("signature doesn't have an issuer");
    firstIssuer ??= sig.issuerKeyId;
    if (!ALLOWED_HASH_IDS.has(sig.hashId)) return invalid('hash algorithm mismatch with cleartext message headers');
    const keys = keysFor(sig.issuerKeyId);
    if (keys.length > 0) return { kind: 'candidates', signature: sig, keys };
  }
}

/** 'skip' when go-crypto skips the packet for its version; else the read error, if any. */
function skippedVersion(tag: number, body: Reader): 'skip' | string | undefined {
  const rule = SKIPPED_VERSIONS[tag];
  if (!rule) return undefined;
  const first = readFull(body, rule.read);
  if (first.error !== undefined) return first.error;
  if (rule.supported.includes(first.bytes[0]!)) return undefined;
  consumeAll(body);
  return 'skip';
}

/**
 * Surgery on the signature block of a clear-signed message, as an attacker
 * would do it: take its packets out, and put changed ones back in the armor
 * (with a correct checksum, so the change reaches the packet reader).
 * The packet fields themselves: fuzz/signature-fields.ts.
 */
import { armor, packetFrames } from '../fuzz/armor.js';
import { decodeClearSigned } from '../integrity/pgp/cleartext.js';

export * from '../fuzz/signature-fields.js';

const BEGIN_SIGNATURE = '-----BEGIN PGP SIGNATURE-----';

/** The packets of a clear-signed message's signature block. */
export function signatureBlock(message: Buffer | string): Buffer {
  return decodeClearSigned(Buffer.from(message))!.signature;
}

/** The message with its signature block replaced by `packets`. */
export function withSignatureBlock(message: Buffer | string, packets: Buffer): string {
  const text = Buffer.from(message).toString('latin1');
  return `${text.slice(0, text.indexOf(BEGIN_SIGNATURE))}${armor('SIGNATURE', [], packets)}\n`;
}

/** The body of the first packet of `packets`. */
export function firstPacketBody(packets: Buffer): Buffer {
  const f = packetFrames(packets)[0]!;
  return packets.subarray(f.bodyStart, f.bodyStart + f.bodyLength);
}

/**
 * Surgery on the signature packets of a clear-signed message, as an attacker
 * would do it: split a v4 signature packet into its fields, change the
 * subpacket areas or what follows them, and put packets back in the armor
 * (with a correct checksum, so the change reaches the packet reader).
 */
import { armor } from '../fuzz/armor.js';
import { decodeClearSigned } from '../integrity/cleartext.js';

export interface SignatureFields {
  /** Version, type, public-key and hash algorithm bytes. */
  readonly head: Buffer;
  readonly hashed: Buffer;
  readonly unhashed: Buffer;
  /** Hash tag and MPIs (and whatever follows them in the packet). */
  readonly tail: Buffer;
}

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

/** A new-format packet with a five-octet length. */
export function packet(tag: number, body: Buffer): Buffer {
  const header = Buffer.alloc(6);
  header[0] = 0xc0 | tag;
  header[1] = 0xff;
  header.writeUInt32BE(body.length, 2);
  return Buffer.concat([header, body]);
}

/** The body of the first packet of `packets` (new or old format, definite length). */
export function firstPacketBody(packets: Buffer): Buffer {
  const ctb = packets[0]!;
  if (ctb & 0x40) {
    const l = packets[1]!;
    if (l < 192) return packets.subarray(2, 2 + l);
    if (l < 224) return packets.subarray(3, 3 + ((l - 192) << 8) + packets[2]! + 192);
    return packets.subarray(6, 6 + packets.readUInt32BE(2));
  }
  const width = [1, 2, 4][ctb & 3]!;
  return packets.subarray(1 + width, 1 + width + packets.readUIntBE(1, width));
}

export function splitSignature(body: Buffer): SignatureFields {
  const hashedEnd = 6 + body.readUInt16BE(4);
  const unhashedEnd = hashedEnd + 2 + body.readUInt16BE(hashedEnd);
  return {
    head: body.subarray(0, 4),
    hashed: body.subarray(6, hashedEnd),
    unhashed: body.subarray(hashedEnd + 2, unhashedEnd),
    tail: body.subarray(unhashedEnd),
  };
}

const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);

export function joinSignature(f: SignatureFields): Buffer {
  return packet(2, Buffer.concat([f.head, u16(f.hashed.length), f.hashed, u16(f.unhashed.length), f.unhashed, f.tail]));
}

/** One subpacket (short length form). */
export function subpacket(type: number, body: Buffer | number[], critical = false): Buffer {
  const b = Buffer.from(body);
  return Buffer.concat([Buffer.from([b.length + 1, type | (critical ? 0x80 : 0)]), b]);
}

export const SUBPACKET = { creationTime: 2, issuer: 16, issuerFingerprint: 33 } as const;

/** A signature packet that is not worth its maths: the given subpackets, a made-up EdDSA signature. */
export function junkSignature(hashed: Buffer, unhashed: Buffer = Buffer.alloc(0)): Buffer {
  const mpi = Buffer.concat([u16(256), Buffer.alloc(32, 7)]);
  return joinSignature({ head: Buffer.from([4, 1, 22, 8]), hashed, unhashed, tail: Buffer.concat([Buffer.from([0xab, 0xcd]), mpi, mpi]) });
}

export const creationTime = () => subpacket(SUBPACKET.creationTime, [0x60, 0, 0, 0]);

/**
 * Cuts a keyring into packets without re-encoding anything, so that keys we
 * do not touch are written back byte for byte. The framing is the one packet
 * reader of integrity/pgp/packets.ts (go-crypto's readHeader), read to the
 * end of every body: a keyring is split whole, so go-crypto's lazy reading
 * rules (a packet never reached cannot fail) do not apply here.
 */
import { ByteReader, EOF, readHeader, readRest, UNEXPECTED_EOF } from '../integrity/pgp/packets.js';

/** One packet of the input, with its exact place. */
export interface Packet {
  readonly tag: number;
  /** Byte offset of the packet header in the input. */
  readonly offset: number;
  /** Byte offset just past the packet. */
  readonly end: number;
  /** The body (partial-length chunks joined). */
  readonly body: Uint8Array;
}

/** Thrown for framing errors; callers turn it into a KeyError naming the file. */
export class PacketError extends Error {
  override name = 'PacketError';
}

/** Every packet of `bytes`, in order. Truncation or garbage throws a PacketError. */
export function splitPackets(bytes: Uint8Array): Packet[] {
  const packets: Packet[] = [];
  const reader = new ByteReader(bytes);
  while (reader.position < bytes.length) {
    const offset = reader.position;
    const header = readHeader(reader);
    if (header.error !== undefined) throw framingError(bytes, offset, header.error, reader.shortfall);
    const body = readRest(header.body);
    if (body.error !== EOF) throw framingError(bytes, offset, body.error, reader.shortfall);
    packets.push({ tag: header.tag, offset, end: reader.position, body: body.bytes });
  }
  return packets;
}

function framingError(bytes: Uint8Array, offset: number, error: string, shortfall: number): PacketError {
  if (error === UNEXPECTED_EOF) return new PacketError(`truncated packet at byte ${offset} (needs ${shortfall} more bytes)`);
  return new PacketError(`not an OpenPGP packet at byte ${offset} (0x${bytes[offset]!.toString(16).padStart(2, '0')})`);
}

/** A key packet body's version, algorithm and where its key material starts. */
export function keyPacketHeader(body: Uint8Array): { version: number; algorithm: number; material: number } {
  const version = body[0] ?? 0;
  const material = version === 4 ? 6 : version === 3 ? 8 : 10; // v5/v6 add a 4-byte material length
  const algorithm = body[material - (version === 4 || version === 3 ? 1 : 5)] ?? 0;
  return { version, algorithm, material };
}

/** Fixed public-key sizes in bits of the RFC 9580 algorithms, as go-crypto reports them. */
const FIXED_BITS: Readonly<Record<number, number>> = { 25: 256, 26: 448, 27: 256, 28: 456 };

/**
 * The primary key's "Length (in bits)" exactly as go-crypto's
 * `PublicKey.BitLength()` reports it, which Apptainer prints: the bit count
 * of the first MPI (RSA n, DSA/ElGamal p), and for ECC keys the bit count of
 * the encoded point (so Ed25519 keys show 263, not 255). 0 when unknown.
 */
export function primaryBitLength(keyBody: Uint8Array): number {
  const { algorithm, material } = keyPacketHeader(keyBody);
  const mpiBits = (at: number) => (at + 1 < keyBody.length ? (keyBody[at]! << 8) | keyBody[at + 1]! : 0);
  if ([1, 2, 3, 16, 17].includes(algorithm)) return mpiBits(material);
  if ([18, 19, 22].includes(algorithm)) return mpiBits(material + 1 + (keyBody[material] ?? 0));
  return FIXED_BITS[algorithm] ?? 0;
}

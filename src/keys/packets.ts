/**
 * Just enough of the OpenPGP packet framing (RFC 4880 §4.2, RFC 9580 §4.2) to
 * cut a keyring into packets without re-encoding anything, so that keys we
 * do not touch are written back byte for byte.
 */

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
  for (let pos = 0; pos < bytes.length; ) {
    const packet = readPacket(bytes, pos);
    packets.push(packet);
    pos = packet.end;
  }
  return packets;
}

/** Reads the packet header at `pos` and returns its tag, body and end. */
function readPacket(b: Uint8Array, pos: number): Packet {
  const ctb = b[pos]!;
  if ((ctb & 0x80) === 0) throw new PacketError(`not an OpenPGP packet at byte ${pos} (0x${ctb.toString(16).padStart(2, '0')})`);
  return ctb & 0x40 ? readNewFormat(b, pos, ctb & 0x3f) : readOldFormat(b, pos, (ctb >> 2) & 0x0f, ctb & 0x03);
}

function readOldFormat(b: Uint8Array, pos: number, tag: number, lengthType: number): Packet {
  if (lengthType === 3) return { tag, offset: pos, end: b.length, body: b.subarray(pos + 1) }; // indeterminate: to the end
  const size = 1 << lengthType;
  const length = readUint(b, pos + 1, size);
  return whole(b, tag, pos, pos + 1 + size, length);
}

function readNewFormat(b: Uint8Array, pos: number, tag: number): Packet {
  let at = pos + 1;
  const parts: Uint8Array[] = [];
  for (;;) {
    const first = need(b, at, 1)[0]!;
    if (first < 192) return finish(b, tag, pos, parts, at + 1, first);
    if (first < 224) return finish(b, tag, pos, parts, at + 2, ((first - 192) << 8) + need(b, at, 2)[1]! + 192);
    if (first === 255) return finish(b, tag, pos, parts, at + 5, readUint(b, at + 1, 4));
    // Partial body length: a chunk of 2^n bytes, then another length header.
    const chunk = 1 << (first & 0x1f);
    parts.push(need(b, at + 1, chunk));
    at += 1 + chunk;
  }
}

function finish(b: Uint8Array, tag: number, offset: number, parts: Uint8Array[], bodyStart: number, length: number): Packet {
  const last = whole(b, tag, offset, bodyStart, length);
  if (parts.length === 0) return last;
  return { ...last, body: Buffer.concat([...parts, last.body]) };
}

function whole(b: Uint8Array, tag: number, offset: number, bodyStart: number, length: number): Packet {
  return { tag, offset, end: bodyStart + length, body: need(b, bodyStart, length) };
}

function need(b: Uint8Array, at: number, length: number): Uint8Array {
  if (at + length > b.length) throw new PacketError(`truncated packet at byte ${at} (needs ${at + length - b.length} more bytes)`);
  return b.subarray(at, at + length);
}

function readUint(b: Uint8Array, at: number, size: number): number {
  const bytes = need(b, at, size);
  return bytes.reduce((n, byte) => n * 256 + byte, 0);
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

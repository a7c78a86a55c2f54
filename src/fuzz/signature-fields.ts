/**
 * A v4 signature packet taken apart into the fields an attacker edits (the
 * two subpacket areas, each a list of subpackets, and what follows them) and
 * put back together. Used by the signature-packet mutators and by tests that
 * hand-build packets; never by the verifier (integrity/pgp/signature-packet.ts).
 */

export interface SignatureFields {
  /** Version, type, public-key and hash algorithm octets. */
  readonly head: Buffer;
  readonly hashed: Buffer;
  readonly unhashed: Buffer;
  /** Hash tag and MPIs (and whatever follows them in the packet). */
  readonly tail: Buffer;
}

const u16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);

/** The fields of a signature packet body, or undefined when its area lengths do not fit. */
export function splitSignature(body: Buffer): SignatureFields | undefined {
  if (body.length < 8) return undefined;
  const hashedEnd = 6 + body.readUInt16BE(4);
  if (hashedEnd + 2 > body.length) return undefined;
  const unhashedEnd = hashedEnd + 2 + body.readUInt16BE(hashedEnd);
  if (unhashedEnd > body.length) return undefined;
  return { head: body.subarray(0, 4), hashed: body.subarray(6, hashedEnd), unhashed: body.subarray(hashedEnd + 2, unhashedEnd), tail: body.subarray(unhashedEnd) };
}

/** A new-format packet with a five-octet length. */
export function packet(tag: number, body: Buffer): Buffer {
  const header = Buffer.alloc(6);
  header[0] = 0xc0 | tag;
  header[1] = 0xff;
  header.writeUInt32BE(body.length, 2);
  return Buffer.concat([header, body]);
}

/** The signature packet with these fields. */
export function joinSignature(f: SignatureFields): Buffer {
  return packet(2, Buffer.concat([f.head, u16(f.hashed.length), f.hashed, u16(f.unhashed.length), f.unhashed, f.tail]));
}

/** One subpacket in the one-octet length form (bodies under 191 octets). */
export function subpacket(type: number, body: Buffer | readonly number[], critical = false): Buffer {
  const b = Buffer.from(body);
  return Buffer.concat([Buffer.from([b.length + 1, type | (critical ? 0x80 : 0)]), b]);
}

/** The subpackets of an area, each with its length octets, as far as they frame (the rest as one piece). */
export function splitSubpackets(area: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < area.length) {
    const first = area[at]!;
    const [length, size] =
      first < 192 ? [first, 1] : first < 255 ? [((first - 192) << 8) + (area[at + 1] ?? 0) + 192, 2] : [at + 5 <= area.length ? area.readUInt32BE(at + 1) : Infinity, 5];
    const end = at + size + length;
    if (end > area.length) break;
    out.push(area.subarray(at, end));
    at = end;
  }
  if (at < area.length) out.push(area.subarray(at));
  return out;
}

export const SUBPACKET = { creationTime: 2, issuer: 16, issuerFingerprint: 33 } as const;

export const creationTime = () => subpacket(SUBPACKET.creationTime, [0x60, 0, 0, 0]);

/** A well-formed signature packet whose maths is made up: an EdDSA "signature" with these subpackets. */
export function junkSignature(hashed: Buffer, unhashed: Buffer = Buffer.alloc(0), head: readonly number[] = [4, 1, 22, 8]): Buffer {
  const mpi = Buffer.concat([u16(256), Buffer.alloc(32, 7)]);
  return joinSignature({ head: Buffer.from(head), hashed, unhashed, tail: Buffer.concat([Buffer.from([0xab, 0xcd]), mpi, mpi]) });
}

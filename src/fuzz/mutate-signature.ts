/**
 * Mutations of the signature block of a clear-signed message, where the
 * reference's go-crypto and openpgp.js read differently: the hashed and
 * unhashed subpacket areas (types, lengths, critical bits, duplicates,
 * order), the MPIs and what follows them, extra signature and other packets
 * before or after the valid one, partial body lengths, and (from
 * mutate-pgp.ts) packet headers and lengths. Inputs and outputs are the
 * binary packets; the target re-armors them.
 */
import { packetFrames, type PacketFrame } from './armor.js';
import { PACKET_MUTATORS } from './mutate-pgp.js';
import type { Mutator } from './mutate.js';
import type { Prng } from './prng.js';
import { creationTime, joinSignature, junkSignature, packet, splitSignature, splitSubpackets, subpacket, SUBPACKET, type SignatureFields } from './signature-fields.js';

/** Subpacket types go-crypto and openpgp.js treat differently, and some neither knows. */
const TYPES = [2, 3, 4, 5, 6, 9, 11, 12, 16, 20, 21, 22, 25, 26, 27, 28, 29, 30, 32, 33, 34, 35, 39, 100, 110, 127];
const LENGTHS = [0, 1, 2, 3, 4, 5, 7, 8, 9, 19, 20, 21, 32, 33];

const signatureFrames = (b: Buffer) => packetFrames(b).filter((f) => f.tag === 2);
const bodyOf = (b: Buffer, f: PacketFrame) => b.subarray(f.bodyStart, f.bodyStart + f.bodyLength);
const replaceFrame = (b: Buffer, f: PacketFrame, with_: Buffer) => Buffer.concat([b.subarray(0, f.start), with_, b.subarray(f.bodyStart + f.bodyLength)]);

/** Applies `edit` to the fields of a random signature packet. */
function editSignature(rng: Prng, input: Buffer, edit: (rng: Prng, f: SignatureFields, issuers: Buffer[]) => SignatureFields): Buffer {
  const frames = signatureFrames(input);
  if (frames.length === 0) return Buffer.from(input);
  const frame = rng.pick(frames);
  const fields = splitSignature(bodyOf(input, frame));
  return fields ? replaceFrame(input, frame, joinSignature(edit(rng, fields, issuersIn(input)))) : Buffer.from(input);
}

/** Issuer key IDs and fingerprints found in `input`'s signature packets, so mutants can name the real signer. */
function issuersIn(input: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (const f of signatureFrames(input)) {
    const fields = splitSignature(bodyOf(input, f));
    for (const s of fields ? [...splitSubpackets(fields.hashed), ...splitSubpackets(fields.unhashed)] : []) {
      const type = (s[1] ?? 0) & 0x7f;
      if (type === SUBPACKET.issuer || type === SUBPACKET.issuerFingerprint) out.push(s.subarray(2));
    }
  }
  return out;
}

/** A subpacket body: random, or an issuer of the message (whole or cut), or zeros. */
function subpacketBody(rng: Prng, issuers: readonly Buffer[]): Buffer {
  const real = issuers.length > 0 && rng.chance(0.4) ? rng.pick(issuers) : undefined;
  if (real) return rng.chance(0.7) ? real : real.subarray(0, rng.int(real.length + 1));
  const n = rng.pick(LENGTHS);
  return rng.chance(0.2) ? Buffer.alloc(n) : rng.bytes(n);
}

function editArea(rng: Prng, area: Buffer, issuers: readonly Buffer[]): Buffer {
  const subs = splitSubpackets(area);
  const i = rng.int(subs.length + 1);
  switch (rng.int(8)) {
    case 0: // insert a new subpacket
      subs.splice(i, 0, subpacket(rng.pick(TYPES), subpacketBody(rng, issuers), rng.chance(0.3)));
      break;
    case 1: // creation time where go-crypto refuses or requires it
      subs.splice(i, 0, rng.chance(0.5) ? creationTime() : subpacket(SUBPACKET.creationTime, rng.bytes(rng.pick([0, 3, 5]))));
      break;
    case 2: // delete
      subs.splice(Math.min(i, subs.length - 1), 1);
      break;
    case 3: // duplicate
      if (subs.length > 0) subs.splice(i, 0, rng.pick(subs));
      break;
    case 4: // flip the critical bit or change the type
      if (subs.length > 0) {
        const k = rng.int(subs.length);
        const s = Buffer.from(subs[k]!);
        const typeAt = s[0]! < 192 ? 1 : s[0]! < 255 ? 2 : 5;
        if (typeAt < s.length) s[typeAt] = rng.chance(0.5) ? s[typeAt]! ^ 0x80 : rng.pick(TYPES) | (s[typeAt]! & 0x80);
        subs[k] = s;
      }
      break;
    case 5: // a wrong length octet
      if (subs.length > 0) {
        const k = rng.int(subs.length);
        const s = Buffer.from(subs[k]!);
        s[0] = rng.pick([0, 1, 2, s[0]! + 1, Math.max(0, s[0]! - 1), 191, 192, 255]);
        subs[k] = s;
      }
      break;
    case 6: // reorder
      subs.reverse();
      break;
    default: // an issuer of the wrong length, or the real one again
      subs.splice(i, 0, subpacket(rng.pick([SUBPACKET.issuer, SUBPACKET.issuerFingerprint]), subpacketBody(rng, issuers)));
  }
  return Buffer.concat(subs);
}

const subpacketArea: Mutator = {
  name: 'subpacket-area',
  apply: (rng, input) =>
    editSignature(rng, input, (r, f, issuers) => (r.chance(0.25) ? { ...f, hashed: editArea(r, f.hashed, issuers) } : { ...f, unhashed: editArea(r, f.unhashed, issuers) })),
};

/** The hash tag, MPI bit counts, bytes after the MPIs, or the version and algorithm octets. */
const signatureTail: Mutator = {
  name: 'signature-tail',
  apply: (rng, input) =>
    editSignature(rng, input, (r, f) => {
      const tail = Buffer.from(f.tail);
      const head = Buffer.from(f.head);
      switch (r.int(4)) {
        case 0:
          return { ...f, tail: Buffer.concat([tail, r.bytes(r.range(1, 4))]) };
        case 1:
          if (tail.length >= 4) tail.writeUInt16BE(r.pick([0, 1, 8, 255, 256, 257, 2047, 2048, 4096, 0xffff]), 2);
          return { ...f, tail };
        case 2:
          return { ...f, tail: tail.subarray(0, r.int(tail.length)) };
        default:
          head[r.int(4)] = r.pick([0, 1, 2, 3, 4, 5, 6, 8, 10, 11, 12, 14, 16, 17, 19, 22, 0x19, 0x1f, 0xff]);
          return { ...f, head };
      }
    }),
};

/** A made-up signature packet (issuer real, zero, random, missing or malformed) before or after the others. */
const extraSignature: Mutator = {
  name: 'extra-signature',
  apply(rng, input) {
    const issuers = issuersIn(input);
    const issuer = rng.pick([
      () => subpacket(SUBPACKET.issuer, rng.pick(issuers.filter((i) => i.length === 8).concat([Buffer.alloc(8)]))),
      () => subpacket(SUBPACKET.issuer, Buffer.alloc(8)),
      () => subpacket(SUBPACKET.issuer, rng.bytes(8)),
      () => subpacket(rng.pick([SUBPACKET.issuer, SUBPACKET.issuerFingerprint]), subpacketBody(rng, issuers)),
      () => Buffer.alloc(0),
    ])();
    const hashed = rng.chance(0.8) ? creationTime() : Buffer.alloc(0);
    const head = rng.chance(0.7) ? [4, 0, 22, 8] : [rng.pick([3, 4, 5, 6]), rng.pick([0, 1, 0x19, 0x30]), rng.pick([1, 17, 19, 22, 99]), rng.pick([1, 2, 8, 10, 11, 12, 99])];
    const junk = rng.chance(0.5) ? junkSignature(hashed, issuer, head) : junkSignature(Buffer.concat([hashed, issuer]), Buffer.alloc(0), head);
    return rng.chance(0.7) ? Buffer.concat([junk, input]) : Buffer.concat([input, junk]);
  },
};

/** A packet of another type (known to go-crypto or not, its version byte varied) before the others. */
const otherPacket: Mutator = {
  name: 'other-packet',
  apply(rng, input) {
    const tag = rng.pick([0, 1, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 17, 18, 19, 20, 21, 60, 63]);
    const body = Buffer.concat([Buffer.from([rng.pick([0, 2, 3, 4, 5, 6, 99])]), rng.bytes(rng.pick([0, 1, 5, 9, 12, 40]))]);
    return Buffer.concat([packet(tag, body), input]);
  },
};

/** A signature packet re-framed with partial body lengths (go-crypto reads them; openpgp.js does not for signatures). */
const partialLengths: Mutator = {
  name: 'partial-lengths',
  apply(rng, input) {
    const frames = signatureFrames(input);
    if (frames.length === 0) return Buffer.from(input);
    const frame = rng.pick(frames);
    const body = bodyOf(input, frame);
    const chunks: Buffer[] = [Buffer.from([0xc2])];
    let at = 0;
    for (let power = rng.range(0, 6); body.length - at > 2 ** power; power = rng.range(0, 6)) {
      chunks.push(Buffer.from([0xe0 | power]), body.subarray(at, at + 2 ** power));
      at += 2 ** power;
    }
    const rest = body.length - at;
    chunks.push(rest < 192 ? Buffer.from([rest]) : Buffer.from([0xff, rest >>> 24, (rest >> 16) & 0xff, (rest >> 8) & 0xff, rest & 0xff]), body.subarray(at));
    return replaceFrame(input, frame, Buffer.concat(chunks));
  },
};

export const SIGNATURE_MUTATORS: readonly Mutator[] = [
  subpacketArea,
  subpacketArea,
  subpacketArea,
  signatureTail,
  extraSignature,
  extraSignature,
  otherPacket,
  partialLengths,
  ...PACKET_MUTATORS,
];

/**
 * OpenPGP packet framing (RFC 4880 §4.2), read lazily the way the reference's
 * packet reader does: a packet that is never reached cannot fail the check.
 */

export type FramedPacket = { tag: number; bytes: Uint8Array; error?: undefined } | { error: string; tag?: undefined };

/** Body length of a new-format header at `at`; undefined for partial lengths (never used by signatures). */
function newFormatLength(b: Uint8Array, at: number): { length: number; header: number } | undefined {
  const first = b[at];
  if (first === undefined) return undefined;
  if (first < 192) return { length: first, header: 1 };
  if (first < 224) {
    const second = b[at + 1];
    return second === undefined ? undefined : { length: ((first - 192) << 8) + second + 192, header: 2 };
  }
  if (first === 255 && at + 5 <= b.length) {
    return { length: Buffer.from(b.subarray(at + 1, at + 5)).readUInt32BE(0), header: 5 };
  }
  return undefined;
}

function oldFormatLength(b: Uint8Array, at: number, type: number): { length: number; header: number } | undefined {
  if (type === 3) return { length: b.length - at, header: 0 };
  const size = [1, 2, 4][type]!;
  if (at + size > b.length) return undefined;
  return { length: Buffer.from(b.subarray(at, at + size)).readUIntBE(0, size), header: size };
}

/**
 * Yields each packet of `bytes` in turn. `pendingError` is the error the armor
 * decoder met just after `bytes`: it is reported if a packet runs into it.
 */
export function* splitPackets(bytes: Uint8Array, pendingError?: string): Generator<FramedPacket> {
  const eof = pendingError ?? 'unexpected EOF';
  let at = 0;
  while (at < bytes.length) {
    const ctb = bytes[at]!;
    if ((ctb & 0x80) === 0) {
      yield { error: 'tag byte does not have MSB set' };
      return;
    }
    const isNew = (ctb & 0x40) !== 0;
    const tag = isNew ? ctb & 0x3f : (ctb >> 2) & 0x0f;
    const len = isNew ? newFormatLength(bytes, at + 1) : oldFormatLength(bytes, at + 1, ctb & 3);
    const end = len === undefined ? Infinity : at + 1 + len.header + len.length;
    if (end > bytes.length) {
      yield { error: eof };
      return;
    }
    yield { tag, bytes: bytes.subarray(at, end) };
    at = end;
  }
  if (pendingError !== undefined) yield { error: pendingError };
}

/**
 * OpenPGP packet reading (RFC 4880 §4.2) with the reference's reader rules:
 * go-crypto's packet.Read/readHeader over Go io.Readers, lazily. What
 * matters, and differs from a plain framer:
 * - a packet that is never reached cannot fail the check;
 * - a packet that parses is not skipped to its end: the next header is read
 *   where its parser stopped (trailing bytes inside it become the next packet);
 * - a packet that fails to parse is consumed to its end, errors ignored;
 * - partial body lengths are allowed, as are old-format indeterminate ones;
 * - EOF at a packet boundary ends the stream; EOF inside one is
 *   "unexpected EOF"; the armor decoder's error is sticky.
 */

/** Go's io.EOF. */
export const EOF = 'EOF';
export const UNEXPECTED_EOF = 'unexpected EOF';

/** One Go Read: some bytes, or none and an error (never both, which Go's readers here never need). */
export interface Chunk {
  readonly bytes: Uint8Array;
  readonly error?: string;
}

export interface Reader {
  read(max: number): Chunk;
}

const NONE = new Uint8Array(0);

/** Bytes, then `end` for ever: io.EOF, or the armor decoder's (sticky) error. */
export class ByteReader implements Reader {
  private at = 0;
  /** How many bytes the last read asked for beyond the end: what a truncated packet lacks. */
  shortfall = 0;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly end: string = EOF,
  ) {}
  /** The offset of the next byte read. */
  get position(): number {
    return this.at;
  }
  read(max: number): Chunk {
    this.shortfall = Math.max(0, this.at + max - this.bytes.length);
    if (this.at >= this.bytes.length) return { bytes: NONE, error: this.end };
    const out = this.bytes.subarray(this.at, Math.min(this.bytes.length, this.at + max));
    this.at += out.length;
    return { bytes: out };
  }
}

/** Go's io.ReadFull: EOF when nothing was read, unexpected EOF when some was. */
export function readAll(r: Reader, n: number): Chunk {
  const parts: Uint8Array[] = [];
  let got = 0;
  while (got < n) {
    const c = r.read(n - got);
    parts.push(c.bytes);
    got += c.bytes.length;
    if (c.error !== undefined && got < n) return { bytes: NONE, error: c.error === EOF && got > 0 ? UNEXPECTED_EOF : c.error };
  }
  return { bytes: Buffer.concat(parts) };
}

/** go-crypto's packet readFull: EOF is always unexpected. */
export function readFull(r: Reader, n: number): Chunk {
  const c = readAll(r, n);
  return c.error === EOF ? { bytes: NONE, error: UNEXPECTED_EOF } : c;
}

/** Everything up to the error that ends `r`: EOF for a clean end, else what went wrong. */
export function readRest(r: Reader): Chunk & { error: string } {
  const parts: Uint8Array[] = [];
  for (;;) {
    // Asking for everything at once lets a body reader ask its source for exactly what it still lacks.
    const c = r.read(Number.MAX_SAFE_INTEGER);
    parts.push(c.bytes);
    if (c.error !== undefined) return { bytes: Buffer.concat(parts), error: c.error };
  }
}

/** go-crypto's consumeAll: reads to the end, ignoring the error that ends it. */
export function consumeAll(r: Reader): void {
  while (r.read(4096).error === undefined);
}

/** go-crypto's spanReader: a limit, with EOF before it unexpected. */
class SpanReader implements Reader {
  constructor(
    private readonly r: Reader,
    private n: number,
  ) {}
  read(max: number): Chunk {
    if (this.n <= 0) return { bytes: NONE, error: EOF };
    const c = this.r.read(Math.min(max, this.n));
    this.n -= c.bytes.length;
    return this.n > 0 && c.error === EOF ? { bytes: c.bytes, error: UNEXPECTED_EOF } : c;
  }
}

/** go-crypto's partialLengthReader: chunks, each announcing the next length. */
class PartialLengthReader implements Reader {
  constructor(
    private readonly r: Reader,
    private remaining: number,
    private partial: boolean,
  ) {}
  read(max: number): Chunk {
    while (this.remaining === 0) {
      if (!this.partial) return { bytes: NONE, error: EOF };
      const next = readLength(this.r);
      if ('error' in next) return { bytes: NONE, error: next.error };
      ({ length: this.remaining, partial: this.partial } = next);
    }
    const want = Math.min(max, this.remaining);
    const c = this.r.read(want);
    this.remaining -= c.bytes.length;
    return c.bytes.length < want && c.error === EOF ? { bytes: c.bytes, error: UNEXPECTED_EOF } : c;
  }
}

/** A new-format body length (go-crypto readLength). */
function readLength(r: Reader): { length: number; partial: boolean } | { error: string } {
  const first = readFull(r, 1);
  if (first.error !== undefined) return { error: first.error };
  const b = first.bytes[0]!;
  if (b < 192) return { length: b, partial: false };
  if (b < 224) {
    const second = readFull(r, 1);
    return second.error !== undefined ? { error: second.error } : { length: ((b - 192) << 8) + second.bytes[0]! + 192, partial: false };
  }
  if (b < 255) return { length: 2 ** (b & 0x1f), partial: true };
  const four = readFull(r, 4);
  return four.error !== undefined ? { error: four.error } : { length: Buffer.from(four.bytes).readUInt32BE(0), partial: false };
}

export type PacketHeader = { tag: number; body: Reader; error?: undefined } | { error: string; tag?: undefined };

/** go-crypto readHeader: the next packet's tag and a reader of its body; EOF at a boundary is plain EOF. */
export function readHeader(r: Reader): PacketHeader {
  const ctb = readAll(r, 1);
  if (ctb.error !== undefined) return { error: ctb.error };
  const b = ctb.bytes[0]!;
  if ((b & 0x80) === 0) return { error: 'tag byte does not have MSB set' };
  if ((b & 0x40) === 0) {
    const tag = (b & 0x3f) >> 2;
    const lengthType = b & 3;
    if (lengthType === 3) return { tag, body: r };
    const size = 1 << lengthType;
    const length = readFull(r, size);
    if (length.error !== undefined) return { error: length.error };
    return { tag, body: new SpanReader(r, Buffer.from(length.bytes).readUIntBE(0, size)) };
  }
  const length = readLength(r);
  if ('error' in length) return { error: length.error };
  const body = length.partial ? new PartialLengthReader(r, length.length, true) : new SpanReader(r, length.length);
  return { tag: b & 0x3f, body };
}

/**
 * Just enough OpenPGP armor and packet framing (RFC 4880 §6, §4.2) for the
 * fuzzer to find the bytes a parser trusts: armor headers, checksums, packet
 * tags and lengths. Never used to read real keys; the product uses openpgp.js.
 */
import { crc24 } from '../integrity/pgp/cleartext.js';

export interface ArmorBlock {
  /** Byte range of the whole block, BEGIN line to END line inclusive. */
  readonly start: number;
  readonly end: number;
  readonly label: string;
  readonly headers: string[];
  readonly body: Buffer;
}

const BEGIN = /-----BEGIN PGP ([A-Z0-9 ,/]+)-----\r?\n/g;

/**
 * Armored blocks in `text` (latin1), in order; a clear-signed message yields
 * its signature block. One forward pass: a backtracking regex over thousands
 * of unterminated BEGIN lines is quadratic (the fuzzer makes such inputs).
 */
export function findArmorBlocks(text: string): ArmorBlock[] {
  const out: ArmorBlock[] = [];
  const unclosed = new Set<string>(); // labels with no END line after some point: none later either
  BEGIN.lastIndex = 0;
  for (let m = BEGIN.exec(text); m; m = BEGIN.exec(text)) {
    const endLine = `-----END PGP ${m[1]!}-----`;
    const end = unclosed.has(endLine) ? -1 : text.indexOf(endLine, BEGIN.lastIndex);
    if (end < 0) {
      unclosed.add(endLine); // a BEGIN of another label may still be closed
      continue;
    }
    const lines = text.slice(BEGIN.lastIndex, end).split(/\r?\n/);
    const blank = lines.indexOf('');
    const headers = blank > 0 ? lines.slice(0, blank) : [];
    const b64 = lines.slice(blank + 1).filter((l) => !(l.startsWith('=') && l.length === 5));
    out.push({ start: m.index, end: end + endLine.length, label: m[1]!, headers, body: Buffer.from(b64.join(''), 'base64') });
    BEGIN.lastIndex = end + endLine.length;
  }
  return out;
}

/** Re-armors a body with a correct checksum, so mutations reach the packet parser. */
export function armor(label: string, headers: readonly string[], body: Buffer): string {
  const b64 = body.toString('base64').replace(/.{1,64}/g, '$&\n');
  const crc = Buffer.from([crc24(body) >> 16, (crc24(body) >> 8) & 0xff, crc24(body) & 0xff]).toString('base64');
  const head = headers.length > 0 ? `${headers.join('\n')}\n` : '';
  return `-----BEGIN PGP ${label}-----\n${head}\n${b64}=${crc}\n-----END PGP ${label}-----`;
}

export interface PacketFrame {
  readonly start: number;
  readonly tag: number;
  /** Offset and width of the length field (0 for old-format indeterminate length). */
  readonly lengthAt: number;
  readonly lengthWidth: number;
  readonly bodyStart: number;
  readonly bodyLength: number;
  readonly newFormat: boolean;
}

/** Packet frames from the start of `buf` until the first one that does not parse or fit. */
export function packetFrames(buf: Buffer): PacketFrame[] {
  const out: PacketFrame[] = [];
  for (let pos = 0; pos < buf.length; ) {
    const frame = frameAt(buf, pos);
    if (!frame || frame.bodyStart + frame.bodyLength > buf.length) break;
    out.push(frame);
    pos = frame.bodyStart + frame.bodyLength;
  }
  return out;
}

function frameAt(buf: Buffer, start: number): PacketFrame | undefined {
  const b = buf[start]!;
  if ((b & 0x80) === 0 || start + 1 >= buf.length) return undefined;
  if (b & 0x40) {
    const l1 = buf[start + 1]!;
    const base = { start, tag: b & 0x3f, lengthAt: start + 1, newFormat: true };
    if (l1 < 192) return { ...base, lengthWidth: 1, bodyStart: start + 2, bodyLength: l1 };
    if (l1 < 224 && start + 2 < buf.length) {
      return { ...base, lengthWidth: 2, bodyStart: start + 3, bodyLength: ((l1 - 192) << 8) + buf[start + 2]! + 192 };
    }
    if (l1 === 255 && start + 5 < buf.length) return { ...base, lengthWidth: 5, bodyStart: start + 6, bodyLength: buf.readUInt32BE(start + 2) };
    return undefined; // partial body lengths: stop walking
  }
  const type = b & 3;
  const width = [1, 2, 4, 0][type]!;
  const tag = (b >> 2) & 0xf;
  if (width === 0) return { start, tag, lengthAt: start + 1, lengthWidth: 0, bodyStart: start + 1, bodyLength: buf.length - start - 1, newFormat: false };
  if (start + 1 + width > buf.length) return undefined;
  return { start, tag, lengthAt: start + 1, lengthWidth: width, bodyStart: start + 1 + width, bodyLength: buf.readUIntBE(start + 1, width), newFormat: false };
}

/**
 * Decoding of PGP clear-signed messages exactly as the reference reads them
 * (go-crypto clearsign.Decode and armor.Decode), without openpgp.js, so that
 * signature selection never loads the PGP library.
 */

export interface ClearSigned {
  /** Each text line followed by "\n", dash-unescaped, trailing spaces and tabs removed. */
  readonly plaintext: Buffer;
  /** The signed bytes: the lines joined with CRLF, without a final line ending. */
  readonly signed: Buffer;
  /** The decoded armor body (binary signature packets) up to the first base64 error. */
  readonly signature: Buffer;
  /**
   * The error a reader of `signature` meets after its last byte, if not a
   * clean end: a base64 or armor error where decoding stopped early, or a
   * wrong armor checksum (which the reference reports only at the end).
   */
  readonly signatureError: string | undefined;
  /**
   * Why the data is more than exactly one clear-signed message: text before
   * or after it, or armor headers in its signature block. The reference
   * ignores these; the verifier refuses them (docs/security.md).
   */
  readonly extraneous: string | undefined;
}

const isBlank = (b: Buffer) => b.every((c) => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a);

const START = Buffer.from('-----BEGIN PGP SIGNED MESSAGE-----');
const END_TEXT = Buffer.from('-----BEGIN PGP SIGNATURE-----');
const END = Buffer.from('\n-----END PGP SIGNATURE-----');
const CRLF = Buffer.from('\r\n');

/** Splits off the first line (LF or CRLF ended), like go-crypto's getLine. */
function getLine(data: Buffer): [line: Buffer, rest: Buffer] {
  const i = data.indexOf(0x0a);
  if (i < 0) return [data, data.subarray(data.length)];
  const end = i > 0 && data[i - 1] === 0x0d ? i - 1 : i;
  return [data.subarray(0, end), data.subarray(i + 1)];
}

/** Finds the first clear-signed message in `data`; undefined when there is none (or it is malformed). */
export function decodeClearSigned(data: Buffer): ClearSigned | undefined {
  let rest: Buffer;
  let prefixed = false;
  if (data.subarray(0, START.length).equals(START)) rest = data.subarray(START.length);
  else {
    const i = data.indexOf(Buffer.concat([Buffer.from('\n'), START]));
    if (i < 0) return undefined;
    rest = data.subarray(i + 1 + START.length);
    prefixed = !isBlank(data.subarray(0, i));
  }
  let line: Buffer;
  [line, rest] = getLine(rest);
  if (line.length !== 0) return undefined;
  const afterHeaders = skipHashHeaders(rest);
  if (afterHeaders === undefined) return undefined;
  const decoded = decodeBody(afterHeaders);
  return decoded && prefixed ? { ...decoded, extraneous: 'text before the signed message' } : decoded;
}

/** Only "Hash:" armor headers are allowed, as in the reference. */
function skipHashHeaders(data: Buffer): Buffer | undefined {
  let rest = data;
  for (;;) {
    if (rest.length === 0) return undefined;
    let line: Buffer;
    [line, rest] = getLine(rest);
    if (line.length === 0) return rest;
    if (line.some((b) => b < 0x20 || b > 0x7e)) return undefined;
    const colon = line.indexOf(0x3a);
    if (colon < 0 || line.subarray(0, colon).toString('latin1').trim() !== 'Hash') return undefined;
  }
}

function decodeBody(data: Buffer): ClearSigned | undefined {
  const signed: Buffer[] = [];
  const plain: Buffer[] = [];
  let rest = data;
  for (let first = true; ; first = false) {
    const start = rest;
    let line: Buffer;
    [line, rest] = getLine(rest);
    if (line.length === 0 && rest.length === 0) return undefined;
    if (line.equals(END_TEXT)) {
      rest = start;
      break;
    }
    if (!first) signed.push(CRLF);
    if (line[0] === 0x2d && line[1] === 0x20) line = line.subarray(2);
    line = trimSpaceTab(line);
    signed.push(line);
    plain.push(line, Buffer.from('\n'));
  }
  const end = rest.indexOf(END);
  if (end < 0) return undefined;
  const body = decodeArmorBody(rest.subarray(0, end + 1));
  if (body === undefined) return undefined;
  const trailing = !isBlank(rest.subarray(end + END.length));
  const extraneous = trailing ? 'text after the signature' : body.headers ? 'armor headers in the signature block' : undefined;
  return { plaintext: Buffer.concat(plain), signed: Buffer.concat(signed), signature: body.signature, signatureError: body.signatureError, extraneous };
}

function trimSpaceTab(line: Buffer): Buffer {
  let n = line.length;
  while (n > 0 && (line[n - 1] === 0x20 || line[n - 1] === 0x09)) n--;
  return line.subarray(0, n);
}

/**
 * The armor block from its BEGIN line up to (not including) the END line:
 * header lines ("Key: value") up to a blank line, then base64 lines. Like the
 * reference's lazy reader, a base64 error or a wrong CRC only matters if the
 * packets reach it.
 */
function decodeArmorBody(block: Buffer): { signature: Buffer; signatureError: string | undefined; headers: boolean } | undefined {
  const lines = block.toString('latin1').split('\n').map((l) => l.replace(/\r$/, ''));
  lines.shift(); // the BEGIN line
  let headers = false;
  for (;;) {
    const header = lines.shift();
    if (header === undefined) return undefined;
    if (header.trim() === '') break;
    if (!header.includes(': ')) return undefined;
    headers = true;
  }
  const body: string[] = [];
  let error: string | undefined;
  let checksum: number | undefined;
  for (const [i, line] of lines.entries()) {
    if (line.startsWith('-----END ')) break;
    if (line.length === 5 && line.startsWith('=')) {
      // The line after the checksum must be the END line (the block's last, empty, line here).
      const atEnd = i + 1 === lines.length - 1 || lines[i + 1]!.startsWith('-----END ');
      checksum = atEnd && B64.test(line.slice(1)) ? Buffer.from(line.slice(1), 'base64').readUIntBE(0, 3) : undefined;
      if (checksum === undefined) error = ARMOR_INVALID;
      break;
    }
    if (line.length > 96) {
      error = ARMOR_INVALID;
      break;
    }
    body.push(line);
  }
  const decoded = decodeBase64Prefix(body.join(''));
  const badChecksum = checksum !== undefined && crc24(decoded.bytes) !== checksum;
  return { signature: decoded.bytes, signatureError: decoded.error ?? error ?? (badChecksum ? ARMOR_INVALID : undefined), headers };
}

const ARMOR_INVALID = 'armor invalid';

/** CRC-24 of RFC 4880 §6.1, the armor checksum. */
export function crc24(data: Uint8Array): number {
  let crc = 0xb704ce;
  for (const byte of data) {
    crc ^= byte << 16;
    for (let i = 0; i < 8; i++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864cfb;
    }
  }
  return crc & 0xffffff;
}

const B64 = /^[A-Za-z0-9+/]{4}$|^[A-Za-z0-9+/]{2}==$|^[A-Za-z0-9+/]{3}=$/;

/**
 * Decodes standard base64 four characters at a time, stopping at the first
 * bad quantum. A padded quantum still decodes, as in Go's decoder; only what
 * follows it is the error (which matters only if the packets reach it).
 */
function decodeBase64Prefix(text: string): { bytes: Buffer; error: string | undefined } {
  let good = 0;
  let error: string | undefined;
  for (let i = 0; i < text.length; i += 4) {
    const quantum = text.slice(i, i + 4);
    if (!B64.test(quantum)) {
      error = `illegal base64 data at input byte ${i}`;
      break;
    }
    good = i + 4;
    if (quantum.includes('=')) {
      if (good < text.length) error = `illegal base64 data at input byte ${good}`;
      break;
    }
  }
  return { bytes: Buffer.from(text.slice(0, good), 'base64'), error };
}

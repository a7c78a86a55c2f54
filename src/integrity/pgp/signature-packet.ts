/**
 * A signature packet parsed exactly as the reference's go-crypto parses one
 * (packet/signature.go parse and parseSignatureSubpacket), so that what is
 * malformed, what is skipped and which key ID is the issuer are decided by
 * the reference's rules, not by openpgp.js's lenient parser.
 */
import { ByteReader, readFull, type Reader } from './packets.js';

export interface ParsedSignature {
  readonly version: number;
  readonly sigType: number;
  readonly pubKeyAlgo: number;
  readonly hashId: number;
  /** The hashed subpacket area, as signed. */
  readonly hashedArea: Uint8Array;
  /** Upper-case 16-hex issuer key ID: the last issuer or issuer-fingerprint subpacket, hashed area first. */
  readonly issuerKeyId: string | undefined;
  /** Seconds since the epoch. */
  readonly created: number;
  /** Signature lifetime in seconds (hashed area only); 0 or undefined: none. */
  readonly lifetime: number | undefined;
  readonly hashTag: Uint8Array;
  /** The signature MPIs as read: two bytes of bit count, then the bytes. */
  readonly mpis: readonly Uint8Array[];
}

/**
 * `unsupported`: go-crypto's UnsupportedError, which its packet reader skips;
 * `error`: a structural or read error, which ends the check.
 */
export type SignatureParse = { signature: ParsedSignature } | { unsupported: string } | { error: string };

export const ALGO = { rsa: 1, rsaSignOnly: 3, dsa: 17, ecdsa: 19, eddsa: 22 } as const;
const MPI_COUNT: Partial<Record<number, number>> = { 1: 1, 3: 1, 17: 2, 19: 2, 22: 2 };
/** go-crypto's HashById: MD5, SHA-1, RIPEMD-160, SHA-256/384/512, SHA-224, SHA3-256, SHA3-512. */
const GO_HASH_IDS = new Set([1, 2, 3, 8, 9, 10, 11, 12, 14]);

const SUB = {
  creationTime: 2,
  sigExpiration: 3,
  trust: 5,
  regex: 6,
  keyExpiration: 9,
  prefSymmetric: 11,
  issuer: 16,
  prefHash: 21,
  prefCompression: 22,
  primaryUserId: 25,
  policyUri: 26,
  keyFlags: 27,
  signerUserId: 28,
  revocationReason: 29,
  features: 30,
  embedded: 32,
  issuerFingerprint: 33,
  prefCipherSuites: 39,
} as const;

class Unsupported extends Error {}
class Structural extends Error {}

interface Fields {
  version: number;
  issuerKeyId?: string;
  created?: number;
  lifetime?: number;
  embedded?: boolean;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();

/** Parses one signature packet body from `r`, leaving `r` where go-crypto's parser stops. */
export function parseSignature(r: Reader): SignatureParse {
  try {
    return { signature: parse(r) };
  } catch (e) {
    if (e instanceof Unsupported) return { unsupported: e.message };
    if (e instanceof Structural) return { error: e.message };
    /* c8 ignore next -- parse throws only those two; anything else is a bug, surfaced as such */
    throw e;
  }
}

function need(r: Reader, n: number): Uint8Array {
  const c = readFull(r, n);
  if (c.error !== undefined) throw new Structural(c.error);
  return c.bytes;
}

function parse(r: Reader): ParsedSignature {
  const version = need(r, 1)[0]!;
  if (version !== 4 && version !== 5) throw new Unsupported(`signature packet version ${version}`);
  const head = need(r, 5);
  const [sigType, pubKeyAlgo, hashId] = [head[0]!, head[1]!, head[2]!];
  const mpiCount = MPI_COUNT[pubKeyAlgo];
  if (mpiCount === undefined) throw new Unsupported(`public key algorithm ${pubKeyAlgo}`);
  if (!GO_HASH_IDS.has(hashId)) throw new Unsupported(`hash function ${hashId}`);
  const fields: Fields = { version };
  const hashedArea = need(r, (head[3]! << 8) | head[4]!);
  parseSubpackets(fields, hashedArea, true);
  const unhashedLength = need(r, 2);
  parseSubpackets(fields, need(r, (unhashedLength[0]! << 8) | unhashedLength[1]!), false);
  const hashTag = need(r, 2);
  const mpis: Uint8Array[] = [];
  for (let i = 0; i < mpiCount; i++) {
    const bits = need(r, 2);
    mpis.push(Buffer.concat([bits, need(r, (((bits[0]! << 8) | bits[1]!) + 7) >> 3)]));
  }
  return { version, sigType, pubKeyAlgo, hashId, hashedArea, issuerKeyId: fields.issuerKeyId, created: fields.created!, lifetime: fields.lifetime, hashTag, mpis };
}

function parseSubpackets(fields: Fields, area: Uint8Array, hashed: boolean): void {
  let rest = area;
  while (rest.length > 0) rest = parseSubpacket(fields, rest, hashed);
  if (fields.created === undefined) throw new Structural('no creation time in signature');
}

/** One subpacket's length and body; what follows it. */
function splitSubpacket(b: Uint8Array): [body: Uint8Array, rest: Uint8Array] {
  const truncated = () => new Structural('signature subpacket truncated');
  let length: number;
  let at: number;
  if (b[0]! < 192) [length, at] = [b[0]!, 1];
  else if (b[0]! < 255) {
    if (b.length < 2) throw truncated();
    [length, at] = [((b[0]! - 192) << 8) + b[1]! + 192, 2];
  } else {
    if (b.length < 5) throw truncated();
    [length, at] = [Buffer.from(b.subarray(1, 5)).readUInt32BE(0), 5];
  }
  if (length > b.length - at) throw truncated();
  const body = b.subarray(at, at + length);
  if (body.length === 0) throw new Structural('zero length signature subpacket');
  return [body, b.subarray(at + length)];
}

/** Bad-length rules of the subpackets go-crypto reads in both areas, or in the hashed one only. */
const LENGTH_RULES: Partial<Record<number, { ok: (n: number) => boolean; error: string; hashedOnly: boolean }>> = {
  [SUB.sigExpiration]: { ok: (n) => n === 4, error: 'expiration subpacket with bad length', hashedOnly: true },
  [SUB.trust]: { ok: (n) => n === 2, error: 'trust subpacket with bad length', hashedOnly: false },
  [SUB.keyExpiration]: { ok: (n) => n === 4, error: 'key expiration subpacket with bad length', hashedOnly: true },
  [SUB.primaryUserId]: { ok: (n) => n === 1, error: 'primary user id subpacket with bad length', hashedOnly: true },
  [SUB.keyFlags]: { ok: (n) => n > 0, error: 'empty key flags subpacket', hashedOnly: true },
  [SUB.revocationReason]: { ok: (n) => n > 0, error: 'empty revocation reason subpacket', hashedOnly: true },
  [SUB.prefCipherSuites]: { ok: (n) => n % 2 === 0, error: 'invalid aead cipher suite length', hashedOnly: true },
};

/** Types go-crypto reads (in the hashed area) without a length rule. */
const KNOWN_WITHOUT_RULE = new Set<number>([SUB.prefSymmetric, SUB.prefHash, SUB.prefCompression, SUB.policyUri, SUB.signerUserId, SUB.features]);

function parseSubpacket(fields: Fields, b: Uint8Array, hashed: boolean): Uint8Array {
  const [raw, rest] = splitSubpacket(b);
  const type = raw[0]! & 0x7f;
  const critical = (raw[0]! & 0x80) !== 0;
  const body = raw.subarray(1);
  const rule = LENGTH_RULES[type];
  if (rule) {
    if ((hashed || !rule.hashedOnly) && !rule.ok(body.length)) throw new Structural(rule.error);
    if (type === SUB.sigExpiration && hashed) fields.lifetime = Buffer.from(body).readUInt32BE(0);
    return rest;
  }
  switch (type) {
    case SUB.creationTime:
      if (!hashed) throw new Structural('signature creation time in non-hashed area');
      if (body.length !== 4) throw new Structural('signature creation time not four bytes');
      fields.created = Buffer.from(body).readUInt32BE(0);
      break;
    case SUB.regex:
      if (body.length === 0) throw new Structural('regexp subpacket with bad length');
      if (body[body.length - 1] !== 0) throw new Structural('expected regular expression to be null-terminated');
      break;
    case SUB.issuer:
      if (body.length !== 8) throw new Structural('issuer subpacket with bad length');
      if (fields.version > 4) throw new Structural('issuer subpacket found in v5 key');
      fields.issuerKeyId = hex(body);
      break;
    case SUB.embedded:
      parseEmbedded(fields, body);
      break;
    case SUB.issuerFingerprint:
      issuerFingerprint(fields, body);
      break;
    default:
      if (!KNOWN_WITHOUT_RULE.has(type) && critical) throw new Unsupported(`unknown critical signature subpacket type ${type}`);
  }
  return rest;
}

function issuerFingerprint(fields: Fields, body: Uint8Array): void {
  if (body.length === 0) throw new Structural('empty issuer fingerprint subpacket');
  const v = body[0]!;
  const fp = body.subarray(1);
  if ((v === 5 && fp.length !== 32) || (v !== 5 && fp.length !== 20)) throw new Structural('bad fingerprint length');
  fields.issuerKeyId = hex(v === 5 ? fp.subarray(0, 8) : fp.subarray(12, 20));
}

/** Only primary-key binding signatures may be embedded; their errors are the outer packet's. */
function parseEmbedded(fields: Fields, body: Uint8Array): void {
  if (fields.embedded) throw new Structural('Cannot have multiple embedded signatures');
  fields.embedded = true;
  const inner = parse(new ByteReader(body));
  if (inner.sigType !== 0x19) throw new Structural(`cross-signature has unexpected type ${inner.sigType}`);
}

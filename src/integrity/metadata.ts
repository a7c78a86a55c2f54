/**
 * The image metadata a signature covers: the compact JSON the reference's
 * json.Marshal writes, and a strict parser for it (docs/security.md says where
 * we are stricter than Go's encoding/json).
 */
import { descriptorIntegrityBytes, type Descriptor } from '../format/descriptor.js';
import { headerIntegrityBytes } from '../format/header.js';
import type { SifImage } from '../image/image.js';
import { DIGEST_SIZES, hashBytes, isDigestAlg, type DigestAlg, type ObjectDigests } from './digest.js';

export interface Digest {
  readonly alg: DigestAlg;
  readonly value: Buffer;
}

export interface ObjectMetadata {
  /** Object ID minus the minimum ID of its group. */
  readonly relativeId: number;
  readonly descriptorDigest: Digest;
  readonly objectDigest: Digest;
}

export interface ImageMetadata {
  readonly version: number;
  readonly header: { readonly digest: Digest };
  readonly objects: readonly ObjectMetadata[];
}

/** Why signed metadata was rejected; verify wraps it as "signature object N not valid: …". */
export class MetadataError extends Error {}

const digestText = (d: Digest) => `${d.alg}:${d.value.toString('hex')}`;

/** Compact JSON with the reference's key order; objects keep the order given (ascending ID). */
export function encodeMetadata(md: ImageMetadata): string {
  return JSON.stringify({
    version: md.version,
    header: { digest: digestText(md.header.digest) },
    objects: md.objects.map((o) => ({
      relativeId: o.relativeId,
      descriptorDigest: digestText(o.descriptorDigest),
      objectDigest: digestText(o.objectDigest),
    })),
  });
}

/**
 * Metadata for `objects` (all in the same group), hashed with `alg` (default
 * sha256, as the reference signs). Relative IDs count from `minId`.
 */
export async function buildMetadata(
  image: SifImage,
  digests: ObjectDigests,
  objects: readonly Descriptor[],
  minId: number,
  alg: DigestAlg = 'sha256',
): Promise<ImageMetadata> {
  const sorted = [...objects].sort((a, b) => a.id - b.id);
  digests.prefetch(sorted, alg);
  const out: ObjectMetadata[] = [];
  for (const d of sorted) {
    out.push({
      relativeId: d.id - minId,
      descriptorDigest: { alg, value: hashBytes(alg, descriptorIntegrityBytes(d)) },
      objectDigest: { alg, value: await digests.digest(d, alg) },
    });
  }
  return { version: 1, header: { digest: { alg, value: hashBytes(alg, headerIntegrityBytes(image.header)) } }, objects: out };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Parses signed metadata. Accepts what the reference writes and what Go would
 * read the same way; rejects duplicate keys, keys that only differ in case from
 * a field (Go matches them case-insensitively), missing fields, and versions
 * other than 1.
 */
export function parseMetadata(text: string): ImageMetadata {
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch (e) {
    throw new MetadataError(`metadata is not JSON: ${(e as Error).message}`);
  }
  assertNoDuplicateKeys(text);
  const top = fields(value, 'metadata', ['version', 'header', 'objects']);
  if (top.version !== 1) throw new MetadataError(`unsupported metadata version ${describeValue(top.version)}`);
  const header = fields(top.header, 'header', ['digest']);
  if (!Array.isArray(top.objects)) throw new MetadataError('metadata objects: not an array');
  const objects = top.objects.map((o, i) => {
    const f = fields(o, `objects[${i}]`, ['relativeId', 'descriptorDigest', 'objectDigest']);
    const rid = f.relativeId;
    if (typeof rid !== 'number' || !Number.isInteger(rid) || rid < 0 || rid > 0xffffffff) {
      throw new MetadataError(`objects[${i}].relativeId: not a uint32`);
    }
    return { relativeId: rid, descriptorDigest: parseDigest(f.descriptorDigest), objectDigest: parseDigest(f.objectDigest) };
  });
  const digest = parseDigest(header.digest);
  assertIntegerLiterals(text);
  return { version: 1, header: { digest }, objects };
}

/** A short description of a JSON value for messages; never recursive (signed data may nest deeply). */
function describeValue(v: Json): string {
  if (Array.isArray(v)) return 'an array';
  if (v !== null && typeof v === 'object') return 'an object';
  const text = JSON.stringify(v);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** Go folds "K" with the Kelvin sign and "s" with the long s when matching field names. */
const fold = (s: string) => s.toLowerCase().replace(/\u212a/g, 'k').replace(/\u017f/g, 's');

function fields<K extends string>(value: Json, where: string, names: readonly K[]): Record<K, Json> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new MetadataError(`${where}: not an object`);
  }
  for (const key of Object.keys(value)) {
    const near = names.find((n) => fold(n) === fold(key));
    if (near !== undefined && near !== key) throw new MetadataError(`${where}: ambiguous key ${JSON.stringify(key)}`);
  }
  const missing = names.find((n) => !Object.hasOwn(value, n));
  if (missing !== undefined) throw new MetadataError(`${where}: ${missing} missing`);
  return value as Record<K, Json>;
}

/** "alg:hex" with a known algorithm and the right length; Go's texts for the failures. */
export function parseDigest(value: Json): Digest {
  if (typeof value !== 'string') throw new MetadataError('digest malformed');
  const parts = value.split(':');
  if (parts.length !== 2) throw new MetadataError('digest malformed');
  const [name, hex] = parts as [string, string];
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new MetadataError('digest malformed');
  if (!isDigestAlg(name)) throw new MetadataError('hash algorithm unsupported');
  const bytes = Buffer.from(hex, 'hex');
  if (bytes.length !== DIGEST_SIZES[name]) throw new MetadataError('digest malformed');
  return { alg: name, value: bytes };
}

const TOKEN = /"(?:[^"\\]|\\.)*"|[{}[\]:,]|-?[0-9][0-9.eE+-]*/g;

/**
 * Fields Go decodes into integers. JSON.parse turns 0.0, -0 and 1e0 into
 * integers; Go's decoder refuses them (and a sign for an unsigned field), so
 * we must too, or we would verify metadata the reference rejects.
 */
const INTEGER_FIELDS: ReadonlyMap<string, { name: string; literal: RegExp }> = new Map([
  ['relativeid', { name: 'relativeId', literal: /^(0|[1-9][0-9]*)$/ }],
  ['version', { name: 'version', literal: /^-?(0|[1-9][0-9]*)$/ }],
]);

/** Each key token with the folded key it names and the token of its value (strings are whole tokens). */
function* keyValueTokens(text: string): Generator<{ depth: (Set<string> | undefined)[]; key: string; keyToken: string; value: string }> {
  const stack: (Set<string> | undefined)[] = [];
  let previous: string | undefined;
  let keyToken: string | undefined;
  for (const [token] of text.matchAll(TOKEN)) {
    // The value's first token, before it opens an object or array: `depth` is still the key's object.
    if (previous === ':' && keyToken !== undefined) yield { depth: stack, key: fold(JSON.parse(keyToken) as string), keyToken, value: token };
    if (token === '{') stack.push(new Set());
    else if (token === '[') stack.push(undefined);
    else if (token === '}' || token === ']') stack.pop();
    else if (token === ':' && previous?.startsWith('"')) keyToken = previous;
    previous = token;
  }
}

/** JSON.parse keeps the last of duplicate keys silently; signed data must not be ambiguous. */
function assertNoDuplicateKeys(text: string): void {
  for (const { depth, key, keyToken } of keyValueTokens(text)) {
    const keys = depth.at(-1);
    if (keys?.has(key)) throw new MetadataError(`duplicate key ${keyToken}`);
    keys?.add(key);
  }
}

/** After the value checks: integers JSON.parse accepted but Go's decoder refuses (0.0, -0, 1e0). */
function assertIntegerLiterals(text: string): void {
  for (const { key, value } of keyValueTokens(text)) {
    const field = INTEGER_FIELDS.get(key); // a Map: keys such as "constructor" come from signed data
    if (field && /^[-0-9]/.test(value) && !field.literal.test(value)) throw new MetadataError(`${field.name}: ${value} is not an integer`);
  }
}

/**
 * Which packets go-crypto's packet reader (Apptainer, sylabs/sif 2.8.3)
 * silently drops: packet types it does not know, and packets whose parser
 * returns errors.UnsupportedError — v3 and v6 keys, unknown public-key
 * algorithms and curves, v3 signatures and unknown hashes
 * (openpgp/packet/reader.go Next, public_key.go and signature.go parse).
 * The keyring reader skips exactly these, so `sif` sees the keys Apptainer sees.
 */
import { keyPacketHeader, type Packet } from './packets.js';

export const PUBLIC_KEY_TAG = 6;
export const SECRET_KEY_TAG = 5;
export const PUBLIC_SUBKEY_TAG = 14;
export const SECRET_SUBKEY_TAG = 7;
export const SIGNATURE_TAG = 2;
export const USER_ID_TAG = 13;

/** Tags go-crypto's packet.Read knows; any other packet (marker, trust, …) is skipped unseen. */
const KNOWN_TAGS = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 13, 14, 17, 18, 20]);

const PACKET_NAMES: Readonly<Record<number, string>> = { 10: 'marker packet', 12: 'trust packet' };

/** go-crypto's curves by OID (hex), with the algorithms each can serve (internal/ecc/curve_info.go). */
const GENERIC = [18, 19];
const CURVES: Readonly<Record<string, readonly number[]>> = {
  '2a8648ce3d030107': GENERIC, // NIST P-256
  '2b81040022': GENERIC, // NIST P-384
  '2b81040023': GENERIC, // NIST P-521
  '2b8104000a': GENERIC, // secp256k1
  '2b2403030208010107': GENERIC, // brainpoolP256r1
  '2b240303020801010b': GENERIC, // brainpoolP384r1
  '2b240303020801010d': GENERIC, // brainpoolP512r1
  '2b060104019755010501': [18], // Curve25519
  '2b656f': [18], // X448
  '2b06010401da470f01': [22], // Ed25519
  '2b6571': [22], // Ed448
};

/** Public-key algorithms go-crypto parses in keys, and those it accepts in signatures. */
const KEY_ALGORITHMS = new Set([1, 2, 3, 16, 17, 18, 19, 22]);
const SIGNATURE_ALGORITHMS = new Set([1, 3, 17, 19, 22]);
/** go-crypto's HashById: MD5, SHA-1, RIPEMD-160, SHA-256/384/512/224, SHA3-256, SHA3-512. */
const HASHES = new Set([1, 2, 3, 8, 9, 10, 11, 12, 14]);

export const isKeyTag = (tag: number) => tag === PUBLIC_KEY_TAG || tag === SECRET_KEY_TAG || tag === PUBLIC_SUBKEY_TAG || tag === SECRET_SUBKEY_TAG;
export const isPrimaryKeyTag = (tag: number) => tag === PUBLIC_KEY_TAG || tag === SECRET_KEY_TAG;

/** Why go-crypto's packet reader drops `packet` without a word, or undefined when it reads it. */
export function goDropsPacket(packet: Packet): string | undefined {
  if (!KNOWN_TAGS.has(packet.tag)) return PACKET_NAMES[packet.tag] ?? `packet of unknown type ${packet.tag}`;
  if (isKeyTag(packet.tag)) return unsupportedKey(packet.body);
  if (packet.tag === SIGNATURE_TAG) return unsupportedSignature(packet.body);
  return undefined;
}

function unsupportedKey(body: Uint8Array): string | undefined {
  const { version, algorithm, material } = keyPacketHeader(body);
  if (version !== 4 && version !== 5) return `version ${version} key`;
  if (!KEY_ALGORITHMS.has(algorithm)) return `key of unknown public-key algorithm ${algorithm}`;
  if (algorithm === 18 || algorithm === 19 || algorithm === 22) return unsupportedCurve(body, algorithm, material);
  return undefined;
}

function unsupportedCurve(body: Uint8Array, algorithm: number, material: number): string | undefined {
  const oidLength = body[material] ?? 0;
  const oid = Buffer.from(body.subarray(material + 1, material + 1 + oidLength)).toString('hex');
  if (!CURVES[oid]?.includes(algorithm)) return `key on an unsupported curve (OID ${oid})`;
  // EdDSA points must be in the 0x40-prefixed native form (an MPI: two length bytes, then the point).
  if (algorithm === 22 && body[material + 1 + oidLength + 2] !== 0x40) return 'EdDSA key with an unsupported point encoding';
  return undefined;
}

function unsupportedSignature(body: Uint8Array): string | undefined {
  const version = body[0] ?? 0;
  if (version !== 4 && version !== 5) return `version ${version} signature`;
  if (!SIGNATURE_ALGORITHMS.has(body[2] ?? 0)) return `signature of unknown public-key algorithm ${body[2] ?? 0}`;
  if (!HASHES.has(body[3] ?? 0)) return `signature with unknown hash ${body[3] ?? 0}`;
  return undefined;
}

/** go-crypto's PublicKeyAlgorithm.CanSign: a primary key that cannot sign makes ReadEntity give up. */
export const canSign = (algorithm: number) => SIGNATURE_ALGORITHMS.has(algorithm);

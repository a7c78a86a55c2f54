/**
 * Typed builders for a descriptor's Extra field. Each encodes through the one
 * layout table in src/format/layout.ts and checks its values the way the
 * reference's Opt*Metadata functions do.
 */
import { UsageError } from '../../errors.js';
import { archToBytes, ENTITY_SIZE, EXTRA_SIZE, isArch, type Arch } from '../../format/constants.js';
import {
  cryptoMessageExtraLayout,
  partitionExtraLayout,
  sbomExtraLayout,
  signatureExtraLayout,
} from '../../format/layout.js';

const isInt32 = (n: number) => Number.isInteger(n) && n >= -0x80000000 && n <= 0x7fffffff;

function assertInt32(n: number, what: string): void {
  if (!isInt32(n)) throw new UsageError(`invalid ${what}: ${n}`);
}

function padded(layoutBytes: Buffer): Uint8Array {
  const out = Buffer.alloc(EXTRA_SIZE);
  layoutBytes.copy(out);
  return out;
}

export interface PartitionExtraInput {
  /** FsType.* (Squashfs = 1, Ext3, ImmuObj, Raw, EncryptedSquashfs). */
  fsType: number;
  /** PartType.* (System = 1, PrimSys, Data, Overlay). */
  partType: number;
  /** Go architecture name, e.g. "amd64"; "unknown" is refused as by the reference. */
  arch: Arch | string;
}

/** Extra of a partition (DataType.Partition): fs type, partition type and architecture code. */
export function partitionExtra(p: PartitionExtraInput): Uint8Array {
  assertInt32(p.fsType, 'filesystem type');
  assertInt32(p.partType, 'partition type');
  if (!isArch(p.arch)) throw new UsageError(`unknown architecture: ${p.arch}`);
  return padded(partitionExtraLayout.encode({ fsType: p.fsType, partType: p.partType, arch: archToBytes(p.arch) }));
}

/**
 * Extra of a signature (DataType.Signature): HashType.* code (1–5) and the
 * signer's fingerprint (20 bytes for OpenPGP; omitted or empty for DSSE).
 */
export function signatureExtra(hashType: number, fingerprint: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (!Number.isInteger(hashType) || hashType < 1 || hashType > 5) {
    throw new UsageError(`invalid hash type: ${hashType}`);
  }
  if (fingerprint.length > ENTITY_SIZE) {
    throw new UsageError(`signing entity too large: ${fingerprint.length} bytes (at most ${ENTITY_SIZE})`);
  }
  return padded(signatureExtraLayout.encode({ hashType, entity: Buffer.from(fingerprint) }));
}

/** Extra of a cryptographic message (DataType.CryptoMessage): FormatType.* and MessageType.*. */
export function cryptoMessageExtra(formatType: number, messageType: number): Uint8Array {
  assertInt32(formatType, 'format type');
  assertInt32(messageType, 'message type');
  return padded(cryptoMessageExtraLayout.encode({ formatType, messageType }));
}

/** Extra of an SBOM (DataType.SBOM): SbomFormat.* code. */
export function sbomExtra(format: number): Uint8Array {
  assertInt32(format, 'SBOM format');
  return padded(sbomExtraLayout.encode({ format }));
}

/** Extra of OCI objects: the text "sha256:<hex>" of the data, as upstream stores it. */
export function ociDigestExtra(sha256: Uint8Array): Uint8Array {
  const out = Buffer.alloc(EXTRA_SIZE);
  out.write(`sha256:${Buffer.from(sha256).toString('hex')}`, 'latin1');
  return out;
}


import { FormatError } from '../errors.js';
import {
  archFromBytes,
  DataType,
  dataTypeName,
  FINGERPRINT_SIZE,
  GROUP_MASK,
  hashTypeName,
  type Arch,
} from './constants.js';
import {
  cryptoMessageExtraLayout,
  descriptorIntegrityLayout,
  partitionExtraLayout,
  sbomExtraLayout,
  signatureExtraLayout,
  type RawDescriptor,
} from './layout.js';

/** A read-only view of one used descriptor slot. */
export interface Descriptor {
  /** The bytes as stored; int64 fields are bigint. */
  readonly raw: RawDescriptor;
  /** Index in the descriptor table (ID = slot + 1 for images written by the reference). */
  readonly slot: number;
  readonly id: number;
  readonly dataType: number;
  /** Group with the mask removed; 0 = no group. */
  readonly groupId: number;
  /** Linked object or group with the mask removed; 0 = no link. */
  readonly linkedId: number;
  /** True only when all four mask bits are set, as in the reference. */
  readonly linkIsGroup: boolean;
  /** Absolute file offset of the data; validated non-negative and within the file. */
  readonly offset: number;
  readonly size: number;
  /** ID minus the minimum ID of descriptors with the same raw group value. */
  readonly relativeId: number;
  /** Name bytes with trailing NULs trimmed (Go's TrimRight). */
  readonly name: Buffer;
}

export function trimTrailingNuls(b: Buffer): Buffer {
  let end = b.length;
  while (end > 0 && b[end - 1] === 0) end--;
  return b.subarray(0, end);
}

export function makeDescriptor(raw: RawDescriptor, slot: number, relativeId: number): Descriptor {
  return {
    raw,
    slot,
    id: raw.id,
    dataType: raw.dataType,
    groupId: (raw.groupId & ~GROUP_MASK) >>> 0,
    linkedId: (raw.linkedId & ~GROUP_MASK) >>> 0,
    linkIsGroup: ((raw.linkedId & GROUP_MASK) >>> 0) === GROUP_MASK,
    offset: Number(raw.offset),
    size: Number(raw.size),
    relativeId,
    name: trimTrailingNuls(raw.name),
  };
}

/** The 557 bytes of a descriptor that a signature covers. */
export function descriptorIntegrityBytes(d: Descriptor): Buffer {
  return descriptorIntegrityLayout.encode({ ...d.raw, relativeId: d.relativeId });
}

/** Fails with the reference's text, e.g. "unexpected data type FS, expected one of: [Signature]". */
function expectType(d: Descriptor, ...want: number[]): void {
  if (!want.includes(d.dataType)) {
    const names = want.map(dataTypeName).join(' ');
    throw new FormatError('SIF_CORRUPT', `unexpected data type ${dataTypeName(d.dataType)}, expected one of: [${names}]`);
  }
}

export interface PartitionInfo {
  fsType: number;
  partType: number;
  arch: Arch;
}

export function partitionInfo(d: Descriptor): PartitionInfo {
  expectType(d, DataType.Partition);
  const p = partitionExtraLayout.decode(d.raw.extra);
  return { fsType: p.fsType, partType: p.partType, arch: archFromBytes(p.arch) };
}

export interface SignatureInfo {
  hashType: number;
  /** Display name of the hash, e.g. "SHA-256". */
  hashName: string;
  /** 20-byte primary-key fingerprint, or undefined when the field is zero (DSSE). */
  fingerprint: Buffer | undefined;
}

/** Fails with the reference's "hash algorithm unsupported" for unknown hash codes. */
export function signatureInfo(d: Descriptor): SignatureInfo {
  expectType(d, DataType.Signature);
  const s = signatureExtraLayout.decode(d.raw.extra);
  const hashName = hashTypeName(s.hashType);
  if (hashName === undefined) throw new FormatError('SIF_CORRUPT', 'hash algorithm unsupported');
  const fp = s.entity.subarray(0, FINGERPRINT_SIZE);
  return { hashType: s.hashType, hashName, fingerprint: fp.some((b) => b !== 0) ? Buffer.from(fp) : undefined };
}

export interface CryptoMessageInfo {
  formatType: number;
  messageType: number;
}

export function cryptoMessageInfo(d: Descriptor): CryptoMessageInfo {
  expectType(d, DataType.CryptoMessage);
  return cryptoMessageExtraLayout.decode(d.raw.extra);
}

export function sbomFormat(d: Descriptor): number {
  expectType(d, DataType.SBOM);
  return sbomExtraLayout.decode(d.raw.extra).format;
}

/** The "sha256:<hex>" text the reference stores in Extra of OCI objects, cut at the first NUL. */
export function ociDigest(d: Descriptor): string {
  expectType(d, DataType.OCIRootIndex, DataType.OCIBlob);
  const nul = d.raw.extra.indexOf(0);
  return d.raw.extra.subarray(0, nul < 0 ? d.raw.extra.length : nul).toString('latin1');
}

/** The stable `--json` schema of list, header and info (docs/json.md). */
import {
  DataType,
  dataTypeName,
  FINGERPRINT_SIZE,
  hashTypeName,
  formatTypeName,
  fsTypeName,
  GO_ZERO_TIME,
  messageTypeName,
  partTypeName,
  sbomFormatName,
} from '../../format/constants.js';
import {
  cryptoMessageInfo,
  ociDigest,
  partitionInfo,
  sbomFormat,
  type Descriptor,
} from '../../format/descriptor.js';
import { signatureExtraLayout } from '../../format/layout.js';
import type { Header } from '../../format/header.js';

/** int64 values as JSON numbers when exact, else as decimal strings. */
const int64 = (v: bigint): number | string => (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString());
/** Unix seconds, or null for Go's zero time (which siftool hides). */
const time = (v: bigint): number | string | null => (v === GO_ZERO_TIME ? null : int64(v));
/** Raw image bytes as text: UTF-8 where valid, with U+FFFD for invalid bytes. */
const utf8 = (b: Buffer): string => b.toString('utf8');

export function headerJson(h: Header): Record<string, unknown> {
  const r = h.raw;
  return {
    launchScript: utf8(h.launchScript),
    version: h.version,
    arch: h.arch,
    id: h.id,
    createdAt: time(r.createdAt),
    modifiedAt: time(r.modifiedAt),
    descriptorsFree: int64(r.descriptorsFree),
    descriptorsTotal: int64(r.descriptorsTotal),
    descriptorsOffset: int64(r.descriptorsOffset),
    descriptorsSize: int64(r.descriptorsSize),
    dataOffset: int64(r.dataOffset),
    dataSize: int64(r.dataSize),
  };
}

/** Decoded even when the hash code is unknown, where siftool's info gives up. */
function signatureJson(d: Descriptor): Record<string, unknown> {
  const { hashType, entity } = signatureExtraLayout.decode(d.raw.extra);
  const fingerprint = entity.subarray(0, FINGERPRINT_SIZE);
  return {
    hashType,
    hash: hashTypeName(hashType) ?? null,
    fingerprint: fingerprint.some((b) => b !== 0) ? fingerprint.toString('hex').toUpperCase() : null,
  };
}

function extraJson(d: Descriptor): Record<string, unknown> {
  switch (d.dataType) {
    case DataType.Partition: {
      const p = partitionInfo(d);
      return { partition: { fsType: p.fsType, fs: fsTypeName(p.fsType), partType: p.partType, part: partTypeName(p.partType), arch: p.arch } };
    }
    case DataType.Signature: {
      return { signature: signatureJson(d) };
    }
    case DataType.CryptoMessage: {
      const c = cryptoMessageInfo(d);
      return { cryptoMessage: { formatType: c.formatType, format: formatTypeName(c.formatType), messageType: c.messageType, message: messageTypeName(c.messageType) } };
    }
    case DataType.SBOM: {
      const f = sbomFormat(d);
      return { sbom: { formatType: f, format: sbomFormatName(f) } };
    }
    case DataType.OCIRootIndex:
    case DataType.OCIBlob:
      return { oci: { digest: ociDigest(d) } };
    default:
      return {};
  }
}

export function descriptorJson(d: Descriptor): Record<string, unknown> {
  const r = d.raw;
  return {
    id: d.id,
    dataType: d.dataType,
    type: dataTypeName(d.dataType),
    groupId: d.groupId === 0 ? null : d.groupId,
    linkedId: d.linkedId === 0 ? null : d.linkedId,
    linkIsGroup: d.linkedId !== 0 && d.linkIsGroup,
    offset: d.offset,
    size: d.size,
    sizeWithPadding: int64(r.sizeWithPadding),
    createdAt: time(r.createdAt),
    modifiedAt: time(r.modifiedAt),
    uid: int64(r.uid),
    gid: int64(r.gid),
    name: utf8(d.name),
    ...extraJson(d),
  };
}

export const toJsonText = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

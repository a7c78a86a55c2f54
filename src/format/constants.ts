/** Numeric codes of the SIF format and the names siftool prints for them. */

export const HEADER_SIZE = 128;
export const DESCRIPTOR_SIZE = 585;
export const LAUNCH_SCRIPT_SIZE = 32;
export const NAME_SIZE = 128;
export const EXTRA_SIZE = 384;
export const ENTITY_SIZE = 256;
export const FINGERPRINT_SIZE = 20;

export const MAGIC = Buffer.from('SIF_MAGIC\0', 'latin1');
export const VERSION = Buffer.from('01\0', 'latin1');

/** Group IDs and group links are stored with these four top bits set. */
export const GROUP_MASK = 0xf0000000;

/** Go's zero time.Time as Unix seconds; siftool hides timestamps equal to it. */
export const GO_ZERO_TIME = -62135596800n;

export const DataType = {
  Deffile: 0x4001,
  EnvVar: 0x4002,
  Labels: 0x4003,
  Partition: 0x4004,
  Signature: 0x4005,
  GenericJSON: 0x4006,
  Generic: 0x4007,
  CryptoMessage: 0x4008,
  SBOM: 0x4009,
  OCIRootIndex: 0x400a,
  OCIBlob: 0x400b,
} as const;
export type DataType = (typeof DataType)[keyof typeof DataType];

const dataTypeNames: Record<number, string> = {
  [DataType.Deffile]: 'Def.FILE',
  [DataType.EnvVar]: 'Env.Vars',
  [DataType.Labels]: 'JSON.Labels',
  [DataType.Partition]: 'FS',
  [DataType.Signature]: 'Signature',
  [DataType.GenericJSON]: 'JSON.Generic',
  [DataType.Generic]: 'Generic/Raw',
  [DataType.CryptoMessage]: 'Cryptographic Message',
  [DataType.SBOM]: 'SBOM',
  [DataType.OCIRootIndex]: 'OCI.RootIndex',
  [DataType.OCIBlob]: 'OCI.Blob',
};

export const FsType = { Squash: 1, Ext3: 2, ImmuObj: 3, Raw: 4, EncryptedSquashfs: 5 } as const;
const fsTypeNames: Record<number, string> = {
  1: 'Squashfs',
  2: 'Ext3',
  3: 'Archive',
  4: 'Raw',
  5: 'Encrypted squashfs',
};

export const PartType = { System: 1, PrimSys: 2, Data: 3, Overlay: 4 } as const;
const partTypeNames: Record<number, string> = { 1: 'System', 2: '*System', 3: 'Data', 4: 'Overlay' };

/** Hash codes stored in a signature descriptor's Extra. */
export const HashType = { SHA256: 1, SHA384: 2, SHA512: 3, BLAKE2s_256: 4, BLAKE2b_256: 5 } as const;
const hashTypeNames: Record<number, string> = {
  1: 'SHA-256',
  2: 'SHA-384',
  3: 'SHA-512',
  4: 'BLAKE2s-256',
  5: 'BLAKE2b-256',
};

export const FormatType = { OpenPGP: 1, PEM: 2 } as const;
const formatTypeNames: Record<number, string> = { 1: 'OpenPGP', 2: 'PEM' };

export const MessageType = { ClearSignature: 0x100, RSAOAEP: 0x200 } as const;
const messageTypeNames: Record<number, string> = { 0x100: 'Clear Signature', 0x200: 'RSA-OAEP' };

export const SbomFormat = {
  CycloneDXJSON: 1,
  CycloneDXXML: 2,
  GitHubJSON: 3,
  SPDXJSON: 4,
  SPDXRDF: 5,
  SPDXTagValue: 6,
  SPDXYAML: 7,
  SyftJSON: 8,
} as const;
const sbomFormatNames: Record<number, string> = {
  1: 'cyclonedx-json',
  2: 'cyclonedx-xml',
  3: 'github-json',
  4: 'spdx-json',
  5: 'spdx-rdf',
  6: 'spdx-tag-value',
  7: 'spdx-yaml',
  8: 'syft-json',
};

/** Two-digit architecture codes, index = code. loong64 (13) is from sif ≥ 2.24. */
export const ARCHES = [
  'unknown',
  '386',
  'amd64',
  'arm',
  'arm64',
  'ppc64',
  'ppc64le',
  'mips',
  'mipsle',
  'mips64',
  'mips64le',
  's390x',
  'riscv64',
  'loong64',
] as const;
export type Arch = (typeof ARCHES)[number];

export const dataTypeName = (t: number): string => dataTypeNames[t] ?? 'Unknown';
export const fsTypeName = (t: number): string => fsTypeNames[t] ?? 'Unknown';
export const partTypeName = (t: number): string => partTypeNames[t] ?? 'Unknown';
export const formatTypeName = (t: number): string => formatTypeNames[t] ?? 'Unknown';
export const messageTypeName = (t: number): string => messageTypeNames[t] ?? 'Unknown';
/** The reference prints unknown SBOM formats in lower case. */
export const sbomFormatName = (t: number): string => sbomFormatNames[t] ?? 'unknown';
/** Undefined for codes the reference rejects with "hash algorithm unsupported". */
export const hashTypeName = (t: number): string | undefined => hashTypeNames[t];

/**
 * Decodes a stored 3-byte arch field. Only the exact bytes "NN\0" of a known
 * code name an architecture; anything else is "unknown", as in Go's map lookup.
 */
export function archFromBytes(b: Uint8Array): Arch {
  if (b.length !== 3 || b[2] !== 0) return 'unknown';
  const hi = b[0]! - 0x30;
  const lo = b[1]! - 0x30;
  if (hi < 0 || hi > 9 || lo < 0 || lo > 9) return 'unknown';
  const code = hi * 10 + lo;
  return code >= 1 && code < ARCHES.length ? ARCHES[code]! : 'unknown';
}

export function archToBytes(arch: Arch): Buffer {
  const code = Math.max(0, ARCHES.indexOf(arch));
  return Buffer.from(`${String(code).padStart(2, '0')}\0`, 'latin1');
}

export function isArch(s: string): s is Arch {
  return (ARCHES as readonly string[]).includes(s) && s !== 'unknown';
}

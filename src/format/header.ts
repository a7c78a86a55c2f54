import { archFromBytes, type Arch } from './constants.js';
import { trimTrailingNuls } from './descriptor.js';
import { headerIntegrityLayout, type RawHeader } from './layout.js';

/** A read-only view of the global header. int64 fields stay bigint: they are printed as stored. */
export interface Header {
  readonly raw: RawHeader;
  /** Launch script bytes with trailing NULs trimmed. */
  readonly launchScript: Buffer;
  /** "01" for every image the reference can load. */
  readonly version: string;
  readonly arch: Arch;
  /** Canonical lower-case UUID string; all zeros is the nil UUID. */
  readonly id: string;
}

export function formatUuid(b: Uint8Array): string {
  const h = Buffer.from(b).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

export function makeHeader(raw: RawHeader): Header {
  return {
    raw,
    launchScript: trimTrailingNuls(raw.launchScript),
    version: trimTrailingNuls(raw.version).toString('latin1'),
    arch: archFromBytes(raw.arch),
    id: formatUuid(raw.id),
  };
}

/** The 61 header bytes a signature covers. */
export function headerIntegrityBytes(h: Header): Buffer {
  return headerIntegrityLayout.encode(h.raw);
}

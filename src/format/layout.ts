/**
 * The on-disk layouts, each defined once as a field table. The same table drives
 * decoding and encoding, so no offset exists twice. All integers are little-endian
 * and packed, as Go's encoding/binary writes them.
 */

type Kind = 'bytes' | 'bool' | 'i32' | 'u32' | 'i64';
type ValueOf<K extends Kind> = K extends 'bytes' ? Buffer : K extends 'bool' ? boolean : K extends 'i64' ? bigint : number;

interface FieldSpec<N extends string = string, K extends Kind = Kind> {
  readonly name: N;
  readonly kind: K;
  /** Byte length; implied by the kind except for 'bytes'. */
  readonly size?: number;
}

type StructOf<F extends readonly FieldSpec[]> = { [S in F[number] as S['name']]: ValueOf<S['kind']> };

const kindSize: Record<Exclude<Kind, 'bytes'>, number> = { bool: 1, i32: 4, u32: 4, i64: 8 };

export interface Layout<T> {
  readonly size: number;
  /** Offset of each field, for error messages and tamper tests. */
  readonly offsets: Readonly<Record<keyof T & string, number>>;
  decode(buf: Uint8Array, at?: number): T;
  /** Writes into `out` at `at` (a fresh zeroed buffer when omitted) and returns it. */
  encode(value: T, out?: Buffer, at?: number): Buffer;
}

function defineLayout<const F extends readonly FieldSpec[]>(fields: F): Layout<StructOf<F>> {
  const placed: { name: string; kind: Kind; size: number; offset: number }[] = [];
  let offset = 0;
  for (const f of fields) {
    const size = f.kind === 'bytes' ? f.size! : kindSize[f.kind];
    placed.push({ name: f.name, kind: f.kind, size, offset });
    offset += size;
  }
  const size = offset;
  const offsets = Object.fromEntries(placed.map((f) => [f.name, f.offset])) as Record<string, number>;

  const decode = (buf: Uint8Array, at = 0): StructOf<F> => {
    const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    const out: Record<string, unknown> = {};
    for (const f of placed) {
      const o = at + f.offset;
      switch (f.kind) {
        case 'bytes':
          out[f.name] = Buffer.from(b.subarray(o, o + f.size));
          break;
        case 'bool':
          out[f.name] = b[o] !== 0; // Go decodes any non-zero byte as true
          break;
        case 'i32':
          out[f.name] = b.readInt32LE(o);
          break;
        case 'u32':
          out[f.name] = b.readUInt32LE(o);
          break;
        case 'i64':
          out[f.name] = b.readBigInt64LE(o);
          break;
      }
    }
    return out as StructOf<F>;
  };

  const encode = (value: StructOf<F>, out = Buffer.alloc(size), at = 0): Buffer => {
    const v = value as Record<string, unknown>;
    for (const f of placed) {
      const o = at + f.offset;
      switch (f.kind) {
        case 'bytes': {
          const src = v[f.name] as Uint8Array;
          out.fill(0, o, o + f.size);
          out.set(src.subarray(0, f.size), o);
          break;
        }
        case 'bool':
          out[o] = v[f.name] ? 1 : 0;
          break;
        case 'i32':
          out.writeInt32LE(v[f.name] as number, o);
          break;
        case 'u32':
          out.writeUInt32LE(v[f.name] as number, o);
          break;
        case 'i64':
          out.writeBigInt64LE(v[f.name] as bigint, o);
          break;
      }
    }
    return out;
  };

  return { size, offsets: offsets as Layout<StructOf<F>>['offsets'], decode, encode };
}

/** Global header, 128 bytes at offset 0 (sif pkg/sif/sif.go `header`). */
export const headerLayout = defineLayout([
  { name: 'launchScript', kind: 'bytes', size: 32 },
  { name: 'magic', kind: 'bytes', size: 10 },
  { name: 'version', kind: 'bytes', size: 3 },
  { name: 'arch', kind: 'bytes', size: 3 },
  { name: 'id', kind: 'bytes', size: 16 },
  { name: 'createdAt', kind: 'i64' },
  { name: 'modifiedAt', kind: 'i64' },
  { name: 'descriptorsFree', kind: 'i64' },
  { name: 'descriptorsTotal', kind: 'i64' },
  { name: 'descriptorsOffset', kind: 'i64' },
  { name: 'descriptorsSize', kind: 'i64' },
  { name: 'dataOffset', kind: 'i64' },
  { name: 'dataSize', kind: 'i64' },
] as const);
export type RawHeader = ReturnType<typeof headerLayout.decode>;

/** Descriptor, 585 bytes per slot (sif pkg/sif/descriptor.go `rawDescriptor`). */
export const descriptorLayout = defineLayout([
  { name: 'dataType', kind: 'i32' },
  { name: 'used', kind: 'bool' },
  { name: 'id', kind: 'u32' },
  { name: 'groupId', kind: 'u32' },
  { name: 'linkedId', kind: 'u32' },
  { name: 'offset', kind: 'i64' },
  { name: 'size', kind: 'i64' },
  { name: 'sizeWithPadding', kind: 'i64' },
  { name: 'createdAt', kind: 'i64' },
  { name: 'modifiedAt', kind: 'i64' },
  { name: 'uid', kind: 'i64' },
  { name: 'gid', kind: 'i64' },
  { name: 'name', kind: 'bytes', size: 128 },
  { name: 'extra', kind: 'bytes', size: 384 },
] as const);
export type RawDescriptor = ReturnType<typeof descriptorLayout.decode>;

/**
 * The header bytes a signature covers (61): the fields that identify an image.
 * Arch, times and counters are left out because adding a signature changes them.
 */
export const headerIntegrityLayout = defineLayout([
  { name: 'launchScript', kind: 'bytes', size: 32 },
  { name: 'magic', kind: 'bytes', size: 10 },
  { name: 'version', kind: 'bytes', size: 3 },
  { name: 'id', kind: 'bytes', size: 16 },
] as const);

/**
 * The descriptor bytes a signature covers (557). The ID is replaced by the ID
 * relative to its group's minimum, so a group can be renumbered as a block;
 * offset, padding, ModifiedAt and GroupID may legitimately change.
 */
export const descriptorIntegrityLayout = defineLayout([
  { name: 'dataType', kind: 'i32' },
  { name: 'used', kind: 'bool' },
  { name: 'relativeId', kind: 'u32' },
  { name: 'linkedId', kind: 'u32' },
  { name: 'size', kind: 'i64' },
  { name: 'createdAt', kind: 'i64' },
  { name: 'uid', kind: 'i64' },
  { name: 'gid', kind: 'i64' },
  { name: 'name', kind: 'bytes', size: 128 },
  { name: 'extra', kind: 'bytes', size: 384 },
] as const);

/** Extra layouts by data type. */
export const partitionExtraLayout = defineLayout([
  { name: 'fsType', kind: 'i32' },
  { name: 'partType', kind: 'i32' },
  { name: 'arch', kind: 'bytes', size: 3 },
] as const);

export const signatureExtraLayout = defineLayout([
  { name: 'hashType', kind: 'i32' },
  { name: 'entity', kind: 'bytes', size: 256 },
] as const);

export const cryptoMessageExtraLayout = defineLayout([
  { name: 'formatType', kind: 'i32' },
  { name: 'messageType', kind: 'i32' },
] as const);

export const sbomExtraLayout = defineLayout([{ name: 'format', kind: 'i32' }] as const);

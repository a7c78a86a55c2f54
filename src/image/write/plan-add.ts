/**
 * Everything `addObjects` decides before it writes a byte: the inputs checked,
 * their slots and IDs; then where each one's data goes. Nothing here touches
 * the file, so a refused input always leaves the image byte-identical.
 */
import { ConflictError, FormatError, SelectionError, UsageError } from '../../errors.js';
import { DataType, EXTRA_SIZE, GROUP_MASK, NAME_SIZE, PartType } from '../../format/constants.js';
import { partitionExtraLayout, type RawDescriptor, type RawHeader } from '../../format/layout.js';
import type { SifImage } from '../image.js';
import { ociDigestExtra } from './extra.js';
import type { ObjectInput } from './types.js';

/** IDs and group IDs must leave the four mask bits free. */
export const MAX_ID = 0x0fffffff;
/** Default alignment of partitions, as in the reference. */
export const PARTITION_ALIGNMENT = 4096;
const MAX_ALIGNMENT = 1 << 30;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

const knownTypes = new Set<number>(Object.values(DataType));
const isOci = (t: number) => t === DataType.OCIRootIndex || t === DataType.OCIBlob;
const isId = (n: number) => Number.isInteger(n) && n >= 1 && n <= MAX_ID;

/** An ObjectInput with every default resolved and every value checked. */
export interface ResolvedInput {
  dataType: number;
  groupId: number;
  /** Raw LinkedID: an object ID, `group | mask`, or 0. */
  linkedId: number;
  alignment: number;
  name: Buffer;
  extra: Buffer;
  time: bigint;
  /** OCI types store the SHA-256 of their data in Extra. */
  digestExtra: boolean;
}

export function assertInt64(t: bigint, what: string): void {
  if (typeof t !== 'bigint' || t < INT64_MIN || t > INT64_MAX) throw new UsageError(`invalid ${what}: ${String(t)}`);
}

function resolveLink(input: ObjectInput): number {
  const { linkedObjectId: obj, linkedGroupId: grp } = input;
  if (obj !== undefined && grp !== undefined) throw new UsageError('link to an object or to a group, not both');
  if (obj !== undefined && !isId(obj)) throw new SelectionError('SIF_INVALID_ID', 'invalid object ID');
  if (grp !== undefined && !isId(grp)) throw new SelectionError('SIF_INVALID_GROUP', 'invalid group ID');
  return obj ?? (grp === undefined ? 0 : (grp | GROUP_MASK) >>> 0);
}

function resolveBytes(value: string | Uint8Array | undefined, size: number, tooLarge: string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value ?? []);
  if (bytes.length > size) throw new UsageError(tooLarge);
  const out = Buffer.alloc(size);
  bytes.copy(out);
  return out;
}

/** Checks one input against the reference's rules and fills in its defaults. */
export function resolveInput(input: ObjectInput, editTime: bigint): ResolvedInput {
  const { dataType } = input;
  if (!knownTypes.has(dataType)) throw new UsageError(`unknown data type: ${dataType}`);
  const groupId = input.groupId ?? 0;
  if (groupId !== 0 && !isId(groupId)) throw new SelectionError('SIF_INVALID_GROUP', 'invalid group ID');
  const linkedId = resolveLink(input);
  const alignment = input.alignment ?? (dataType === DataType.Partition ? PARTITION_ALIGNMENT : 0);
  if (!Number.isInteger(alignment) || alignment < 0 || alignment > MAX_ALIGNMENT) {
    throw new UsageError(`invalid alignment: ${alignment} (0 to ${MAX_ALIGNMENT})`);
  }
  if (isOci(dataType) && input.extra !== undefined) {
    throw new UsageError('the Extra of OCI objects is computed from their data; do not pass one');
  }
  const name = resolveBytes(input.name, NAME_SIZE, 'name value too large');
  const extra = resolveBytes(input.extra, EXTRA_SIZE, 'extra value too large');
  const time = input.time ?? editTime;
  assertInt64(time, 'object time');
  return { dataType, groupId, linkedId, alignment, name, extra, time, digestExtra: isOci(dataType) };
}

const isPrimary = (dataType: number, extra: Buffer) =>
  dataType === DataType.Partition && partitionExtraLayout.decode(extra).partType === PartType.PrimSys;

/** Where the reference puts the next object: at `start` rounded up to `alignment`. */
export function alignUp(start: number, alignment: number): number {
  if (alignment <= 1 || start % alignment === 0) return start;
  return start + alignment - (start % alignment);
}

/** A new object's place in the table, decided before any data is written. */
export interface AddSlot {
  input: ResolvedInput;
  slot: number;
  id: number;
}

/** An AddSlot with the place of its data in the file. */
export interface AddPlan extends AddSlot {
  /** DataOffset + DataSize: where the previous object's padding ends. */
  start: number;
  /** Where the data goes. */
  offset: number;
}

/** Refuses a header whose end of data would put new objects over the table or over an object. */
function assertAppendable(image: SifImage): void {
  const h = image.header.raw;
  const start = h.dataOffset + h.dataSize;
  const tableEnd = h.descriptorsOffset + h.descriptorsSize;
  // Empty objects hold no bytes to overwrite; compaction can leave one past DataSize.
  const objectsEnd = image.descriptors.reduce((m, d) => (d.size > 0 ? Math.max(m, d.offset + d.size) : m), 0);
  if (h.dataOffset < tableEnd || start < BigInt(objectsEnd) || start > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new FormatError(
      'SIF_CORRUPT',
      `header data offset ${h.dataOffset} + size ${h.dataSize} does not lie after the descriptor table and every object; refusing to append`,
    );
  }
}

/**
 * Picks the slots of new objects as the reference would adding them one by
 * one (each the first slot still free, ID = slot + 1), refusing what it
 * refuses, so a batch that cannot be added whole writes nothing.
 */
export function planAdds(image: SifImage, inputs: readonly ResolvedInput[]): AddSlot[] {
  const free = image.slots.flatMap((s, slot) => (s.used ? [] : [slot]));
  let hasPrimary = image.descriptors.some((d) => isPrimary(d.dataType, d.raw.extra));
  const slots = inputs.map((input, k) => {
    const slot = free[k];
    if (slot === undefined) throw new FormatError('SIF_CAPACITY', 'insufficient descriptor capacity to add data object(s) to image');
    const id = slot + 1;
    if (image.descriptors.some((d) => d.id === id)) {
      throw new FormatError('SIF_CORRUPT', `object ID ${id} of free slot ${slot} is already in use`);
    }
    if (isPrimary(input.dataType, input.extra)) {
      if (hasPrimary) throw new ConflictError('image already contains a primary partition');
      hasPrimary = true;
    }
    return { input, slot, id };
  });
  assertAppendable(image);
  return slots;
}

/** Places the data of the next object after everything `header` counts, as the reference does. */
export function placeAdd(header: RawHeader, slot: AddSlot): AddPlan {
  const start = Number(header.dataOffset + header.dataSize);
  const offset = alignUp(start, slot.input.alignment);
  if (offset > Number.MAX_SAFE_INTEGER) throw new UsageError(`invalid alignment: ${slot.input.alignment}`);
  return { ...slot, start, offset };
}

export interface Change {
  header: RawHeader;
  descriptors: { slot: number; raw: RawDescriptor }[];
  /** Zero this [offset, length] once the metadata is written. */
  zero?: [number, number];
  /** Truncate the file to this size once the metadata is written. */
  truncate?: number;
}

/** The metadata of a new object whose `size` bytes are on disk; `header` counts every object before it. */
export function completeAdd(header: RawHeader, plan: AddPlan, size: number, sha256: Uint8Array | undefined, editTime: bigint): Change {
  const { input, offset, start } = plan;
  const sizeWithPadding = BigInt(offset - start + size);
  const extra = input.digestExtra && sha256 ? Buffer.from(ociDigestExtra(sha256)) : input.extra;
  const raw: RawDescriptor = {
    dataType: input.dataType,
    used: true,
    id: plan.id,
    groupId: (input.groupId | GROUP_MASK) >>> 0,
    linkedId: input.linkedId,
    offset: BigInt(offset),
    size: BigInt(size),
    sizeWithPadding,
    createdAt: input.time,
    modifiedAt: input.time,
    uid: 0n,
    gid: 0n,
    name: input.name,
    extra,
  };
  return {
    header: {
      ...header,
      arch: isPrimary(input.dataType, extra) ? partitionExtraLayout.decode(extra).arch : header.arch,
      modifiedAt: editTime,
      descriptorsFree: header.descriptorsFree - 1n,
      dataSize: header.dataSize + sizeWithPadding,
    },
    descriptors: [{ slot: plan.slot, raw }],
  };
}

/** What `deleteObject` and `setPrimary` change, decided before anything is written. */
import { ConflictError, SelectionError } from '../../errors.js';
import { archFromBytes, archToBytes, DataType, DESCRIPTOR_SIZE, PartType } from '../../format/constants.js';
import type { Descriptor } from '../../format/descriptor.js';
import { descriptorLayout, partitionExtraLayout, type RawDescriptor } from '../../format/layout.js';
import type { SifImage } from '../image.js';
import type { Change } from './plan-add.js';
import type { DeleteOptions } from './types.js';

const UNKNOWN_ARCH = archToBytes('unknown');

/**
 * The object with `id`, with the reference's getDescriptor(WithID) errors. Its
 * selector only runs on used slots, so ID 0 is "object not found" in an image
 * without objects and "invalid object ID" otherwise.
 */
function findObject(image: SifImage, id: number): Descriptor {
  const valid = Number.isInteger(id) && id > 0 && id <= 0xffffffff;
  if (!valid && image.descriptors.length > 0) throw new SelectionError('SIF_INVALID_ID', 'invalid object ID');
  const found = image.descriptors.find((d) => d.id === id);
  if (!found) throw new SelectionError('SIF_OBJECT_NOT_FOUND', 'object not found');
  return found;
}

const partTypeOf = (d: Descriptor) =>
  d.dataType === DataType.Partition ? partitionExtraLayout.decode(d.raw.extra).partType : undefined;

/** True when no other object ends after this one (the reference's isLast). */
const isLast = (image: SifImage, d: Descriptor) => image.descriptors.every((o) => o.offset + o.size <= d.offset + d.size);

/** Frees the slot; zeroing and compaction follow the metadata, once the data is unreferenced. */
export function planDelete(image: SifImage, id: number, options: DeleteOptions, editTime: bigint): Change {
  const d = findObject(image, id);
  if (options.compact && !isLast(image, d)) throw new ConflictError('compact not implemented for non-last object');
  const h = image.header.raw;
  const change: Change = {
    header: {
      ...h,
      arch: partTypeOf(d) === PartType.PrimSys ? UNKNOWN_ARCH : h.arch,
      modifiedAt: editTime,
      descriptorsFree: h.descriptorsFree + 1n,
      dataSize: options.compact ? h.dataSize - d.raw.sizeWithPadding : h.dataSize,
    },
    descriptors: [{ slot: d.slot, raw: descriptorLayout.decode(Buffer.alloc(DESCRIPTOR_SIZE)) }],
  };
  // Compaction cuts the data off, so zeroing it first would be wasted writes.
  if (options.compact) change.truncate = Number(d.raw.offset + d.raw.size - d.raw.sizeWithPadding);
  else if (options.zero && d.size > 0) change.zero = [d.offset, d.size];
  return change;
}

/** The partition's Extra with a new type and its architecture normalized to a known code. */
function withPartType(d: Descriptor, partType: number): RawDescriptor {
  const p = partitionExtraLayout.decode(d.raw.extra);
  const extra = Buffer.alloc(d.raw.extra.length);
  partitionExtraLayout.encode({ fsType: p.fsType, partType, arch: archToBytes(archFromBytes(p.arch)) }, extra);
  return { ...d.raw, extra };
}

/**
 * Promotes a System partition and demotes the current primary one. Returns
 * undefined when the object is already primary (the reference writes nothing).
 * The new primary's Extra gets the architecture code, not the first three
 * letters of its Go name as siftool 2.8.3 writes (docs/compat.md).
 */
export function planSetPrimary(image: SifImage, id: number, editTime: bigint): Change | undefined {
  const d = findObject(image, id);
  const partType = partTypeOf(d);
  if (partType === undefined) throw new ConflictError('data object not a partition');
  if (partType === PartType.PrimSys) return undefined;
  if (partType !== PartType.System) throw new ConflictError('data object not a system partition');
  const old = image.descriptors.filter((o) => partTypeOf(o) === PartType.PrimSys);
  if (old.length > 1) throw new SelectionError('SIF_MULTIPLE_OBJECTS', 'multiple objects found');
  const promoted = withPartType(d, PartType.PrimSys);
  const descriptors = [{ slot: d.slot, raw: promoted }];
  for (const o of old) descriptors.push({ slot: o.slot, raw: withPartType(o, PartType.System) });
  const header = { ...image.header.raw, arch: partitionExtraLayout.decode(promoted.extra).arch, modifiedAt: editTime };
  return { header, descriptors: descriptors.sort((a, b) => a.slot - b.slot) };
}

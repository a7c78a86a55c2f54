/**
 * Byte-level edits of whole SIF files that keep them consistent: find the
 * used descriptors of a type, and replace an object's data (moving it to the
 * end of the file when it grows or is not already last).
 */
import { DESCRIPTOR_SIZE, HEADER_SIZE } from '../format/constants.js';
import { descriptorLayout, headerLayout } from '../format/layout.js';

const D = descriptorLayout.offsets;

/** Byte offsets of the used descriptor slots with `dataType`, as far as the buffer holds them. */
export function usedSlots(image: Buffer, dataType?: number): number[] {
  if (image.length < HEADER_SIZE) return [];
  const total = image.readBigInt64LE(headerLayout.offsets.descriptorsTotal);
  const offset = image.readBigInt64LE(headerLayout.offsets.descriptorsOffset);
  const out: number[] = [];
  for (let k = 0n; k < total && k < 4096n; k++) {
    const at = offset + k * BigInt(DESCRIPTOR_SIZE);
    if (at < 0n || at + BigInt(DESCRIPTOR_SIZE) > BigInt(image.length)) break;
    const n = Number(at);
    if (image[n + D.used] !== 0 && (dataType === undefined || image.readInt32LE(n + D.dataType) === dataType)) out.push(n);
  }
  return out;
}

/** The data of the object whose descriptor is at `slot`, or undefined when it is not inside the file. */
export function objectData(image: Buffer, slot: number): Buffer | undefined {
  const offset = image.readBigInt64LE(slot + D.offset);
  const size = image.readBigInt64LE(slot + D.size);
  if (offset < 0n || size < 0n || offset + size > BigInt(image.length)) return undefined;
  return image.subarray(Number(offset), Number(offset + size));
}

/**
 * A copy of `image` in which the object at `slot` holds `data`: replaced in
 * place when it is the last thing in the file, else appended at the end (the
 * old bytes stay behind, unreferenced). Size, padding and the header's data
 * size follow.
 */
export function replaceObjectData(image: Buffer, slot: number, data: Buffer): Buffer {
  const offset = image.readBigInt64LE(slot + D.offset);
  const size = image.readBigInt64LE(slot + D.size);
  const last = offset >= 0n && offset + size === BigInt(image.length);
  const start = last ? Number(offset) : image.length;
  const out = Buffer.concat([image.subarray(0, start), data]);
  const grown = BigInt(out.length - image.length);
  out.writeBigInt64LE(BigInt(start), slot + D.offset);
  out.writeBigInt64LE(BigInt(data.length), slot + D.size);
  out.writeBigInt64LE(out.readBigInt64LE(slot + D.sizeWithPadding) + grown, slot + D.sizeWithPadding);
  const dataSize = headerLayout.offsets.dataSize;
  out.writeBigInt64LE(out.readBigInt64LE(dataSize) + grown, dataSize);
  return out;
}

import { SelectionError } from '../errors.js';
import { DataType } from '../format/constants.js';
import { partitionInfo, type Descriptor } from '../format/descriptor.js';

/** A predicate over used descriptors; several are combined with AND. */
export type Selector = (d: Descriptor) => boolean;

function assertId(id: number, what: 'object' | 'group'): void {
  if (!Number.isInteger(id) || id <= 0 || id > 0x0fffffff) {
    throw new SelectionError(what === 'object' ? 'SIF_INVALID_ID' : 'SIF_INVALID_GROUP', `invalid ${what} ID`);
  }
}

export function withId(id: number): Selector {
  if (!Number.isInteger(id) || id <= 0 || id > 0xffffffff) throw new SelectionError('SIF_INVALID_ID', 'invalid object ID');
  return (d) => d.id === id;
}

export function withGroup(groupId: number): Selector {
  assertId(groupId, 'group');
  return (d) => d.groupId === groupId;
}

export const withNoGroup: Selector = (d) => d.groupId === 0;

export function withDataType(type: number): Selector {
  return (d) => d.dataType === type;
}

export function withLinkedId(id: number): Selector {
  assertId(id, 'object');
  return (d) => d.linkedId === id && !d.linkIsGroup;
}

export function withLinkedGroup(groupId: number): Selector {
  assertId(groupId, 'group');
  return (d) => d.linkedId === groupId && d.linkIsGroup;
}

export function withPartitionType(partType: number): Selector {
  return (d) => d.dataType === DataType.Partition && partitionInfo(d).partType === partType;
}

/** Every matching descriptor, in table order (possibly none). */
export function selectAll(descriptors: readonly Descriptor[], ...selectors: Selector[]): Descriptor[] {
  return descriptors.filter((d) => selectors.every((s) => s(d)));
}

/** Exactly one match, else "no objects in image", "object not found" or "multiple objects found". */
export function selectOne(descriptors: readonly Descriptor[], ...selectors: Selector[]): Descriptor {
  if (descriptors.length === 0) throw new SelectionError('SIF_NO_OBJECTS', 'no objects in image');
  const found = selectAll(descriptors, ...selectors);
  if (found.length === 0) throw new SelectionError('SIF_OBJECT_NOT_FOUND', 'object not found');
  if (found.length > 1) throw new SelectionError('SIF_MULTIPLE_OBJECTS', 'multiple objects found');
  return found[0]!;
}

/** Group IDs (≠ 0) present among the descriptors, ascending. */
export function groupIds(descriptors: readonly Descriptor[]): number[] {
  return [...new Set(descriptors.map((d) => d.groupId).filter((g) => g !== 0))].sort((a, b) => a - b);
}

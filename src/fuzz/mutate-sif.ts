/**
 * SIF-aware mutations: header int64 fields and descriptor fields set to edge
 * values, descriptors swapped, copied or cleared, truncation at structure
 * boundaries, and edits inside object data. They read the layout from the
 * shared field tables, so they follow the format wherever the reader does.
 */
import { DESCRIPTOR_SIZE, HEADER_SIZE } from '../format/constants.js';
import { descriptorLayout, headerLayout } from '../format/layout.js';
import { GENERIC_MUTATORS, int64Edges, U32_EDGES, type Mutator } from './mutate.js';
import type { Prng } from './prng.js';

const HEADER_I64 = [
  'createdAt',
  'modifiedAt',
  'descriptorsFree',
  'descriptorsTotal',
  'descriptorsOffset',
  'descriptorsSize',
  'dataOffset',
  'dataSize',
] as const;

const DESCRIPTOR_I64 = ['offset', 'size', 'sizeWithPadding', 'createdAt', 'modifiedAt', 'uid', 'gid'] as const;
const DESCRIPTOR_U32 = ['id', 'groupId', 'linkedId'] as const;
const DATA_TYPES = [0, -1, 0x4000, 0x4001, 0x4004, 0x4005, 0x4006, 0x4008, 0x4009, 0x400a, 0x400b, 0x400c, 0x7fffffff];

/** Where the descriptor slots are, as far as the header and the buffer allow. */
function slots(input: Buffer): number[] {
  if (input.length < HEADER_SIZE) return [];
  const total = input.readBigInt64LE(headerLayout.offsets.descriptorsTotal);
  const offset = input.readBigInt64LE(headerLayout.offsets.descriptorsOffset);
  const out: number[] = [];
  for (let k = 0n; k < total && k < 4096n; k++) {
    const at = offset + k * BigInt(DESCRIPTOR_SIZE);
    if (at < 0n || at + BigInt(DESCRIPTOR_SIZE) > BigInt(input.length)) break;
    out.push(Number(at));
  }
  return out;
}

/** Used slots when there are any (most bugs hide behind Used = true). */
function pickSlot(rng: Prng, input: Buffer): number | undefined {
  const all = slots(input);
  const used = all.filter((at) => input[at + descriptorLayout.offsets.used] !== 0);
  return all.length === 0 ? undefined : rng.pick(used.length > 0 && rng.chance(0.85) ? used : all);
}

/** Object extents of the used descriptors, clamped to the buffer. */
function objects(input: Buffer): { start: number; end: number }[] {
  return slots(input)
    .filter((at) => input[at + descriptorLayout.offsets.used] !== 0)
    .map((at) => {
      const start = input.readBigInt64LE(at + descriptorLayout.offsets.offset);
      const size = input.readBigInt64LE(at + descriptorLayout.offsets.size);
      return { start, end: start + size };
    })
    .filter(({ start, end }) => start >= 0n && end > start && end <= BigInt(input.length))
    .map(({ start, end }) => ({ start: Number(start), end: Number(end) }));
}

const headerInt: Mutator = {
  name: 'header-int64',
  apply(rng, input) {
    const out = Buffer.from(input);
    if (out.length < HEADER_SIZE) return out;
    const field = rng.pick(HEADER_I64);
    const at = headerLayout.offsets[field];
    const current = out.readBigInt64LE(at);
    const near = [current + 1n, current - 1n, current + 585n, current - 585n, current * 2n];
    out.writeBigInt64LE(BigInt.asIntN(64, rng.pick([...int64Edges(out.length), ...near, rng.i64()])), at);
    return out;
  },
};

const headerBytes: Mutator = {
  name: 'header-bytes',
  apply(rng, input) {
    const out = Buffer.from(input);
    if (out.length < HEADER_SIZE) return out;
    const field = rng.pick(['launchScript', 'arch', 'id', 'arch', 'launchScript', 'version', 'magic'] as const);
    const at = headerLayout.offsets[field];
    const len = { launchScript: 32, magic: 10, version: 3, arch: 3, id: 16 }[field];
    const values = [Buffer.alloc(len), Buffer.alloc(len, 0xff), rng.bytes(len), Buffer.from('99\0'), Buffer.from('\t\n\xff\x1b[2J', 'latin1')];
    rng.pick(values).copy(out, at + rng.int(len), 0, len);
    return out;
  },
};

const descriptorField: Mutator = {
  name: 'descriptor-field',
  apply(rng, input) {
    const out = Buffer.from(input);
    const slot = pickSlot(rng, out);
    if (slot === undefined) return out;
    const o = descriptorLayout.offsets;
    switch (rng.int(6)) {
      case 0:
        out.writeInt32LE(rng.pick(DATA_TYPES), slot + o.dataType);
        break;
      case 1:
        out[slot + o.used] = rng.pick([0, 1, 2, 0xff]);
        break;
      case 2: {
        const field = rng.pick(DESCRIPTOR_U32);
        const current = out.readUInt32LE(slot + o[field]);
        const other = out.readUInt32LE(rng.pick(slots(out)) + o.id);
        const values = [...U32_EDGES, (current + 1) >>> 0, (current - 1) >>> 0, other, (other | 0xf0000000) >>> 0, (other & 0x0fffffff) | 0x80000000];
        out.writeUInt32LE(rng.pick(values) >>> 0, slot + o[field]);
        break;
      }
      case 3:
      case 4: {
        const at = slot + o[rng.pick(DESCRIPTOR_I64)];
        const current = out.readBigInt64LE(at);
        const values = [...int64Edges(out.length), current + 1n, current - 1n, BigInt(out.length) - current, rng.i64()];
        out.writeBigInt64LE(BigInt.asIntN(64, rng.pick(values)), at);
        break;
      }
      default: {
        // Extra: hash type, fingerprint, partition codes, OCI digest text.
        const at = slot + o.extra + rng.pick([0, 0, 4, 8, 12, 23, 24, rng.int(384)]);
        const value = rng.pick([Buffer.alloc(4), Buffer.from([6, 0, 0, 0]), Buffer.from('sha256:'), rng.bytes(rng.range(1, 20))]);
        value.copy(out, at, 0, Math.min(value.length, slot + DESCRIPTOR_SIZE - at));
      }
    }
    return out;
  },
};

const descriptorShuffle: Mutator = {
  name: 'descriptor-shuffle',
  apply(rng, input) {
    const out = Buffer.from(input);
    const all = slots(out);
    if (all.length < 2) return out;
    const a = rng.pick(all);
    const b = rng.pick(all);
    const copyOfA = Buffer.from(out.subarray(a, a + DESCRIPTOR_SIZE));
    if (rng.chance(0.5)) out.copy(out, a, b, b + DESCRIPTOR_SIZE); // swap
    // eslint-disable-next-line no-dupe-else-if -- a second coin toss, not the same condition
    else if (rng.chance(0.5)) out.fill(0, a, a + DESCRIPTOR_SIZE); // clear
    copyOfA.copy(out, b);
    return out;
  },
};

/** Truncation exactly at, or one byte off, a structure boundary. */
const truncateAtBoundary: Mutator = {
  name: 'truncate-boundary',
  apply(rng, input) {
    const cuts = [0, 1, HEADER_SIZE - 1, HEADER_SIZE, HEADER_SIZE + 1];
    for (const at of slots(input)) cuts.push(at, at + DESCRIPTOR_SIZE - 1, at + DESCRIPTOR_SIZE);
    for (const { start, end } of objects(input)) cuts.push(start, start + 1, end - 1);
    const cut = Math.min(input.length, rng.pick(cuts));
    return Buffer.from(input.subarray(0, cut));
  },
};

/** Edits inside one object's data (what the data digests and signature decoders see). */
const objectData: Mutator = {
  name: 'object-data',
  apply(rng, input, donors) {
    const out = Buffer.from(input);
    const extents = objects(out);
    if (extents.length === 0) return out;
    const { start, end } = rng.pick(extents);
    const window = out.subarray(start, end);
    const edited = rng.pick(GENERIC_MUTATORS.filter((m) => m.name !== 'truncate' && m.name !== 'extend')).apply(rng, window, donors);
    edited.copy(out, start, 0, Math.min(edited.length, window.length));
    return out;
  },
};

export const SIF_MUTATORS: readonly Mutator[] = [
  headerInt,
  headerInt,
  headerBytes,
  descriptorField,
  descriptorField,
  descriptorField,
  descriptorShuffle,
  truncateAtBoundary,
  objectData,
  objectData,
  ...GENERIC_MUTATORS,
];

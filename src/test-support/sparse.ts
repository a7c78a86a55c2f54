/**
 * Images whose partitions are holes: multi-GiB images that take no disk space
 * and read at memory speed, for memory and progress tests.
 */
import { open } from 'node:fs/promises';
import { DataType, DESCRIPTOR_SIZE, FsType, PartType } from '../format/constants.js';
import { descriptorLayout, headerLayout } from '../format/layout.js';
import { createImage, DESCRIPTORS_OFFSET } from '../image/write/create.js';
import { partitionExtra } from '../image/write/extra.js';

const ALIGN = 4096n;
const alignUp = (n: bigint) => ((n + ALIGN - 1n) / ALIGN) * ALIGN;

/** Writes a SIF at `path` with one all-zero partition per size; object i is in group `groupOf(i)` (default 1). */
export async function sparseImage(path: string, sizes: readonly number[], groupOf: (i: number) => number = () => 1): Promise<void> {
  await createImage(path, {
    time: 1700000000n,
    objects: sizes.map((_, i) => ({
      dataType: DataType.Partition,
      data: new Uint8Array(0),
      groupId: groupOf(i),
      extra: partitionExtra({ fsType: FsType.Squash, partType: i === 0 ? PartType.PrimSys : PartType.Data, arch: 'amd64' }),
    })),
  });
  const fh = await open(path, 'r+');
  try {
    const headerBytes = Buffer.alloc(headerLayout.size);
    await fh.read(headerBytes, 0, headerBytes.length, 0);
    const header = headerLayout.decode(headerBytes);
    let end = header.dataOffset;
    for (let i = 0; i < sizes.length; i++) {
      const at = DESCRIPTORS_OFFSET + i * DESCRIPTOR_SIZE;
      const slot = Buffer.alloc(DESCRIPTOR_SIZE);
      await fh.read(slot, 0, DESCRIPTOR_SIZE, at);
      const offset = alignUp(end);
      const size = BigInt(sizes[i]!);
      const d = { ...descriptorLayout.decode(slot), offset, size, sizeWithPadding: offset + size - end };
      await fh.write(descriptorLayout.encode(d), 0, DESCRIPTOR_SIZE, at);
      end = offset + size;
    }
    await fh.write(headerLayout.encode({ ...header, dataSize: end - header.dataOffset }), 0, headerLayout.size, 0);
    await fh.truncate(Number(end));
  } finally {
    await fh.close();
  }
}

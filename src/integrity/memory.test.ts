/**
 * Memory stays bounded whatever the image size: signing and verifying a
 * 512 MiB image (sparse, so the test costs no disk) peaks at about the same
 * resident size as a tiny one.
 */
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DataType, DESCRIPTOR_SIZE, FsType, PartType } from '../format/constants.js';
import { descriptorLayout, headerLayout } from '../format/layout.js';
import { SifImage } from '../image/image.js';
import { createImage } from '../image/write/create.js';
import { partitionExtra } from '../image/write/extra.js';
import { SIF_BIN } from '../test-support/cli.js';
import { openpgpKey } from '../test-support/pgp.js';

const writeI64 = (fd: number, value: bigint, position: number) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(value);
  writeSync(fd, b, 0, 8, position);
};

/** A one-partition image whose partition is `size` bytes of holes. */
async function sparseImage(path: string, size: number): Promise<void> {
  await createImage(path, {
    objects: [
      {
        dataType: DataType.Partition,
        data: Buffer.from('hsqs'),
        groupId: 1,
        extra: partitionExtra({ fsType: FsType.Squash, partType: PartType.PrimSys, arch: 'amd64' }),
      },
    ],
  });
  const image = await SifImage.open(path);
  const d = image.descriptors[0]!;
  const slot = Number(image.header.raw.descriptorsOffset) + d.slot * DESCRIPTOR_SIZE;
  const dataSize = image.header.raw.dataSize + BigInt(size - d.size);
  await image.close();
  const fd = openSync(path, 'r+');
  writeI64(fd, BigInt(size), slot + descriptorLayout.offsets.size);
  writeI64(fd, d.raw.sizeWithPadding + BigInt(size - d.size), slot + descriptorLayout.offsets.sizeWithPadding);
  writeI64(fd, dataSize, headerLayout.offsets.dataSize);
  closeSync(fd);
  truncateSync(path, d.offset + size);
}

/** Peak resident set (KiB) of a real `sif` process, measured by GNU time. */
function peakKiB(t: Test, args: string[]): number {
  const r = spawnSync('/usr/bin/time', ['-f', '%M', SIF_BIN, ...args], { env: { ...process.env, SIF_KEYSDIR: '/nonexistent' } });
  const lines = r.stderr.toString().trim().split('\n');
  t.equal(r.status, 0, `${args[0]}: ${lines.slice(0, -1).join(' ')}`);
  return Number(lines.at(-1));
}

t.test('signing and verifying a 512 MiB image uses about the memory of a tiny one', { skip: process.platform !== 'linux' && 'needs GNU time' }, async (t) => {
  const dir = t.testdir();
  const key = await openpgpKey(dir, 'ecc');
  const peaks: Record<string, number> = {};
  for (const [name, size] of [['small', 4096], ['large', 512 << 20]] as const) {
    const path = join(dir, `${name}.sif`);
    await sparseImage(path, size);
    peaks[`sign ${name}`] = peakKiB(t, ['sign', '--keyring', key.secretPath, path]);
    peaks[`verify ${name}`] = peakKiB(t, ['verify', '--keyring', key.publicPath, path]);
  }
  t.comment(`peak RSS (KiB): ${JSON.stringify(peaks)}`);
  t.ok(peaks['sign large']! - peaks['sign small']! < 24 * 1024, 'signing: at most 24 MiB more for 512 MiB more data');
  t.ok(peaks['verify large']! - peaks['verify small']! < 24 * 1024, 'verifying: at most 24 MiB more for 512 MiB more data');
});

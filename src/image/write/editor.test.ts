import t from 'tap';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createImage, DataType, editImage, partitionExtra, PartType, FsType, SifImage, type ObjectInput } from '../../index.js';
import { DESCRIPTOR_SIZE, GO_ZERO_TIME } from '../../format/constants.js';
import { descriptorLayout, headerLayout, partitionExtraLayout } from '../../format/layout.js';
import { FaultyOps } from '../../test-support/faulty-ops.js';
import type { InternalEditOptions } from './editor.js';
import { nodeFileOps, type FileOps } from './file-ops.js';

const REPO = new URL('../../../', import.meta.url).pathname;
const ALL_TYPES = join(REPO, 'testdata/images/all-types.sif');
const EDITED = join(REPO, 'testdata/images/edited.sif');

const copyOf = (t: Tap, source: string) => {
  const path = join(t.testdir(), 'image.sif');
  copyFileSync(source, path);
  return path;
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tap's plugin-extended Test type is not nameable here
type Tap = any;

const generic = (data: string, more: Partial<ObjectInput> = {}): ObjectInput => ({ dataType: DataType.Generic, data: Buffer.from(data), ...more });
const part = (partType: number, arch = 'amd64'): ObjectInput => ({
  dataType: DataType.Partition,
  data: Buffer.from('partition'),
  extra: partitionExtra({ fsType: FsType.Raw, partType, arch }),
});

t.test('changes not awaited one by one still run one at a time', async (t) => {
  const path = copyOf(t, EDITED);
  const ids = await editImage(path, (e) => Promise.all(['a', 'b', 'c'].map((x) => e.addObject(generic(x.repeat(100))))));
  t.same(ids.map((d) => d.id), [4, 5, 6], 'the free slots in order');
  const image = await SifImage.open(path);
  for (const d of ids) t.equal((await image.readObject(image.descriptors.find((o) => o.id === d.id)!)).toString()[0], 'abc'[d.id - 4]);
  await image.close();
});

t.test('input that fails while streaming leaves the image byte-identical', async (t) => {
  const path = copyOf(t, ALL_TYPES);
  async function* failing() {
    yield Buffer.alloc(100_000, 1);
    throw new Error('input went away');
  }
  await editImage(path, async (e) => {
    await t.rejects(e.addObject({ dataType: DataType.Generic, data: failing() }), { message: /input went away/ });
    t.ok(readFileSync(path).equals(readFileSync(ALL_TYPES)), 'byte-identical');
    const d = await e.addObject(generic('still works'));
    t.equal(d.id, 12, 'the editor goes on');
  });
});

t.test('a failed metadata write stops the editor and keeps the journal for the next writer', async (t) => {
  const path = copyOf(t, ALL_TYPES);
  const probe = new FaultyOps(-1, 'none', `${path}.lock`);
  const check = copyOf(t, ALL_TYPES).replace('image.sif', 'probe.sif');
  copyFileSync(ALL_TYPES, check);
  await editImage(check, (e) => e.addObject(generic('x')), { time: 1n, fileOps: probe } as InternalEditOptions);
  const ops = new FaultyOps(probe.calls - 2, 'enospc', `${path}.lock`); // the descriptor/header writes
  await editImage(
    path,
    async (e) => {
      await t.rejects(e.addObject(generic('x')), { code: 'SIF_IO' });
      await t.rejects(e.addObject(generic('y')), { message: /an earlier change failed half-way/ });
    },
    { time: 1n, fileOps: ops } as InternalEditOptions,
  );
  t.ok(readFileSync(`${path}.lock`, 'utf8').includes('"commit"'), 'journal kept');
});

t.test('alignment that is not a power of two aligns to its multiple (as sif HEAD)', async (t) => {
  const path = copyOf(t, ALL_TYPES);
  const d = await editImage(path, (e) => e.addObject(generic('abc', { alignment: 3000 })));
  t.equal(d.offset % 3000, 0);
  t.ok(d.offset >= 40017 && d.offset < 40017 + 3000);
  t.equal(d.raw.sizeWithPadding, BigInt(d.offset - 40017 + 3));
});

t.test('object inputs are checked before anything is written', async (t) => {
  const path = copyOf(t, ALL_TYPES);
  const bad: [Partial<ObjectInput>, Error | { code: string } | { message: string | RegExp }][] = [
    [{ dataType: 0x4000 }, { code: 'SIF_USAGE', message: 'unknown data type: 16384' }],
    [{ groupId: -1 }, { code: 'SIF_INVALID_GROUP' }],
    [{ groupId: 0x10000000 }, { code: 'SIF_INVALID_GROUP' }],
    [{ linkedObjectId: 0 }, { code: 'SIF_INVALID_ID' }],
    [{ linkedGroupId: 0x10000000 }, { code: 'SIF_INVALID_GROUP' }],
    [{ linkedObjectId: 1, linkedGroupId: 1 }, { message: 'link to an object or to a group, not both' }],
    [{ alignment: 2 ** 31 }, { message: /^invalid alignment/ }],
    [{ alignment: 1.5 }, { message: /^invalid alignment/ }],
    [{ name: Buffer.alloc(129) }, { message: 'name value too large' }],
    [{ name: 'é'.repeat(65) }, { message: 'name value too large' }],
    [{ extra: Buffer.alloc(385) }, { message: 'extra value too large' }],
    [{ dataType: DataType.OCIBlob, extra: Buffer.alloc(1) }, { message: /computed from their data/ }],
    [{ time: 1n << 63n }, { message: /^invalid object time/ }],
  ];
  await editImage(path, async (e) => {
    for (const [more, want] of bad) await t.rejects(e.addObject(generic('x', more)), want, JSON.stringify(more, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
  });
  t.ok(readFileSync(path).equals(readFileSync(ALL_TYPES)));
});

t.test('loong64 partitions (sif ≥ 2.24) are accepted and set the header arch', async (t) => {
  const path = join(t.testdir(), 'l.sif');
  await createImage(path, { objects: [part(PartType.PrimSys, 'loong64')] });
  const image = await SifImage.open(path);
  t.equal(image.header.arch, 'loong64');
  await image.close();
});

t.test('setPrimary', async (t) => {
  const path = join(t.testdir(), 'p.sif');
  await createImage(path, { time: 1n, objects: [part(PartType.System, '386'), part(PartType.Data), part(PartType.PrimSys, 's390x')] });
  const before = readFileSync(path);
  await editImage(path, (e) => e.setPrimary(3), { time: 2n });
  t.ok(readFileSync(path).equals(before), 'already primary: nothing written, not even ModifiedAt');
  await t.rejects(editImage(path, (e) => e.setPrimary(2)), { code: 'SIF_CONFLICT', message: 'data object not a system partition' });
  await editImage(path, (e) => e.setPrimary(1), { time: 3n });
  const image = await SifImage.open(path);
  const arch = (id: number) => partitionExtraLayout.decode(image.descriptors[id - 1]!.raw.extra);
  t.match(arch(1), { partType: PartType.PrimSys, arch: Buffer.from('01\0', 'latin1') }, 'the code, not "386" (2.8.3 bug)');
  t.match(arch(3), { partType: PartType.System, arch: Buffer.from('11\0', 'latin1') });
  t.equal(image.header.arch, '386');
  t.equal(image.header.raw.modifiedAt, 3n);
  t.equal(image.descriptors[0]!.raw.modifiedAt, 1n, 'object times unchanged, as in 2.8.3');
  await image.close();
  await editImage(path, (e) => e.deleteObject(1), { deterministic: true });
  const after = await SifImage.open(path);
  t.equal(after.header.arch, 'unknown', 'deleting the primary partition clears the header arch');
  t.equal(after.header.raw.modifiedAt, GO_ZERO_TIME);
  await after.close();
});

/** Rewrites one descriptor slot of a copy of `source`. */
function patchSlot(path: string, slot: number, patch: (raw: ReturnType<typeof descriptorLayout.decode>) => void) {
  const bytes = readFileSync(path);
  const at = 4096 + slot * DESCRIPTOR_SIZE;
  const raw = descriptorLayout.decode(bytes, at);
  patch(raw);
  descriptorLayout.encode(raw, bytes, at);
  writeFileSync(path, bytes);
}

t.test('images the reference would damage are refused', async (t) => {
  const twoPrimaries = copyOf(t, ALL_TYPES);
  patchSlot(twoPrimaries, 6, (raw) => {
    raw.dataType = DataType.Partition;
    partitionExtraLayout.encode({ fsType: 1, partType: PartType.PrimSys, arch: Buffer.from('02\0') }, raw.extra);
  });
  patchSlot(twoPrimaries, 7, (raw) => {
    raw.dataType = DataType.Partition;
    partitionExtraLayout.encode({ fsType: 1, partType: PartType.System, arch: Buffer.from('02\0') }, raw.extra);
  });
  await t.rejects(editImage(twoPrimaries, (e) => e.setPrimary(8)), { code: 'SIF_MULTIPLE_OBJECTS' });

  const idTaken = copyOf(t, ALL_TYPES);
  patchSlot(idTaken, 10, (raw) => (raw.id = 12));
  await t.rejects(editImage(idTaken, (e) => e.addObject(generic('x'))), { code: 'SIF_CORRUPT', message: 'object ID 12 of free slot 11 is already in use' });

  const shortData = copyOf(t, ALL_TYPES);
  const bytes = readFileSync(shortData);
  const h = headerLayout.decode(bytes);
  h.dataSize = 100n;
  headerLayout.encode(h, bytes);
  writeFileSync(shortData, bytes);
  const before = readFileSync(shortData);
  await t.rejects(editImage(shortData, (e) => e.addObject(generic('x'))), { code: 'SIF_CORRUPT', message: /refusing to append/ });
  t.ok(readFileSync(shortData).equals(before));
});

t.test('editImage reports a missing path or a directory', async (t) => {
  const dir = t.testdir();
  await t.rejects(editImage(join(dir, 'none.sif'), async () => undefined), { code: 'SIF_NOT_FOUND' });
  await t.rejects(editImage(dir, async () => undefined), { code: 'SIF_IO', message: /is a directory/ });
});

t.test('an empty object at an aligned offset past the end loads', async (t) => {
  const path = join(t.testdir(), 'e.sif');
  await createImage(path, { objects: [{ dataType: DataType.Partition, data: new Uint8Array(0), extra: partitionExtra({ fsType: 4, partType: 3, arch: 'arm' }) }] });
  const image = await SifImage.open(path);
  t.match(image.descriptors[0], { offset: 32768, size: 0 });
  t.equal(image.fileSize, 32176);
  await image.close();
});

/** Node's file ops, counting calls and the journal commit records written through them. */
function countingOps() {
  const counts = { calls: 0, commits: 0 };
  const ops: FileOps = {
    writeAt: (handle, data, position) => {
      if (Buffer.from(data).toString('latin1').startsWith('{"commit"')) counts.commits++;
      counts.calls++;
      return nodeFileOps.writeAt(handle, data, position);
    },
    sync: (handle) => {
      counts.calls++;
      return nodeFileOps.sync(handle);
    },
    truncate: (handle, length) => {
      counts.calls++;
      return nodeFileOps.truncate(handle, length);
    },
  };
  return { counts, options: { time: 5n, fileOps: ops } as InternalEditOptions };
}

t.test('addObjects appends several objects in one journal commit, in input order', async (t) => {
  const path = copyOf(t, EDITED);
  const { counts, options } = countingOps();
  const inputs = [generic('a', { alignment: 4096 }), { dataType: DataType.OCIBlob, data: Buffer.from('{}') }, part(PartType.Data)];
  const added = await editImage(path, (e) => e.addObjects(inputs), options);
  t.same(added.map((d) => [d.id, d.dataType]), [[4, DataType.Generic], [5, DataType.OCIBlob], [6, DataType.Partition]]);
  t.equal(counts.commits, 1, 'one commit record for all three');
  const image = await SifImage.open(path);
  t.same(image.descriptors.map((d) => d.id), [1, 2, 3, 4, 5, 6]);
  t.equal(image.header.raw.descriptorsFree, 0n);
  t.equal((await image.readObject(image.descriptors[4]!)).toString(), '{}');
  await image.close();
});

t.test('addObjects with nothing to add writes nothing', async (t) => {
  const path = copyOf(t, EDITED);
  const idle = countingOps();
  await editImage(path, async () => undefined, idle.options);
  const { counts, options } = countingOps();
  t.same(await editImage(path, (e) => e.addObjects([]), options), []);
  t.equal(counts.calls, idle.counts.calls, 'only the lock is written');
  t.ok(readFileSync(path).equals(readFileSync(EDITED)));
});

t.test('addObjects refuses the whole batch, writing nothing, when one object cannot be added', async (t) => {
  const path = copyOf(t, EDITED);
  const idle = countingOps();
  await editImage(path, async () => undefined, idle.options);
  const refusals: [ObjectInput[], { code: string; message?: string }][] = [
    [['a', 'b', 'c', 'd'].map((x) => generic(x)), { code: 'SIF_CAPACITY' }],
    [[generic('a'), part(PartType.PrimSys)], { code: 'SIF_CONFLICT', message: 'image already contains a primary partition' }],
    [[generic('a'), generic('b', { groupId: -1 })], { code: 'SIF_INVALID_GROUP' }],
  ];
  for (const [inputs, want] of refusals) {
    const { counts, options } = countingOps();
    await t.rejects(editImage(path, (e) => e.addObjects(inputs), options), want);
    t.equal(counts.calls, idle.counts.calls, 'nothing but the lock written');
    t.ok(readFileSync(path).equals(readFileSync(EDITED)), 'byte-identical');
  }
  const fresh = join(t.testdir(), 'fresh.sif');
  await createImage(fresh, { time: 1n });
  await t.rejects(editImage(fresh, (e) => e.addObjects([part(PartType.PrimSys), part(PartType.PrimSys)])), { code: 'SIF_CONFLICT' }, 'two primaries in one batch');
});

t.test('addObjects: an input that fails while streaming takes the earlier ones back too', async (t) => {
  const path = copyOf(t, EDITED);
  async function* failing() {
    yield Buffer.alloc(10_000, 1);
    throw new Error('input went away');
  }
  await editImage(path, async (e) => {
    await t.rejects(e.addObjects([generic('first'), { dataType: DataType.Generic, data: failing() }]), { message: /input went away/ });
    t.ok(readFileSync(path).equals(readFileSync(EDITED)), 'byte-identical');
    t.same((await e.addObjects([generic('again')])).map((d) => d.id), [4], 'the editor goes on');
  });
});

import t, { type Test } from 'tap';
import { join } from 'node:path';
import { DataType, PartType } from '../format/constants.js';
import type { Descriptor } from '../format/descriptor.js';
import { GO_IMAGES, withReference } from '../test-support/reference.js';
import { SifImage } from './image.js';
import {
  groupIds,
  selectAll,
  selectOne,
  withDataType,
  withGroup,
  withId,
  withLinkedGroup,
  withLinkedId,
  withNoGroup,
  withPartitionType,
} from './select.js';

async function descriptorsOf(t: Test, name: string): Promise<readonly Descriptor[]> {
  const image = await SifImage.open(join(GO_IMAGES, name));
  t.teardown(() => image.close());
  return image.descriptors;
}

const ids = (ds: readonly Descriptor[]) => ds.map((d) => d.id);

withReference(t, 'selectors on two-groups-signed.sif', ['go-sif'], async (t) => {
  // 1 FS Raw/System grp 1, 2 FS Squashfs/*System grp 1, 3 FS Ext3/System grp 2, 4 sig → G1, 5 sig → G2
  const ds = await descriptorsOf(t, 'two-groups-signed.sif');
  t.same(ids(selectAll(ds, withId(3))), [3], 'by ID');
  t.same(ids(selectAll(ds, withGroup(1))), [1, 2], 'by group');
  t.same(ids(selectAll(ds, withGroup(2))), [3]);
  t.same(ids(selectAll(ds, withGroup(7))), [], 'an absent group selects nothing');
  t.same(ids(selectAll(ds, withNoGroup)), [4, 5], 'ungrouped objects');
  t.same(ids(selectAll(ds, withDataType(DataType.Signature))), [4, 5], 'by type');
  t.same(ids(selectAll(ds, withDataType(DataType.SBOM))), []);
  t.same(ids(selectAll(ds, withLinkedGroup(1))), [4], 'by linked group');
  t.same(ids(selectAll(ds, withLinkedGroup(2))), [5]);
  t.same(ids(selectAll(ds, withLinkedId(1))), [], 'a group link is not an object link');
  t.same(ids(selectAll(ds, withPartitionType(PartType.PrimSys))), [2], 'by partition type');
  t.same(ids(selectAll(ds, withPartitionType(PartType.System))), [1, 3]);
  t.same(ids(selectAll(ds, withGroup(1), withPartitionType(PartType.System))), [1], 'selectors combine with AND');
  t.same(ids(selectAll(ds)), [1, 2, 3, 4, 5], 'no selector selects everything, in table order');
  t.same(groupIds(ds), [1, 2], 'group IDs, ascending');
});

withReference(t, 'linked objects in a legacy image', ['go-sif'], async (t) => {
  // one-group-signed-legacy.sif: 3 is a signature in group 1 linked to object 2.
  const ds = await descriptorsOf(t, 'one-group-signed-legacy.sif');
  t.same(ids(selectAll(ds, withLinkedId(2))), [3], 'by linked object');
  t.same(ids(selectAll(ds, withLinkedGroup(2))), [], 'an object link is not a group link');
  t.same(ids(selectAll(ds, withGroup(1), withDataType(DataType.Signature))), [3]);
});

withReference(t, 'selectOne', ['go-sif'], async (t) => {
  const ds = await descriptorsOf(t, 'two-groups-signed.sif');
  t.equal(selectOne(ds, withId(2)).id, 2, 'exactly one match');
  t.equal(selectOne(ds, withLinkedGroup(2)).id, 5);
  t.throws(() => selectOne(ds, withId(9)), { name: 'SelectionError', code: 'SIF_OBJECT_NOT_FOUND', message: 'object not found' });
  t.throws(() => selectOne(ds, withDataType(DataType.Signature)), { code: 'SIF_MULTIPLE_OBJECTS', message: 'multiple objects found' });
  t.throws(() => selectOne(ds, withGroup(1), withDataType(DataType.Partition)), { code: 'SIF_MULTIPLE_OBJECTS' });
  const empty = await descriptorsOf(t, 'empty.sif');
  t.throws(() => selectOne(empty, withDataType(DataType.Partition)), { code: 'SIF_NO_OBJECTS', message: 'no objects in image' });
  t.same(selectAll(empty, withNoGroup), [], 'selectAll on an empty image is empty, not an error');
});

t.test('invalid IDs are refused when the selector is made', async (t) => {
  for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 32]) {
    t.throws(() => withId(bad), { code: 'SIF_INVALID_ID', message: 'invalid object ID' }, `withId(${bad})`);
  }
  t.doesNotThrow(() => withId(2 ** 32 - 1), 'the largest uint32 is a valid object ID');
  for (const bad of [0, -3, 0.5, 0x10000000]) {
    t.throws(() => withGroup(bad), { code: 'SIF_INVALID_GROUP', message: 'invalid group ID' }, `withGroup(${bad})`);
    t.throws(() => withLinkedGroup(bad), { code: 'SIF_INVALID_GROUP' }, `withLinkedGroup(${bad})`);
    t.throws(() => withLinkedId(bad), { code: 'SIF_INVALID_ID' }, `withLinkedId(${bad})`);
  }
  t.doesNotThrow(() => withGroup(0x0fffffff), 'the largest group that fits under the mask');
});

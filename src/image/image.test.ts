import t from 'tap';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { dataTypeName } from '../format/constants.js';
import { oracle } from '../test-support/oracle.js';
import { corpusImages, GO_IMAGES, withReference } from '../test-support/reference.js';
import { SifImage } from './image.js';

interface GoObject {
  id: number;
  dataType: string;
  groupId: number;
  linkedId: number;
  linkIsGroup: boolean;
  offset: number;
  size: number;
  name: string;
  dataSha256: string;
}

/** 2.8.3 does not know the OCI types; upstream HEAD names them (docs/compat.md). */
const goTypeName = (type: number) => (type === 0x400a || type === 0x400b ? 'Unknown' : dataTypeName(type));

withReference(t, 'every corpus image reads as the Go loader reads it', ['go', 'go-sif', 'shared'], async (t) => {
  for (const path of corpusImages()) {
    const want = oracle<{ objects: GoObject[]; descriptorsFree: number; descriptorsTotal: number; dataOffset: number; dataSize: number; id: string; launchScript: string; primaryArch: string }>('load', path);
    const image = await SifImage.open(path);
    try {
      const got: GoObject[] = [];
      for (const d of image.descriptors) {
        const h = createHash('sha256');
        for await (const chunk of image.objectChunks(d)) h.update(chunk);
        got.push({
          id: d.id,
          dataType: goTypeName(d.dataType),
          groupId: d.groupId,
          linkedId: d.linkedId,
          linkIsGroup: d.linkIsGroup,
          offset: d.offset,
          size: d.size,
          name: d.name.toString('utf8'),
          dataSha256: h.digest('hex'),
        });
      }
      t.same(got, want.objects, `${path}: objects`);
      const h = image.header;
      t.same(
        { id: h.id, launchScript: h.launchScript.toString('utf8'), primaryArch: h.arch, descriptorsFree: Number(h.raw.descriptorsFree), descriptorsTotal: Number(h.raw.descriptorsTotal), dataOffset: Number(h.raw.dataOffset), dataSize: Number(h.raw.dataSize) },
        { id: want.id, launchScript: want.launchScript, primaryArch: want.primaryArch, descriptorsFree: want.descriptorsFree, descriptorsTotal: want.descriptorsTotal, dataOffset: want.dataOffset, dataSize: want.dataSize },
        `${path}: header`,
      );
    } finally {
      await image.close();
    }
  }
});

withReference(t, 'objects stream in bounded chunks', ['go-sif'], async (t) => {
  const path = join(GO_IMAGES, 'two-groups.sif');
  const image = await SifImage.open(path);
  t.teardown(() => image.close());
  const ext3 = image.descriptors.find((d) => d.id === 3)!;
  const sizes: number[] = [];
  const parts: Buffer[] = [];
  for await (const chunk of image.objectChunks(ext3, 100000)) {
    sizes.push(chunk.length);
    parts.push(chunk);
  }
  t.same(sizes, [100000, 100000, 62144], 'never more than the chunk size');
  const file = readFileSync(path);
  t.ok(Buffer.concat(parts).equals(file.subarray(ext3.offset, ext3.offset + ext3.size)), 'the bytes at the offset');
  t.ok((await image.readObject(ext3)).equals(Buffer.concat(parts)), 'readObject reads the same bytes');
  await t.rejects(image.readObject(ext3, 1000), { code: 'SIF_CORRUPT', message: /data object 3 is 262144 bytes, over the 1000-byte limit/ });
  const empty = { ...ext3, size: 0 };
  t.same(await image.readObject(empty), Buffer.alloc(0), 'an empty object reads as no bytes');
});

withReference(t, 'a file that shrinks after opening ends the stream with a clear error', ['go-sif'], async (t) => {
  const dir = t.testdir();
  const path = join(dir, 'one-group.sif');
  copyFileSync(join(GO_IMAGES, 'one-group.sif'), path);
  const image = await SifImage.open(path);
  t.teardown(() => image.close());
  truncateSync(path, 36864 + 100);
  const d = image.descriptors.find((x) => x.id === 2)!;
  await t.rejects(image.readObject(d), { code: 'SIF_TRUNCATED', message: 'reading data object 2: unexpected EOF' });
});

t.test('open failures are IoErrors with one-line messages', async (t) => {
  const dir = t.testdir({ 'not-readable.sif': 'x', sub: {} });
  await t.rejects(SifImage.open(join(dir, 'missing.sif')), { code: 'SIF_NOT_FOUND', message: `open ${join(dir, 'missing.sif')}: no such file or directory` });
  await t.rejects(SifImage.open(join(dir, 'sub')), { code: 'SIF_IO', message: `read ${join(dir, 'sub')}: is a directory` });
  if (process.getuid?.() !== 0) {
    chmodSync(join(dir, 'not-readable.sif'), 0);
    await t.rejects(SifImage.open(join(dir, 'not-readable.sif')), { code: 'SIF_IO', message: /permission denied$/ });
  }
});

withReference(t, 'writable open refuses symbolic links', ['go-sif'], async (t) => {
  const dir = t.testdir({ link: t.fixture('symlink', join(GO_IMAGES, 'empty.sif')) });
  await t.rejects(SifImage.open(join(dir, 'link'), { writable: true }), { code: 'SIF_IO', message: /refusing to follow a symbolic link/ });
  const image = await SifImage.open(join(dir, 'link'));
  t.equal(image.descriptors.length, 0, 'read-only open follows it');
  await image.close();
});

import t from 'tap';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SifImage } from '../image/image.js';
import { ObjectDigests } from '../integrity/digest.js';
import { GO_IMAGES, withReference } from '../test-support/reference.js';
import { imageSha256 } from './image-digests.js';

withReference(t, 'the file and every object hash in one engine run, each once', ['go-sif'], async (t) => {
  const path = join(GO_IMAGES, 'two-groups-signed.sif');
  const image = await SifImage.open(path);
  t.teardown(() => image.close());
  const digests = new ObjectDigests(image, { threads: 1 });
  const file = digests.fileDigest('sha256');
  digests.prefetch(image.descriptors, 'sha256');
  t.equal((await file).toString('hex'), createHash('sha256').update(readFileSync(path)).digest('hex'));
  await digests.fileDigest('sha256');
  for (const d of image.descriptors) await digests.digest(d, 'sha256');
  t.equal(digests.stats().jobs, image.descriptors.length + 1, 'one job per object plus one for the file');
  t.equal(digests.stats().bytes, image.fileSize + image.descriptors.reduce((n, d) => n + d.size, 0));

  let last = [0, 0];
  const all = await imageSha256(image, { onProgress: (done, total) => (last = [done, total]) });
  t.equal(all.file, (await file).toString('hex'));
  t.same(all.objects.map((o) => o.descriptor.id), [1, 2, 3, 4, 5]);
  t.equal(last[0], last[1], 'progress reaches the total');

  let total = 0;
  const fileOnly = await imageSha256(image, { onProgress: (_, n) => (total = n) }, () => false);
  t.same(fileOnly, { file: all.file, objects: [] }, 'objects left out');
  t.equal(total, image.fileSize, 'and not hashed');
});

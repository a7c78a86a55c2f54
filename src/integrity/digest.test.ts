import t from 'tap';
import { createHash } from 'node:crypto';
import { truncateSync } from 'node:fs';
import { join } from 'node:path';
import { DataType } from '../format/constants.js';
import { SifImage } from '../image/image.js';
import { createImage } from '../image/write/create.js';
import { DIGEST_SIZES, hashBytes, ObjectDigests, type DigestAlg } from './digest.js';

const NODE: Record<DigestAlg, string> = {
  sha224: 'sha224',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
  sha512_224: 'sha512-224',
  sha512_256: 'sha512-256',
};

/** Deterministic pseudo-random bytes, so chunk boundaries are really tested. */
function pattern(size: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  let x = seed;
  for (let i = 0; i < size; i++) b[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  return b;
}

async function makeImage(dir: string, sizes: number[]): Promise<{ path: string; data: Buffer[] }> {
  const path = join(dir, 'img.sif');
  const data = sizes.map((s, i) => pattern(s, i + 1));
  await createImage(path, { objects: data.map((d) => ({ dataType: DataType.Generic, data: d, groupId: 1 })) });
  return { path, data };
}

t.test('every algorithm, across chunk boundaries, equals a one-shot hash', async (t) => {
  const sizes = [0, 1, (4 << 20) - 1, (4 << 20) + 1, 9 << 20];
  const { path, data } = await makeImage(t.testdir(), sizes);
  const image = await SifImage.open(path);
  t.teardown(() => image.close());
  const digests = new ObjectDigests(image);
  for (const alg of Object.keys(NODE) as DigestAlg[]) {
    for (const [i, d] of image.descriptors.entries()) {
      const got = await digests.digest(d, alg);
      t.equal(got.length, DIGEST_SIZES[alg]);
      t.ok(got.equals(createHash(NODE[alg]).update(data[i]!).digest()), `${alg} of ${sizes[i]} bytes`);
    }
    t.ok(hashBytes(alg, data[1]!).equals(createHash(NODE[alg]).update(data[1]!).digest()));
  }
  const all = await digests.digestConcatenation(image.descriptors.slice(1, 3), 'sha384');
  t.ok(all.equals(createHash('sha384').update(data[1]!).update(data[2]!).digest()), 'concatenation in the order given');
});

t.test('each object is hashed once per algorithm, however often it is asked for', async (t) => {
  const { path } = await makeImage(t.testdir(), [5 << 20, 1000]);
  const image = await SifImage.open(path);
  t.teardown(() => image.close());
  const progress: [number, number][] = [];
  const digests = new ObjectDigests(image, { onProgress: (done, total) => progress.push([done, total]) });
  const [a, b] = image.descriptors;
  const first = await Promise.all([digests.digest(a!, 'sha256'), digests.digest(a!, 'sha256'), digests.digest(b!, 'sha256')]);
  t.ok(first[0].equals(first[1]));
  t.ok((await digests.digest(a!, 'sha256')) === first[0], 'the cached digest is returned');
  t.same(progress.at(-1), [(5 << 20) + 1000, (5 << 20) + 1000], 'bytes hashed = bytes of distinct objects');
  await digests.digest(a!, 'sha512');
  t.same(progress.at(-1), [2 * (5 << 20) + 1000, 2 * (5 << 20) + 1000], 'another algorithm hashes again');
});

t.test('a file that shrank under the reader yields a mismatching digest, not a crash', async (t) => {
  const { path, data } = await makeImage(t.testdir(), [100_000]);
  const image = await SifImage.open(path);
  t.teardown(() => image.close());
  truncateSync(path, image.descriptors[0]!.offset + 10);
  const got = await new ObjectDigests(image).digest(image.descriptors[0]!, 'sha256');
  t.ok(got.equals(createHash('sha256').update(data[0]!.subarray(0, 10)).digest()));
});

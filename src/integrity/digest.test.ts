import t from 'tap';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataType } from '../format/constants.js';
import { SifImage } from '../image/image.js';
import { createImage } from '../image/write/create.js';
import { isSifError } from '../errors.js';
import { DIGEST_SIZES, hashBytes, ObjectDigests, type DigestAlg, type ObjectDigestsOptions } from './digest.js';
import { DigestPool, digestPool, shutdownDigestPool } from './digest-pool.js';
import { hashRangesBlocking, hashSource, ReadBuffers } from './digest-read.js';
import { BlobSource } from '../source/blob.js';
import { DigestScheduler } from './digest-scheduler.js';

const ALGS = Object.keys(DIGEST_SIZES) as DigestAlg[];
const NODE_NAME = (alg: DigestAlg) => alg.replace('sha512_', 'sha512-');
const oneShot = (alg: DigestAlg, ...parts: Buffer[]) => createHash(NODE_NAME(alg)).update(Buffer.concat(parts)).digest();

/** Small chunks so a few KiB exercise every boundary of the double-buffered loop. */
const CHUNK = 4096;
const SIZES = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK + 17];

/** An image with one Generic object per size, each of random bytes. */
async function imageWith(dir: string, sizes: readonly number[]): Promise<{ path: string; data: Buffer[] }> {
  const data = sizes.map((n) => randomBytes(n));
  const path = join(dir, 'image.sif');
  await createImage(path, { objects: data.map((d) => ({ dataType: DataType.Generic, data: d, groupId: 1 })) });
  return { path, data };
}

async function withDigests<T>(path: string, options: ObjectDigestsOptions, fn: (dg: ObjectDigests, image: SifImage) => Promise<T>) {
  const image = await SifImage.open(path);
  try {
    return await fn(new ObjectDigests(image, options), image);
  } finally {
    await image.close();
  }
}

// workerMinBytes and workerStartBytes 1 send every non-empty object to a worker when threads > 1.
const ENGINES: [string, ObjectDigestsOptions][] = [
  ['main thread', { threads: 1, chunkSize: CHUNK }],
  ['main thread and workers', { threads: 3, chunkSize: CHUNK, workerMinBytes: 1, workerStartBytes: 1 }],
];

t.teardown(shutdownDigestPool);

for (const [name, options] of ENGINES) {
  t.test(`${name}: digests equal node:crypto one-shot digests for all six algorithms`, async (t) => {
    const { path, data } = await imageWith(t.testdir(), SIZES);
    await withDigests(path, options, async (dg, image) => {
      const requested = ALGS.flatMap((alg) => image.descriptors.map((d, i) => ({ alg, i, p: dg.digest(d, alg) })));
      for (const { alg, i, p } of requested) t.same(await p, oneShot(alg, data[i]!), `${alg} of ${data[i]!.length} bytes`);
      for (const alg of ALGS) t.same(hashBytes(alg, data[4]!), oneShot(alg, data[4]!), `hashBytes ${alg}`);
      if (options.threads! > 1) t.ok(dg.stats().workerJobs > 0, 'workers hashed some');
    });
  });

  t.test(`${name}: a concatenation of ranges equals the digest of the bytes joined`, async (t) => {
    const { path, data } = await imageWith(t.testdir(), SIZES);
    await withDigests(path, options, async (dg, image) => {
      const ds = image.descriptors;
      t.same(await dg.digestConcatenation(ds, 'sha384'), oneShot('sha384', ...data));
      t.same(await dg.digestConcatenation([ds[5]!, ds[1]!], 'sha256'), oneShot('sha256', data[5]!, data[1]!), 'in the order given');
    });
  });

  t.test(`${name}: each object is hashed once per algorithm however often it is asked for`, async (t) => {
    const { path } = await imageWith(t.testdir(), SIZES);
    const seen: [number, number][] = [];
    await withDigests(path, { ...options, onProgress: (done, total) => seen.push([done, total]) }, async (dg, image) => {
      const ds = image.descriptors;
      const first = await Promise.all([...ds, ...ds].map((d) => dg.digest(d, 'sha256')));
      dg.prefetch(ds, 'sha256');
      for (const d of ds) t.equal(await dg.digest(d, 'sha256'), first[ds.indexOf(d)], 'the kept digest itself');
      await dg.digest(ds[2]!, 'sha512');
      const bytes = SIZES.reduce((a, b) => a + b, 0) + SIZES[2]!;
      t.same(dg.stats(), { ...dg.stats(), jobs: ds.length + 1, bytes }, 'one job per object and algorithm');
      t.equal(dg.stats().mainJobs + dg.stats().workerJobs, ds.length + 1, 'every job ran once');
      t.same(seen.at(-1), [bytes, bytes], 'progress ends at the total');
      t.ok(seen.every(([done, total], i) => done <= total && (i === 0 || done > seen[i - 1]![0])), 'progress only grows');
    });
  });

  t.test(`${name}: a file truncated after opening is an error, not a shorter digest`, async (t) => {
    // Two objects, so that with workers the second (the cut one) is hashed on a worker.
    const { path, data } = await imageWith(t.testdir(), [CHUNK * 8, CHUNK * 8]);
    await withDigests(path, options, async (dg, image) => {
      const [first, second] = image.descriptors;
      truncateSync(path, second!.offset + CHUNK * 3 + 5);
      const [whole, cut] = [first!, second!].map((d) => dg.digest(d, 'sha256'));
      const e = await cut!.catch((e: unknown) => e);
      t.ok(isSifError(e, 'SIF_TRUNCATED'), 'SIF_TRUNCATED');
      t.equal((e as Error).message, `reading data object 2: unexpected EOF at offset ${second!.offset + CHUNK * 3 + 5}`);
      t.same(await whole, oneShot('sha256', data[0]!), 'the object before the cut is fine');
    });
  });
}

t.test('objects requested together hash side by side on the workers and the main thread', async (t) => {
  const { path, data } = await imageWith(t.testdir(), [64, 50_000, 60_000, 70_000, 80_000]);
  await withDigests(path, { threads: 3, chunkSize: CHUNK, workerMinBytes: 40_000, workerStartBytes: 1 }, async (dg, image) => {
    const got = await Promise.all(image.descriptors.map((d) => dg.digest(d, 'sha256')));
    got.forEach((g, i) => t.same(g, oneShot('sha256', data[i]!)));
    const { mainJobs, workerJobs } = dg.stats();
    t.ok(workerJobs >= 1, `workers took ${workerJobs} jobs`);
    t.ok(mainJobs >= 1, `main thread took ${mainJobs} jobs`);
    t.ok(digestPool().size <= digestPool().maxWorkers, 'the pool never exceeds its size');
  });
});

t.test('a worker that finds another file at the path leaves the job to the main thread', async (t) => {
  const dir = t.testdir();
  const { path, data } = await imageWith(dir, [CHUNK * 4, CHUNK * 4]);
  await withDigests(path, { threads: 2, chunkSize: CHUNK, workerMinBytes: 1, workerStartBytes: 1 }, async (dg, image) => {
    renameSync(path, join(dir, 'moved.sif'));
    writeFileSync(path, 'not the image');
    const got = await Promise.all(image.descriptors.map((d) => dg.digest(d, 'sha256')));
    t.same(got, [oneShot('sha256', data[0]!), oneShot('sha256', data[1]!)], 'digests of the opened file');
    t.same(dg.stats(), { ...dg.stats(), mainJobs: 2, workerJobs: 0 }, 'the worker declined the job');
  });
});

t.test('the pool: lazily started, bounded, shut down on request, and started again when needed', async (t) => {
  const pool = new DigestPool(1);
  t.equal(pool.size, 0, 'no worker before the first job');
  const w = pool.acquire()!;
  t.equal(pool.size, 1);
  t.equal(pool.acquire(), undefined, 'full');
  pool.release(w);
  t.equal(pool.acquire(), w, 'an idle worker is reused');
  pool.release(w);
  await pool.shutdown();
  t.equal(pool.size, 0, 'shut down');
  t.equal(new DigestPool(0).acquire(), undefined, 'a pool of size 0 never starts a worker');
  const warm = new DigestPool(2);
  warm.prestart(5);
  t.equal(warm.size, 2, 'prestart stops at the pool size');
  const [first, second] = [warm.acquire(false), warm.acquire(false)];
  t.ok(first && second && first !== second, 'prestarted workers wait idle');
  t.equal(warm.acquire(), undefined, 'and count against the size');
  await warm.shutdown();
  warm.prestart(1);
  t.equal(warm.size, 1, 'prestart starts only the missing workers');
  await warm.shutdown();

  // The main thread takes the first object, so the second goes to a worker.
  const { path, data } = await imageWith(t.testdir(), [CHUNK * 64, CHUNK * 64]);
  await withDigests(path, { threads: 2, chunkSize: CHUNK, workerMinBytes: 1, workerStartBytes: 1 }, async (dg, image) => {
    const [onMain, onWorker] = image.descriptors.map((d) => dg.digest(d, 'sha256'));
    await shutdownDigestPool();
    t.equal(digestPool().size, 0);
    t.same(await onWorker, oneShot('sha256', data[1]!), 'a job running at shutdown is hashed on the main thread');
    t.same(await onMain, oneShot('sha256', data[0]!));
    t.same(dg.stats(), { ...dg.stats(), mainJobs: 2, workerJobs: 0 });
  });
  await withDigests(path, { threads: 2, chunkSize: CHUNK, workerMinBytes: 1, workerStartBytes: 1 }, async (dg, image) => {
    const got = await Promise.all(image.descriptors.map((d) => dg.digest(d, 'sha256')));
    t.same(got, [oneShot('sha256', data[0]!), oneShot('sha256', data[1]!)], 'works again after shutdown');
    t.equal(dg.stats().workerJobs, 1);
  });
});

t.test('when workers cannot start, everything is hashed on the main thread', async (t) => {
  const pool = new DigestPool(2, new URL('data:text/javascript,throw new Error("no workers here")'));
  const { path, data } = await imageWith(t.testdir(), [CHUNK * 4, CHUNK * 4, CHUNK * 4]);
  const image = await SifImage.open(path);
  t.teardown(() => image.close());
  const scheduler = new DigestScheduler(() => pool, { threads: 3, workerMinBytes: 1, workerStartBytes: 1, chunkSize: CHUNK, onBytes: () => undefined });
  const got = await Promise.all(image.descriptors.map((d) => scheduler.submit(image.source, [d], 'sha256')));
  t.same(got, data.map((d) => oneShot('sha256', d)));
  t.same(scheduler.stats, { mainJobs: 3, workerJobs: 0 });
  t.equal(pool.size, 0, 'the dead workers are gone');
  t.equal(pool.acquire(), undefined, 'and no more are started');
  pool.prestart(2);
  t.equal(pool.size, 0, 'not even by prestart');
});

t.test('workers start under the Node options of the main script, minus --input-type', async (t) => {
  const { path, data } = await imageWith(t.testdir(), [CHUNK * 4, CHUNK * 4]);
  const engine = new URL('./digest.js', import.meta.url).href.replace('/src/', '/dist/');
  const image = new URL('../image/image.js', import.meta.url).href.replace('/src/', '/dist/');
  const script = `const { ObjectDigests } = await import(${JSON.stringify(engine)});
const { SifImage } = await import(${JSON.stringify(image)});
const image = await SifImage.open(${JSON.stringify(path)});
const dg = new ObjectDigests(image, { threads: 2, workerMinBytes: 1, workerStartBytes: 1 });
const got = await Promise.all(image.descriptors.map((d) => dg.digest(d, 'sha256')));
console.log(JSON.stringify({ got: got.map((b) => b.toString('hex')), stats: dg.stats() }));
await image.close();`;
  const r = spawnSync('env', ['-u', 'NODE_OPTIONS', process.execPath, '--input-type', 'module', '-e', script]);
  t.equal(r.status, 0, r.stderr.toString());
  const out = JSON.parse(r.stdout.toString()) as { got: string[]; stats: { workerJobs: number } };
  t.same(out.got, data.map((d) => oneShot('sha256', d).toString('hex')));
  t.equal(out.stats.workerJobs, 1, 'one object hashed on a worker');
});

t.test('close stops queued and running jobs on every thread, and refuses new ones', async (t) => {
  const size = CHUNK * 4096; // 16 MiB in 4 KiB chunks: far more than is hashed before the first chunk is reported
  const { path } = await imageWith(t.testdir(), [size, size, size, size]);
  let dg: ObjectDigests | undefined;
  const closeAtFirstChunk = () => {
    dg?.close();
    dg?.close();
  };
  await withDigests(path, { threads: 2, chunkSize: CHUNK, workerMinBytes: 1, workerStartBytes: 1, onProgress: closeAtFirstChunk }, async (digests, image) => {
    dg = digests;
    const pending = image.descriptors.map((d) => digests.digest(d, 'sha256'));
    for (const p of pending) {
      const e = await p.catch((e: unknown) => e);
      t.ok(isSifError(e, 'SIF_INTERNAL'), 'rejected');
      t.equal((e as Error).message, 'hashing stopped: the digests were closed');
    }
    t.ok(digests.stats().bytes < size * 4, `stopped early: ${digests.stats().bytes} bytes hashed`);
    const late = await digests.digest(image.descriptors[0]!, 'sha512').catch((e: unknown) => e);
    t.ok(isSifError(late, 'SIF_INTERNAL'), 'a later request is refused');
  });
  // The pool's worker finished its cancelled job and serves the next run.
  const { path: next, data } = await imageWith(t.testdir(), [CHUNK, CHUNK]);
  await withDigests(next, { threads: 2, chunkSize: CHUNK, workerMinBytes: 1, workerStartBytes: 1 }, async (dg, image) => {
    const got = await Promise.all(image.descriptors.map((d) => dg.digest(d, 'sha256')));
    t.same(got, data.map((d) => oneShot('sha256', d)));
  });
});

t.test('a worker starts only for enough waiting work; a started one takes any object big enough', async (t) => {
  const { path, data } = await imageWith(t.testdir(), [CHUNK * 4, CHUNK * 4, CHUNK * 4]);
  const image = await SifImage.open(path);
  t.teardown(() => image.close());
  const pool = new DigestPool(1);
  t.teardown(() => pool.shutdown());
  const options = { threads: 2, workerMinBytes: CHUNK, workerStartBytes: CHUNK * 12, chunkSize: CHUNK, onBytes: () => undefined };
  const cold = new DigestScheduler(() => pool, options);
  const got = await Promise.all(image.descriptors.map((d) => cold.submit(image.source, [d], 'sha256')));
  t.same(got, data.map((d) => oneShot('sha256', d)));
  t.same(cold.stats, { mainJobs: 3, workerJobs: 0 }, '8 chunks waiting: not worth starting a worker');
  t.equal(pool.size, 0);

  pool.release(pool.acquire()!); // a worker already started
  const warm = new DigestScheduler(() => pool, options);
  await Promise.all(image.descriptors.map((d) => warm.submit(image.source, [d], 'sha256')));
  t.ok(warm.stats.workerJobs >= 1, 'the idle worker takes objects');
  const small = new DigestScheduler(() => pool, { ...options, workerMinBytes: CHUNK * 5 });
  await Promise.all(image.descriptors.map((d) => small.submit(image.source, [d], 'sha256')));
  t.same(small.stats, { mainJobs: 3, workerJobs: 0 }, 'objects under workerMinBytes stay on the main thread');
});

t.test('a main thread kept free: workers hash meanwhile; once let, it takes jobs too', async (t) => {
  const { path, data } = await imageWith(t.testdir(), [CHUNK * 8, CHUNK * 8, CHUNK * 8, CHUNK]);
  const image = await SifImage.open(path);
  t.teardown(() => image.close());
  const pool = new DigestPool(2);
  t.teardown(() => pool.shutdown());
  let letMain = (): void => undefined;
  const mainThreadAfter = new Promise<void>((resolve) => (letMain = resolve));
  const options = { threads: 3, workerMinBytes: CHUNK * 2, workerStartBytes: 1, chunkSize: CHUNK, onBytes: () => undefined };
  const scheduler = new DigestScheduler(() => pool, { ...options, mainThreadAfter });
  const [big1, big2, big3, small] = image.descriptors.map((d) => scheduler.submit(image.source, [d], 'sha256'));
  t.same(await Promise.all([big1, big2, big3]), data.slice(0, 3).map((d) => oneShot('sha256', d)));
  t.same(scheduler.stats, { mainJobs: 0, workerJobs: 3 }, 'the workers hashed the big objects; the small one waits');
  letMain();
  t.same(await small, oneShot('sha256', data[3]!));
  t.same(scheduler.stats, { mainJobs: 1, workerJobs: 3 }, 'the main thread hashes the small one once let');
});

t.test('a main thread that must stay free (a page): workers take every job big enough, the main thread the rest', async (t) => {
  const { path, data } = await imageWith(t.testdir(), [CHUNK * 8, CHUNK * 8, CHUNK * 8, CHUNK]);
  const image = await SifImage.open(path);
  t.teardown(() => image.close());
  const options = { threads: 2, mainThreadFree: true, workerMinBytes: CHUNK * 2, workerStartBytes: CHUNK * 1000, chunkSize: CHUNK, onBytes: () => undefined };
  const pool = new DigestPool(2);
  t.teardown(() => pool.shutdown());
  const free = new DigestScheduler(() => pool, options);
  t.same(await Promise.all(image.descriptors.map((d) => free.submit(image.source, [d], 'sha256'))), data.map((d) => oneShot('sha256', d)));
  t.same(free.stats, { mainJobs: 1, workerJobs: 3 }, 'workers started for little waiting work; only the small object on the main thread');
  t.equal(pool.size, 2, '`threads` workers, the main thread not counted');

  const noWorkers = new DigestPool(2, new URL('data:text/javascript,throw new Error("no workers here")'));
  const fallback = new DigestScheduler(() => noWorkers, options);
  t.same(await Promise.all(image.descriptors.map((d) => fallback.submit(image.source, [d], 'sha256'))), data.map((d) => oneShot('sha256', d)));
  t.same(fallback.stats, { mainJobs: 4, workerJobs: 0 }, 'with no worker able to start, the main thread hashes rather than nobody');
});

t.test('the views read loop (a Blob stream, hashed where it lies): digests, truncation, cancellation', async (t) => {
  const data = randomBytes(CHUNK * 3 + 7);
  const source = new BlobSource(new Blob([data]));
  const [a, b] = [{ id: 1, offset: 0, size: CHUNK * 2 }, { id: 2, offset: CHUNK * 2, size: CHUNK + 7 }];
  let hashed = 0;
  const hash = createHash('sha384');
  await hashSource(source, [a, b], hash, new ReadBuffers(CHUNK), true, (n) => (hashed += n));
  t.same(hash.digest(), oneShot('sha384', data));
  t.equal(hashed, data.length, 'every byte counted');
  const past = { id: 9, offset: CHUNK * 3, size: 100 };
  await t.rejects(hashSource(source, [past], createHash('sha256'), new ReadBuffers(CHUNK), true), {
    code: 'SIF_TRUNCATED',
    message: `reading data object 9: unexpected EOF at offset ${data.length}`,
  });
  const stop = new AbortController();
  stop.abort();
  await t.rejects(hashSource(source, [a], createHash('sha256'), new ReadBuffers(CHUNK), true, undefined, stop.signal), { name: 'AbortError' });
});

t.test('the blocking read loop (workers, and the main thread beside them): digests, truncation, cancellation', async (t) => {
  const { path, data } = await imageWith(t.testdir(), [CHUNK * 3 + 7, CHUNK]);
  const image = await SifImage.open(path);
  t.teardown(() => image.close());
  const [a, b] = image.descriptors.map((d) => ({ id: d.id, offset: d.offset, size: d.size }));
  const readBlocking = image.source.readBlocking!; // the file source's
  const chunks: number[] = [];
  const hash = createHash('sha384');
  await hashRangesBlocking(readBlocking, [a!, b!], hash, new ReadBuffers(CHUNK), (n) => chunks.push(n));
  t.same(hash.digest(), oneShot('sha384', data[0]!, data[1]!));
  t.same(chunks, [CHUNK, CHUNK, CHUNK, 7, CHUNK]);
  const past = { id: 9, offset: b!.offset, size: b!.size + 100 };
  await t.rejects(hashRangesBlocking(readBlocking, [past], createHash('sha256'), new ReadBuffers(CHUNK * 2)), {
    code: 'SIF_TRUNCATED',
    message: `reading data object 9: unexpected EOF at offset ${b!.offset + CHUNK}`,
  });
  const stop = new AbortController();
  let hashed = 0;
  const stopAfterTwo = (n: number) => (hashed += n) === 2 * CHUNK && stop.abort();
  await t.rejects(hashRangesBlocking(readBlocking, [a!], createHash('sha256'), new ReadBuffers(CHUNK), stopAfterTwo, stop.signal), { name: 'AbortError' });
  t.equal(hashed, 2 * CHUNK, 'stopped at the next chunk');
});

/**
 * Digests of object data, streamed through the platform's hash engine
 * (hash-engine.ts). This is the only module that hashes object data, so a run
 * hashes each object at most once per algorithm however many signatures
 * cover it.
 */
import type { Descriptor } from '../format/descriptor.js';
import type { SifImage } from '../image/image.js';
import type { DigestAlg } from './digest-alg.js';
import { defaultThreads, digestPool, MAIN_THREAD_FREE } from './digest-pool.js';
import { DEFAULT_CHUNK_SIZE, type ByteRange } from './digest-read.js';
import { DigestScheduler } from './digest-scheduler.js';
import type { ByteSource } from '../source/byte-source.js';

export { DIGEST_SIZES, isDigestAlg, type DigestAlg } from './digest-alg.js';
import { hashBytes } from './hash-engine.js';

export { hashBytes };

/** Objects smaller than this are hashed on the main thread (docs/performance.md: crossover). */
export const DEFAULT_WORKER_MIN_BYTES = 4 << 20;
/** A worker is started only for at least this much waiting work (docs/performance.md: crossover). */
export const DEFAULT_WORKER_START_BYTES = 64 << 20;

export interface ObjectDigestsOptions {
  /**
   * Called after each chunk with the bytes hashed so far and the bytes of every
   * digest requested so far (the total grows as more digests are requested).
   */
  onProgress?: (done: number, total: number) => void;
  /**
   * Objects hashed at the same time: the main thread plus up to `threads - 1`
   * workers of the process-wide pool (in a page, `threads` workers: the main
   * thread hashes only small objects there). Default: one per core
   * (the pool's `defaultThreads()`: `os.availableParallelism()` in Node, `navigator.hardwareConcurrency` in a page); in Node, 1 hashes everything on the main thread.
   */
  threads?: number;
  /** Objects (or concatenations) of fewer bytes are hashed on the main thread; default 4 MiB. */
  workerMinBytes?: number;
  /**
   * A new worker is started only while at least this many bytes of objects
   * wait for one (a start costs about as much as hashing 50 MiB); workers
   * already started take any object of `workerMinBytes` or more. Default 64 MiB.
   */
  workerStartBytes?: number;
  /** Size of each of the two read buffers of a hashing job; default 2 MiB. */
  chunkSize?: number;
  /**
   * The main thread hashes nothing before this promise settles; workers start
   * at once. For a caller that requests digests early and has other work for
   * the main thread meanwhile (the CLI loading itself); give it one thread
   * more than the cores, the main thread being busy. Default: no wait.
   */
  mainThreadAfter?: Promise<unknown>;
}

/** What a run hashed (for tests and benchmarks). */
export interface DigestStats {
  /** Hashing jobs started: one per distinct (objects, algorithm) requested. */
  readonly jobs: number;
  readonly mainJobs: number;
  readonly workerJobs: number;
  /** Bytes hashed so far. */
  readonly bytes: number;
}

/**
 * The hashing slots of one run, for byte ranges of any sources: an image's
 * objects (ObjectDigests) or a model's files and shards (attest/model-signing).
 * Jobs submitted together hash side by side on the main thread and the pool's
 * workers, with one progress count over all of them.
 */
export class RangeDigests {
  private readonly scheduler: DigestScheduler;
  private done = 0;
  private total = 0;
  private jobs = 0;

  constructor(private readonly options: ObjectDigestsOptions = {}) {
    this.scheduler = new DigestScheduler(digestPool, {
      threads: Math.max(1, options.threads ?? defaultThreads()),
      workerMinBytes: options.workerMinBytes ?? DEFAULT_WORKER_MIN_BYTES,
      workerStartBytes: options.workerStartBytes ?? DEFAULT_WORKER_START_BYTES,
      chunkSize: options.chunkSize ?? DEFAULT_CHUNK_SIZE,
      mainThreadAfter: options.mainThreadAfter,
      mainThreadFree: MAIN_THREAD_FREE,
      onBytes: (n) => {
        this.done += n;
        this.options.onProgress?.(this.done, this.total);
      },
    });
  }

  /**
   * Digest of the ranges of `source` concatenated, hashed once per call. A
   * digest never awaited (an earlier check failed) does not crash the process.
   */
  digest(source: ByteSource, ranges: readonly ByteRange[], alg: DigestAlg): Promise<Buffer> {
    this.total += ranges.reduce((n, r) => n + r.size, 0);
    this.jobs++;
    const p = this.scheduler.submit(source, ranges, alg);
    p.catch(() => undefined);
    return p;
  }

  /**
   * Digest of bytes already in memory (a small file read whole), hashed now on
   * the calling thread and counted in the run's progress.
   */
  hashInMemory(bytes: Uint8Array, alg: DigestAlg): Buffer {
    this.total += bytes.length;
    this.done += bytes.length;
    this.jobs++;
    this.options.onProgress?.(this.done, this.total);
    return hashBytes(alg, bytes);
  }

  /** Ends the run: unfinished hashing stops and its digests reject (ObjectDigests.close). */
  close(): void {
    this.scheduler.close();
  }

  stats(): DigestStats {
    const { mainJobs, workerJobs } = this.scheduler.stats;
    return { jobs: this.jobs, mainJobs, workerJobs, bytes: this.done };
  }
}

/**
 * Digests of an image's objects for one run, each computed once per algorithm.
 * Digests requested together are hashed in parallel, each job reading its
 * next chunk while it hashes the current one through two reused buffers, so
 * memory stays bounded whatever the image size. Request every digest you will
 * need before awaiting the first to let objects hash side by side.
 */
export class ObjectDigests {
  private readonly cache = new Map<string, Promise<Buffer>>();
  private readonly ranges: RangeDigests;

  constructor(
    private readonly image: SifImage,
    options: ObjectDigestsOptions = {},
  ) {
    this.ranges = new RangeDigests(options);
  }

  /** Digest of the object's data (exactly `size` bytes at `offset`). */
  digest(d: Descriptor, alg: DigestAlg): Promise<Buffer> {
    return this.memo([d], alg);
  }

  /**
   * Digest of several objects' data concatenated in the given order, as legacy
   * group signatures hash them.
   */
  digestConcatenation(ds: readonly Descriptor[], alg: DigestAlg): Promise<Buffer> {
    return this.memo(ds, alg);
  }

  /**
   * Digest of the whole image file, hashed alongside the objects in this run
   * (attestation subjects name the file and its objects together).
   */
  fileDigest(alg: DigestAlg): Promise<Buffer> {
    return this.memoRanges([{ id: 0, offset: 0, size: this.image.fileSize }], alg);
  }

  /**
   * Starts hashing each object now, so objects hash side by side; digest()
   * then returns the kept result. Failures surface only through digest().
   */
  prefetch(ds: readonly Descriptor[], alg: DigestAlg): void {
    for (const d of ds) void this.memo([d], alg);
  }

  /**
   * Ends the run: hashing not finished yet stops (a running job at its next
   * chunk), and its digests, like any requested later, reject. Call it when
   * the results are no longer needed, e.g. after a failed check, so prefetched
   * work neither burns CPU nor keeps the process alive.
   */
  close(): void {
    this.ranges.close();
  }

  stats(): DigestStats {
    return this.ranges.stats();
  }

  private memo(ds: readonly Descriptor[], alg: DigestAlg): Promise<Buffer> {
    return this.memoRanges(
      ds.map((d) => ({ id: d.id, offset: d.offset, size: d.size })),
      alg,
    );
  }

  private memoRanges(ranges: readonly ByteRange[], alg: DigestAlg): Promise<Buffer> {
    const key = `${alg}:${ranges.map((r) => `${r.id}:${r.offset}:${r.size}`).join(',')}`;
    let p = this.cache.get(key);
    if (!p) {
      p = this.ranges.digest(this.image.source, ranges, alg);
      this.cache.set(key, p);
    }
    return p;
  }
}

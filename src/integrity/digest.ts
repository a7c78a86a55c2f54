/**
 * Digests of object data, streamed with node:crypto. This is the only module
 * that hashes object data, so a run hashes each object at most once per
 * algorithm however many signatures cover it.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Descriptor } from '../format/descriptor.js';
import type { SifImage } from '../image/image.js';

/** The digest algorithms of the signed metadata, named as the reference names them. */
export type DigestAlg = 'sha224' | 'sha256' | 'sha384' | 'sha512' | 'sha512_224' | 'sha512_256';

/** Byte length of each algorithm's digest. */
export const DIGEST_SIZES: Readonly<Record<DigestAlg, number>> = {
  sha224: 28,
  sha256: 32,
  sha384: 48,
  sha512: 64,
  sha512_224: 28,
  sha512_256: 32,
};

export const isDigestAlg = (s: string): s is DigestAlg => Object.hasOwn(DIGEST_SIZES, s);

const NODE_NAMES: Readonly<Record<DigestAlg, string>> = {
  sha224: 'sha224',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
  sha512_224: 'sha512-224',
  sha512_256: 'sha512-256',
};

export const newHash = (alg: DigestAlg): Hash => createHash(NODE_NAMES[alg]);

/** Digest of a small in-memory value (header or descriptor integrity bytes). */
export const hashBytes = (alg: DigestAlg, bytes: Uint8Array): Buffer => newHash(alg).update(bytes).digest();

/** Size of each of the two read buffers. */
const CHUNK_SIZE = 4 << 20;

export interface ObjectDigestsOptions {
  /**
   * Called after each chunk with the bytes hashed so far and the bytes of every
   * digest requested so far (the total grows as more digests are requested).
   */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Digests of an image's objects for one run, each computed once per algorithm.
 * Requests are served one at a time through two reused 4 MiB buffers: the next
 * chunk is read while the current one is hashed, so memory stays bounded
 * whatever the image size.
 */
export class ObjectDigests {
  private readonly cache = new Map<string, Promise<Buffer>>();
  private queue: Promise<unknown> = Promise.resolve();
  private buffers: [Buffer, Buffer] | undefined;
  private done = 0;
  private total = 0;

  constructor(
    private readonly image: SifImage,
    private readonly options: ObjectDigestsOptions = {},
  ) {}

  /** Digest of the object's data (exactly `size` bytes at `offset`). */
  digest(d: Descriptor, alg: DigestAlg): Promise<Buffer> {
    return this.memo(`${alg}:${d.id}:${d.offset}:${d.size}`, [d], alg);
  }

  /**
   * Digest of several objects' data concatenated in the given order, as legacy
   * group signatures hash them.
   */
  digestConcatenation(ds: readonly Descriptor[], alg: DigestAlg): Promise<Buffer> {
    return this.memo(`${alg}:${ds.map((d) => `${d.id}:${d.offset}:${d.size}`).join(',')}`, ds, alg);
  }

  private memo(key: string, ds: readonly Descriptor[], alg: DigestAlg): Promise<Buffer> {
    let p = this.cache.get(key);
    if (!p) {
      this.total += ds.reduce((n, d) => n + d.size, 0);
      p = this.enqueue(() => this.hashObjects(ds, alg));
      this.cache.set(key, p);
    }
    return p;
  }

  /** One hashing job at a time: the two buffers are shared. */
  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job, job);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async hashObjects(ds: readonly Descriptor[], alg: DigestAlg): Promise<Buffer> {
    const hash = newHash(alg);
    for (const d of ds) await this.hashRange(hash, d.offset, d.size);
    return hash.digest();
  }

  /**
   * Hashes [offset, offset+size). A file that shrank under us yields the digest
   * of the bytes that exist, so it reads as a mismatch, as in the reference.
   */
  private async hashRange(hash: Hash, offset: number, size: number): Promise<void> {
    const bufs = (this.buffers ??= [Buffer.allocUnsafe(CHUNK_SIZE), Buffer.allocUnsafe(CHUNK_SIZE)]);
    let position = offset;
    const end = offset + size;
    let which = 0;
    let pending = this.read(bufs[which]!, position, end);
    while (position < end) {
      const n = await pending;
      if (n === 0) return;
      const current = bufs[which]!;
      position += n;
      which ^= 1;
      if (position < end) pending = this.read(bufs[which]!, position, end);
      hash.update(current.subarray(0, n));
      this.done += n;
      this.options.onProgress?.(this.done, this.total);
    }
  }

  private async read(buf: Buffer, position: number, end: number): Promise<number> {
    const { bytesRead } = await this.image.handle.read(buf, 0, Math.min(buf.length, end - position), position);
    return bytesRead;
  }
}

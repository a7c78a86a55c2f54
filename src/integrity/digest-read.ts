/**
 * The read loops of the digest engine. Alone on the machine, a job reads the
 * next chunk while it hashes the current one, through two reused buffers: that
 * puts the page-cache copy on an idle core. When several jobs hash at once
 * (a worker's, and the main thread's beside workers), no core is idle, and
 * blocking reads into one buffer are ~10 % faster: no thread-pool hop, the
 * chunk still in the hashing core's cache (docs/performance.md). A source
 * that reads a stream hands out its own buffer instead (ByteSource.views).
 * Memory stays at one or two chunks whatever the object size.
 */
import { FormatError } from '../errors.js';
import type { ByteSource, PositionedReader } from '../source/byte-source.js';
import type { StreamingHash } from './hash-engine.js';

/** Bytes [offset, offset+size) of the object with ID `id`. */
export interface ByteRange {
  readonly id: number;
  readonly offset: number;
  readonly size: number;
}

/** Default size of each of the two read buffers (docs/performance.md: chunk sizes). */
export const DEFAULT_CHUNK_SIZE = 2 << 20;

/** The two buffers one hashing job reads into, reused from job to job. */
export class ReadBuffers {
  private pair: [Buffer, Buffer] | undefined;

  constructor(readonly chunkSize: number = DEFAULT_CHUNK_SIZE) {}

  /**
   * Buffers for reads of up to `size` bytes: as large as the largest read so
   * far, at most `chunkSize`, so a run over small objects allocates little.
   */
  buffers(size: number): [Buffer, Buffer] {
    const want = Math.min(this.chunkSize, Math.max(size, 1));
    if (!this.pair || this.pair[0].length < want) this.pair = [Buffer.allocUnsafe(want), Buffer.allocUnsafe(want)];
    return this.pair;
  }
}

/**
 * Hashes the ranges of `source`, in order, the fastest way it offers: its own
 * views; blocking reads unless `readAhead` (a core is idle to read on);
 * reads ahead into `buffers`. As hashRanges otherwise.
 */
export function hashSource(
  source: ByteSource,
  ranges: readonly ByteRange[],
  hash: StreamingHash,
  buffers: ReadBuffers,
  readAhead: boolean,
  onChunk?: (bytes: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  const { views } = source;
  if (views) return hashViews(views.bind(source), ranges, hash, onChunk, signal);
  if (!readAhead && source.readBlocking) return hashRangesBlocking(source.readBlocking, ranges, hash, buffers, onChunk, signal);
  return hashRanges(source, ranges, hash, buffers, onChunk, signal);
}

/**
 * Feeds the ranges, in order, to `hash`, calling `onChunk` with the byte count
 * of each chunk hashed; stops with the signal's reason at the next chunk once
 * `signal` is aborted. A file that ends inside a range (it shrank after it
 * was opened) is an error, never a digest of fewer bytes: signing must not
 * sign it and verifying must say why.
 */
export async function hashRanges(
  source: PositionedReader,
  ranges: readonly ByteRange[],
  hash: StreamingHash,
  buffers: ReadBuffers,
  onChunk?: (bytes: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  const bufs = buffers.buffers(largest(ranges));
  const reads = chunks(ranges, bufs[0].length);
  let next = reads.next();
  let [current, spare] = bufs;
  let pending = next.done ? undefined : readChunk(source, current, next.value);
  while (pending) {
    const n = await pending;
    signal?.throwIfAborted();
    next = reads.next();
    pending = next.done ? undefined : readChunk(source, spare, next.value);
    // An abandoned read must not become an unhandled rejection if update throws.
    pending?.catch(() => undefined);
    hash.update(current.subarray(0, n));
    onChunk?.(n);
    [current, spare] = [spare, current];
  }
}

/** A source's blocking reads (ByteSource.readBlocking). */
export type BlockingRead = NonNullable<ByteSource['readBlocking']>;

/**
 * hashRanges with blocking reads into one of `buffers`, yielding to the event
 * loop between chunks (so messages, timers and other work still run).
 */
export async function hashRangesBlocking(
  readBlocking: BlockingRead,
  ranges: readonly ByteRange[],
  hash: StreamingHash,
  buffers: ReadBuffers,
  onChunk?: (bytes: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  const [buffer] = buffers.buffers(largest(ranges));
  for (const c of chunks(ranges, buffer.length)) {
    signal?.throwIfAborted();
    let got = 0;
    while (got < c.length) {
      const n = readBlocking(buffer, got, c.length - got, c.position + got);
      if (n === 0) throw eof(c, got);
      got += n;
    }
    hash.update(buffer.subarray(0, c.length));
    onChunk?.(c.length);
    await new Promise(setImmediate);
  }
}

/** hashRanges over the source's views of its own buffer (ByteSource.views). */
async function hashViews(
  views: NonNullable<ByteSource['views']>,
  ranges: readonly ByteRange[],
  hash: StreamingHash,
  onChunk?: (bytes: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  for (const r of ranges) {
    let got = 0;
    for await (const view of views(r.offset, r.size)) {
      signal?.throwIfAborted();
      hash.update(view);
      onChunk?.(view.length);
      got += view.length;
    }
    if (got < r.size) throw eof({ id: r.id, position: r.offset, length: r.size }, got);
  }
}

const largest = (ranges: readonly ByteRange[]) => Math.max(0, ...ranges.map((r) => r.size));

interface Chunk {
  readonly id: number;
  readonly position: number;
  readonly length: number;
}

/** The reads that cover the ranges, each at most `chunkSize` bytes. */
function* chunks(ranges: readonly ByteRange[], chunkSize: number): Generator<Chunk> {
  for (const r of ranges) {
    for (let done = 0; done < r.size; done += chunkSize) {
      yield { id: r.id, position: r.offset + done, length: Math.min(chunkSize, r.size - done) };
    }
  }
}

/** Fills `buf` with exactly `c.length` bytes (short reads are retried). */
async function readChunk(source: PositionedReader, buf: Buffer, c: Chunk): Promise<number> {
  let got = 0;
  while (got < c.length) {
    const bytesRead = await source.read(buf, got, c.length - got, c.position + got);
    if (bytesRead === 0) throw eof(c, got);
    got += bytesRead;
  }
  return c.length;
}

const eof = (c: Chunk, got: number) =>
  new FormatError('SIF_TRUNCATED', `reading data object ${c.id}: unexpected EOF at offset ${c.position + got}`);

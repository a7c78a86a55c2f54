/**
 * A source over a Blob: a File a page was given (picker, drag and drop) or
 * any Blob. A multi-GiB image is never in memory whole. Small reads (header,
 * descriptors, signatures) slice the range they need; large ones (object
 * chunks being hashed) read a stream from their position on, which the next
 * reads continue while they follow on, with a BYOB reader that fills one
 * buffer over and over: in Chromium that reads a File at ~650 MB/s, against
 * ~210 MB/s for the stream's own chunks (a new buffer each) and ~180 MB/s for
 * slices (docs/performance.md: the web page). Its identity is the Blob
 * itself, which a Web Worker (or a Node worker thread) receives and reads for
 * itself.
 */
import type { BlobIdentity, ByteSource } from './byte-source.js';

/** Reads at least this large use the stream: they are object chunks. */
const STREAM_MIN = 256 << 10;
/** The stream reader's buffer: as large as a hashing chunk (digest-read.ts), so one read can fill one. */
const STREAM_BUFFER = 2 << 20;

interface OpenStream {
  readonly reader: ReadableStreamBYOBReader;
  /** Where the next byte of `pending` then the stream is. */
  position: number;
  /**
   * Bytes read from the stream and not yet handed out: a view of the
   * reader's buffer, which goes back to the reader once they are (a BYOB
   * read takes the buffer it is given and returns it filled).
   */
  pending: Uint8Array<ArrayBuffer>;
}

export class BlobSource implements ByteSource {
  readonly identity: BlobIdentity;
  private stream: OpenStream | undefined;
  private streamLock: Promise<unknown> = Promise.resolve();

  constructor(
    readonly blob: Blob,
    readonly name = blob instanceof File ? blob.name : 'blob',
  ) {
    this.identity = { kind: 'blob', blob };
  }

  get size(): number {
    return this.blob.size;
  }

  async read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    const count = Math.max(0, Math.min(length, this.size - position));
    if (count === 0) return 0;
    if (count < STREAM_MIN && this.stream?.position !== position) {
      buffer.set(new Uint8Array(await this.blob.slice(position, position + count).arrayBuffer()), offset);
      return count;
    }
    const run = this.streamLock.then(() => this.readStream(buffer, offset, count, position));
    this.streamLock = run.catch(() => undefined);
    return run;
  }

  /** Fills buffer[offset, offset+count) from the stream, opening one at `position` unless it is there. */
  private async readStream(buffer: Uint8Array, offset: number, count: number, position: number): Promise<number> {
    if (this.stream?.position !== position) {
      this.dropStream();
      const reader = this.blob.slice(position).stream().getReader({ mode: 'byob' });
      this.stream = { reader, position, pending: new Uint8Array(new ArrayBuffer(STREAM_BUFFER), 0, 0) };
    }
    const s = this.stream;
    let done = 0;
    while (done < count) {
      if (s.pending.length === 0) {
        const next = await s.reader.read(new Uint8Array(s.pending.buffer));
        /* c8 ignore next -- a Blob is immutable and reads are clipped to its size: its stream never ends early */
        if (next.done) break;
        s.pending = next.value;
      }
      const n = Math.min(count - done, s.pending.length);
      buffer.set(s.pending.subarray(0, n), offset + done);
      s.pending = s.pending.subarray(n);
      s.position += n;
      done += n;
    }
    return done;
  }

  /**
   * Lets the open stream go without waiting for it: a cancel settles when
   * the browser has stopped reading, which a finished digest (or the next
   * stream) must not wait on.
   */
  private dropStream(): void {
    this.stream?.reader.cancel().catch(() => undefined);
    this.stream = undefined;
  }

  async close(): Promise<void> {
    this.dropStream();
  }
}

/**
 * A source over a Blob: a File a page was given (picker, drag and drop) or
 * any Blob. A multi-GiB image is never in memory whole. Reads (header,
 * descriptors, signatures) slice the range they need; hashing takes an
 * object's bytes through views(), a BYOB stream reader filling one buffer
 * over and over, hashed where it lies: in Chromium that reads a File at
 * ~650 MB/s, against ~210 MB/s for the stream's own chunks (a new buffer each)
 * and ~180 MB/s for slices (docs/performance.md: the web page). Its identity
 * is the Blob itself, which a Web Worker (or a Node worker thread) receives
 * and reads for itself.
 */
import type { BlobIdentity, ByteSource } from './byte-source.js';

/** The views' buffer: as large as a hashing chunk (digest-read.ts); a read returns what the browser has ready, up to this. */
const VIEW_BUFFER = 2 << 20;

export class BlobSource implements ByteSource {
  readonly identity: BlobIdentity;

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
    buffer.set(new Uint8Array(await this.blob.slice(position, position + count).arrayBuffer()), offset);
    return count;
  }

  async *views(position: number, length: number): AsyncGenerator<Uint8Array> {
    const reader = this.blob.slice(position, position + length).stream().getReader({ mode: 'byob' });
    try {
      // A BYOB read takes the buffer it is given and returns it filled: the same memory each time.
      let buffer = new ArrayBuffer(VIEW_BUFFER);
      for (;;) {
        const next = await reader.read(new Uint8Array(buffer));
        if (next.done) return;
        yield next.value;
        buffer = next.value.buffer;
      }
    } finally {
      // Not awaited: a cancel settles when the browser has stopped reading, which a stopped digest must not wait on.
      reader.cancel().catch(() => undefined);
    }
  }

  async close(): Promise<void> {}
}

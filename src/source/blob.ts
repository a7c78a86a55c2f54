/**
 * A source over a Blob: a File a page was given (picker, drag and drop) or
 * any Blob. Each read slices the range it needs, so a multi-GiB image is
 * never in memory whole. Its identity is the Blob itself, which a Web Worker
 * (or a Node worker thread) receives and reads for itself.
 */
import type { BlobIdentity, ByteSource } from './byte-source.js';

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
    const part = new Uint8Array(await this.blob.slice(position, position + length).arrayBuffer());
    buffer.set(part, offset);
    return part.length;
  }

  async close(): Promise<void> {}
}

/**
 * A source over bytes already in memory: images built or fetched whole, and
 * tests that show the seam holds (the same answers as from a file).
 */
import type { ByteSource } from './byte-source.js';

export class MemorySource implements ByteSource {
  readonly identity = undefined;

  constructor(
    private readonly bytes: Uint8Array,
    readonly name = 'memory',
  ) {}

  get size(): number {
    return this.bytes.length;
  }

  async read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    const part = this.bytes.subarray(position, position + length);
    buffer.set(part, offset);
    return part.length;
  }

  async close(): Promise<void> {}
}

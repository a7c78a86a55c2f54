/** Streams an object's bytes into the image in bounded memory. */
import type { FileHandle } from 'node:fs/promises';
import type { Hash } from 'node:crypto';
import type { FileOps } from './file-ops.js';

async function* chunksOf(data: Uint8Array | AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  if (data instanceof Uint8Array) yield data;
  else yield* data;
}

/** Writes `data` from `offset` on, feeding `hash` as it goes; returns the byte count. */
export async function writeData(
  handle: FileHandle,
  ops: FileOps,
  offset: number,
  data: Uint8Array | AsyncIterable<Uint8Array>,
  hash?: Hash,
): Promise<number> {
  let position = offset;
  for await (const chunk of chunksOf(data)) {
    if (chunk.length === 0) continue;
    await ops.writeAt(handle, chunk, position);
    hash?.update(chunk);
    position += chunk.length;
  }
  return position - offset;
}

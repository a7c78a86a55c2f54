/** Streams an object's bytes into the image in bounded memory. */
import type { FileHandle } from 'node:fs/promises';
import type { Hash } from 'node:crypto';
import type { FileOps } from './file-ops.js';

async function* chunksOf(data: Uint8Array | AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  if (data instanceof Uint8Array) yield data;
  else yield* data;
}

/**
 * Writes `data` from `offset` on, feeding `hash` as it goes; returns the byte
 * count. One write is in flight while the next chunk is read, so reading and
 * writing overlap; memory stays at about two chunks. A chunk must not be
 * changed by its producer once yielded (streams never do).
 */
export async function writeData(
  handle: FileHandle,
  ops: FileOps,
  offset: number,
  data: Uint8Array | AsyncIterable<Uint8Array>,
  hash?: Hash,
): Promise<number> {
  let position = offset;
  let inFlight: Promise<unknown> = Promise.resolve();
  let failed: { error: unknown } | undefined;
  for await (const chunk of chunksOf(data)) {
    await inFlight;
    if (failed) throw failed.error;
    if (chunk.length === 0) continue;
    // Caught here so a failure is not "unhandled" while the next chunk is read; rethrown above.
    inFlight = ops.writeAt(handle, chunk, position).catch((error: unknown) => (failed = { error }));
    hash?.update(chunk);
    position += chunk.length;
  }
  await inFlight;
  if (failed) throw failed.error;
  return position - offset;
}

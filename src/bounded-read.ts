/**
 * Files and streams sif takes whole (keys, certificates, policies, definition
 * files, attestations, JSON documents), read with a bound. `stat` cannot give
 * the bound: it says 0 bytes for `/dev/zero` and for a pipe (`--keyring
 * <(curl …)`), and `--keyring /dev/zero` once read until the kernel killed sif
 * at 24 GB. So the bytes are counted as they arrive.
 */
import { open } from 'node:fs/promises';
import { UsageError } from './errors.js';

/** What a file sif reads whole may hold when its reader sets no tighter bound. */
const WHOLE_FILE_LIMIT = 64 << 20;

const CHUNK = 1 << 20;

/** The refusal of a file over WHOLE_FILE_LIMIT, naming what it should have been. */
const tooLargeFor =
  (what: string) =>
  (name: string): Error =>
    new UsageError(`${name}: over ${WHOLE_FILE_LIMIT >> 20} MiB, too large for ${what}`);

/** readBounded with WHOLE_FILE_LIMIT; past it `NAME: over 64 MiB, too large for WHAT` (a UsageError). */
export const readWholeFile = (path: string, what: string): Promise<Buffer> => readBounded(path, WHOLE_FILE_LIMIT, tooLargeFor(what));

/** readStreamBounded with WHOLE_FILE_LIMIT, refused as readWholeFile refuses. */
export const readWholeStream = (stream: AsyncIterable<Uint8Array | string>, name: string, what: string): Promise<Buffer> =>
  readStreamBounded(stream, name, WHOLE_FILE_LIMIT, tooLargeFor(what));

/** The file's bytes; `tooLarge(path)` is thrown past `limit` bytes. File system errors reach the caller as they are. */
export async function readBounded(path: string, limit: number, tooLarge: (name: string) => Error): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    return await readStreamBounded(chunksOf(handle), path, limit, tooLarge);
  } finally {
    await handle.close();
  }
}

/** A stream's bytes (stdin), bounded as readBounded bounds a file's. */
export async function readStreamBounded(
  stream: AsyncIterable<Uint8Array | string>,
  name: string,
  limit: number,
  tooLarge: (name: string) => Error,
): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += bytes.length;
    if (size > limit) throw tooLarge(name);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, size);
}

async function* chunksOf(handle: Awaited<ReturnType<typeof open>>): AsyncGenerator<Buffer> {
  for (;;) {
    const buffer = Buffer.allocUnsafe(CHUNK);
    const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
    if (bytesRead === 0) return;
    yield buffer.subarray(0, bytesRead);
  }
}

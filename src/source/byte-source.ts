/**
 * The byte-source seam: everything that reads an image (the reader, the
 * integrity code, the digest engine) reads through a ByteSource, never a file
 * handle, a descriptor or a path, as sylabs/sif loads from any io.ReaderAt.
 * This module and the sources above the seam import nothing Node-only; a file
 * (file.ts), an HTTP range (http.ts) and a browser Blob (blob.ts) source
 * implement it.
 */

/** Positioned reads: the one operation every source has. */
export interface PositionedReader {
  /**
   * Reads up to `length` bytes at `position` into `buffer` from `offset`;
   * resolves with the count read, fewer only at the end of the bytes (0 there).
   */
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number>;
}

/**
 * How a worker opens the same bytes for itself: plain data, so it can be
 * posted to a worker thread. The opener refuses bytes that are no longer the
 * ones described (a file replaced under its path). Remote sources add their
 * own kind here ({ kind: 'url', url, etag }) and a case to reopen.ts.
 */
export interface FileIdentity {
  readonly kind: 'file';
  readonly path: string;
  readonly dev: bigint;
  readonly ino: bigint;
}
/** A Blob (a browser File) is its own identity: its bytes never change, and a Web Worker receives it by structured clone. */
export interface BlobIdentity {
  readonly kind: 'blob';
  readonly blob: Blob;
}
export type SourceIdentity = FileIdentity | BlobIdentity;

/** The bytes of one image, wherever they are. */
export interface ByteSource extends PositionedReader {
  /** Names the bytes in messages: a path, a URL, a file name. */
  readonly name: string;
  /** Byte count, fixed when the source was opened. */
  readonly size: number;
  /** How a worker re-opens these bytes; undefined when it cannot (they are hashed on the main thread). */
  readonly identity: SourceIdentity | undefined;
  /**
   * Blocking positioned reads, for sources that have them (files): beside
   * other hashing they are faster than async reads (integrity/digest-read.ts).
   */
  readonly readBlocking?: (buffer: Uint8Array, offset: number, length: number, position: number) => number;
  /**
   * The bytes [position, position+length) as views of the source's own
   * buffer, each valid until the next is asked for, ending early only where
   * the bytes do: a source that reads a stream (a Blob) has its chunks hashed
   * where they lie rather than copied into the digest engine's buffers.
   */
  views?(position: number, length: number): AsyncIterable<Uint8Array>;
  close(): Promise<void>;
}

/** Up to `length` bytes from `position`; fewer only at the end of the bytes. */
export async function readRange(reader: PositionedReader, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = await reader.read(buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return buf.subarray(0, done);
}

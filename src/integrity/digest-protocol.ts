/** Messages between the digest pool (main thread) and its workers. */
import type { ByteRange } from './digest-read.js';

/** One hashing job: the ranges of the file at `path`, concatenated, with node:crypto's `alg`. */
export interface WorkerJob {
  readonly path: string;
  /** Identity of the file the main thread opened; the worker refuses any other. */
  readonly dev: bigint;
  readonly ino: bigint;
  readonly ranges: readonly ByteRange[];
  readonly alg: string;
  readonly chunkSize: number;
  /** Read the next chunk while hashing this one: faster only while a core is idle (digest-read.ts). */
  readonly readAhead: boolean;
}

/** Stop the running job at its next chunk (it answers with an error). */
export interface WorkerCancel {
  readonly cancel: true;
}

export type WorkerReply =
  | { readonly type: 'progress'; readonly bytes: number }
  | { readonly type: 'done'; readonly digest: Uint8Array }
  /** The path no longer names the opened file (or cannot be opened): hash on the main thread. */
  | { readonly type: 'moved' }
  /** `code` is a SifError code or a Node system error code. */
  | { readonly type: 'error'; readonly code: string | undefined; readonly message: string };

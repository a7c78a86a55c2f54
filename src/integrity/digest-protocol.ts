/** Messages between the digest pool (main thread) and its workers. */
import type { SourceIdentity } from '../source/byte-source.js';
import type { ByteRange } from './digest-read.js';

/** One hashing job: the ranges of the source, concatenated, with node:crypto's `alg`. */
export interface WorkerJob {
  /** The bytes the main thread opened; the worker opens them itself and refuses any others. */
  readonly source: SourceIdentity;
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
  /** The identity no longer names the opened bytes (or cannot be opened): hash on the main thread. */
  | { readonly type: 'moved' }
  /** `code` is a SifError code or a Node system error code. */
  | { readonly type: 'error'; readonly code: string | undefined; readonly message: string };

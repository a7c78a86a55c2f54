/**
 * Messages between the digest scheduler (main thread) and its workers, and
 * the pool the scheduler takes workers from. Node's pool (digest-pool.ts)
 * runs worker threads; the web build's (src/web/browser/platform/digest-pool.ts)
 * runs Web Workers; the scheduler sees only these interfaces.
 */
import { FormatError, IoError, type SifError } from '../errors.js';
import type { SourceIdentity } from '../source/byte-source.js';
import type { DigestAlg } from './digest-alg.js';
import type { ByteRange } from './digest-read.js';

/** One hashing job: the ranges of the source, concatenated, hashed with `alg`. */
export interface WorkerJob {
  /** The bytes the main thread opened; the worker opens them itself and refuses any others. */
  readonly source: SourceIdentity;
  readonly ranges: readonly ByteRange[];
  readonly alg: DigestAlg;
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

/**
 * What a worker made of a job: the digest, or undefined when the main thread
 * must hash it (the source names other bytes now, or the worker died).
 */
export type WorkerOutcome = Buffer | undefined;

/** One worker, running at most one job. */
export interface HashingWorker {
  /** Runs one job; hashed bytes are reported through `onBytes` as they are hashed. */
  run(job: WorkerJob, onBytes: (n: number) => void): Promise<WorkerOutcome>;
  /** Stops the running job at its next chunk. */
  cancel(): void;
}

/** Workers shared by the digest runs of a process or page. */
export interface HashingPool<W extends HashingWorker = HashingWorker> {
  /** An idle worker, else (when `mayStart`) a new one if the pool is not full, else undefined. */
  acquire(mayStart?: boolean): W | undefined;
  release(worker: W): void;
}

/** A worker's error reply as the SifError the main thread would have thrown. */
export function reviveError(code: string | undefined, message: string): SifError {
  if (code === 'SIF_TRUNCATED') return new FormatError(code, message);
  return new IoError('SIF_IO', `reading image data: ${message}`);
}

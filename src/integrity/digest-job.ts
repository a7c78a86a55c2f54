/**
 * One hashing job as a worker runs it, on any platform: the Node worker
 * thread (digest-worker.ts) and the page's Web Worker
 * (src/web/browser/digest-worker.ts) open the source their own way and hand it here.
 */
import type { ByteSource } from '../source/byte-source.js';
import type { WorkerJob, WorkerReply } from './digest-protocol.js';
import { hashSource, ReadBuffers } from './digest-read.js';
import { createHash } from './hash-engine.js';

/**
 * Progress goes to the main thread every this many bytes, not every chunk: the
 * main thread is busy (loading the CLI, checking signatures) and the line
 * redraws at most every 100 ms anyway.
 */
const PROGRESS_STEP = 16 << 20;

let buffers = new ReadBuffers();

/** Hashes `job` from `source` (closed afterwards), posting progress; resolves with the final reply. */
export async function runDigestJob(source: ByteSource, job: WorkerJob, signal: AbortSignal, post: (reply: WorkerReply) => void): Promise<WorkerReply> {
  try {
    if (buffers.chunkSize !== job.chunkSize) buffers = new ReadBuffers(job.chunkSize);
    const hash = await createHash(job.alg);
    let unreported = 0;
    const onChunk = (bytes: number) => {
      unreported += bytes;
      if (unreported < PROGRESS_STEP) return;
      post({ type: 'progress', bytes: unreported });
      unreported = 0;
    };
    await hashSource(source, job.ranges, hash, buffers, job.readAhead, onChunk, signal);
    if (unreported > 0) post({ type: 'progress', bytes: unreported });
    return { type: 'done', digest: hash.digest() };
  } catch (e) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    return { type: 'error', code: typeof code === 'string' ? code : undefined, message: String(message ?? e) };
  } finally {
    await source.close();
  }
}

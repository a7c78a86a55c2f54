/**
 * A digest pool worker: hashes the byte ranges of one job at a time, reading
 * ahead only when the job says a core is idle for it (digest-read.ts). It opens
 * the image's source itself from its identity and hashes only if that still
 * names the bytes the main thread opened (for a file, same device and inode);
 * otherwise it answers `moved` and the main thread hashes the job through its
 * own source. A `cancel` message stops the running job at its next chunk.
 */
import { createHash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { reopenSource } from '../source/reopen.js';
import { hashRanges, hashRangesBlocking, ReadBuffers } from './digest-read.js';
import type { WorkerCancel, WorkerJob, WorkerReply } from './digest-protocol.js';

/**
 * Progress goes to the main thread every this many bytes, not every chunk: the
 * main thread is busy (loading the CLI, checking signatures) and the line
 * redraws at most every 100 ms anyway.
 */
const PROGRESS_STEP = 16 << 20;

let buffers = new ReadBuffers();
let running: AbortController | undefined;

async function run(job: WorkerJob, signal: AbortSignal): Promise<WorkerReply> {
  const source = await reopenSource(job.source);
  if (source === undefined) return { type: 'moved' };
  try {
    if (buffers.chunkSize !== job.chunkSize) buffers = new ReadBuffers(job.chunkSize);
    const hash = createHash(job.alg);
    let unreported = 0;
    const onChunk = (bytes: number) => {
      unreported += bytes;
      if (unreported < PROGRESS_STEP) return;
      post({ type: 'progress', bytes: unreported });
      unreported = 0;
    };
    const blocking = job.readAhead ? undefined : source.readBlocking;
    if (blocking) await hashRangesBlocking(blocking, job.ranges, hash, buffers, onChunk, signal);
    else await hashRanges(source, job.ranges, hash, buffers, onChunk, signal);
    if (unreported > 0) post({ type: 'progress', bytes: unreported });
    return { type: 'done', digest: hash.digest() };
  } catch (e) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    return { type: 'error', code: typeof code === 'string' ? code : undefined, message: String(message ?? e) };
  } finally {
    await source.close();
  }
}

const post = (reply: WorkerReply) => parentPort!.postMessage(reply);

parentPort!.on('message', (message: WorkerJob | WorkerCancel) => {
  if ('cancel' in message) return running?.abort();
  const controller = (running = new AbortController());
  void run(message, controller.signal).then(post);
});

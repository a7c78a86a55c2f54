/**
 * A digest pool worker: hashes the byte ranges of one job at a time. It opens
 * the image itself and hashes only if the path still names the file the main
 * thread opened (same device and inode); otherwise it answers `moved` and the
 * main thread hashes the job through its own handle.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import { hashRanges, ReadBuffers } from './digest-read.js';
import type { WorkerCancel, WorkerJob, WorkerReply } from './digest-protocol.js';

let buffers = new ReadBuffers();
let running: AbortController | undefined;

async function run(job: WorkerJob, signal: AbortSignal): Promise<WorkerReply> {
  let handle;
  try {
    handle = await open(job.path, 'r');
  } catch {
    return { type: 'moved' };
  }
  try {
    const st = await handle.stat({ bigint: true });
    if (st.dev !== job.dev || st.ino !== job.ino) return { type: 'moved' };
    if (buffers.chunkSize !== job.chunkSize) buffers = new ReadBuffers(job.chunkSize);
    const hash = createHash(job.alg);
    await hashRanges(handle, job.ranges, hash, buffers, (bytes) => post({ type: 'progress', bytes }), signal);
    return { type: 'done', digest: hash.digest() };
  } catch (e) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    return { type: 'error', code: typeof code === 'string' ? code : undefined, message: String(message ?? e) };
  } finally {
    await handle.close();
  }
}

const post = (reply: WorkerReply) => parentPort!.postMessage(reply);

parentPort!.on('message', (message: WorkerJob | WorkerCancel) => {
  if (message.type === 'cancel') return running?.abort();
  const controller = (running = new AbortController());
  void run(message, controller.signal).then(post);
});

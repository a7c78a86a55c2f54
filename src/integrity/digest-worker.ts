/**
 * A digest pool worker: hashes the byte ranges of one job at a time, with
 * blocking reads (every core is hashing when workers run). It opens the image
 * itself and hashes only if the path still names the file the main thread
 * opened (same device and inode); otherwise it answers `moved` and the main
 * thread hashes the job through its own handle. A `cancel` message stops the
 * running job at its next chunk.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { hashRangesBlocking } from './digest-read.js';
import type { WorkerCancel, WorkerJob, WorkerReply } from './digest-protocol.js';

let buffer = Buffer.alloc(0);
let running: AbortController | undefined;

async function run(job: WorkerJob, signal: AbortSignal): Promise<WorkerReply> {
  let fd: number;
  try {
    fd = openSync(job.path, 'r');
  } catch {
    return { type: 'moved' };
  }
  try {
    const st = fstatSync(fd, { bigint: true });
    if (st.dev !== job.dev || st.ino !== job.ino) return { type: 'moved' };
    const want = Math.min(job.chunkSize, Math.max(1, ...job.ranges.map((r) => r.size)));
    if (buffer.length < want) buffer = Buffer.allocUnsafe(want);
    const hash = createHash(job.alg);
    const onChunk = (bytes: number) => post({ type: 'progress', bytes });
    await hashRangesBlocking(fd, job.ranges, hash, buffer.subarray(0, want), onChunk, signal);
    return { type: 'done', digest: hash.digest() };
  } catch (e) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    return { type: 'error', code: typeof code === 'string' ? code : undefined, message: String(message ?? e) };
  } finally {
    closeSync(fd);
  }
}

const post = (reply: WorkerReply) => parentPort!.postMessage(reply);

parentPort!.on('message', (message: WorkerJob | WorkerCancel) => {
  if ('cancel' in message) return running?.abort();
  const controller = (running = new AbortController());
  void run(message, controller.signal).then(post);
});

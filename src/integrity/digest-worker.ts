/**
 * A digest pool worker: hashes the byte ranges of one job at a time, reading
 * ahead only when the job says a core is idle for it (digest-read.ts). It opens
 * the image's source itself from its identity and hashes only if that still
 * names the bytes the main thread opened (for a file, same device and inode);
 * otherwise it answers `moved` and the main thread hashes the job through its
 * own source. A `cancel` message stops the running job at its next chunk.
 */
import { parentPort } from 'node:worker_threads';
import { reopenSource } from '../source/reopen.js';
import { runDigestJob } from './digest-job.js';
import type { WorkerCancel, WorkerJob, WorkerReply } from './digest-protocol.js';

let running: AbortController | undefined;

async function run(job: WorkerJob, signal: AbortSignal): Promise<WorkerReply> {
  const source = await reopenSource(job.source);
  return source === undefined ? { type: 'moved' } : runDigestJob(source, job, signal, post);
}

const post = (reply: WorkerReply) => parentPort!.postMessage(reply);

parentPort!.on('message', (message: WorkerJob | WorkerCancel) => {
  if ('cancel' in message) return running?.abort();
  const controller = (running = new AbortController());
  void run(message, controller.signal).then(post);
});

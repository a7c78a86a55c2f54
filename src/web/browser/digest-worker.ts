/**
 * The page's digest worker (a module Web Worker started by
 * platform/digest-pool.ts): hashes one job at a time from the Blob it is
 * sent, through the same job loop as Node's worker thread.
 */
import { runDigestJob } from '../../integrity/digest-job.js';
import type { WorkerCancel, WorkerJob, WorkerReply } from '../../integrity/digest-protocol.js';
import { BlobSource } from '../../source/blob.js';

let running: AbortController | undefined;

const post = (reply: WorkerReply) => postMessage(reply);

onmessage = (e: MessageEvent<WorkerJob | WorkerCancel>) => {
  const message = e.data;
  if ('cancel' in message) return running?.abort();
  const controller = (running = new AbortController());
  const { source } = message;
  const reply = source.kind === 'blob' ? runDigestJob(new BlobSource(source.blob), message, controller.signal, post) : Promise.resolve<WorkerReply>({ type: 'moved' });
  void reply.then(post);
};

/**
 * The page's digest worker (a module Web Worker started by
 * platform/digest-pool.ts): hashes one job at a time from the Blob it is
 * sent, through the same job loop as Node's worker thread. It says when it is
 * ready: the hash engine loads with a top-level await, and Chromium drops a
 * message that arrives before that ends (no handler is set yet).
 */
import { runDigestJob } from '../../integrity/digest-job.js';
import type { WorkerCancel, WorkerJob, WorkerReply } from '../../integrity/digest-protocol.js';
import { BlobSource } from '../../source/blob.js';

/** The first message a worker posts, once it takes jobs. */
export interface WorkerReady {
  readonly type: 'ready';
}

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

postMessage({ type: 'ready' } satisfies WorkerReady);

/**
 * The web build's digest pool, in place of src/integrity/digest-pool.ts
 * (scripts/build-web.mjs substitutes it): module Web Workers running
 * ../digest-worker.ts, each handed the image's Blob, so several objects hash
 * in parallel while the page stays responsive. A worker that fails hands its
 * job back to the main thread, as in Node.
 */
import { reviveError, type HashingWorker, type WorkerCancel, type WorkerJob, type WorkerOutcome, type WorkerReply } from '../../../integrity/digest-protocol.js';
import { WorkerSet } from '../../../integrity/worker-set.js';
import type { WorkerReady } from '../digest-worker.js';

/** Emitted beside the chunk that holds this module (scripts/build-web.mjs: one directory of assets). */
const WORKER_URL = new URL('./digest-worker.js', import.meta.url);

/**
 * Every job big enough for a worker runs on one: hashing on the page's main
 * thread would freeze the tab, progress bar included.
 */
export const MAIN_THREAD_FREE = true;

/** Workers of a run by default: one per logical core the browser reports. */
export const defaultThreads = (): number => Math.max(1, navigator.hardwareConcurrency || 1);

class WebWorker implements HashingWorker {
  private readonly worker = new Worker(WORKER_URL, { type: 'module' });
  private job: { resolve: (o: WorkerOutcome) => void; reject: (e: unknown) => void; onBytes: (n: number) => void } | undefined;
  /** Messages wait for the worker's 'ready': one sent earlier may be lost (../digest-worker.ts). */
  private readonly ready: Promise<void>;
  alive = true;

  constructor(private readonly onDeath: (w: WebWorker) => void) {
    let ready!: () => void;
    this.ready = new Promise((resolve) => (ready = resolve));
    this.worker.onmessage = (e: MessageEvent<WorkerReply | WorkerReady>) => (e.data.type === 'ready' ? ready() : this.receive(e.data));
    this.worker.onerror = () => this.die();
  }

  run(job: WorkerJob, onBytes: (n: number) => void): Promise<WorkerOutcome> {
    if (!this.alive) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      this.job = { resolve, reject, onBytes };
      this.send(job);
    });
  }

  cancel(): void {
    if (this.job) this.send({ cancel: true } satisfies WorkerCancel);
  }

  private send(message: WorkerJob | WorkerCancel): void {
    void this.ready.then(() => this.worker.postMessage(message));
  }

  private receive(reply: WorkerReply): void {
    const job = this.job!;
    if (reply.type === 'progress') return job.onBytes(reply.bytes);
    this.job = undefined;
    if (reply.type === 'done') job.resolve(Buffer.from(reply.digest));
    else if (reply.type === 'moved') job.resolve(undefined);
    else job.reject(reviveError(reply.code, reply.message));
  }

  private die(): void {
    if (!this.alive) return;
    this.alive = false;
    this.job?.resolve(undefined); // the main thread hashes it
    this.job = undefined;
    this.worker.terminate();
    this.onDeath(this);
  }
}

class WebDigestPool extends WorkerSet<WebWorker> {
  protected startWorker(): WebWorker | undefined {
    try {
      return new WebWorker((dead) => this.forget(dead));
    } catch {
      return undefined; // the embedding page's Content-Security-Policy forbids workers
    }
  }
}

let shared: WebDigestPool | undefined;

/** The page's pool, created on first use. */
export const digestPool = (): WebDigestPool => (shared ??= new WebDigestPool(defaultThreads()));

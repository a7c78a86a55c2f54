/**
 * The process-wide pool of digest workers. Workers start on first need, stay
 * for the next job (a start costs tens of milliseconds), and are unref'd while
 * idle, so an idle pool never keeps the process alive: the CLI exits as soon
 * as its work is done. A worker that dies (or cannot start) hands its job back
 * to the main thread, so hashing never depends on workers being available.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { reviveError, type HashingWorker, type WorkerCancel, type WorkerJob, type WorkerOutcome, type WorkerReply } from './digest-protocol.js';
import { WorkerSet } from './worker-set.js';

// Tests run the TypeScript sources, so the worker is the sibling file of this module, .ts or .js.
const WORKER_URL = new URL(`./digest-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/**
 * node:worker_threads, loaded when the first worker starts: hashing a small
 * image starts none, and loading the module is ~5 ms of every `sif verify`'s
 * start-up (docs/performance.md).
 */
const workerThreads = () => process.getBuiltinModule('node:worker_threads');

/**
 * The process's Node options minus those that only make sense for its main
 * script (`node --input-type=module -e …` would stop every worker starting);
 * loaders such as --import stay, so workers load what the main thread does.
 */
function workerExecArgv(): string[] {
  const out: string[] = [];
  for (let i = 0; i < process.execArgv.length; i++) {
    const arg = process.execArgv[i]!;
    if (arg === '--input-type') i++;
    else if (!arg.startsWith('--input-type=')) out.push(arg);
  }
  return out;
}

/** One worker thread, running at most one job. */
export class PoolWorker implements HashingWorker {
  private readonly worker: Worker;
  private job: { resolve: (o: WorkerOutcome) => void; reject: (e: unknown) => void; onBytes: (n: number) => void } | undefined;
  alive = true;
  /** Set once the worker has answered a job: a worker that dies before is taken as unable to start. */
  proven = false;

  /** @param onDeath called once when the worker dies or is terminated (`shutdown` true). */
  constructor(
    url: URL,
    private readonly onDeath: (w: PoolWorker, shutdown: boolean) => void,
  ) {
    this.worker = new (workerThreads().Worker)(url, { execArgv: workerExecArgv() });
    this.worker.on('message', (reply: WorkerReply) => this.receive(reply));
    this.worker.on('error', () => this.die(false));
    this.worker.on('exit', () => this.die(false));
    this.worker.unref(); // after the listeners: adding a 'message' listener refs the worker again
  }

  /** Runs one job; hashed bytes are reported through `onBytes` as they are hashed. */
  run(job: WorkerJob, onBytes: (n: number) => void): Promise<WorkerOutcome> {
    if (!this.alive) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      this.job = { resolve, reject, onBytes };
      this.worker.ref(); // a pending job must keep the process alive
      this.worker.postMessage(job);
    });
  }

  /** Stops the running job at its next chunk; meanwhile it no longer keeps the process alive. */
  cancel(): void {
    if (!this.job) return;
    this.worker.postMessage({ cancel: true } satisfies WorkerCancel);
    this.worker.unref();
  }

  async terminate(): Promise<void> {
    this.die(true);
    await this.worker.terminate();
  }

  private receive(reply: WorkerReply): void {
    const job = this.job!;
    if (reply.type === 'progress') return job.onBytes(reply.bytes);
    this.job = undefined;
    this.proven = true;
    this.worker.unref();
    if (reply.type === 'done') job.resolve(Buffer.from(reply.digest));
    else if (reply.type === 'moved') job.resolve(undefined);
    else job.reject(reviveError(reply.code, reply.message));
  }

  private die(shutdown: boolean): void {
    if (!this.alive) return;
    this.alive = false;
    this.job?.resolve(undefined);
    this.job = undefined;
    this.onDeath(this, shutdown);
  }
}

/** Workers shared by every ObjectDigests of the process. */
export class DigestPool extends WorkerSet<PoolWorker> {
  private unusable = false;

  /**
   * @param maxWorkers at most this many workers; default one per core (each run also bounds its own, see ObjectDigestsOptions.threads).
   * @param workerUrl the worker script; default digest-worker (a test seam).
   */
  constructor(
    maxWorkers: number = availableParallelism(),
    private readonly workerUrl: URL = WORKER_URL,
  ) {
    super(maxWorkers);
  }

  /**
   * Once a worker has died before answering anything, workers cannot start
   * in this process (resource limits, a loader they cannot run): no more are
   * started.
   */
  protected startWorker(): PoolWorker | undefined {
    if (this.unusable) return undefined;
    return new PoolWorker(this.workerUrl, (dead, shutdown) => {
      if (!shutdown && !dead.proven) this.unusable = true;
      this.forget(dead);
    });
  }

  /** Terminates every worker; their running jobs go back to the main thread. The pool starts workers again when next asked. */
  async shutdown(): Promise<void> {
    await Promise.all(this.workers().map((w) => w.terminate()));
  }
}

/**
 * The main thread is a hashing slot like the workers (scheduler): a CLI has
 * nothing else to do meanwhile. The page's pool says otherwise.
 */
export const MAIN_THREAD_FREE = false;

/** Hashing slots of a run by default: one per core. */
export const defaultThreads = (): number => availableParallelism();

let shared: DigestPool | undefined;

/** The process-wide pool, created on first use. */
export const digestPool = (): DigestPool => (shared ??= new DigestPool());

/**
 * Terminates the digest workers. Optional: idle workers never keep the
 * process alive; call it to free their memory in a long-running process.
 */
export async function shutdownDigestPool(): Promise<void> {
  await shared?.shutdown();
}

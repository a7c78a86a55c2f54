/**
 * The process-wide pool of digest workers. Workers start on first need, stay
 * for the next job (a start costs tens of milliseconds), and are unref'd while
 * idle, so an idle pool never keeps the process alive: the CLI exits as soon
 * as its work is done.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { FormatError, IoError, SifError } from '../errors.js';
import type { WorkerJob, WorkerReply } from './digest-protocol.js';

/** What a worker made of a job: the digest, or `moved` when it could not open the same file. */
export type WorkerOutcome = Buffer | 'moved';

// Tests run the TypeScript sources, so the worker is the sibling file of this module, .ts or .js.
const WORKER_URL = new URL(`./digest-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/** One worker thread, running at most one job. */
export class PoolWorker {
  private readonly worker = new Worker(WORKER_URL);
  private job: { resolve: (o: WorkerOutcome) => void; reject: (e: unknown) => void; onBytes: (n: number) => void } | undefined;
  alive = true;

  constructor(private readonly onDeath: (w: PoolWorker) => void) {
    this.worker.unref();
    this.worker.on('message', (reply: WorkerReply) => this.receive(reply));
    this.worker.on('error', (e) => this.die(e));
    this.worker.on('exit', () => this.die(new Error('digest worker exited')));
  }

  /** Runs one job; hashed bytes are reported through `onBytes` as they are hashed. */
  run(job: WorkerJob, onBytes: (n: number) => void): Promise<WorkerOutcome> {
    if (!this.alive) return Promise.reject(failure('the pool was shut down'));
    return new Promise((resolve, reject) => {
      this.job = { resolve, reject, onBytes };
      this.worker.ref(); // a pending job must keep the process alive
      this.worker.postMessage(job);
    });
  }

  async terminate(): Promise<void> {
    this.die(new Error('the pool was shut down'));
    await this.worker.terminate();
  }

  private receive(reply: WorkerReply): void {
    const job = this.job!;
    if (reply.type === 'progress') return job.onBytes(reply.bytes);
    this.job = undefined;
    this.worker.unref();
    if (reply.type === 'done') job.resolve(Buffer.from(reply.digest));
    else if (reply.type === 'moved') job.resolve('moved');
    else job.reject(reviveError(reply.code, reply.message));
  }

  private die(e: unknown): void {
    if (!this.alive) return;
    this.alive = false;
    this.job?.reject(failure((e as Error).message));
    this.job = undefined;
    this.onDeath(this);
  }
}

const failure = (why: string) => new SifError('SIF_INTERNAL', `digest worker failed: ${why}`);

/** A worker's error as the SifError the main thread would have thrown. */
function reviveError(code: string | undefined, message: string): SifError {
  if (code === 'SIF_TRUNCATED') return new FormatError(code, message);
  return new IoError('SIF_IO', `reading image data: ${message}`);
}

/** Workers shared by every ObjectDigests of the process. */
export class DigestPool {
  private readonly idle: PoolWorker[] = [];
  private readonly all = new Set<PoolWorker>();

  /** @param maxWorkers at most this many workers; default one per core but the main thread's. */
  constructor(readonly maxWorkers: number = Math.max(0, availableParallelism() - 1)) {}

  /** Workers started and not yet terminated. */
  get size(): number {
    return this.all.size;
  }

  /** An idle worker, else a new one if the pool is not full, else undefined. */
  acquire(): PoolWorker | undefined {
    const w = this.idle.pop();
    if (w) return w;
    if (this.all.size >= this.maxWorkers) return undefined;
    const started = new PoolWorker((dead) => this.forget(dead));
    this.all.add(started);
    return started;
  }

  release(w: PoolWorker): void {
    if (w.alive) this.idle.push(w);
  }

  /** Terminates every worker; running jobs fail. The pool starts workers again when next asked. */
  async shutdown(): Promise<void> {
    const workers = [...this.all];
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private forget(w: PoolWorker): void {
    this.all.delete(w);
    const i = this.idle.indexOf(w);
    if (i >= 0) this.idle.splice(i, 1);
  }
}

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

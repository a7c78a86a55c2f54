/**
 * Where each hashing job runs. The main thread is one hashing slot and the
 * pool's workers are the others, so a run with one big object never starts a
 * worker, and N objects on N cores hash side by side. Small jobs stay on the
 * main thread (a worker's message round trip is not worth it), and a worker
 * is started only for enough waiting work to repay its start
 * (docs/performance.md: crossover). Where the main thread must stay free (a
 * page: hashing there freezes the tab), every job big enough for a worker
 * runs on one.
 */
import { SifError } from '../errors.js';
import type { ByteSource } from '../source/byte-source.js';
import type { DigestAlg } from './digest-alg.js';
import type { HashingPool, HashingWorker } from './digest-protocol.js';
import { createHash } from './hash-engine.js';
import { hashSource, ReadBuffers, type ByteRange } from './digest-read.js';

export interface SchedulerOptions {
  /**
   * Hashing slots: the main thread plus `threads - 1` workers at most, or
   * `threads` workers when `mainThreadFree`.
   */
  readonly threads: number;
  /**
   * The main thread hashes only jobs no worker can take (small ones, sources
   * without an identity); the others wait for one of `threads` workers,
   * started without regard to `workerStartBytes`.
   */
  readonly mainThreadFree?: boolean;
  /** Jobs of fewer bytes always run on the main thread. */
  readonly workerMinBytes: number;
  /** A new worker starts only while at least this many bytes wait for one; idle workers take any job. */
  readonly workerStartBytes: number;
  readonly chunkSize: number;
  /** Called with the byte count of every chunk hashed, on any thread. */
  readonly onBytes: (bytes: number) => void;
  /** The main thread takes no job before this settles; workers start at once. */
  readonly mainThreadAfter?: Promise<unknown>;
}

/**
 * Whether a job of `bytes` from `source` may go to a worker: big enough to
 * repay the message round trip, and from a source a worker can open itself
 * (one with an identity).
 */
export const workerCanTake = (source: ByteSource, bytes: number, workerMinBytes: number): boolean =>
  bytes >= workerMinBytes && source.identity !== undefined;

interface Job {
  readonly source: ByteSource;
  readonly ranges: readonly ByteRange[];
  readonly alg: DigestAlg;
  readonly bytes: number;
  readonly resolve: (digest: Buffer) => void;
  readonly reject: (e: unknown) => void;
}

/** How many jobs ran where (for tests and benchmarks). */
export interface SchedulerStats {
  mainJobs: number;
  workerJobs: number;
}

export class DigestScheduler {
  private readonly mainOnly: Job[] = [];
  private readonly anywhere: Job[] = [];
  private mainBusy = false;
  private mainReady: boolean;
  private workersBusy = 0;
  private readonly mainBuffers: ReadBuffers;
  private readonly running = new Map<HashingWorker, Job>();
  private readonly abort = new AbortController();
  readonly stats: SchedulerStats = { mainJobs: 0, workerJobs: 0 };

  constructor(
    private readonly pool: () => HashingPool,
    private readonly options: SchedulerOptions,
  ) {
    this.mainBuffers = new ReadBuffers(options.chunkSize);
    this.mainReady = options.mainThreadAfter === undefined;
    const ready = () => {
      this.mainReady = true;
      this.pump();
    };
    options.mainThreadAfter?.then(ready, ready);
  }

  /**
   * Digest of the ranges of `source` concatenated; hashed exactly once. One
   * scheduler takes jobs of any number of sources (an image, a model's files).
   */
  submit(source: ByteSource, ranges: readonly ByteRange[], alg: DigestAlg): Promise<Buffer> {
    if (this.abort.signal.aborted) return Promise.reject(closedError());
    return new Promise((resolve, reject) => {
      const bytes = ranges.reduce((n, r) => n + r.size, 0);
      const job = { source, ranges, alg, bytes, resolve, reject };
      const useWorkers = this.workerSlots() > 0 && workerCanTake(source, bytes, this.options.workerMinBytes);
      (useWorkers ? this.anywhere : this.mainOnly).push(job);
      this.pump();
    });
  }

  /**
   * Ends the run: queued jobs never start, running ones stop at their next
   * chunk, and all of them (and any later submit) reject.
   */
  close(): void {
    if (this.abort.signal.aborted) return;
    this.abort.abort(closedError());
    for (const job of this.mainOnly.splice(0).concat(this.anywhere.splice(0))) job.reject(closedError());
    // Settled now, not when the worker answers: a cancelled worker no longer keeps the process alive.
    for (const [worker, job] of this.running) {
      job.reject(closedError());
      worker.cancel();
    }
  }

  private pump(): void {
    if (this.abort.signal.aborted) return;
    const { mainThreadFree = false } = this.options;
    this.startOnMain();
    while (this.anywhere.length > 0 && this.workersBusy < this.workerSlots()) {
      const waiting = this.anywhere.reduce((n, job) => n + job.bytes, 0);
      const worker = this.pool().acquire(mainThreadFree || waiting >= this.options.workerStartBytes);
      if (!worker) {
        // None can start (a page whose policy forbids workers): better the main thread than nobody.
        if (mainThreadFree && this.workersBusy === 0) {
          this.mainOnly.push(...this.anywhere.splice(0));
          this.startOnMain();
        }
        break;
      }
      void this.runOnWorker(worker, this.anywhere.shift()!);
    }
  }

  private startOnMain(): void {
    if (!this.mainReady || this.mainBusy) return;
    const job = this.mainOnly.shift() ?? (this.options.mainThreadFree ? undefined : this.anywhere.shift());
    if (job) void this.runOnMain(job);
  }

  private workerSlots(): number {
    return this.options.mainThreadFree ? this.options.threads : this.options.threads - 1;
  }

  /**
   * Whether the job just started is the only one hashing, with none waiting
   * for a worker: only then is a core idle to read ahead on; beside other
   * hashing, blocking reads are faster (digest-read.ts).
   */
  private hashingAlone(): boolean {
    return this.workersBusy + (this.mainBusy ? 1 : 0) === 1 && this.anywhere.length === 0;
  }

  private async runOnMain(job: Job): Promise<void> {
    this.mainBusy = true;
    this.stats.mainJobs++;
    try {
      const hash = await createHash(job.alg);
      const { onBytes } = this.options;
      await hashSource(job.source, job.ranges, hash, this.mainBuffers, this.hashingAlone(), onBytes, this.abort.signal);
      job.resolve(hash.digest());
    } catch (e) {
      job.reject(this.abort.signal.aborted ? closedError() : e);
    } finally {
      this.mainBusy = false;
      this.pump();
    }
  }

  private async runOnWorker(worker: HashingWorker, job: Job): Promise<void> {
    this.workersBusy++;
    this.running.set(worker, job);
    try {
      // Digests requested in the same turn are all queued after this await: readAhead is judged on them.
      await Promise.resolve();
      this.abort.signal.throwIfAborted();
      const readAhead = this.hashingAlone();
      const outcome = await worker.run(
        { source: job.source.identity!, ranges: job.ranges, alg: job.alg, chunkSize: this.options.chunkSize, readAhead },
        this.options.onBytes,
      );
      if (this.abort.signal.aborted) {
        job.reject(closedError());
      } else if (outcome === undefined) {
        this.mainOnly.unshift(job); // the path names another file now, or the worker died
      } else {
        this.stats.workerJobs++;
        job.resolve(outcome);
      }
    } catch (e) {
      job.reject(this.abort.signal.aborted ? closedError() : e);
    } finally {
      this.running.delete(worker);
      this.workersBusy--;
      this.pool().release(worker);
      this.pump();
    }
  }
}

const closedError = () => new SifError('SIF_INTERNAL', 'hashing stopped: the digests were closed');

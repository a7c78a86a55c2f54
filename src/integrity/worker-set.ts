/**
 * The bookkeeping of a digest pool, the same on every platform (Node's
 * worker threads in digest-pool.ts, a page's Web Workers in
 * src/web/browser/platform/digest-pool.ts): workers start on demand up to a
 * bound, stay idle between jobs, and are forgotten when they die. A platform
 * says only how a worker starts.
 */
import type { HashingPool, HashingWorker } from './digest-protocol.js';

export abstract class WorkerSet<W extends HashingWorker & { readonly alive: boolean }> implements HashingPool<W> {
  private readonly idle: W[] = [];
  private readonly all = new Set<W>();

  constructor(readonly maxWorkers: number) {}

  /** A new worker, or undefined when none can start. */
  protected abstract startWorker(): W | undefined;

  /** Workers started and not yet dead. */
  get size(): number {
    return this.all.size;
  }

  /** An idle worker, else (when `mayStart`) a new one if the pool is not full, else undefined. */
  acquire(mayStart = true): W | undefined {
    return this.idle.pop() ?? (mayStart ? this.start() : undefined);
  }

  /**
   * Starts workers now, up to `count` in all, and keeps them idle: a start
   * takes tens to hundreds of milliseconds, which can overlap other work of
   * the caller.
   */
  prestart(count: number): void {
    while (this.all.size < count) {
      const w = this.start();
      if (!w) return;
      this.idle.push(w);
    }
  }

  release(w: W): void {
    if (w.alive) this.idle.push(w);
  }

  protected workers(): W[] {
    return [...this.all];
  }

  /** Drops a dead worker. */
  protected forget(w: W): void {
    this.all.delete(w);
    const i = this.idle.indexOf(w);
    if (i >= 0) this.idle.splice(i, 1);
  }

  private start(): W | undefined {
    if (this.all.size >= this.maxWorkers) return undefined;
    const started = this.startWorker();
    if (started) this.all.add(started);
    return started;
  }
}

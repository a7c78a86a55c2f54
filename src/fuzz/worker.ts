/**
 * The fuzz loop, run in a worker thread so the supervisor can stop it when an
 * input hangs (even in a synchronous loop) or exhausts the heap. Before each
 * input it publishes the iteration and start time in shared memory; findings
 * are posted as messages and the loop goes on.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { describe, Finding } from './outcome.js';
import { Control, type WorkerData, type WorkerMessage, type WorkerStats } from './protocol.js';
import { generateInput, replayInput, TARGETS, type GeneratedInput } from './targets.js';

const data = workerData as WorkerData;
const control = new Control(data.control);
const post = (m: WorkerMessage) => parentPort!.postMessage(m);

/** Refuses single allocations over the bound, so a huge request is a finding, not a slow success. */
function guardAllocations(maxBytes: number): void {
  for (const name of ['alloc', 'allocUnsafe', 'allocUnsafeSlow'] as const) {
    const original = Buffer[name] as (size: number, ...rest: unknown[]) => Buffer;
    (Buffer as unknown as Record<string, unknown>)[name] = (size: number, ...rest: unknown[]) => {
      if (size > maxBytes) throw new RangeError(`huge allocation: Buffer.${name}(${size}) over the ${maxBytes}-byte bound`);
      return original.call(Buffer, size, ...rest);
    };
  }
}

const openFds = () => readdirSync('/proc/self/fd').length;

/** Runs one input; a broken invariant is posted as a finding. */
async function runOne(i: number, input: GeneratedInput, ctx: { scratchDir: string; scratchFile: string }, stats: WorkerStats): Promise<void> {
  const target = TARGETS[data.target]!;
  control.begin(i);
  try {
    const tally = await target.run(input.bytes, ctx, input.rng);
    stats.accepted += tally.accepted;
    stats.rejected += tally.rejected;
    for (const [code, n] of tally.codes) stats.codes[code] = (stats.codes[code] ?? 0) + n;
  } catch (e) {
    const step = e instanceof Finding ? e.step : 'target';
    const original = e instanceof Finding ? e.original : e;
    post({ kind: 'finding', iteration: i, type: 'crash', detail: `${step}: ${describe(original)}`, stack: (original as Error)?.stack });
  }
  stats.iterations++;
}

async function loop(): Promise<void> {
  guardAllocations(data.maxAllocBytes);
  const target = TARGETS[data.target]!;
  const seeds = data.files ? [] : await target.seeds();
  const scratchDir = mkdtempSync(join(tmpdir(), 'sif-fuzz-'));
  const ctx = { scratchDir, scratchFile: join(scratchDir, `input${target.extension}`) };
  const stats: WorkerStats = { iterations: 0, accepted: 0, rejected: 0, codes: {} };
  const baseFds = openFds();
  let lastReport = Date.now();
  try {
    const end = data.files ? Math.min(data.end, data.files.length) : data.end;
    for (let i = data.start; i < end && !control.stopRequested(); i++) {
      control.begin(i); // before generating: a mutator that breaks is reported against this input
      const input = data.files ? replayInput(data.files[i]!) : await generateInput(target, seeds, data.seed, i);
      await runOne(i, input, ctx, stats);
      const heapMb = getHeapStatistics().used_heap_size / 2 ** 20;
      if (heapMb > data.maxHeapMb) post({ kind: 'finding', iteration: i, type: 'memory', detail: `heap at ${heapMb.toFixed(0)} MiB after this input` });
      if (i % 256 === 0 && openFds() > baseFds + 64) post({ kind: 'finding', iteration: i, type: 'fd-leak', detail: `${openFds() - baseFds} file descriptors leaked` });
      if (Date.now() - lastReport > 500) {
        post({ kind: 'stats', stats });
        lastReport = Date.now();
      }
    }
  } finally {
    rmSync(scratchDir, { recursive: true, force: true });
  }
  post({ kind: 'done', stats });
}

await loop();

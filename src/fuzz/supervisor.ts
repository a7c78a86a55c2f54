/**
 * Runs a target's fuzz loop in a worker thread and watches it: an input that
 * runs past the deadline is a hang (the worker is terminated), a worker that
 * dies (uncaught error, heap limit) is a crash or memory finding; either way a
 * fresh worker resumes at the next input. Findings are regenerated from
 * (seed, iteration), de-duplicated and optionally saved.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe } from './outcome.js';
import { Control, type FindingMessage, type WorkerData, type WorkerMessage, type WorkerStats } from './protocol.js';
import { generateInput, replayInput, TARGETS, type GeneratedInput } from './targets.js';

export interface FuzzOptions {
  target: string;
  seed: string;
  seconds: number;
  /** Stop after this many inputs even when time is left. */
  maxIterations: number;
  /** Mutated inputs (past the seeds) each target runs even when its time is up: a short budget still mutates. */
  minMutations?: number;
  /** Deadline of one input. */
  timeoutMs: number;
  maxAllocBytes: number;
  maxHeapMb: number;
  /** Folder for crashers; none saved when undefined. */
  saveDir?: string;
  /** Replay these saved inputs instead of generating new ones. */
  files?: string[];
}

export interface Finding extends FindingMessage {
  seedName: string;
  steps: readonly string[];
  /** How many other inputs failed the same way. */
  duplicates: number;
  savedAs?: string;
}

export interface FuzzReport {
  target: string;
  seed: string;
  seeds: number;
  iterations: number;
  accepted: number;
  rejected: number;
  codes: Record<string, number>;
  elapsedMs: number;
  /** Inputs that ran past the deadline once but finished in time when run again alone. */
  slowInputs: number;
  findings: Finding[];
}

interface Segment {
  stats?: WorkerStats;
  findings: FindingMessage[];
  /** The iteration after the last one this worker started. */
  resumeAt: number;
  /** True when the worker ran out of inputs or time rather than being stopped by a finding. */
  completed: boolean;
}

/** Runs inputs from data.start in one worker until `until`, but never stops it before input `minEnd`. */
function runSegment(data: Omit<WorkerData, 'control'>, until: number, timeoutMs: number, minEnd = 0): Promise<Segment> {
  const control = new Control();
  const worker = new Worker(new URL('./worker.js', import.meta.url), {
    workerData: { ...data, control: control.buffer },
    resourceLimits: { maxOldGenerationSizeMb: data.maxHeapMb * 2 },
    stdout: true,
    stderr: true,
  });
  worker.stdout.resume();
  worker.stderr.resume();
  const findings: FindingMessage[] = [];
  let stats: WorkerStats | undefined;
  let partial: WorkerStats | undefined;
  let stopped = false;
  return new Promise((resolve) => {
    const watchdog = setInterval(() => {
      if (Date.now() >= until && control.iteration + 1 >= minEnd) control.requestStop();
      if (!stopped && control.iteration >= 0 && control.elapsed() > timeoutMs) {
        stopped = true;
        findings.push({ kind: 'finding', iteration: control.iteration, type: 'hang', detail: `no result after ${timeoutMs} ms` });
        void worker.terminate();
      }
    }, 25);
    worker.on('message', (m: WorkerMessage) => {
      if (m.kind === 'finding') findings.push(m);
      else partial = m.stats;
      if (m.kind === 'done') stats = m.stats;
    });
    worker.on('error', (e: Error & { code?: string }) => {
      stopped = true;
      const type = e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'crash';
      findings.push({ kind: 'finding', iteration: control.iteration, type, detail: `worker died: ${describe(e)}`, stack: e.stack });
    });
    worker.on('exit', () => {
      clearInterval(watchdog);
      if (stats === undefined && !stopped && control.iteration >= 0) {
        // Nothing left to run, yet the input never finished: a promise that can never settle.
        findings.push({ kind: 'finding', iteration: control.iteration, type: 'hang', detail: 'the input never finished (a promise that never settles)' });
      }
      const completed = stats !== undefined;
      const resumeAt = completed ? data.start + stats!.iterations : Math.max(data.start, control.iteration + 1);
      resolve({ stats: stats ?? partial, findings, resumeAt, completed });
    });
  });
}

/** Runs one input again in a fresh worker: a hang only counts when it hangs twice. */
async function hangsAgain(data: Omit<WorkerData, 'control'>, iteration: number, timeoutMs: number): Promise<boolean> {
  const again = await runSegment({ ...data, start: iteration, end: iteration + 1 }, Infinity, timeoutMs);
  return again.findings.some((f) => f.type === 'hang');
}

/** Same bug, same key: the message without numbers, plus the first stack frame. */
function findingKey(f: FindingMessage): string {
  const frame = f.stack?.split('\n').find((l) => l.trim().startsWith('at ')) ?? '';
  return `${f.type}|${f.detail.replace(/\d+/g, 'N')}|${frame.trim()}`;
}

function save(dir: string, target: string, extension: string, f: Finding, bytes: Buffer): string {
  mkdirSync(dir, { recursive: true });
  const base = `${target}-${f.type}-${createHash('sha256').update(bytes).digest('hex').slice(0, 12)}`;
  writeFileSync(join(dir, `${base}${extension}`), bytes);
  writeFileSync(join(dir, `${base}.json`), `${JSON.stringify({ ...f, savedAs: undefined }, null, 2)}\n`);
  return join(dir, `${base}${extension}`);
}

/** Adds a segment's counts to the report. */
function account(report: FuzzReport, segment: Segment, from: number): void {
  report.iterations += segment.resumeAt - from;
  report.accepted += segment.stats?.accepted ?? 0;
  report.rejected += segment.stats?.rejected ?? 0;
  for (const [code, n] of Object.entries(segment.stats?.codes ?? {})) report.codes[code] = (report.codes[code] ?? 0) + n;
}

/** Collects findings: one per key (the earliest input), confirmed hangs only, saved when asked. */
class Findings {
  private readonly byKey = new Map<string, Finding>();
  slowInputs = 0;

  constructor(
    private readonly o: FuzzOptions,
    private readonly extension: string,
    private readonly inputOf: (i: number) => Promise<GeneratedInput>,
  ) {}

  async add(m: FindingMessage, data: Omit<WorkerData, 'control'>): Promise<void> {
    if (m.iteration < 0) throw new Error(`the ${this.o.target} worker failed before its first input: ${m.detail}\n${m.stack ?? ''}`);
    if (m.type === 'hang' && !(await hangsAgain(data, m.iteration, this.o.timeoutMs))) {
      this.slowInputs++; // a loaded machine, not the input: it finished in time on its own
      return;
    }
    const key = findingKey(m);
    const known = this.byKey.get(key);
    if (known && known.iteration <= m.iteration) {
      known.duplicates++;
      return;
    }
    const input = await this.inputOf(m.iteration);
    const f: Finding = { ...m, seedName: input.seedName, steps: input.steps, duplicates: known ? known.duplicates + 1 : 0 };
    if (this.o.saveDir) f.savedAs = save(this.o.saveDir, this.o.target, this.extension, f, input.bytes);
    this.byKey.set(key, f);
  }

  get all(): Finding[] {
    return [...this.byKey.values()];
  }
}

/** Fuzzes one target for the time and iteration budget; never throws for findings. */
export async function fuzzTarget(o: FuzzOptions): Promise<FuzzReport> {
  const target = TARGETS[o.target];
  if (!target) throw new Error(`unknown target ${o.target}`);
  const seeds = o.files ? o.files.map((f) => ({ name: f, bytes: Buffer.alloc(0) })) : await target.seeds();
  const report: FuzzReport = { target: o.target, seed: o.seed, seeds: seeds.length, iterations: 0, accepted: 0, rejected: 0, codes: {}, elapsedMs: 0, slowInputs: 0, findings: [] };
  if (seeds.length === 0) return report;
  const findings = new Findings(o, target.extension, async (i) => (o.files ? replayInput(o.files[i]!) : generateInput(target, seeds, o.seed, i)));
  const started = Date.now();
  const until = started + o.seconds * 1000;
  const end = Math.min(o.maxIterations, o.files?.length ?? Infinity);
  const minEnd = o.files || !o.minMutations ? 0 : seeds.length + o.minMutations;
  for (let next = 0; next < end && (Date.now() < until || next < minEnd); ) {
    const data = { target: o.target, seed: o.seed, start: next, end: o.maxIterations, maxAllocBytes: o.maxAllocBytes, maxHeapMb: o.maxHeapMb, files: o.files };
    const segment = await runSegment(data, until, o.timeoutMs, minEnd);
    account(report, segment, next);
    for (const m of segment.findings) await findings.add(m, data);
    next = segment.resumeAt;
    if (segment.completed) break;
  }
  return { ...report, findings: findings.all, slowInputs: findings.slowInputs, elapsedMs: Date.now() - started };
}

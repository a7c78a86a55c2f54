/** What the fuzz supervisor and its worker share: start data, a control block, messages. */

export interface WorkerData {
  target: string;
  seed: string;
  /** First and one-past-last iteration to run. */
  start: number;
  end: number;
  /** Replay these files (iteration i = files[i]) instead of generating inputs. */
  files?: string[];
  maxAllocBytes: number;
  maxHeapMb: number;
  control: SharedArrayBuffer;
}

export type FindingType = 'crash' | 'hang' | 'memory' | 'fd-leak';

export interface FindingMessage {
  kind: 'finding';
  iteration: number;
  type: FindingType;
  detail: string;
  stack?: string;
}

export interface WorkerStats {
  iterations: number;
  /** Steps that returned a result, and steps that ended in a typed SifError. */
  accepted: number;
  rejected: number;
  codes: Record<string, number>;
}

/** `stats` are sent now and then, so a worker that is stopped still accounts for its work. */
export type WorkerMessage = FindingMessage | { kind: 'stats' | 'done'; stats: WorkerStats };

/** Slots of the shared control block: [iteration, started-at ms, stop flag]. */
export class Control {
  private readonly view: Float64Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(3 * 8)) {
    this.view = new Float64Array(buffer);
    if (this.view[1] === 0) this.view[0] = -1;
  }

  begin(iteration: number): void {
    this.view[0] = iteration;
    this.view[1] = Date.now();
  }

  get iteration(): number {
    return this.view[0]!;
  }

  /** Milliseconds the current input has been running. */
  elapsed(now = Date.now()): number {
    return this.view[1] === 0 ? 0 : now - this.view[1]!;
  }

  requestStop(): void {
    this.view[2] = 1;
  }

  stopRequested(): boolean {
    return this.view[2] === 1;
  }
}

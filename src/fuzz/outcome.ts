/**
 * The fuzz invariant in code: every step ends in a result or a typed SifError.
 * Anything else (a TypeError, a RangeError, a SifError with the internal code)
 * is a finding.
 */
import type { CapturedRun } from '../cli/capture.js';
import { isSifError } from '../errors.js';

/** A step that failed the invariant; `step` names what was being done. */
export class Finding extends Error {
  constructor(
    readonly step: string,
    readonly original: unknown,
  ) {
    super(`${step}: ${describe(original)}`, { cause: original });
    this.name = 'Finding';
  }
}

export function describe(e: unknown): string {
  if (e instanceof Error) return `${e.name}${'code' in e ? `[${String(e.code)}]` : ''}: ${e.message}`;
  return `non-error thrown: ${String(e)}`;
}

const acceptable = (e: unknown) => isSifError(e) && e.code !== 'SIF_INTERNAL' && e.message.length > 0;

/** Counts how the steps of one input ended. */
export class Tally {
  accepted = 0;
  rejected = 0;
  readonly codes = new Map<string, number>();

  private reject(step: string, e: unknown): void {
    if (!acceptable(e)) throw new Finding(step, e);
    this.rejected++;
    const code = (e as { code: string }).code;
    this.codes.set(code, (this.codes.get(code) ?? 0) + 1);
  }

  /** Runs a step; returns its result, or undefined when it failed acceptably. */
  run<T>(step: string, fn: () => T): T | undefined {
    try {
      const v = fn();
      this.accepted++;
      return v;
    } catch (e) {
      this.reject(step, e);
      return undefined;
    }
  }

  async runAsync<T>(step: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      const v = await fn();
      this.accepted++;
      return v;
    } catch (e) {
      this.reject(step, e);
      return undefined;
    }
  }
}

/** The CLI's side of the invariant: no internal error (exit 1), and an error is one `sif: ` line. */
export function checkCliRun(argv: readonly string[], r: CapturedRun): void {
  if (r.code === 1) throw new Finding(`sif ${argv.join(' ')}`, new Error(`exit 1: ${r.stderr}`));
  if (r.code !== 0 && !/^sif: [^\n]+\n$/.test(r.stderr)) {
    throw new Finding(`sif ${argv.join(' ')}`, new Error(`error output is not one line: ${JSON.stringify(r.stderr)}`));
  }
}

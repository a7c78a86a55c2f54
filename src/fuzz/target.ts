/** What a fuzz target provides, and the registry of targets. */
import type { Seed } from './corpus.js';
import type { Tally } from './outcome.js';
import type { Prng } from './prng.js';

export interface RunContext {
  /** A private scratch file path; targets that need a file write the input here. */
  readonly scratchFile: string;
  /** A private scratch folder (keysdirs, keyrings). */
  readonly scratchDir: string;
}

export interface Mutated {
  bytes: Buffer;
  /** Names of the mutations applied, for the report. */
  steps: string[];
}

export interface FuzzTarget {
  readonly name: string;
  /** Extension of saved crashers, so they open with the right tool. */
  readonly extension: string;
  /** Seeds available on this machine; an empty list makes the target unavailable. */
  seeds(): Seed[] | Promise<Seed[]>;
  /** A pure function of its arguments (and the generator's state), so inputs can be rebuilt. */
  mutate(rng: Prng, seed: Buffer, donors: readonly Buffer[]): Mutated | Promise<Mutated>;
  /** Runs one input. Resolves with the tally; throws a Finding when the invariant breaks. */
  run(input: Buffer, ctx: RunContext, rng: Prng): Promise<Tally>;
}

/** Every fuzz target by name, and how input number i of a run is generated. */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Seed } from './corpus.js';
import { inputPrng, Prng } from './prng.js';
import { statementsTarget } from './target-statements.js';
import { attestationTarget } from './target-attestation.js';
import { dsseTarget } from './target-dsse.js';
import { keysTarget } from './target-keys.js';
import { readerTarget } from './target-reader.js';
import { selftestTarget } from './target-selftest.js';
import { signaturesTarget } from './target-signatures.js';
import { verifyTarget } from './target-verify.js';
import type { FuzzTarget } from './target.js';
import { x509Target } from './target-x509.js';

export const TARGETS: Readonly<Record<string, FuzzTarget>> = {
  reader: readerTarget,
  keys: keysTarget,
  verify: verifyTarget,
  signatures: signaturesTarget,
  dsse: dsseTarget,
  x509: x509Target,
  statements: statementsTarget,
  attestation: attestationTarget,
  // The harness's own test target; never part of `--target all` otherwise.
  ...(process.env.SIF_FUZZ_SELFTEST === '1' ? { selftest: selftestTarget } : {}),
};

export interface GeneratedInput {
  readonly bytes: Buffer;
  readonly seedName: string;
  readonly steps: readonly string[];
  /** The same generator, advanced past the mutation; targets draw their choices from it. */
  readonly rng: Prng;
}

/**
 * Input `i` of a run: the seeds unchanged first (they must pass too), then
 * stacked mutations of a random seed. A pure function of its arguments.
 */
export async function generateInput(target: FuzzTarget, seeds: readonly Seed[], runSeed: string, i: number): Promise<GeneratedInput> {
  const rng = inputPrng(runSeed, target.name, i);
  if (i < seeds.length) return { bytes: seeds[i]!.bytes, seedName: seeds[i]!.name, steps: [], rng };
  const seed = rng.pick(seeds);
  const { bytes, steps } = await target.mutate(rng, seed.bytes, seeds.map((s) => s.bytes));
  return { bytes, seedName: seed.name, steps, rng };
}

/** A saved input (gzip-compressed when it ends in .gz, for large repetitive cases). */
export function replayInput(file: string): GeneratedInput {
  const raw = readFileSync(file);
  return { bytes: file.endsWith('.gz') ? gunzipSync(raw) : raw, seedName: file, steps: [], rng: new Prng(basename(file)) };
}

/**
 * Adapter from the integrity verifier's result to the per-signature report
 * the policies decide on (decide.ts).
 */
import type { VerificationReport } from './decide.js';

export interface CollectedReport {
  readonly report: VerificationReport;
  /** Signing entity (User ID) per signature object ID, when its key was found. */
  readonly signers: ReadonlyMap<number, string>;
  /** Objects each signature verified, per signature object ID. */
  readonly objects: ReadonlyMap<number, readonly number[]>;
}

export interface CollectOptions {
  readonly keyrings?: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** ECL legacyinsecure: legacy signatures of the primary partition. */
  readonly legacy: boolean;
}

export async function collectReport(path: string, options: CollectOptions): Promise<CollectedReport> {
  throw new Error(`verification is not merged yet (${path}, ${options.legacy})`);
}

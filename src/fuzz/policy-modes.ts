/**
 * `sif verify`'s signer policies and the reference's verdict for each, so a
 * test or the fuzzer can say "same verdict under every policy":
 * - default: sylabs/sif's Verify;
 * - `--fingerprints FP`: Apptainer's VerifyFingerprints (Verify, then AllSignedBy);
 * - `--fingerprints FP --require any`: Verify, then Apptainer's ECL whitelist rule;
 * - `--ignore-unknown-signers`: Verify ignoring exactly go-crypto's unknown-issuer
 *   errors, each group keeping a verified signature.
 */
import type { OracleServer } from './oracle-server.js';

export const POLICY_MODES = ['default', 'fingerprints', 'require-any', 'ignore-unknown'] as const;
export type PolicyMode = (typeof POLICY_MODES)[number];

/** `sif verify` flags for `mode`, requiring `fingerprint`. */
export function sifPolicyFlags(mode: PolicyMode, fingerprint: string): string[] {
  switch (mode) {
    case 'default':
      return [];
    case 'fingerprints':
      return ['--fingerprints', fingerprint];
    case 'require-any':
      return ['--fingerprints', fingerprint, '--require', 'any'];
    case 'ignore-unknown':
      return ['--ignore-unknown-signers'];
  }
}

type Answer = { error: string };

/** The reference's error for `image` under `mode` ('' when it passes). */
export async function referencePolicyError(oracle: OracleServer, mode: PolicyMode, image: string, keyrings: readonly string[], fingerprint: string): Promise<string> {
  const rings = keyrings.flatMap((k) => ['--keyring', k]);
  switch (mode) {
    case 'default':
      return (await oracle.ask<Answer>('verify', ...rings, image)).error;
    case 'fingerprints':
      return (await oracle.ask<Answer>('signedby', ...rings, '--fingerprints', fingerprint, image)).error;
    case 'require-any': {
      const plain = (await oracle.ask<Answer>('verify', ...rings, image)).error;
      return plain || (await oracle.ask<Answer>('signedby', ...rings, '--mode', 'whitelist', '--keyfp', fingerprint, image)).error;
    }
    case 'ignore-unknown':
      return (await oracle.ask<Answer>('verify', '--ignore-unknown', ...rings, image)).error;
  }
}

/** The reference says the (first failing) signature was made by an unknown entity. */
export const isUnknownEntity = (referenceError: string) => /signature made by unknown entity/.test(referenceError);

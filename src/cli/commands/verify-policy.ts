/**
 * The signer-policy flags of `sif verify` (--fingerprints, --require,
 * --ignore-unknown-signers, --ecl): with any of them, every signature is
 * verified and the policy decides (src/policy/verify-image.ts).
 */
import type { Argv } from 'yargs';
import { isSifError, UsageError } from '../../errors.js';
import type { VerifyReport } from '../../integrity/verify.js';
import type { Require } from '../../policy/decide.js';
import type { VerifyImageResult } from '../../policy/verify-image.js';
import type { PolicyOutcome } from '../render/verify-policy-json.js';
import { write, type Io } from '../io.js';
import { verifyKeySetOptionsFromArgs, type TrustArgs } from './trust-flags.js';

export interface PolicyArgs extends TrustArgs {
  image: string;
  fingerprints?: string;
  require?: string;
  'ignore-unknown-signers': boolean;
  ecl?: string;
  'group-id'?: string;
  'sif-id'?: string;
  'legacy-insecure': boolean;
  all: boolean;
  json: boolean;
}

export function policyOptions<T>(y: Argv<T>) {
  return y
    .option('fingerprints', { type: 'string', describe: 'require signatures by these keys: FP[,FP…], full 40-hex PGP fingerprints or SHA256: key IDs of DSSE keys' })
    .option('require', { type: 'string', choices: ['all', 'any'], describe: 'with --fingerprints: all keys (default) or any one must have signed every group' })
    .option('ignore-unknown-signers', {
      type: 'boolean',
      default: false,
      describe: 'pass when trusted signers verified every group and other signatures are by keys you do not have (listed as skipped)',
    })
    .option('ecl', { type: 'string', describe: "decide with an Apptainer Execution Control List (ecl.toml)" })
    .example('$0 verify --keyring release.asc --fingerprints 0C5B8C9A5FFC44E2A0AC79851CD6FA281D476DD1 base.sif', 'require a signer (exit 12 if missing)');
}

/** True when a policy flag was given. */
export const usesPolicy = (a: PolicyArgs): boolean =>
  a.fingerprints !== undefined || a.require !== undefined || a['ignore-unknown-signers'] || a.ecl !== undefined;

function assertCompatible(a: PolicyArgs): void {
  const other = (['group-id', 'sif-id', 'legacy-insecure', 'all'] as const).find((k) => a[k] !== undefined && a[k] !== false);
  if (other) throw new UsageError(`--${other} cannot be combined with --fingerprints, --require, --ignore-unknown-signers or --ecl`);
  if (a.require !== undefined && a.fingerprints === undefined) throw new UsageError('--require needs --fingerprints');
  if (a.ecl !== undefined && (a.fingerprints !== undefined || a['ignore-unknown-signers'])) {
    throw new UsageError('--ecl brings its own signer rules: do not combine it with --fingerprints or --ignore-unknown-signers');
  }
}

/**
 * Verifies with the policy, prints each signature and the verdict (or the
 * JSON document), and throws the refusal. Flag errors throw before anything
 * is printed; with --json every later outcome, failures included, is a document.
 */
export async function runPolicyVerify(io: Io, a: PolicyArgs): Promise<void> {
  assertCompatible(a);
  const { normalizeSigner, parseFingerprintList } = await import('../../keys/fingerprint.js');
  const fingerprints = a.fingerprints === undefined ? undefined : parseFingerprintList(a.fingerprints, '--fingerprints', undefined, normalizeSigner);
  const { evaluateImage } = await import('../../policy/verify-image.js');
  let outcome: PolicyOutcome;
  try {
    outcome = await evaluateImage({
      path: a.image,
      ...verifyKeySetOptionsFromArgs(a, io.env),
      fingerprints,
      require: a.require as Require | undefined,
      ignoreUnknownSigners: a['ignore-unknown-signers'],
      ecl: a.ecl,
    });
  } catch (e) {
    if (!a.json || !isSifError(e)) throw e;
    outcome = { error: e };
  }
  if (!a.json) return printText(io, a.image, outcome.result!, outcome.integrity);
  const { policyVerifyJson } = await import('../render/verify-policy-json.js');
  const policy = a.ecl !== undefined ? 'ecl' : fingerprints ? 'fingerprints' : 'default';
  await write(io.stdout, policyVerifyJson({ policy, required: fingerprints ?? [], require: (a.require as Require | undefined) ?? 'all' }, outcome));
  const refusal = outcome.error ?? outcome.result?.error;
  if (refusal) throw refusal;
}

async function printText(io: Io, image: string, result: VerifyImageResult, integrity: VerifyReport | undefined): Promise<void> {
  const { renderSignatures, renderVerdict } = await import('../render/gating.js');
  const signatures = integrity?.tasks.flatMap((t) => t.signatures) ?? [];
  await write(io.stdout, renderSignatures(signatures, result) + renderVerdict(result));
  if (result.error) throw result.error;
  if (signatures.length > 0) await write(io.stderr, `Verified signature(s) from image '${image}'\n`);
}
